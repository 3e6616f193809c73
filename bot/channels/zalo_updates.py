"""Zalo updates as ``Incoming``: every shape the sources describe, nothing they disagree on lost.

An update comes wrapped (``{ok, result: {...}}``) or bare (``{event_name, message}``); a poll
answers one update or a list. Ids are opaque strings; ``date`` is in milliseconds (a value that
can only be seconds is read as seconds). Zalo gives an update no id of its own, so its key is
made of its event, message id and sender: a second delivery of it has the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.channels.zalo_photos import IMAGE, photo_file, photo_url
from bot.handlers.model import ChatKind, Incoming, IncomingFile, IncomingKind, Sender

PLATFORM = "zalo"
TEXT = "message.text.received"
WITHHELD = "message.unsupported.received"  # a protected sender: content stripped by law
CHAT_KINDS = {"PRIVATE": ChatKind.PRIVATE, "GROUP": ChatKind.GROUP}
NAME_FIELDS = ("display_name", "first_name", "name")
_SECONDS_BEFORE = 10**11  # a date below this is in seconds (year 5138 in ms)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Update:
    """One update read from Zalo, as the router will get it (None: not for the bot)."""

    incoming: Incoming | None
    key: str  # what makes it the same update when it comes again


def updates_in(result: Any) -> Iterator[dict[str, Any]]:
    """The update objects of a getUpdates result or a webhook body: one, a list, or none."""
    if isinstance(result, dict) and "event_name" not in result and "result" in result:
        result = result["result"]  # wrapped, as the documentation says webhooks are
    items = result if isinstance(result, list) else [result]
    for item in items:
        if isinstance(item, dict) and "result" in item and "event_name" not in item:
            item = item["result"]
        if isinstance(item, dict):
            yield item


def read(update: dict[str, Any], bot_name: str | None) -> Update:
    """The neutral form of one update object."""
    key = update_key(update)
    message = update.get("message")
    if not isinstance(message, dict):
        return Update(None, key)
    sender = message.get("from")
    chat = message.get("chat")
    if not isinstance(sender, dict) or not isinstance(chat, dict):
        return Update(None, key)
    user_id = _text(sender.get("id"))
    chat_kind = CHAT_KINDS.get(_text(chat.get("chat_type")).upper(), ChatKind.PRIVATE)
    chat_id = _text(chat.get("id")) or (user_id if chat_kind is ChatKind.PRIVATE else "")
    if not user_id or not chat_id or sender.get("is_bot") is True:
        return Update(None, key)
    event = _text(update.get("event_name"))
    text = message.get("text")
    kind = IncomingKind.TEXT
    file: IncomingFile | None = None
    url = photo_url(message) if event == IMAGE else None
    if event == WITHHELD:
        kind = IncomingKind.WITHHELD
    elif url is not None:
        caption = message.get("caption")
        kind, text = IncomingKind.FILE, caption if isinstance(caption, str) else ""
        file = photo_file(url, _text(message.get("message_id")))
    elif not isinstance(text, str) or (event and event != TEXT):
        kind, text = IncomingKind.UNSUPPORTED, ""
    if chat_kind is ChatKind.GROUP and kind is IncomingKind.TEXT:
        text = addressed(text or "", bot_name)
        if text is None:
            return Update(None, key)  # group chatter the bot is not asked about
    elif chat_kind is ChatKind.GROUP:
        return Update(None, key)  # a photo or sticker in the group is not for the bot
    incoming = Incoming(
        platform=PLATFORM,
        update_id=key,
        chat_id=chat_id,
        chat_kind=chat_kind,
        sender=Sender(user_id, _name(sender)),
        kind=kind,
        text=text or "",
        message_id=_text(message.get("message_id")) or None,
        chat_title=_text(chat.get("title") or chat.get("name")),
        sent_at=_date(message.get("date")),
        file=file,
    )
    return Update(incoming, key)


def addressed(text: str, bot_name: str | None) -> str | None:
    """A group message without its @mention of the bot; None when it does not mention it.

    Zalo marks a mention only in the text: ``@Bot Khối thi đua /score``. Without the bot's
    name (getMe failed) a leading @mention followed by a command is taken as addressed to it.
    """
    if bot_name:
        found = re.search(re.escape("@" + bot_name), text, re.IGNORECASE)
        if found is None:
            return None
        rest = (text[: found.start()] + " " + text[found.end() :]).strip()
        return _SPACES.sub(" ", rest) if "\n" not in rest else rest
    if not text.startswith("@"):
        return None
    slash = text.find(" /")
    return text[slash + 1 :].strip() if slash > 0 else None


def update_key(update: dict[str, Any]) -> str:
    """The same for every delivery of one update: event, message id and sender, hashed to fit.

    An update without a message id (none documented, but nothing is promised) is known by its
    whole content.
    """
    message = update.get("message")
    message = message if isinstance(message, dict) else {}
    sender = message.get("from")
    sender_id = _text(sender.get("id")) if isinstance(sender, dict) else ""
    message_id = _text(message.get("message_id"))
    if message_id:
        seed = "\x1f".join((_text(update.get("event_name")), message_id, sender_id))
    else:
        seed = json.dumps(update, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(seed.encode(), digest_size=20).hexdigest()


def _name(sender: dict[str, Any]) -> str:
    for field in NAME_FIELDS:
        value = sender.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _text(value: Any) -> str:
    """An id or a name as text: Zalo's ids are strings, but a number is read too."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (str, int)):
        return str(value).strip()
    return ""


def _date(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    seconds = value if value < _SECONDS_BEFORE else value / 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
