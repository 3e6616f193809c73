"""The inbox: webhook updates stored before they are answered, claimed by one worker at a time.

A worker claims the oldest update of each chat whose earlier updates are all done, for a lease;
a claim whose lease ran out (its replica died) is anyone's again. On PostgreSQL the claim locks
the rows it takes with ``FOR UPDATE SKIP LOCKED``, so replicas claiming at once take other
chats; a chat's next update is not a candidate while the one before it is not done, so two
updates of one chat are never in hand at once. SQLite runs one writer at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, delete, func, null, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Prepared, dialect_insert
from bot.storage.models import InboxUpdate


@dataclass(frozen=True)
class InboxEntry:
    """A claimed update, as the worker that handles it reads it."""

    id: int
    platform: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int  # claims so far, this one included


_INBOX = cast(Table, InboxUpdate.__table__)
_MOMENT = InboxUpdate.received_at.type
_NOW = bindparam("now", type_=_MOMENT)


def _claim(dialect: str) -> Any:
    """UPDATE ... RETURNING of up to ``limit`` updates, each the oldest one of its chat not
    done, of the ``platforms``, unclaimed or with its lease run out.

    "The oldest of its chat" is a correlated ``min(id)``: one probe of ``ix_inbox_waiting``
    per open update, whatever the planner knows of the table. An anti-join ("no earlier one
    open") may be planned, on the statistics of a table that churns this fast, as a scan of
    every open update for each one (20,000 buffers a claim with 200 chats open)."""
    candidate = _INBOX.alias("candidate")
    earlier = _INBOX.alias("earlier")
    oldest = (
        select(func.min(earlier.c.id))
        .where(
            earlier.c.platform == candidate.c.platform,
            earlier.c.chat_id == candidate.c.chat_id,
            earlier.c.done_at.is_(None),
        )
        .scalar_subquery()
    )
    free = or_(candidate.c.claimed_until.is_(None), candidate.c.claimed_until < _NOW)
    pick = (
        select(candidate.c.id)
        .where(
            candidate.c.done_at.is_(None),
            candidate.c.platform.in_(bindparam("platforms", expanding=True)),
            free,
            candidate.c.id == oldest,
        )
        .order_by(candidate.c.id)
        .limit(bindparam("limit"))
    )
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True, of=candidate)
    return (
        update(_INBOX)
        .where(_INBOX.c.id.in_(pick.scalar_subquery()))
        .values(
            claimed_by=bindparam("worker"),
            claimed_until=bindparam("until", type_=_MOMENT),
            attempts=_INBOX.c.attempts + 1,
        )
        .returning(
            _INBOX.c.id, _INBOX.c.platform, _INBOX.c.chat_id, _INBOX.c.payload, _INBOX.c.attempts
        )
    )


_ADD = Prepared(lambda dialect: dialect_insert(dialect, InboxUpdate).on_conflict_do_nothing())


def _add_taken(dialect: str) -> Any:
    """INSERT ... SELECT of one update, claimed at once by ``worker`` when nothing earlier of
    its chat is still open (else left for a claim, as ``_ADD`` leaves it); RETURNING its id
    and its attempts (1 when claimed, else 0), no row when it was stored before.

    The platform posts a chat's next update only once the one before it was taken (committed),
    so "nothing earlier open" is read on a snapshot that holds every earlier update of the
    chat: the one ordering rule the claim relies on too."""
    earlier = _INBOX.alias("earlier")
    nothing_open = ~(
        select(earlier.c.id)
        .where(
            earlier.c.platform == bindparam("platform"),
            earlier.c.chat_id == bindparam("chat_id"),
            earlier.c.done_at.is_(None),
        )
        .exists()
    )
    # Read once, in a one-row FROM: in each CASE it was a subplan of its own, three probes.
    chat = select(nothing_open.label("free")).subquery("chat")
    row = (
        select(
            bindparam("platform", type_=_INBOX.c.platform.type),
            bindparam("chat_id", type_=_INBOX.c.chat_id.type),
            bindparam("update_key", type_=_INBOX.c.update_key.type),
            bindparam("payload", type_=_INBOX.c.payload.type),
            bindparam("received_at", type_=_MOMENT),
            case((chat.c.free, 1), else_=0),
            case((chat.c.free, bindparam("worker", type_=_INBOX.c.claimed_by.type)), else_=null()),
            case((chat.c.free, bindparam("until", type_=_MOMENT)), else_=null()),
        )
        .select_from(chat)
        .where(true())  # SQLite reads the ON CONFLICT of an INSERT ... SELECT only after a WHERE
    )
    columns = [
        "platform", "chat_id", "update_key", "payload", "received_at", "attempts", "claimed_by",
        "claimed_until",
    ]  # fmt: skip
    return (
        dialect_insert(dialect, InboxUpdate)
        .from_select(columns, row)
        .on_conflict_do_nothing()
        .returning(_INBOX.c.id, _INBOX.c.attempts)
    )


_ADD_TAKEN = Prepared(_add_taken)
_CLAIM = Prepared(_claim)
_MINE = and_(_INBOX.c.id.in_(bindparam("rows", expanding=True)), _INBOX.c.done_at.is_(None))
_DONE = Prepared(lambda _: _INBOX.update().where(_MINE).values(done_at=_NOW, claimed_until=None))
_RENEW = Prepared(
    lambda _: (
        _INBOX.update()
        .where(_MINE, _INBOX.c.claimed_by == bindparam("worker"))
        .values(claimed_until=bindparam("until", type_=_MOMENT))
    )
)
_RELEASE = Prepared(
    lambda _: (
        _INBOX.update()
        .where(_MINE, _INBOX.c.claimed_by == bindparam("worker"))
        .values(claimed_until=bindparam("until", type_=_MOMENT))
    )
)


def _received(
    platform: str, chat_id: str, update_key: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The values of an update as received, for the statements that store it."""
    return {
        "platform": platform,
        "chat_id": chat_id,
        "update_key": update_key,
        "payload": payload,
        "received_at": now,
    }


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        platform: str,
        chat_id: str,
        update_key: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> bool:
        """Store an update as received; False when it already was (a second delivery)."""
        values = {**_received(platform, chat_id, update_key, payload, now), "attempts": 0}
        result = await self.session.execute(_ADD(self.session), values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def add_taken(
        self,
        platform: str,
        chat_id: str,
        update_key: str,
        payload: dict[str, Any],
        now: datetime,
        worker: str,
        until: datetime,
    ) -> tuple[bool, int | None]:
        """Store an update as ``add`` does, and claim it for ``worker`` until ``until`` when
        its chat has nothing earlier open: (stored, its id when claimed), in one statement."""
        values = {
            **_received(platform, chat_id, update_key, payload, now),
            "worker": worker,
            "until": until,
        }
        row = (await self.session.execute(_ADD_TAKEN(self.session), values)).first()
        if row is None:
            return False, None
        return True, (row.id if row.attempts else None)

    async def claim(
        self,
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        platforms: Collection[str],
    ) -> list[InboxEntry]:
        """Take up to ``limit`` updates of ``platforms`` for ``worker`` until ``lease`` from
        now, oldest first, at most one per chat and only one whose chat has nothing earlier
        left to do."""
        if limit < 1 or not platforms:
            return []
        params = {
            "now": now,
            "until": now + lease,
            "worker": worker,
            "limit": limit,
            "platforms": list(platforms),
        }
        result = await self.session.execute(_CLAIM(self.session), params)
        rows = sorted(result.all(), key=lambda row: row.id)
        return [
            InboxEntry(row.id, row.platform, row.chat_id, row.payload, row.attempts)
            for row in rows
        ]

    async def done(self, ids: Sequence[int], now: datetime) -> None:
        """These updates are handled: their chats' next ones may be taken."""
        if ids:
            await self.session.execute(_DONE(self.session), {"rows": list(ids), "now": now})

    async def release(self, ids: Sequence[int], worker: str, until: datetime) -> None:
        """Give ``worker``'s claims of these updates back: anyone may take them again from
        ``until``; one another worker took in the meantime stays that worker's."""
        if ids:
            params = {"rows": list(ids), "worker": worker, "until": until}
            await self.session.execute(_RELEASE(self.session), params)

    async def renew(self, ids: Sequence[int], worker: str, until: datetime) -> None:
        """Hold ``worker``'s claims of these updates until ``until`` (still being handled);
        one another worker took over in the meantime stays that worker's."""
        if ids:
            await self.session.execute(
                _RENEW(self.session), {"rows": list(ids), "worker": worker, "until": until}
            )

    async def abandoned(self, worker: str, now: datetime) -> int:
        """Make the claims ``worker`` holds anyone's again from ``now``: a process of that name
        that starts holds nothing, so they are a former life's (a container restarted keeps
        its name). How many there were."""
        result = await self.session.execute(
            update(InboxUpdate)
            .where(
                InboxUpdate.claimed_by == worker,
                InboxUpdate.done_at.is_(None),
                InboxUpdate.claimed_until > now,
            )
            .values(claimed_until=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def forget_done_before(self, moment: datetime) -> int:
        """Drop the updates handled before ``moment``; how many were dropped."""
        result = await self.session.execute(
            delete(InboxUpdate).where(InboxUpdate.done_at < moment)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def waiting(self) -> int:
        """Updates received and not done yet."""
        query = select(func.count()).select_from(_INBOX).where(_INBOX.c.done_at.is_(None))
        return int((await self.session.execute(query)).scalar_one())
