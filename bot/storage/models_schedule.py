"""When each bloc's calendar next has something to do (re-exported by ``bot.storage.models``).

The reminders job reads only the blocs whose time has come, through the index on ``due_at``;
a change to a bloc's calendar sets its time to ``LOOK_AGAIN``, so the next tick reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base

# Earlier than any clock: a bloc due then is read by the next tick, whatever the time.
LOOK_AGAIN = datetime(2000, 1, 1, tzinfo=UTC)


class CalendarDue(Base):
    """When the reminders job must next read a bloc's calendar (None: nothing ahead)."""

    __tablename__ = "calendar_due"
    __table_args__ = (Index("ix_calendar_due_due_at", "due_at"),)

    bloc_id: Mapped[int] = mapped_column(
        ForeignKey("blocs.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime | None]
