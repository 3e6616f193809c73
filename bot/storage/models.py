"""The database tables, as typed SQLAlchemy 2 mappings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.audit import GENESIS
from bot.storage.base import NAMING as NAMING  # re-exported
from bot.storage.base import Base as Base  # re-exported

# What agencies do about the calendar (deadlines met, meeting answers); re-exported.
from bot.storage.models_events import EventAttendance as EventAttendance
from bot.storage.models_events import EventCompletion as EventCompletion

# The updates the webhooks received, until handled; re-exported.
from bot.storage.models_inbox import InboxUpdate as InboxUpdate

# The command menus last set, so that only changed ones are sent again; re-exported.
from bot.storage.models_menus import PublishedMenu as PublishedMenu

# When each bloc's calendar next has something to do; re-exported.
from bot.storage.models_schedule import CalendarDue as CalendarDue

# The tables of the year after the self-score, kept in a module of their own; re-exported.
from bot.storage.models_year import AuditEntry as AuditEntry
from bot.storage.models_year import Ballot as Ballot
from bot.storage.models_year import BallotVote as BallotVote
from bot.storage.models_year import BallotVoter as BallotVoter
from bot.storage.models_year import Evidence as Evidence
from bot.storage.models_year import ReviewComment as ReviewComment


class Bloc(Base):
    """An emulation bloc (khối thi đua)."""

    __tablename__ = "blocs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    # What messages call the bloc where the context is clear (None: the name).
    short_name: Mapped[str | None] = mapped_column(Text)
    # Its quiet time: messages wait between these local times ("" for none), on these
    # weekdays (mon..sun) and on these dates (YYYY-MM-DD).
    quiet_hours: Mapped[str] = mapped_column(
        String(16), default="21:00-07:00", server_default="21:00-07:00"
    )
    quiet_days: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # The platform of the bloc's group (telegram, zalo); None: whichever groups are linked.
    group_platform: Mapped[str | None] = mapped_column(String(16))
    # The last entry of the bloc's audit chain: its place and its hash (bot.domain.audit).
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_head: Mapped[str] = mapped_column(String(64), default=GENESIS, server_default=GENESIS)

    agencies: Mapped[list[Agency]] = relationship(
        back_populates="bloc", order_by="Agency.position", cascade="all, delete-orphan"
    )
    seasons: Mapped[list[Season]] = relationship(
        back_populates="bloc", order_by="Season.year", cascade="all, delete-orphan"
    )


class Agency(Base):
    """A member agency (cơ quan, đơn vị) of a bloc."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("bloc_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    bloc: Mapped[Bloc] = relationship(back_populates="agencies")


class Season(Base):
    """A bloc's emulation year with its scoring rules."""

    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("bloc_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"))
    year: Mapped[int]
    step: Mapped[Decimal]
    tie_break: Mapped[list[str]] = mapped_column(JSON, default=list)
    awards: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Final results published (scores locked); provisional results before, open to objection.
    announced_at: Mapped[datetime | None]
    provisional_at: Mapped[datetime | None]
    # The rules of the year after the self-score (bot.domain.year.SeasonRules.as_json).
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Bumped whenever the table, members or events change, so readers may cache the rest.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    bloc: Mapped[Bloc] = relationship(back_populates="seasons")
    members: Mapped[list[SeasonMember]] = relationship(cascade="all, delete-orphan")
    groups: Mapped[list[CriteriaGroupRow]] = relationship(
        order_by="CriteriaGroupRow.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[CriterionRow]] = relationship(
        order_by="CriterionRow.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[Event]] = relationship(order_by="Event.at", cascade="all, delete-orphan")


class SeasonMember(Base):
    """An agency's part in a season: its role and whether it may be proposed for awards."""

    __tablename__ = "season_members"
    __table_args__ = (UniqueConstraint("season_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="member")  # head, deputy, member
    eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    ineligible_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()


class CriteriaGroupRow(Base):
    """A content group (nhóm nội dung) of a season's scoring table."""

    __tablename__ = "criteria_groups"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    cap: Mapped[Decimal | None]
    position: Mapped[int] = mapped_column(Integer, default=0)

    items: Mapped[list[CriterionRow]] = relationship(
        back_populates="group", order_by="CriterionRow.position"
    )


class CriterionRow(Base):
    """A criterion (tiêu chí) of a season's scoring table."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("criteria_groups.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    max: Mapped[Decimal]
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[CriteriaGroupRow] = relationship(back_populates="items")


class Event(Base):
    """A deadline (hạn nộp) or a meeting (hội nghị) of a season."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # deadline, meeting
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(Text)
    remind: Mapped[list[int]] = mapped_column(JSON, default=list)  # offsets in seconds
    closes_scoring: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="file")  # file, chat
    cancelled_at: Mapped[datetime | None]
    # Bumped when the event moves: reminders are keyed by it, so a moved event reminds again.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Contact(Base):
    """A person's identity on one platform (Telegram or Zalo)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    unreachable_at: Mapped[datetime | None]
    # When they last wrote to the bot (kept to the minute: see PeopleService.open).
    last_seen_at: Mapped[datetime | None]
    # The bloc an operator who belongs to no agency chose to act on (/bloc CODE).
    chosen_bloc_id: Mapped[int | None] = mapped_column(ForeignKey("blocs.id", ondelete="SET NULL"))


class Membership(Base):
    """A contact linked to one agency of a bloc (cán bộ đầu mối)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("contact_id", "bloc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="contact")
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime]

    contact: Mapped[Contact] = relationship()
    agency: Mapped[Agency] = relationship()


class Invite(Base):
    """An invite code: links a person to an agency, or a group chat to the bloc."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # agency, group
    code: Mapped[str] = mapped_column(String(32), unique=True)
    max_uses: Mapped[int]
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    agency: Mapped[Agency | None] = relationship()


class GroupLink(Base):
    """A group chat bound to a bloc; it receives the bloc's posts."""

    __tablename__ = "group_links"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    linked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    linked_at: Mapped[datetime]


class ScoreSheet(Base):
    """Self-score sheet (bảng tự chấm điểm) of one agency for one season."""

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("season_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft, submitted, locked
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Reopened by the head after the deadline that closes scoring, until then (None: not).
    unlocked_until: Mapped[datetime | None]
    # Submitted after the deadline that closes scoring, through an unlock.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The review (thẩm định): by which agency (cross-review), and when it was finished.
    reviewer_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL")
    )
    review_done_at: Mapped[datetime | None]

    entries: Mapped[list[ScoreEntry]] = relationship(cascade="all, delete-orphan")


class ScoreEntry(Base):
    """One criterion's value on a sheet: the agency's own, the reviewed and the final one."""

    __tablename__ = "score_entries"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    self_value: Mapped[Decimal | None]
    note: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime]
    reviewed_value: Mapped[Decimal | None]
    reviewed_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    final_value: Mapped[Decimal | None]

    criterion: Mapped[CriterionRow] = relationship()


class ConversationState(Base):
    """Where a dialog stands for one (platform, chat, user), so a restart continues it."""

    __tablename__ = "conversation_states"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """An incoming update already handled; a second delivery is ignored."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class EnrolmentFailure(Base):
    """A wrong invite code typed by someone; too many in a short time and they must wait."""

    __tablename__ = "enrolment_failures"
    __table_args__ = (Index("ix_enrolment_failures_who_at", "platform", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class OutboxMessage(Base):
    """A message the bot sends on its own initiative, waiting for (or done by) the dispatcher.

    Written in the same transaction as the change that caused it; the dispatcher claims due
    rows, sends them within the platform's limits and records what happened.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(16), default="private")  # private, group
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    bloc_id: Mapped[int | None] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]
    not_after: Mapped[datetime | None]  # past this it is no longer worth sending: skipped
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)  # waits out the night
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # pending, sending, sent, failed, skipped, cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None]  # a claim by a dispatcher holds until then
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ScheduleMark(Base):
    """A scheduled job that has run once (a reminder fired, a digest posted): never again."""

    __tablename__ = "schedule_marks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime]
