"""One retry policy for the Telegram channel's calls, and keyboards Telegram accepts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.app import App
from bot.channels import telegram_api
from bot.channels.hub import Hub
from bot.channels.telegram import ATTEMPTS, TelegramChannel
from bot.channels.telegram_calls import keyboard
from bot.handlers.model import Button, Outgoing
from bot.testing.telegram_emulator import TelegramEmulator

TOKEN = "123:ABC"


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator() as emulator:
        yield emulator


@pytest.fixture
async def channel(
    tg: TelegramEmulator, app: App, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TelegramChannel]:
    """A channel connected to the emulator (not polling), whose retries do not wait."""
    monkeypatch.setattr(telegram_api, "BACKOFF", 0.0)
    monkeypatch.setattr(telegram_api, "flood_wait", lambda error: 0.0)
    settings = app.settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "telegram_base_url": tg.api_url}
    )
    connected = TelegramChannel(settings, app.router, Hub())
    await connected.application.initialize()
    yield connected
    await connected.application.shutdown()
    await connected.api.close()


@pytest.mark.parametrize(
    "status", [429, 502, 500], ids=["flood limit", "bad gateway", "server error"]
)
async def test_a_failing_call_is_tried_at_most_attempts_times(
    tg: TelegramEmulator, channel: TelegramChannel, status: int
) -> None:
    hoa = tg.user(2001, "Hoa")
    await hoa.send("xin chào")  # the chat exists; nobody polls, so nobody answers
    tg.fail_next("sendMessage", status=status, retry_after=1, count=100)
    await channel._safely("sendMessage", chat_id=hoa.id, text="Chào Hoa")  # logged, not raised
    assert tg.stats.calls["sendMessage"] == ATTEMPTS
    assert tg.messages(hoa) == []


async def test_a_call_that_fails_then_works_is_sent_once(
    tg: TelegramEmulator, channel: TelegramChannel
) -> None:
    hoa = tg.user(2001, "Hoa")
    await hoa.send("xin chào")
    tg.fail_next("sendMessage", status=429, retry_after=1, count=ATTEMPTS - 1)
    await channel._safely("sendMessage", chat_id=hoa.id, text="Chào Hoa")
    assert tg.stats.calls["sendMessage"] == ATTEMPTS
    assert [m.text for m in tg.messages(hoa)] == ["Chào Hoa"]


def test_a_payload_over_64_bytes_is_an_error_and_its_button_is_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    too_long = "sc:" + "đ" * 31  # 65 bytes in UTF-8
    outgoing = Outgoing(
        "Chọn:",
        ((Button("Nộp", "sc:submit"), Button("Quá dài", too_long)), (Button("Rỗng", ""),)),
    )
    with caplog.at_level(logging.ERROR):
        markup = keyboard(outgoing)
    assert markup == {"inline_keyboard": [[{"text": "Nộp", "callback_data": "sc:submit"}]]}
    assert len(caplog.records) == 2 and all(r.levelno == logging.ERROR for r in caplog.records)
    assert "Quá dài" in caplog.records[0].getMessage()


def test_a_message_whose_every_button_is_too_long_goes_without_a_keyboard() -> None:
    assert keyboard(Outgoing("x", ((Button("a", "x" * 65),),))) is None
    assert keyboard(Outgoing("x")) is None
    exactly = "x" * 64
    markup = keyboard(Outgoing("x", ((Button("a", exactly),),)))
    assert markup is not None and markup["inline_keyboard"][0][0]["callback_data"] == exactly


@pytest.mark.parametrize(
    ("status", "logged"),
    [(403, "the chat does not take messages"), (400, "refused")],
    ids=["blocked", "bad request"],
)
async def test_a_refusal_is_not_tried_again(
    tg: TelegramEmulator,
    channel: TelegramChannel,
    caplog: pytest.LogCaptureFixture,
    status: int,
    logged: str,
) -> None:
    hoa = tg.user(2001, "Hoa")
    await hoa.send("xin chào")
    tg.fail_next("sendMessage", status=status, count=100)
    with caplog.at_level(logging.INFO, logger="bot.channels.telegram"):
        await channel._safely("sendMessage", chat_id=hoa.id, text="Chào Hoa")
    assert tg.stats.calls["sendMessage"] == 1
    assert tg.messages(hoa) == []
    assert any(logged in record.getMessage() for record in caplog.records)
