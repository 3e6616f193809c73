"""Telegram updates read one at a time, and turned into the neutral ``Incoming``.

python-telegram-bot reads a getUpdates answer as a whole: one update it cannot read fails the
batch, and polling fetches the same batch again forever. ``read_update`` reads a single update
(from getUpdates or a webhook POST) and gives None, with one warning, for a malformed one;
``read_updates`` applies it to every item of a getUpdates answer, the offset moving past the bad
ones too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Document, MaybeInaccessibleMessage, Message, PhotoSize, Update, User
from telegram.error import BadRequest

from bot.handlers.model import ChatKind, Incoming, IncomingFile, IncomingKind, Sender
from bot.i18n import _

log = logging.getLogger(__name__)

PLATFORM = "telegram"
CHAT_KINDS = {"private": ChatKind.PRIVATE, "group": ChatKind.GROUP, "supergroup": ChatKind.GROUP}


def read_update(data: object, bot: Bot | None = None) -> Update | None:
    """The update in one JSON object, or None (logged once as a warning) when it is malformed.

    Malformed: what python-telegram-bot cannot read (a message without ``date`` or ``chat``, a
    date past the year 9999...) and what it reads but the Bot API never sends (``text`` that is
    a number, a button press without ``from``...).
    """
    update_id = data.get("update_id") if isinstance(data, dict) else None
    try:
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        update = Update.de_json(data, bot)
        problem = _problem(update)
    except Exception as error:  # whatever the JSON holds, reading it must not fail
        problem = f"{type(error).__name__}: {error}"
    if problem is None:
        return update
    log.warning(
        _("Skipped Telegram update {update_id}: it is malformed ({problem}).").format(
            update_id=update_id, problem=problem
        )
    )
    return None


def read_updates(answer: object, bot: Bot | None = None) -> tuple[int | None, list[Update]]:
    """The updates of a getUpdates answer, each read alone, and the offset past all of them
    (None when none has an update_id).

    A malformed update is skipped (``read_update`` warns once), the offset moving past it too;
    one without a usable update_id is skipped as well.
    """
    offset: int | None = None
    updates: list[Update] = []
    for item in answer if isinstance(answer, list) else ():
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if isinstance(update_id, int) and _is_int(update_id):
            offset = max(offset or 0, update_id + 1)
        update = read_update(item, bot)
        if update is not None:
            updates.append(update)
    return offset, updates


def is_empty(update: Update) -> bool:
    """True for an update that carries nothing (a malformed one, emptied)."""
    return all(getattr(update, kind, None) is None for kind in Update.ALL_TYPES)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _problem(update: Update) -> str | None:
    """What is wrong with an update python-telegram-bot could read, or None."""
    if not _is_int(update.update_id):
        return "update_id is not an integer"
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        message = getattr(update, kind)
        if message is not None and (problem := _message_problem(message)):
            return f"{kind}: {problem}"
    query = update.callback_query
    if query is not None:
        if not isinstance(query.id, str):
            return "callback_query: id is not a string"
        if not isinstance(query.data, str | None):
            return "callback_query: data is not a string"
        if problem := _user_problem(query.from_user):
            return f"callback_query: {problem}"
        if isinstance(query.message, Message) and (problem := _message_problem(query.message)):
            return f"callback_query.message: {problem}"
    for kind in ("my_chat_member", "chat_member"):
        member = getattr(update, kind)
        if member is not None and (problem := _user_problem(member.from_user)):
            return f"{kind}: {problem}"
    return None


def _message_problem(message: Message) -> str | None:
    if not _is_int(message.message_id):
        return "message_id is not an integer"
    chat = message.chat
    if not _is_int(chat.id) or not isinstance(chat.type, str):
        return "chat has no integer id or no type"
    if not isinstance(chat.title, str | None):
        return "chat title is not a string"
    for name in ("text", "caption"):
        if not isinstance(getattr(message, name), str | None):
            return f"{name} is not a string"
    if message.from_user is not None:
        return _user_problem(message.from_user)
    return None


def _user_problem(user: User | None) -> str | None:
    if user is None:
        return "no from"
    if not _is_int(user.id):
        return "from.id is not an integer"
    if not isinstance(user.first_name, str):
        return "from.first_name is not a string"
    for name in ("last_name", "username", "language_code"):
        if not isinstance(getattr(user, name), str | None):
            return f"from.{name} is not a string"
    return None


# -- updates into the neutral model -----------------------------------------------------------


def to_incoming(update: Update, bot_username: str | None) -> Incoming | None:
    """The neutral form of an update, or None for what the bot does not answer."""
    query = update.callback_query
    if query is not None:
        if query.message is None or query.data is None:
            return None
        return _incoming(
            update,
            query.message,
            query.from_user,
            bot_username,
            kind=IncomingKind.BUTTON,
            payload=query.data,
            callback_id=query.id,
            message_id=str(query.message.message_id),
        )
    file: IncomingFile | None = None
    if update.edited_message is not None:
        message, kind = update.edited_message, IncomingKind.EDITED
    elif update.message is not None:
        message, kind = update.message, IncomingKind.TEXT
        if message.text is None:
            if message.effective_attachment is None:
                return None  # a service message: someone joined, the title changed...
            file = incoming_file(message)
            kind = IncomingKind.UNSUPPORTED if file is None else IncomingKind.FILE
    else:
        return None  # my_chat_member, chat_member, channel posts...
    if message.from_user is None:
        return None
    return _incoming(
        update,
        message,
        message.from_user,
        bot_username,
        kind=kind,
        text=message.text or (message.caption if kind is IncomingKind.FILE else None) or "",
        reply_payloads=reply_payloads(message, bot_username),
        sequence=message.message_id,
        sent_at=message.date,
        file=file,
    )


def incoming_file(message: Message) -> IncomingFile | None:
    """A document, or a photo at its largest size, as the handlers get it; None otherwise."""
    document = message.document
    if document is not None:
        name = document.file_name or f"file-{message.message_id}"
        content_type = document.mime_type or "application/octet-stream"
        return IncomingFile(name, content_type, document.file_size, _fetcher(document))
    if message.photo:
        photo = max(
            message.photo, key=lambda size: (size.width * size.height, size.file_size or 0)
        )
        name = f"photo-{message.message_id}.jpg"  # Telegram keeps photos as JPEG
        return IncomingFile(name, "image/jpeg", photo.file_size, _fetcher(photo), image=True)
    return None


def _fetcher(media: Document | PhotoSize) -> Callable[[int], Awaitable[bytes]]:
    """Download ``media`` (getFile, then the file), refusing more than ``limit`` bytes."""

    async def fetch(limit: int) -> bytes:
        try:
            file = await media.get_file()
        except BadRequest as error:
            if "too big" in error.message.lower():  # bots download up to 20 MB
                raise ValueError(error.message) from None
            raise
        if file.file_size is not None and file.file_size > limit:
            raise ValueError(f"{file.file_size} bytes")
        data = bytes(await file.download_as_bytearray())
        if len(data) > limit:
            raise ValueError(f"{len(data)} bytes")
        return data

    return fetch


def reply_payloads(message: Message, bot_username: str | None) -> tuple[str, ...]:
    """The callback data of the inline buttons on the bot's message this one replies to."""
    replied = message.reply_to_message
    if replied is None or replied.reply_markup is None:
        return ()
    author = replied.from_user
    if author is None or not author.is_bot:
        return ()
    if bot_username and (author.username or "").lower() != bot_username.lower():
        return ()
    return tuple(
        button.callback_data
        for row in replied.reply_markup.inline_keyboard
        for button in row
        if isinstance(button.callback_data, str)
    )


def _incoming(
    update: Update,
    message: MaybeInaccessibleMessage,
    user: User | None,
    bot_username: str | None,
    **fields: Any,
) -> Incoming | None:
    chat = message.chat
    chat_kind = CHAT_KINDS.get(chat.type)
    if chat_kind is None or user is None:
        return None  # a channel
    return Incoming(
        platform=PLATFORM,
        update_id=str(update.update_id),
        chat_id=str(chat.id),
        chat_kind=chat_kind,
        sender=Sender(str(user.id), user.full_name, user.language_code),
        chat_title=chat.title or "",
        bot_username=bot_username,
        buttons_shown=True,
        **fields,
    )


def bot_joined(update: Update, bot_id: int) -> bool:
    """True for the service message of a group that just added the bot (or was made with it)."""
    message = update.message
    if message is None or CHAT_KINDS.get(message.chat.type) is not ChatKind.GROUP:
        return False
    if message.group_chat_created or message.supergroup_chat_created:
        return True
    return any(member.id == bot_id for member in message.new_chat_members)
