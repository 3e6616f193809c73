"""The outbox dispatcher: 10,000 queued messages to 2,000 chats through the Telegram emulator.

Five messages to each chat, queued one chat after another, so the per-chat limit matters too.

In one process: the emulator, a real TelegramChannel (sending only) and the Dispatcher of
`blocbot run`, on a fresh SQLite file (the embedded default) per run. The emulator's own cost
is included, so the figures are a floor for a dispatcher with its own core.

(a) ceiling: the emulator's limits off and the dispatcher's off (rate, chat interval, group);
(b) paced: the emulator answers 429 like Telegram (1/s per chat, 20/min per group, 30/s in
all) and the dispatcher keeps its defaults (25/s); measured over a window, not to the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import App, build
from bot.channels.hub import Hub
from bot.channels.telegram import TelegramChannel
from bot.clock import SystemClock
from bot.config import Settings
from bot.storage.migrate import upgrade
from bot.storage.repositories import NewMessage
from bot.testing.process import TOKEN
from bot.testing.telegram_emulator import TelegramEmulator

MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "10000"))
CHATS = int(os.environ.get("BENCH_OUTBOX_CHATS", "2000"))
WINDOW = float(os.environ.get("BENCH_OUTBOX_WINDOW", "30"))  # seconds measured in (b)
TELEGRAM_RATE = 30  # Telegram's overall limit, messages/s
FIRST_CHAT = 8_000_001


async def prepare(database: Path, tg: TelegramEmulator, **limits: float) -> App:
    """A fresh database holding the queued broadcast, and people who opened their chats."""
    url = f"sqlite+aiosqlite:///{database}"
    await upgrade(url)
    values: dict[str, Any] = {  # pydantic converts the limits and the token
        "database_url": url,
        "telegram_token": TOKEN,
        "telegram_base_url": tg.api_url,
        "telegram_polling": False,
        **limits,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    app = build(settings, SystemClock())
    for n in range(CHATS):
        tg.chat_of(tg.user(FIRST_CHAT + n, f"Người {n}"), None)
    now = datetime.now(UTC)
    broadcast = [
        NewMessage("telegram", str(FIRST_CHAT + n // 5), f"Thông báo số {n % 5 + 1}", now)
        for n in range(MESSAGES)
    ]
    async with app.uow() as unit:
        await unit.outbox.enqueue(broadcast, now)
        await unit.commit()
    return app


def delivered(tg: TelegramEmulator) -> int:
    """Messages the chats received."""
    return sum(len(tg.messages(FIRST_CHAT + n)) for n in range(CHATS))


def accepted(tg: TelegramEmulator) -> int:
    """sendMessage calls the emulator took (cheap enough to ask after every message)."""
    return tg.stats.calls["sendMessage"] - sum(tg.stats.errors.values())


async def dispatch(
    app: App, tg: TelegramEmulator, until: int, seconds: float
) -> tuple[int, float]:
    """Run the dispatcher until ``until`` messages arrived or ``seconds`` passed since the
    first; how many arrived after the first, and in how many seconds."""
    hub = Hub()
    channel = TelegramChannel(app.settings, app.router, hub)
    await channel.start()
    dispatcher = app.dispatcher(hub, worker_id="bench")
    running = asyncio.create_task(dispatcher.run())
    try:
        await tg.wait_until(lambda: accepted(tg) > 0, timeout=30)
        started, first = time.perf_counter(), accepted(tg)
        with contextlib.suppress(TimeoutError):
            await tg.wait_until(lambda: accepted(tg) >= until, timeout=seconds)
        return accepted(tg) - first, time.perf_counter() - started
    finally:
        dispatcher.stop()
        await asyncio.wait_for(running, 30)
        await channel.stop()
        await app.close()


async def ceiling(folder: Path) -> float:
    """(a) Every limit off: how fast the dispatcher drains the outbox."""
    async with TelegramEmulator() as tg:
        app = await prepare(
            folder / "ceiling.db",
            tg,
            outbox_rate=0,
            outbox_chat_interval=0,
            outbox_group_per_minute=0,
        )
        sent, seconds = await dispatch(app, tg, MESSAGES, 300)
        assert delivered(tg) == MESSAGES, "a message was lost or sent twice"
    rate = sent / seconds
    print(
        f"ceiling  {MESSAGES:6d} messages in {seconds:6.2f} s = {rate:7.1f} messages/s "
        f"({rate / TELEGRAM_RATE:.1f}x Telegram's {TELEGRAM_RATE}/s); limits off"
    )
    return rate


async def paced(folder: Path) -> tuple[float, int]:
    """(b) Telegram's limits enforced, the dispatcher's defaults: the share it achieves."""
    async with TelegramEmulator() as tg:
        tg.enforce_limits(per_chat_per_sec=1, per_group_per_min=20, global_per_sec=TELEGRAM_RATE)
        app = await prepare(folder / "paced.db", tg)
        limit = app.settings.outbox_rate
        sent, seconds = await dispatch(app, tg, MESSAGES, WINDOW)
        refused = tg.stats.rate_limited
    rate = sent / seconds
    print(
        f"paced    {sent:6d} messages in {seconds:6.2f} s = {rate:7.1f} messages/s: "
        f"{rate / limit:.0%} of the dispatcher's {limit:g}/s, "
        f"{rate / TELEGRAM_RATE:.0%} of Telegram's {TELEGRAM_RATE}/s; 429s: {refused}"
    )
    return rate, refused


async def run() -> None:
    print(
        f"== outbox dispatcher: {MESSAGES} queued messages to {CHATS} chats, in process "
        f"with the Telegram emulator, SQLite =="
    )
    with tempfile.TemporaryDirectory() as folder:
        rate = await ceiling(Path(folder))
        achieved, refused = await paced(Path(folder))
    print(
        f"dispatcher: ceiling {rate:.0f}/s (target >= {10 * TELEGRAM_RATE}/s: "
        f"{'met' if rate >= 10 * TELEGRAM_RATE else 'MISSED'}); paced {achieved:.1f}/s "
        f"with {refused} 429s (target >= 90% of 25/s, no 429: "
        f"{'met' if achieved >= 0.9 * 25 and not refused else 'MISSED'})"
    )
