"""Reading Telegram updates one at a time, and their neutral form."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram_updates import read_update, read_updates, to_incoming
from bot.handlers.model import IncomingKind

BOT = {"id": 99, "is_bot": True, "first_name": "Blocbot", "username": "blocbot_test_bot"}
HOA = {"id": 5, "is_bot": False, "first_name": "Hoa", "language_code": "vi"}
CHAT = {"id": 5, "type": "private", "first_name": "Hoa"}
KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "Nộp", "callback_data": "sc:submit"},
            {"text": "Sửa", "callback_data": "sc:edit"},
        ],
        [{"text": "Trang web", "url": "https://example.org"}],
    ]
}


def message(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": 10,
        "from": HOA,
        "chat": CHAT,
        "date": 1_700_000_000,
        "text": "8,5",
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def update(**kinds: Any) -> Update:
    read = read_update({"update_id": 7, **kinds})
    assert read is not None
    return read


MALFORMED = {
    "no date": {"message": message(date=None)},
    "no chat": {"message": message(chat=None)},
    "no message_id": {"message": message(message_id=None)},
    "no first_name": {"message": message(**{"from": {"id": 5, "is_bot": False}})},
    "chat without type": {"message": message(chat={"id": 5})},
    "text is a number": {"message": message(text=42)},
    "chat id is text": {"message": message(chat={"id": "five", "type": "private"})},
    "callback without from": {
        "callback_query": {"id": "1", "chat_instance": "1", "data": "x", "message": message()}
    },
    "date past the year 9999": {"message": message(date=10**13)},
    "not an object": None,
}


@pytest.mark.parametrize("what", MALFORMED)
def test_a_malformed_update_reads_as_none_with_one_warning(
    what: str, caplog: pytest.LogCaptureFixture
) -> None:
    kinds = MALFORMED[what]
    data: object = ["not", "an", "update"] if kinds is None else {"update_id": 41, **kinds}
    with caplog.at_level(logging.WARNING):
        assert read_update(data) is None
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert ("Skipped Telegram update 41:" if kinds else "Skipped Telegram update None:") in (
        record.getMessage()
    )


def test_a_date_far_ahead_is_read() -> None:
    read = update(message=message(date=4_102_444_800))
    assert read.message is not None and read.message.date.year == 2100


def test_a_getupdates_answer_keeps_its_good_updates_and_moves_past_the_bad() -> None:
    result: list[Any] = [
        {"update_id": 1, "message": message()},
        {"update_id": 2, "message": message(date=None)},
        {"message": message()},  # no update_id: nothing to confirm it by
        {"update_id": 3, "message": message(text="I.1 28")},
        {"update_id": 4, "message": message(text=42)},
    ]
    offset, updates = read_updates(result)
    assert offset == 5  # past the malformed last one too
    assert [(u.update_id, u.message and u.message.text) for u in updates] == [
        (1, "8,5"),
        (3, "I.1 28"),
    ]
    assert read_updates(True) == (None, [])
    assert read_updates([{"message": message()}]) == (None, [])


def test_a_reply_to_the_bots_buttons_carries_their_payloads() -> None:
    asked = message(message_id=9, text="I.1 — điểm?", reply_markup=KEYBOARD, **{"from": BOT})
    incoming = to_incoming(update(message=message(reply_to_message=asked)), "blocbot_test_bot")
    assert incoming is not None
    assert incoming.reply_payloads == ("sc:submit", "sc:edit")
    assert incoming.buttons_shown and incoming.kind is IncomingKind.TEXT and incoming.text == "8,5"


@pytest.mark.parametrize(
    "replied",
    [
        None,  # not a reply
        message(message_id=9, text="no buttons", **{"from": BOT}),
        message(message_id=9, reply_markup=KEYBOARD),  # a person's message
        message(message_id=9, reply_markup=KEYBOARD, **{"from": {**BOT, "username": "other_bot"}}),
    ],
)
def test_other_messages_carry_no_payloads(replied: dict[str, Any] | None) -> None:
    incoming = to_incoming(update(message=message(reply_to_message=replied)), "blocbot_test_bot")
    assert incoming is not None
    assert incoming.reply_payloads == () and incoming.buttons_shown


def test_a_pressed_button_shows_buttons() -> None:
    pressed = {
        "id": "4611686018427387904",
        "from": HOA,
        "chat_instance": "1",
        "data": "sc:submit",
        "message": message(message_id=9, reply_markup=KEYBOARD, **{"from": BOT}),
    }
    incoming = to_incoming(update(callback_query=pressed), "blocbot_test_bot")
    assert incoming is not None
    assert incoming.kind is IncomingKind.BUTTON and incoming.payload == "sc:submit"
    assert incoming.buttons_shown and incoming.message_id == "9"
