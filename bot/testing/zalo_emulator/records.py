"""What the emulator remembers: chats, their messages, webhook deliveries and counters."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.testing.zalo_emulator.wire import JSON, utf16_units


class JoinRefused(PermissionError):
    """The bot cannot be added to a group (``can_join_groups`` is false)."""


@dataclass(eq=False)
class ZaloMessage:
    """One message in an emulated chat: sent by the bot (``from_bot``) or by a person."""

    message_id: str
    chat_id: str
    kind: str  # bot: text, photo, sticker, voice, action; person: the event's kind
    text: str | None = None  # the text, or a photo's caption
    photo: str | None = None
    date: int = 0  # milliseconds
    from_bot: bool = True
    sender_id: str | None = None
    sticker: str | None = None
    voice_url: str | None = None
    action: str | None = None
    parse_mode: str | None = None
    params: JSON = field(default_factory=dict)  # everything the bot sent with the call
    delivered: bool = True  # false: a person's message the bot never got, or a group voice
    event_name: str | None = None
    at: float = field(default_factory=time.perf_counter)

    @property
    def units(self) -> int:
        """Length of the text in UTF-16 units, as Zalo counts it (0 without text)."""
        return utf16_units(self.text or "")

    @property
    def content(self) -> str:
        """The text or caption ("" for none)."""
        return self.text or ""

    def describe(self) -> str:
        """One line for transcripts."""
        parts: list[str] = []
        if self.kind == "photo":
            parts.append(f"[photo {self.photo}]")
        elif self.kind == "sticker":
            parts.append(f"[sticker {self.sticker}]")
        elif self.kind == "voice":
            parts.append(f"[voice {self.voice_url}]")
        elif self.kind == "action":
            parts.append(f"[{self.action}]")
        elif self.kind not in ("text",):
            parts.append(f"[{self.kind}]")
        if self.text:
            parts.append(self.text)
        return " ".join(parts) or "(empty)"

    def __str__(self) -> str:
        who = "bot" if self.from_bot else (self.sender_id or "?")
        return f"#{self.message_id} {who}: {self.describe()}"


@dataclass(eq=False)
class ChatState:
    """A private chat or a group, with what was said in it."""

    id: str
    chat_type: str  # PRIVATE or GROUP
    name: str
    members: set[str] = field(default_factory=set)
    bot_present: bool = True
    contacted: bool = False  # a person wrote to the bot here at least once
    said: list[ZaloMessage] = field(default_factory=list)  # the people's messages
    bot_messages: list[ZaloMessage] = field(default_factory=list)
    undelivered: list[ZaloMessage] = field(default_factory=list)  # bot sends that got lost
    log: list[str] = field(default_factory=list)
    cursor: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def is_group(self) -> bool:
        """True for a GROUP chat."""
        return self.chat_type == "GROUP"

    def touch(self) -> None:
        """Wake whoever waits on this chat."""
        self.changed.set()
        self.changed = asyncio.Event()


@dataclass(frozen=True)
class Delivery:
    """One POST of an update to the webhook, and how the receiver answered it."""

    message_id: str | None
    event_name: str | None
    attempt: int  # 1 for the first try, 2.. for retries
    status: int | None  # the HTTP status, or None when the POST failed
    error: str | None = None
    duplicate: bool = False  # the second, identical POST asked for by duplicate_next
    replay: bool = False  # posted again by replay()
    at: float = field(default_factory=time.perf_counter)

    @property
    def ok(self) -> bool:
        """True when the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@dataclass
class ZaloStats:
    """Counters of what the bot did and what the emulator answered."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    updates: int = 0  # updates created by people (and inject)
    handed_out: int = 0  # updates getUpdates gave away, gone from the queue from then on
    injected: int = 0  # failures planned with fail_next
    dropped: int = 0  # connections closed on purpose
    replayed: int = 0
    webhook_posts: int = 0  # POSTs the receiver answered 2xx
    webhook_failures: int = 0  # POSTs answered non-2xx or failed
    webhook_lost: int = 0  # updates given up after every retry

    @property
    def total_calls(self) -> int:
        """All Bot API calls, whatever their answer."""
        return sum(self.calls.values())
