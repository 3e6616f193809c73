"""The outbox: messages the bot sends on its own initiative, and the marks of jobs that ran."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Prepared, dialect_insert
from bot.storage.files import ATTACHMENTS, OutboxFile
from bot.storage.models import Contact, OutboxMessage, ScheduleMark

OUTBOX_DIRTY = "blocbot_outbox_dirty"  # session.info flag: rows were enqueued in this session


@dataclass(frozen=True)
class NewMessage:
    """A message to enqueue; ``dedupe_key`` makes enqueuing it a second time do nothing.

    ``attachments`` (files already in the file store) go into the payload, after the text.
    """

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
    attachments: tuple[OutboxFile, ...] = ()

    def full_payload(self) -> dict[str, Any]:
        """The payload as the row keeps it: with its attachments, if any."""
        if not self.attachments:
            return self.payload
        return {**self.payload, ATTACHMENTS: [file.to_json() for file in self.attachments]}


@dataclass(frozen=True)
class ClaimedMessage:
    """An outbox message claimed for sending, as a value: the dispatcher reads it and tells
    the repository what became of it, never touching the row itself."""

    id: int
    platform: str
    chat_id: str
    chat_kind: str
    contact_id: int | None
    bloc_id: int | None
    event_id: int | None
    text: str
    payload: dict[str, Any]
    due_at: datetime
    not_after: datetime | None
    quiet: bool
    timezone: str
    dedupe_key: str | None
    status: str
    attempts: int
    last_error: str | None
    lease_until: datetime | None
    claimed_by: str | None

    @classmethod
    def of(cls, row: OutboxMessage) -> ClaimedMessage:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


_ENQUEUE = Prepared(
    lambda dialect: dialect_insert(dialect, OutboxMessage).on_conflict_do_nothing()
)
_MARK = Prepared(lambda dialect: dialect_insert(dialect, ScheduleMark).on_conflict_do_nothing())

_OUTBOX = cast(Table, OutboxMessage.__table__)
_MOMENT = OutboxMessage.due_at.type
_SENDING = _OUTBOX.c.status == "sending"
_BY_ID = and_(_OUTBOX.c.id == bindparam("row"), _SENDING)


def _claim(dialect: str, platforms: bool) -> Any:
    """UPDATE ... RETURNING of the oldest due rows; on PostgreSQL they are locked with SKIP
    LOCKED, so concurrent claimers each get other rows. SQLite runs one writer at a time."""
    now = bindparam("now", type_=_MOMENT)
    due = select(OutboxMessage.id).where(
        or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.due_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
        )
    )
    if platforms:
        due = due.where(OutboxMessage.platform.in_(bindparam("platforms", expanding=True)))
    due = due.order_by(OutboxMessage.due_at, OutboxMessage.id).limit(bindparam("limit"))
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status="sending",
            lease_until=bindparam("lease_until", type_=_MOMENT),
            claimed_by=bindparam("worker"),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


_CLAIM = Prepared(lambda dialect: _claim(dialect, platforms=False))
_CLAIM_FOR = Prepared(lambda dialect: _claim(dialect, platforms=True))


def _by_id(**values: Any) -> Prepared:
    """An UPDATE of one message (``id``) that sets ``values`` and ends any claim on it."""
    return Prepared(lambda _: _OUTBOX.update().where(_BY_ID).values(**values, lease_until=None))


_NOW = bindparam("now", type_=_MOMENT)
_DUE = bindparam("due_at", type_=_MOMENT)
_PAYLOAD = bindparam("payload", type_=OutboxMessage.payload.type)
_SENT = _by_id(status="sent", sent_at=_NOW)
_SENT_ALL = Prepared(
    lambda _: (
        _OUTBOX.update()
        .where(_OUTBOX.c.id.in_(bindparam("rows", expanding=True)), _SENDING)
        .values(status="sent", sent_at=_NOW, lease_until=None)
    )
)
_SENT_WITH = _by_id(status="sent", sent_at=_NOW, payload=_PAYLOAD)
_PROGRESS = Prepared(lambda _: _OUTBOX.update().where(_BY_ID).values(payload=_PAYLOAD))
_RETRY = _by_id(status="pending", due_at=_DUE, last_error=bindparam("error"))
_RELEASE = _by_id(status="pending", due_at=_DUE, attempts=_OUTBOX.c.attempts - 1)
_CLOSE = _by_id(status=bindparam("status"), last_error=bindparam("error"))


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
                "payload": message.full_payload(),
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

    async def attach(
        self, keys: Sequence[str], files: Sequence[OutboxFile], due_at: datetime
    ) -> int:
        """Let the pending messages of ``keys`` go at ``due_at``, with ``files`` after those
        they carry: they were held for them. One already claimed or sent is left as it is.
        Returns how many were let go."""
        rows = await self.session.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(
                OutboxMessage.dedupe_key.in_(list(keys)), OutboxMessage.status == "pending"
            )
        )
        let_go = 0
        for row_id, payload in rows.all():
            kept = dict(payload or {})
            carried = [*kept.get(ATTACHMENTS, ()), *(file.to_json() for file in files)]
            if carried:
                kept[ATTACHMENTS] = carried
            result = await self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
                .values(payload=kept, due_at=due_at)
            )
            let_go += result.rowcount  # type: ignore[attr-defined]
        if let_go:
            self.session.info[OUTBOX_DIRTY] = True
        return let_go

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

    # -- the dispatcher's side ------------------------------------------------------------------

    async def claim(
        self,
        now: datetime,
        limit: int,
        worker: str,
        lease: timedelta,
        platforms: Collection[str] | None = None,
    ) -> list[ClaimedMessage]:
        """Take up to ``limit`` due messages (oldest due first) for ``worker``, until ``lease``
        from now: pending ones whose time has come, and those of a claim whose lease ran out
        (a dispatcher that crashed). Each claim counts as an attempt."""
        params: dict[str, Any] = {
            "now": now,
            "limit": limit,
            "worker": worker,
            "lease_until": now + lease,
        }
        statement = _CLAIM
        if platforms is not None:
            if not platforms:
                return []
            statement, params["platforms"] = _CLAIM_FOR, list(platforms)
        result = await self.session.execute(statement(self.session), params)
        rows = sorted(result.scalars(), key=lambda row: (row.due_at, row.id))
        return [ClaimedMessage.of(row) for row in rows]

    async def sent(self, id: int, now: datetime) -> None:
        """The message went out."""
        await self.session.execute(_SENT(self.session), {"row": id, "now": now})

    async def sent_all(self, ids: Sequence[int], now: datetime) -> None:
        """Several messages went out."""
        if ids:
            await self.session.execute(_SENT_ALL(self.session), {"rows": list(ids), "now": now})

    async def sent_with(self, rows: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> None:
        """Several messages went out; each (id, payload) keeps what its send recorded."""
        params = [{"row": id, "payload": payload, "now": now} for id, payload in rows]
        if params:
            await self.session.execute(_SENT_WITH(self.session), params)

    async def progressed(self, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Claimed messages got partly out: each (id, payload) says how far (``PARTS_SENT``)."""
        params = [{"row": id, "payload": payload} for id, payload in rows]
        if params:
            await self.session.execute(_PROGRESS(self.session), params)

    async def retry(self, id: int, due_at: datetime, error: str) -> None:
        """Back to pending until ``due_at``, after a failed attempt (it stays counted)."""
        await self.session.execute(
            _RETRY(self.session), {"row": id, "due_at": due_at, "error": error}
        )

    async def release(self, id: int, due_at: datetime, error: str | None = None) -> None:
        """Give a claimed message back, due at ``due_at``, without counting an attempt: it was
        not tried (its chat was not ready, the night is quiet) or the platform said to wait."""
        await self.release_all([(id, due_at)])
        if error is not None:
            await self.session.execute(
                update(OutboxMessage).where(OutboxMessage.id == id).values(last_error=error)
            )

    async def release_all(self, rows: Iterable[tuple[int, datetime]]) -> None:
        """``release`` for many (id, due time) pairs at once."""
        params = [{"row": id, "due_at": due_at} for id, due_at in rows]
        if params:
            await self.session.execute(_RELEASE(self.session), params)

    async def failed(self, id: int, error: str) -> None:
        """Given up: it will never be sent."""
        await self.session.execute(
            _CLOSE(self.session), {"row": id, "status": "failed", "error": error}
        )

    async def skipped(self, id: int, reason: str) -> None:
        """Not sent on purpose (too late, for example)."""
        await self.session.execute(
            _CLOSE(self.session), {"row": id, "status": "skipped", "error": reason}
        )

    async def mark_unreachable(self, contact_id: int, now: datetime) -> None:
        """The message's contact blocked the bot: the head sees it in /progress."""
        await self.session.execute(
            update(Contact)
            .where(Contact.id == contact_id, Contact.unreachable_at.is_(None))
            .values(unreachable_at=now)
        )

    async def pending_count(self) -> int:
        """Messages waiting to go out (pending or claimed)."""
        result = await self.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status.in_(("pending", "sending")))
        )
        return int(result.scalar_one())

    async def next_due(self, platforms: Collection[str] | None = None) -> datetime | None:
        """When the next message becomes claimable: the earliest due time or lease end."""
        earliest: datetime | None = None
        for status, column in (
            ("pending", OutboxMessage.due_at),
            ("sending", OutboxMessage.lease_until),
        ):
            query = select(func.min(column)).where(OutboxMessage.status == status)
            if platforms is not None:
                query = query.where(OutboxMessage.platform.in_(list(platforms)))
            found = (await self.session.execute(query)).scalar_one()
            if found is not None and (earliest is None or found < earliest):
                earliest = found
        return earliest

    async def set_payload(self, id: int, payload: dict[str, Any]) -> None:
        """Replace a message's payload (a sender's progress through a long text)."""
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == id).values(payload=payload)
        )
