"""The outbox: messages the bot sends on its own initiative, and the marks of jobs that ran."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Prepared, dialect_insert
from bot.storage.models import OutboxMessage, ScheduleMark

OUTBOX_DIRTY = "blocbot_outbox_dirty"  # session.info flag: rows were enqueued in this session


@dataclass(frozen=True)
class NewMessage:
    """A message to enqueue; ``dedupe_key`` makes enqueuing it a second time do nothing."""

    platform: str
    chat_id: str
    text: str
    due_at: datetime
    chat_kind: str = "private"  # private, group
    contact_id: int | None = None  # marked unreachable if the person blocked the bot
    bloc_id: int | None = None
    event_id: int | None = None  # cancelled with the event
    not_after: datetime | None = None  # skipped, not sent late, once this has passed
    quiet: bool = False  # a direct message that waits out the night (21:00-07:00 local)
    timezone: str = "Asia/Ho_Chi_Minh"  # whose night
    dedupe_key: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


_ENQUEUE = Prepared(
    lambda dialect: dialect_insert(dialect, OutboxMessage).on_conflict_do_nothing()
)
_MARK = Prepared(lambda dialect: dialect_insert(dialect, ScheduleMark).on_conflict_do_nothing())


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, messages: Sequence[NewMessage], now: datetime) -> int:
        """Add messages; those whose dedupe key is already there are left out. Returns how
        many were added. They go out once the transaction commits."""
        added = 0
        for message in messages:
            values = {
                "platform": message.platform,
                "chat_id": message.chat_id,
                "chat_kind": message.chat_kind,
                "contact_id": message.contact_id,
                "bloc_id": message.bloc_id,
                "event_id": message.event_id,
                "text": message.text,
                "payload": message.payload,
                "due_at": message.due_at,
                "not_after": message.not_after,
                "quiet": message.quiet,
                "timezone": message.timezone,
                "dedupe_key": message.dedupe_key,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            }
            result = await self.session.execute(_ENQUEUE(self.session), values)
            added += result.rowcount  # type: ignore[attr-defined]
        if added:
            self.session.info[OUTBOX_DIRTY] = True
        return added

    async def cancel_for_event(self, event_id: int) -> int:
        """Cancel the event's messages that have not gone out yet."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.event_id == event_id, OutboxMessage.status == "pending")
            .values(status="cancelled")
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    async def mark(self, key: str, now: datetime) -> bool:
        """Record that a scheduled job ran; False if it already had (by this or another
        process), so the caller does nothing."""
        result = await self.session.execute(_MARK(self.session), {"key": key, "at": now})
        return bool(result.rowcount)  # type: ignore[attr-defined]
