"""What a channel promises the outbox dispatcher: one attempt at a message, and its outcome.

While a sender delivers, it tells the dispatcher of every part the platform took (the
``part_sent`` it is handed), and waits until that is recorded: a message retaken after a crash
then skips what went out, or is not sent again at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

PARTS_SENT = "parts_sent"  # payload key: parts (of the text, then files) an earlier attempt sent
SENT_IDS = "sent_ids"  # payload key: the platform's ids of the parts sent, in order


class Delivery(StrEnum):
    """How one attempt at sending a message ended."""

    SENT = "sent"
    RETRY_AFTER = "retry_after"  # flood limit (429): try again after ``retry_after`` seconds
    TRANSIENT = "transient"  # 5xx, network error, timeout: try again later
    BLOCKED = "blocked"  # 403: the person blocked the bot, or the bot left the group
    REJECTED = "rejected"  # 400: this message will never be accepted


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one attempt.

    ``parts`` counts the platform messages the attempt put in the chat (None: one when sent,
    none otherwise). A long text goes out as several; each counts toward the chat's limits,
    and when a later part fails the next attempt starts after those sent (``PARTS_SENT``).
    """

    outcome: Delivery
    retry_after: float | None = None
    error: str | None = None
    parts: int | None = None

    @property
    def delivered(self) -> int:
        """Platform messages this attempt put in the chat."""
        if self.parts is not None:
            return self.parts
        return 1 if self.outcome is Delivery.SENT else 0


@dataclass(frozen=True)
class Parcel:
    """One outbox message as a sender is handed it: its chat, its text and its payload."""

    chat_id: str
    chat_kind: str  # "private" or "group"
    text: str
    payload: dict[str, Any]


class PartRecorder(Protocol):
    """Records durably that the platform took one more part of the message being sent."""

    async def __call__(self, message_id: str | None, *, last: bool) -> None: ...


class OutboxSender(Protocol):
    """A channel that can send a message of the outbox (one attempt, no retries of its own)."""

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        """Send the parcel's text to its chat once; never raise for what the platform answered.

        The files it lists under ``ATTACHMENTS``
        (``bot.storage.files``: kind, filename, content_type and the ref of each in the file
        store) go after the text, a part each. The message skips its first
        ``parcel.payload[PARTS_SENT]`` parts, text and files counted together, which an earlier
        attempt sent (all of them: SENT with ``parts=0``). Each part the platform takes is told
        with ``await part_sent(...)`` before the next is sent.
        """


class Senders(Protocol):
    """The running senders by platform (the channel hub)."""

    def sender(self, platform: str) -> OutboxSender | None: ...

    def sending_platforms(self) -> Collection[str]: ...


class OutboxObserver(Protocol):
    """Told how each attempt at an outbox message ended (metrics, for example)."""

    def delivered(self, platform: str, outcome: str, parts: int) -> None:
        """One finished attempt: ``outcome`` is a ``Delivery`` value, or ``"failed"`` when the
        message was given up after its last transient failure; ``parts`` went out."""


class SenderMap:
    """A plain registry of senders: for tests and for running without the hub."""

    def __init__(self, senders: dict[str, OutboxSender] | None = None) -> None:
        self._senders = dict(senders or {})

    def register_sender(self, platform: str, sender: OutboxSender) -> None:
        self._senders[platform] = sender

    def sender(self, platform: str) -> OutboxSender | None:
        return self._senders.get(platform)

    def sending_platforms(self) -> Collection[str]:
        return tuple(self._senders)
