"""What the emulator remembers: chats, their messages, files, button presses and counters."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.testing.telegram_emulator.formatting import keyboard_rows
from bot.testing.telegram_emulator.wire import JSON


@dataclass(eq=False)
class StoredFile:
    """A file that went through the emulator: uploaded by the bot, sent by a person, or a URL."""

    file_id: str
    file_unique_id: str
    kind: str
    size: int = 0
    file_name: str | None = None
    mime_type: str | None = None
    content: bytes | None = None
    url: str | None = None
    width: int = 0
    height: int = 0
    file_path: str = ""
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        """The Document, PhotoSize or Sticker fields of this file."""
        body: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.size:
            body["file_size"] = self.size
        if self.kind in ("photo", "sticker"):
            body.update(width=self.width, height=self.height)
        if self.file_name:
            body["file_name"] = self.file_name
        if self.mime_type and self.kind == "document":
            body["mime_type"] = self.mime_type
        body.update(self.extra)
        return body


@dataclass(eq=False)
class ChatMessage:
    """One message in an emulated chat, sent by the bot or by a person.

    ``text``/``caption`` are what a person sees (markup parsed away); ``source`` is what the bot
    sent, markup included. Edits change the message in place and bump ``edit_count``.
    """

    chat: ChatState
    message_id: int
    date: int
    sender: JSON
    from_bot: bool
    kind: str = "text"
    text: str | None = None
    caption: str | None = None
    source: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    reply_to: ChatMessage | None = None
    file: StoredFile | None = None
    extra: JSON = field(default_factory=dict)
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False
    seen_by_bot: bool = True
    at: float = field(default_factory=time.perf_counter)  # when the emulator recorded it
    update_id: int | None = None  # of the update the bot got for it (a person's message)

    @property
    def chat_id(self) -> int:
        """Id of the chat the message is in."""
        return self.chat.id

    @property
    def edited(self) -> bool:
        """True once the message was edited."""
        return self.edit_count > 0

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the keyboard attached to the message, row by row."""
        return [[button["text"] for button in row] for row in keyboard_rows(self.reply_markup)]

    @property
    def labels(self) -> list[str]:
        """Labels of the keyboard attached to the message, in reading order."""
        return [label for row in self.buttons for label in row]

    @property
    def has_inline_keyboard(self) -> bool:
        """True when the message carries inline buttons."""
        return bool(self.reply_markup and self.reply_markup.get("inline_keyboard"))

    def button(self, label: str) -> JSON | None:
        """The inline or reply button with this label, or None."""
        for row in keyboard_rows(self.reply_markup):
            for button in row:
                if button.get("text") == label:
                    return button
        return None

    def to_json(self, with_reply: bool = True) -> JSON:
        """The Message object as the Bot API sends it."""
        body: JSON = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat.info,
            "date": self.date,
        }
        if self.text is not None:
            body["text"] = self.text
        if self.caption is not None:
            body["caption"] = self.caption
        if self.entities:
            body["caption_entities" if self.caption is not None else "entities"] = self.entities
        if self.file is not None:
            file_json = self.file.to_json()
            body[self.kind] = [file_json] if self.kind == "photo" else file_json
        body.update(self.extra)
        if self.has_inline_keyboard:
            body["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            body["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            body["reply_to_message"] = self.reply_to.to_json(with_reply=False)
        return body

    def describe(self) -> str:
        """One line for transcripts: content and buttons."""
        parts: list[str] = []
        if self.file is not None:
            name = f" {self.file.file_name}" if self.file.file_name else ""
            parts.append(f"[{self.kind}{name}]")
        elif self.kind not in ("text", "photo", "document"):
            parts.append(f"[{self.kind}]")
        if self.content:
            parts.append(self.content)
        if self.labels:
            parts.append(" ".join(f"[{label}]" for label in self.labels))
        return " ".join(parts) or "(empty)"

    def __str__(self) -> str:
        who = "bot" if self.from_bot else self.sender.get("first_name", "?")
        return f"#{self.message_id} {who}: {self.describe()}"


@dataclass(eq=False)
class ChatState:
    """A private chat, group or supergroup, with what was said in it."""

    id: int
    type: str
    info: JSON
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    creator: int | None = None
    bot_is_admin: bool = False
    bot_present: bool = True
    privacy: bool = True
    by_id: dict[int, ChatMessage] = field(default_factory=dict)
    bot_messages: list[ChatMessage] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    cursor: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    last_message_id: int = 0

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.type in ("group", "supergroup")

    def next_message_id(self) -> int:
        """The id the next message in this chat gets."""
        self.last_message_id += 1
        return self.last_message_id

    def touch(self) -> None:
        """Wake whoever waits on this chat."""
        self.changed.set()
        self.changed = asyncio.Event()


@dataclass(eq=False)
class CallbackPress:
    """A person pressing an inline button, and the bot's answer to it once it came."""

    id: str
    user_id: int
    label: str
    data: str
    message: ChatMessage
    answered: bool = False
    update_id: int | None = None  # of the update the bot got for it
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0


@dataclass
class EmulatorStats:
    """Counters of what the bot did and what the emulator answered."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    injected: int = 0
    dropped: int = 0
    updates: int = 0
    redelivered: int = 0
    webhook_posts: int = 0
    webhook_failures: int = 0

    @property
    def total_calls(self) -> int:
        """All Bot API calls, whatever their answer."""
        return sum(self.calls.values())
