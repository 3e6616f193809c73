"""`blocbot run` against the emulator: a malformed update is skipped, never wedges polling.

Each bad update is logged once as a warning with its update_id; the updates of the same
getUpdates answer and every later message are answered; no traceback reaches the log.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

FUTURE = 4_102_444_800  # 2100-01-01: far ahead, but a date


@pytest.fixture
async def running(tg: TelegramEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    database = f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"
    async with BotProcess.against(tg, database, tmp_path).start() as child:
        await child.wait_running()
        yield child


def message(user: FakeUser, text: Any = "/help", **changes: Any) -> dict[str, Any]:
    """A private message of ``user`` as the Bot API sends it; ``changes`` None drops a field."""
    body: dict[str, Any] = {
        "message_id": 900,
        "from": user.to_json(),
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "date": 1_700_000_000,
        "text": text,
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def bad_updates(user: FakeUser) -> dict[str, dict[str, Any]]:
    """One update of each malformed kind, by what is wrong with it."""
    return {
        "no date": {"message": message(user, date=None)},
        "no chat": {"message": message(user, chat=None)},
        "no message_id": {"message": message(user, message_id=None)},
        "no first_name": {"message": message(user, **{"from": {"id": user.id, "is_bot": False}})},
        "chat without type": {"message": message(user, chat={"id": user.id})},
        "text is a number": {"message": message(user, text=42)},
        "callback without from": {
            "callback_query": {
                "id": "77",
                "chat_instance": "1",
                "data": "x:1",
                "message": message(user),
            }
        },
        "date past the year 9999": {"message": message(user, date=10**13)},
    }


def warned_ids(log: str) -> list[int]:
    """The update ids of the skip warnings in the log, in order."""
    marker = " WARNING bot.channels.telegram_updates: "
    return [
        int(re.findall(r"\d+", line.partition(marker)[2])[0])
        for line in log.splitlines()
        if marker in line
    ]


async def test_each_malformed_update_is_skipped_and_the_next_message_answered(
    tg: TelegramEmulator, running: BotProcess
) -> None:
    hoa = tg.user(3001, "Hoa")
    await hoa.send("/help")
    await tg.wait_reply(hoa, timeout=10)
    skipped = []
    for what, body in bad_updates(hoa).items():
        skipped.append(tg.inject_update(body))
        await hoa.send("/lang")
        reply = await tg.wait_reply(hoa, timeout=5)
        assert "/lang" in reply.text, what
    assert warned_ids(running.log) == skipped  # one warning each, with its update_id
    assert await running.stop() == 0
    assert "Traceback" not in running.log
    assert tg.feed.pending_count == 0  # the bad updates were confirmed too


async def test_good_updates_of_the_same_batch_are_handled(
    tg: TelegramEmulator, running: BotProcess
) -> None:
    an, binh = tg.user(3002, "An"), tg.user(3003, "Bình")
    await an.send("/help")
    await tg.wait_reply(an, timeout=10)
    bad = bad_updates(an)
    first = tg.inject_update(bad["no date"])
    await an.send("/lang")  # the same getUpdates answer: nothing awaits in between
    await binh.send("/lang")
    last = tg.inject_update(bad["text is a number"])
    assert "/lang" in (await tg.wait_reply(an, timeout=5)).text
    assert "/lang" in (await tg.wait_reply(binh, timeout=5)).text
    await an.send("/help")
    await tg.wait_reply(an, timeout=5)
    assert warned_ids(running.log) == [first, last]
    assert "Traceback" not in running.log


async def test_a_message_dated_far_ahead_is_answered(
    tg: TelegramEmulator, running: BotProcess
) -> None:
    chi = tg.user(3004, "Chi")
    await chi.send("/help")
    await tg.wait_reply(chi, timeout=10)
    tg.inject_update({"message": message(chi, text="/lang", date=FUTURE, message_id=901)})
    assert "/lang" in (await tg.wait_reply(chi, timeout=5)).text
    await chi.send("/help")
    await tg.wait_reply(chi, timeout=5)
    assert warned_ids(running.log) == []
    assert "Traceback" not in running.log
