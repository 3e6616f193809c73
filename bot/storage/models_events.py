"""What agencies do about the bloc's calendar: the deadlines they have met and their answers
to a meeting (re-exported by ``bot.storage.models``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base


class EventCompletion(Base):
    """That an agency has sent what a deadline (hạn nộp) asks for: a report, a plan."""

    __tablename__ = "event_completions"
    __table_args__ = (UniqueConstraint("event_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    done_at: Mapped[datetime]
    # Who marked it: a contact of the agency, or the head for it.
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )


class EventAttendance(Base):
    """An agency's answer to a meeting (hội nghị): whether it comes, and who will."""

    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(8))  # yes, no
    attendees: Mapped[str | None] = mapped_column(Text)  # who will come, as the contact wrote
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime]
