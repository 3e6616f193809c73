"""Telegram out of reach or slow: `blocbot run` says so in one sentence and waits; it never exits.

At start-up it retries with a growing pause until Telegram answers, then runs as usual; a lost
connection while polling is waited out the same way. `blocbot invites` says Telegram could not
be reached and prints the codes without links.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import App
from bot.channels import telegram as telegram_channel
from bot.channels.hub import Hub
from bot.channels.telegram import TelegramChannel
from bot.i18n import use_locale
from bot.testing.process import BotProcess
from bot.testing.recording import Recording
from bot.testing.serving import free_port
from bot.testing.telegram_emulator import TelegramEmulator

TOKEN = "123:ABC"
UNREACHABLE = "Không kết nối được với Telegram tại"  # the start-up sentence, in Vietnamese
LOST = "Không đọc được tin nhắn từ Telegram tại"  # the polling one


class Nowhere:
    """Where an emulator will listen, before it does."""

    def __init__(self, port: int) -> None:
        self.api_url = f"http://127.0.0.1:{port}/bot"


def sqlite(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"


async def test_run_waits_for_telegram_to_come_up(tmp_path: Path) -> None:
    port = free_port()
    async with BotProcess.against(Nowhere(port), sqlite(tmp_path), tmp_path).start() as child:
        await child.wait_log(UNREACHABLE)
        assert child.running
        tg = await TelegramEmulator().start(port=port)
        try:
            await child.wait_running()
            hoa = tg.user(2001, "Hoa")
            await hoa.send("/help")
            assert "/start" in (await tg.wait_reply(hoa, timeout=10)).text
            assert await child.stop() == 0
        finally:
            await tg.stop()
    sentence = next(line for line in child.log.splitlines() if UNREACHABLE in line)
    assert f"127.0.0.1:{port}" in sentence and "giây" in sentence
    assert "Traceback" not in child.log


async def test_run_waits_out_bad_gateways_at_start(tg: TelegramEmulator, tmp_path: Path) -> None:
    tg.fail_next("getMe", status=502, count=2)
    async with BotProcess.against(tg, sqlite(tmp_path), tmp_path).start() as child:
        await child.wait_running()
        assert child.log.count(UNREACHABLE) == 2  # 1 s, then 2 s
        assert "Bad Gateway" in child.log
        hoa = tg.user(2001, "Hoa")
        await hoa.send("/help")
        assert "/start" in (await tg.wait_reply(hoa, timeout=10)).text
        assert await child.stop() == 0
    assert "Traceback" not in child.log


async def test_a_lost_connection_while_running_is_waited_out(
    tg: TelegramEmulator, tmp_path: Path
) -> None:
    async with BotProcess.against(tg, sqlite(tmp_path), tmp_path).start() as child:
        await child.wait_running()
        hoa = tg.user(2001, "Hoa")
        tg.fail_next("getUpdates", status=502)
        tg.drop_connection_next("getUpdates")
        await hoa.send("/help")  # the poll in flight brings it; the next two polls fail
        await tg.wait_reply(hoa, timeout=10)
        await child.wait_log(LOST, count=2)
        await hoa.send("/lang")
        assert "/lang" in (await tg.wait_reply(hoa, timeout=10)).text
        assert await child.stop() == 0
    assert "Traceback" not in child.log


async def test_a_slow_telegram_at_start_is_waited_for(
    tg: TelegramEmulator,
    app: App,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(telegram_channel, "CONNECT_TIMEOUT", 0.5)
    settings = app.settings.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": tg.api_url,
            "locale": "en",
        }
    )
    channel = TelegramChannel(settings, app.router, Hub())
    tg.hold("getMe")
    caplog.set_level(logging.INFO, logger="bot.channels.telegram")
    with use_locale("en"):
        starting = asyncio.create_task(channel.start())
    try:
        await tg.wait_until(lambda: tg.stats.calls["getMe"] >= 2, timeout=10)  # tried again
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any("Could not reach Telegram" in m and "no answer in time" in m for m in warned)
        assert not starting.done()
        tg.release("getMe")
        await asyncio.wait_for(starting, 10)
        hoa = tg.user(2001, "Hoa", language_code="en")
        await hoa.send("/help")
        assert "/start" in (await tg.wait_reply(hoa, timeout=10)).text
    finally:
        starting.cancel()
        await channel.stop()


async def test_sigterm_while_waiting_for_telegram_stops_cleanly(tmp_path: Path) -> None:
    child = BotProcess.against(Nowhere(free_port()), sqlite(tmp_path), tmp_path).start()
    await child.wait_log(UNREACHABLE)
    assert await child.stop() == 0
    assert "Traceback" not in child.log


async def test_invites_say_telegram_is_out_of_reach(app: App, tmp_path: Path) -> None:
    recording = Recording(app)
    await recording.seed()
    env = {
        "BLOCBOT_DATABASE_URL": app.settings.database_url,
        "BLOCBOT_TELEGRAM_TOKEN": TOKEN,
        "BLOCBOT_TELEGRAM_BASE_URL": Nowhere(free_port()).api_url,
    }
    child = BotProcess(env, tmp_path).start("invites", "tw-thaibinh")
    assert await child.wait(timeout=60) == 0
    assert UNREACHABLE in child.log and "không kèm đường liên kết" in child.log
    assert "\nthue " in child.log and "https://t.me/" not in child.log  # the codes, no links
    assert "BLOCBOT_TELEGRAM_TOKEN" not in child.log and "Traceback" not in child.log


async def test_a_refused_token_is_said_in_one_line(tg: TelegramEmulator, tmp_path: Path) -> None:
    tg.fail_next("getMe", status=401, description="Unauthorized")  # a revoked token
    child = BotProcess.against(tg, sqlite(tmp_path), tmp_path).start()
    assert await child.wait(timeout=30) == 1
    (said,) = [line for line in child.log.splitlines() if "từ chối mã token" in line]
    assert "BLOCBOT_TELEGRAM_TOKEN" in said and "123:ABC" not in child.log
    assert "Traceback" not in child.log
