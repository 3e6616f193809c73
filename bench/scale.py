"""A thousand blocs of twelve agencies: import, `blocbot run` at rest, /standings, the calendar
job, and one reminder offset due in every bloc at once, sent at the platform's limit.

Everything runs on this machine, on SQLite and then, when a server answers, on a database of its
own on PostgreSQL (as in bench/chat.py), with one bloc on SQLite beside them. The bloc files are
written from the sample's shape (its 17 criteria, 12 agencies, one contact each and a group per
bloc) and imported by one `blocbot bloc import FOLDER`; `blocbot run` talks to the Telegram
emulator, which keeps Telegram's limits of 30 messages/s in all and 20/min per group (its 1/s
per chat raised to 10/s, so that a person's quick questions are not held by it) while the bot
keeps its own (25/s, 1/s per chat). The bot sets every linked person's command menu when it
starts: the figures at rest are taken once that is done (or ``BENCH_SCALE_MENUS`` seconds have
passed). The wave: every bloc's deadline moves so that its 7-day reminder is due now; the next
tick queues a reminder to each late agency and each group. Only the first ``BENCH_SCALE_SENT``
messages are waited for; the rest is extrapolated at the rate measured, and the output says so.
Replies are timed from a person's /help reaching the emulator to the answer reaching it, at rest
and during the wave; /standings likewise, for one bloc's head.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from bench.chat import cpu_seconds, postgres_database, postgres_server
from bench.scale_world import (
    AGENCIES,
    FIRST_GROUP,
    import_blocs,
    seed,
    settings,
    start_wave,
    user_of,
    write_blocs,
)
from bot.app import App, build
from bot.clock import FrozenClock, SystemClock
from bot.i18n import LOCALES, translations
from bot.storage.migrate import upgrade
from bot.storage.models import OutboxMessage
from bot.storage.models_schedule import LOOK_AGAIN
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import TelegramEmulator
from bot.testing.telegram_emulator.records import ChatMessage, ChatState

BLOCS = int(os.environ.get("BENCH_SCALE_BLOCS", "1000"))
SENT = int(os.environ.get("BENCH_SCALE_SENT", "1500"))  # wave messages waited for
STANDINGS = 50  # /standings asked one after another by bloc 1's head
PROBES = 2  # people asking /help, each about once a second: within 30/s with the wave's 25/s
THINK = (0.8, 1.2)
MENUS = float(os.environ.get("BENCH_SCALE_MENUS", "60"))  # the longest wait for the menus
AT_REST = 20.0  # seconds: CPU of the idle bot; then as long for the replies at rest
TIMEOUT = 60.0
PROBE_USER = 19_000_000
MENUS_LINE = "telegram menus: "  # what the bot logs once through everyone's menus


@dataclass
class Replies:
    """Latencies of replies, in seconds."""

    seconds: list[float] = field(default_factory=list)

    def p(self, share: float) -> float:
        """The ``share`` percentile, in milliseconds."""
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0


@dataclass(frozen=True)
class Tick:
    """One run of the calendar job."""

    seconds: float
    longest: float  # the longest one bloc held the event loop, seconds
    messages: int


@dataclass
class Figures:
    """What one scale run measured."""

    blocs: int
    import_s: float = 0.0
    startup_s: float = 0.0
    idle_cpu: float = 0.0
    idle_rss: float = 0.0
    standings: Replies = field(default_factory=Replies)
    at_rest: Replies = field(default_factory=Replies)
    in_wave: Replies = field(default_factory=Replies)
    first_tick: Tick | None = None
    idle_tick: Tick | None = None
    wave_tick: Tick | None = None  # in this process, on a copy of the database
    live_tick: Tick | None = None  # `blocbot run`'s own account of the wave's tick
    wave_total: int = 0
    wave_sent: int = 0
    wave_seconds: float = 0.0  # from the first to the last message waited for
    rate_limited: int = 0
    menus: int = 0  # command menus set at start-up
    menus_s: float = 0.0  # from the start to the last of them
    restart: str = ""  # the menus once the bot starts again on the same database


async def menus_set(bot: BotProcess, tg: TelegramEmulator, started: float) -> tuple[int, float]:
    """Wait until the bot says it is through everyone's menus, ``MENUS`` seconds at most: how
    many it set, and when it was through them, from the start (-1: still setting them)."""
    while MENUS_LINE not in bot.log and time.perf_counter() - started < MENUS:  # noqa: ASYNC110
        await asyncio.sleep(0.2)  # the child's log, not an event to wait on
    through = time.perf_counter() - started if MENUS_LINE in bot.log else -1.0
    return tg.stats.calls["setMyCommands"], through


async def ask(tg: TelegramEmulator, user_id: int, text: str, replies: Replies) -> None:
    user = tg.user(user_id)
    message = await user.send(text)
    (reply,) = await tg.wait_for(user, timeout=TIMEOUT)
    replies.seconds.append(reply.at - message.at)


async def probing(tg: TelegramEmulator, stop: asyncio.Event) -> Replies:
    """``PROBES`` people asking /help about once a second until ``stop``."""
    replies = Replies()

    async def person(n: int) -> None:
        think = random.Random(n)
        while not stop.is_set():
            await ask(tg, PROBE_USER + n, "/help", replies)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), think.uniform(*THINK))

    await asyncio.gather(*(person(n) for n in range(PROBES)))
    return replies


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_chats(tg: TelegramEmulator, blocs: int) -> list[ChatState]:
    """Every contact's private chat and every group, as the emulator knows them."""
    chats = []
    for number in range(1, blocs + 1):
        for agency in range(AGENCIES):
            user = tg.user(user_of(number, agency), f"Cán bộ {agency + 1}")
            chats.append(tg.chat_of(user, None))
        group = tg.group(FIRST_GROUP - number, f"Nhóm khối {number}")
        chats.append(tg.chats[group.id])
    for n in range(PROBES):
        tg.chat_of(tg.user(PROBE_USER + n, f"Khách {n}"), None)
    return chats


def received(chats: list[ChatState], since: float) -> list[float]:
    """When each message the bot sent to these chats since ``since`` arrived, in order."""
    times: list[float] = []
    for chat in chats:
        messages: list[ChatMessage] = chat.bot_messages
        times += [m.at for m in messages if m.at >= since]
    return sorted(times)


async def calendar_read(url: str, timeout: float = 300.0) -> None:
    """Wait until the bot's first tick has read every bloc's calendar once."""
    app = build(settings(url), SystemClock())
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with app.uow() as uow:
                if not await uow.schedule.due(LOOK_AGAIN + timedelta(seconds=1)):
                    return
            await asyncio.sleep(0.5)
    finally:
        await app.close()
    raise TimeoutError("the first tick did not read every bloc")


async def live(url: str, folder: Path, figures: Figures, wave: bool) -> None:
    """`blocbot run` on the database: at rest, /standings, and (``wave``) the wave."""
    async with TelegramEmulator() as tg:
        tg.enforce_limits(per_chat_per_sec=10, per_group_per_min=20, global_per_sec=30)
        chats = open_chats(tg, figures.blocs)
        bot = BotProcess.against(tg, url, folder).start()
        started = time.perf_counter()
        try:
            await bot.wait_running(timeout=120)
            figures.startup_s = time.perf_counter() - started
            await calendar_read(url)
            figures.menus, figures.menus_s = await menus_set(bot, tg, started)
            if wave:
                await asyncio.sleep(2)
                cpu = cpu_seconds(bot.pid)
                await asyncio.sleep(AT_REST)
                figures.idle_cpu = (cpu_seconds(bot.pid) - cpu) / AT_REST * 100
            figures.idle_rss = rss_mb(bot.pid)
            for _n in range(STANDINGS):
                await ask(tg, user_of(1, 0), "/standings", figures.standings)
                await asyncio.sleep(0.2)  # the head reads it
            if wave:
                await the_wave(url, tg, chats, figures)
        finally:
            await bot.stop(timeout=30)
            figures.live_tick = wave_line(bot.log)
        if wave:
            figures.restart = await restarted(bot)


async def restarted(bot: BotProcess) -> str:
    """Start the bot again on the same database (a restart, a new leader): how many menus it
    set and found already set, and when it was through them, from the start."""
    said = bot.log.count(MENUS_LINE)
    started = time.perf_counter()
    bot.start()
    try:
        await bot.wait_running(timeout=120)
        while bot.log.count(MENUS_LINE) == said and time.perf_counter() - started < 2 * MENUS:  # noqa: ASYNC110
            await asyncio.sleep(0.2)  # the child's log, not an event to wait on
        seconds = time.perf_counter() - started
        lines = [line for line in bot.log.splitlines() if MENUS_LINE in line]
    finally:
        await bot.stop(timeout=30)
    if len(lines) == said:
        return f"not through them in {2 * MENUS:.0f} s"
    # "telegram menus: <n> set, <m> already set"
    words = lines[-1].split(MENUS_LINE, 1)[1].split()
    return f"{words[0]} set, {words[2]} already set, through them {seconds:.1f} s after the start"


async def the_wave(
    url: str, tg: TelegramEmulator, chats: list[ChatState], figures: Figures
) -> None:
    """Replies at rest, then the wave: until ``SENT`` of its messages arrived."""
    stop = asyncio.Event()
    rest = asyncio.ensure_future(probing(tg, stop))
    await asyncio.sleep(AT_REST)
    stop.set()
    figures.at_rest = await rest
    limited = tg.stats.rate_limited
    since = time.perf_counter()
    await start_wave(url)
    stop = asyncio.Event()
    during = asyncio.ensure_future(probing(tg, stop))
    deadline = time.monotonic() + 600
    while len(received(chats, since)) < SENT and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.5)  # counted across the chats, not one event to wait on
    stop.set()
    figures.in_wave = await during
    times = received(chats, since)[:SENT]
    figures.wave_sent = len(times)
    figures.wave_seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    figures.rate_limited = tg.stats.rate_limited - limited


def wave_line(log: str) -> Tick | None:
    """The bot's own account of the wave's tick (the last that queued messages)."""
    for line in reversed(log.splitlines()):
        if "calendar: " in line and "messages queued in" in line:
            # "<n> blocs read, <m> messages queued in <s> s (longest bloc <ms> ms)"
            words = line.split("calendar: ", 1)[1].split()
            if int(words[3]):
                return Tick(float(words[7]), float(words[11]) / 1000, int(words[3]))
    return None


async def timed_tick(app: App) -> Tick:
    """One run of the calendar job, as `blocbot run` runs it, with its own account of it."""
    said: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = said.append  # type: ignore[method-assign, assignment]
    log = logging.getLogger("bot.app")
    level, log.level = log.level, logging.DEBUG
    log.addHandler(handler)
    started = time.perf_counter()
    try:
        added = await app.remind()
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    seconds = time.perf_counter() - started
    for record in said:
        if str(record.msg).startswith("calendar:"):
            _blocs, _added, took, longest_ms = cast(tuple[Any, ...], record.args)
            return Tick(float(took), float(longest_ms) / 1000, added)
    return Tick(seconds, 0.0, added)


async def ticks(url: str, figures: Figures) -> None:
    """The calendar job in this process, on a copy of the database as it was before the bot
    first ran: the first tick (every bloc read once), an idle one, and the wave's."""
    now = datetime.now(UTC)
    clock = FrozenClock(now - timedelta(minutes=5))
    app = build(settings(url), clock)
    for locale in LOCALES:
        translations(locale)  # read once, as `blocbot run` has them by the time of a wave
    try:
        figures.first_tick = await timed_tick(app)
        idle = sorted([await timed_tick(app) for _n in range(9)], key=lambda tick: tick.seconds)
        figures.idle_tick = idle[len(idle) // 2]
        await start_wave(url, now)
        clock.set(now)
        figures.wave_tick = await timed_tick(app)
    finally:
        await app.close()


async def outbox_wave(url: str) -> int:
    """How many messages the wave queued."""
    app = build(settings(url), SystemClock())
    try:
        async with app.uow() as uow:
            query = select(OutboxMessage.id).where(OutboxMessage.dedupe_key.like("remind:%"))
            return len((await uow.session.scalars(query)).all())
    finally:
        await app.close()


async def run_one(folder: Path, blocs: int, wave: bool, server: str | None = None) -> Figures:
    """One scale run in ``folder``: on SQLite, or on a database of its own on the PostgreSQL
    ``server``."""
    if server is None:
        url = f"sqlite+aiosqlite:///{folder}/scale.db"
        return await _run_on(url, folder, blocs, wave)
    async with postgres_database(server) as url:
        return await _run_on(url, folder, blocs, wave, server)


async def _run_on(
    url: str, folder: Path, blocs: int, wave: bool, server: str | None = None
) -> Figures:
    figures = Figures(blocs)
    write_blocs(folder / "blocs", blocs)
    await upgrade(url)
    figures.import_s = import_blocs(folder / "blocs", url)
    await seed(url)
    copy = ""
    async with contextlib.AsyncExitStack() as copies:
        if wave and server is None:
            shutil.copy(folder / "scale.db", folder / "copy.db")
            copy = f"sqlite+aiosqlite:///{folder}/copy.db"
        elif wave:
            assert server is not None  # PostgreSQL's copy
            copy = await copies.enter_async_context(postgres_database(server, copy_of=url))
        await live(url, folder, figures, wave)
        if wave:
            figures.wave_total = await outbox_wave(url)
            await ticks(copy, figures)
            if figures.wave_tick is not None:
                # The bot stops once the first messages are in: its tick may still have been
                # queuing the rest (on PostgreSQL it took longer than sending 1,500 of them).
                figures.wave_total = max(figures.wave_total, figures.wave_tick.messages)
    return figures


def _menus(figures: Figures) -> str:
    if figures.menus_s < 0:
        return f"{figures.menus} in {MENUS:.0f} s, and still setting them"
    return f"{figures.menus} in {figures.menus_s:.0f} s"


def _tick(tick: Tick | None) -> str:
    if tick is None:
        return "-"
    took = f"{tick.seconds:.1f} s" if tick.seconds >= 1 else f"{tick.seconds * 1000:.1f} ms"
    queued = f", {tick.messages} messages queued" if tick.messages else ""
    return f"{took}{queued} (longest bloc {tick.longest * 1000:.1f} ms)"


ROWS = (
    "bloc import, all files in one process",
    "`blocbot run`: start to answering",
    "`blocbot run`: command menus set at start-up",
    "`blocbot run` started again: menus",
    "idle CPU / RSS",
    "/standings of one bloc: p50 / p99",
    "calendar tick: the first (every bloc read)",
    "calendar tick: idle",
    "calendar tick: the wave",
    "calendar tick: the wave, in `blocbot run`",
    "wave: sending rate",
    "wave: all of it",
    "/help at rest: p50 / p99",
    "/help during the wave: p50 / p99",
)


def column(run: Figures, rate: float) -> list[str]:
    """One run's figures, a value for each of ``ROWS`` ("" for what it did not measure)."""
    per_bloc = run.import_s / run.blocs * 1000
    values = [
        f"{run.import_s:.1f} s ({per_bloc:.0f} ms a bloc)",
        f"{run.startup_s:.1f} s",
        _menus(run),
        run.restart,
        f"{run.idle_cpu:.1f}% / {run.idle_rss:.0f} MB" if run.wave_total else
        f"- / {run.idle_rss:.0f} MB",
        f"{run.standings.p(0.5):.0f} / {run.standings.p(0.99):.0f} ms",
    ]  # fmt: skip
    if not run.wave_total:
        return values + [""] * (len(ROWS) - len(values))
    sent_rate = (run.wave_sent - 1) / run.wave_seconds if run.wave_seconds else 0.0
    whole = run.wave_total / sent_rate / 60 if sent_rate else 0.0
    ratio = run.in_wave.p(0.99) / run.at_rest.p(0.99) if run.at_rest.seconds else 0.0
    return [
        *values,
        _tick(run.first_tick),
        _tick(run.idle_tick),
        _tick(run.wave_tick),
        _tick(run.live_tick),
        f"{sent_rate:.1f} messages/s = {sent_rate / rate:.0%} of the {rate:g}/s setting, "
        f"{run.rate_limited} sends refused by Telegram's limits",
        f"{run.wave_total} messages in ~{whole:.1f} min (the first {run.wave_sent} waited "
        "for, the rest at that rate)",
        f"{run.at_rest.p(0.5):.0f} / {run.at_rest.p(0.99):.0f} ms "
        f"({len(run.at_rest.seconds)} replies)",
        f"{run.in_wave.p(0.5):.0f} / {run.in_wave.p(0.99):.0f} ms "
        f"({len(run.in_wave.seconds)} replies): p99 {ratio:.1f}x at rest (target: at most 2x)",
    ]


def table(runs: list[tuple[str, Figures]], rate: float) -> list[str]:
    """The figures of the runs, a row per figure and a column per run (its heading first)."""
    columns = [[heading, *column(run, rate)] for heading, run in runs]
    rows = list(zip(("", *ROWS), *columns, strict=True))
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return [
        "  ".join(f"{v:{w}}" for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


async def run() -> None:
    print(
        f"== scale: {BLOCS} blocs × {AGENCIES} agencies on SQLite and on PostgreSQL, "
        f"`blocbot run` against the Telegram emulator with Telegram's limits ==\n"
        f"   the wave: one reminder offset due in every bloc at once; the first {SENT} "
        f"messages are waited for, the rest extrapolated at the rate measured"
    )
    rate = settings("sqlite://").outbox_rate
    many = f"{BLOCS} blocs × {AGENCIES} agencies"
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        runs.append((f"{many}, SQLite", await run_one(Path(folder), BLOCS, wave=True)))
    server = await postgres_server()
    if server is None:
        print("   (PostgreSQL: none answers; set BLOCBOT_BENCH_DATABASE_URL)")
    else:
        with tempfile.TemporaryDirectory() as folder:
            found = await run_one(Path(folder), BLOCS, wave=True, server=server)
            runs.append((f"{many}, PostgreSQL", found))
    with tempfile.TemporaryDirectory() as folder:
        runs.append(("1 bloc, SQLite", await run_one(Path(folder), 1, wave=False)))
    for line in table(runs, rate):
        print(line)


if __name__ == "__main__":
    asyncio.run(run())
