"""When each bloc's calendar is next due: what the reminders job reads instead of every bloc."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import upsert
from bot.storage.models import CalendarDue
from bot.storage.models_schedule import LOOK_AGAIN


class ScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due(self, now: datetime) -> list[int]:
        """The blocs whose calendar is due at ``now``, the longest waiting first (by the
        index on the due time: the others are not read)."""
        query = (
            select(CalendarDue.bloc_id)
            .where(CalendarDue.due_at <= now)
            .order_by(CalendarDue.due_at, CalendarDue.bloc_id)
        )
        return list((await self.session.scalars(query)).all())

    async def take(self, bloc_id: int, now: datetime) -> bool:
        """Whether the bloc is still due; on PostgreSQL its row is held until commit and a
        process that holds it already is not waited for (False), so each tick of a bloc runs
        in one process at a time."""
        query = (
            select(CalendarDue.due_at)
            .where(CalendarDue.bloc_id == bloc_id, CalendarDue.due_at <= now)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).first() is not None

    async def plan(self, bloc_id: int, at: datetime | None) -> None:
        """Read the bloc's calendar again at ``at`` (None: only once it changes)."""
        row = {"bloc_id": bloc_id, "due_at": at}
        await self.session.execute(upsert(self.session, CalendarDue, row))

    async def look_again(self, bloc_id: int) -> None:
        """The bloc's calendar changed: the next tick reads it."""
        await self.plan(bloc_id, LOOK_AGAIN)
