"""Every shape of a Zalo update the sources describe is read, and each the same way twice."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.zalo_api import ZaloError, _result
from bot.channels.zalo_updates import addressed, read, update_key, updates_in
from bot.handlers.model import ChatKind, IncomingKind

BOT = "Bot Khối thi đua"


def update(text: str | None = "Xin chào", **changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
        "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
        "message_id": "2d758cb5e222177a4e35",
        "date": 1750316131602,
    }
    if text is not None:
        message["text"] = text
    message.update(changes.pop("message", {}))
    return {"event_name": "message.text.received", "message": message, **changes}


def test_wrapped_bare_single_and_list_bodies_give_the_same_updates() -> None:
    bare = update()
    assert list(updates_in(bare)) == [bare]
    assert list(updates_in({"ok": True, "result": bare})) == [bare]
    assert list(updates_in([bare, bare])) == [bare, bare]
    assert list(updates_in({"ok": True, "result": [bare]})) == [bare]
    assert list(updates_in(None)) == [] and list(updates_in("x")) == []


def test_a_text_message_as_the_router_gets_it() -> None:
    incoming = read(update(), BOT).incoming
    assert incoming is not None
    assert (incoming.platform, incoming.chat_id, incoming.chat_kind) == (
        "zalo",
        "6ede9afa66b88fe6d6a9",
        ChatKind.PRIVATE,
    )
    assert incoming.sender.display_name == "Ted" and incoming.text == "Xin chào"
    assert incoming.sent_at is not None and incoming.sent_at.year == 2025  # milliseconds
    assert not incoming.buttons_shown


@pytest.mark.parametrize("field", ["display_name", "first_name", "name"])
def test_the_name_is_read_from_any_field_a_source_uses(field: str) -> None:
    body = update(message={"from": {"id": "u1", field: "Lan"}})
    incoming = read(body, BOT).incoming
    assert incoming is not None and incoming.sender.display_name == "Lan"


def test_numbers_become_opaque_strings_and_seconds_are_read_as_seconds() -> None:
    body = update(message={"from": {"id": 12345}, "chat": {"id": 12345}, "date": 1750316131})
    incoming = read(body, BOT).incoming
    assert incoming is not None and incoming.chat_id == "12345"
    assert incoming.sent_at is not None and incoming.sent_at.year == 2025


@pytest.mark.parametrize(
    ("event", "fields", "kind"),
    [
        ("message.sticker.received", {"sticker": "s1", "url": "https://x/s"}, "unsupported"),
        ("message.voice.received", {"voice_url": "https://x/v.aac"}, "unsupported"),
        ("message.unsupported.received", {}, "withheld"),
    ],
)
def test_what_is_not_text_is_answered_not_read(
    event: str, fields: dict[str, Any], kind: str
) -> None:
    body = update(None, event_name=event, message=fields)
    incoming = read(body, BOT).incoming
    assert incoming is not None and incoming.kind is IncomingKind(kind)
    assert incoming.text == ""


def test_in_a_group_only_what_mentions_the_bot_is_read_without_the_mention() -> None:
    group = {"chat": {"id": "g-1", "chat_type": "GROUP"}}
    said = read(update(f"@{BOT} /linkgroup ABC", message=group), BOT).incoming
    assert said is not None and said.text == "/linkgroup ABC" and said.in_group
    shouted = read(update("@bot khối thi đua   /score", message=group), BOT).incoming
    assert shouted is not None and shouted.text == "/score"
    assert read(update("Chào cả nhà", message=group), BOT).incoming is None
    photo = update(None, event_name="message.image.received", message=group)
    assert read(photo, BOT).incoming is None
    assert addressed("@Bot /score", None) == "/score"  # the bot's name unknown
    assert addressed("hello /score", None) is None


def test_the_bots_own_messages_and_broken_updates_are_skipped() -> None:
    assert read(update(message={"from": {"id": "b", "is_bot": True}}), BOT).incoming is None
    assert read({"event_name": "message.text.received"}, BOT).incoming is None
    assert read({"message": {"from": "x", "chat": []}}, BOT).incoming is None


def test_a_redelivery_has_the_same_key_and_another_message_another() -> None:
    first = update()
    assert update_key(first) == update_key({**first}) == read(first, BOT).key
    other = update(message={"message_id": "ffff"})
    assert update_key(other) != update_key(first)
    assert len(update_key(first)) <= 64  # fits the processed updates' column
    no_id = {"event_name": "message.text.received", "message": {"text": "a"}}
    assert update_key(no_id) == update_key(dict(no_id))


def test_an_envelope_is_an_error_when_it_says_so_whatever_the_status() -> None:
    assert _result(200, b'{"ok": true, "result": {"message_id": "1"}}') == {"message_id": "1"}
    with pytest.raises(ZaloError) as refused:
        _result(200, b'{"ok": false, "error_code": 408, "description": "Request timeout"}')
    assert refused.value.code == 408
    with pytest.raises(ZaloError) as unauthorized:
        _result(401, b'{"ok": false, "error_code": 401, "description": "Unauthorized"}')
    assert unauthorized.value.unauthorized
    with pytest.raises(ZaloError) as proxy:
        _result(502, b"<html>Bad Gateway</html>")
    assert proxy.value.server_side
    with pytest.raises(ZaloError):
        _result(500, b'{"ok": true, "result": 1}')
