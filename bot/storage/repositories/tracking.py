"""The deadlines each agency has met and its answers to meetings."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import EventAttendance, EventCompletion, Membership


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def completions(self, event_id: int) -> dict[int, EventCompletion]:
        """Agency id -> its mark that it has sent what the deadline asks for."""
        query = select(EventCompletion).where(EventCompletion.event_id == event_id)
        return {row.agency_id: row for row in (await self.session.scalars(query)).all()}

    async def done_contacts(self, event_id: int) -> set[int]:
        """The contacts of the agencies that have met the deadline."""
        query = (
            select(Membership.contact_id)
            .join(EventCompletion, EventCompletion.agency_id == Membership.agency_id)
            .where(EventCompletion.event_id == event_id)
        )
        return set((await self.session.scalars(query)).all())

    def add(self, row: EventCompletion | EventAttendance) -> None:
        self.session.add(row)

    async def undo(self, event_id: int, agency_id: int) -> None:
        await self.session.execute(
            delete(EventCompletion).where(
                EventCompletion.event_id == event_id, EventCompletion.agency_id == agency_id
            )
        )

    async def answers(self, event_id: int) -> dict[int, EventAttendance]:
        """Agency id -> its answer to the meeting."""
        query = select(EventAttendance).where(EventAttendance.event_id == event_id)
        return {row.agency_id: row for row in (await self.session.scalars(query)).all()}
