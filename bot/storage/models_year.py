"""The tables of a bloc's year after the self-score: the audit chain, evidence, review
comments and secret ballots (re-exported by ``bot.storage.models``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base


class AuditEntry(Base):
    """Append-only history of every change of a value: who, when, old, new and why.

    The entries of a bloc form one hash chain (``seq``, ``prev_hash``, ``hash``; see
    ``bot.domain.audit``), so an entry edited or removed by hand shows.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_sheet_at", "sheet_id", "at"),
        UniqueConstraint("bloc_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"))
    seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    season_id: Mapped[int | None] = mapped_column(ForeignKey("seasons.id", ondelete="RESTRICT"))
    sheet_id: Mapped[int | None] = mapped_column(
        ForeignKey("score_sheets.id", ondelete="RESTRICT")
    )
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("criteria.id", ondelete="RESTRICT")
    )
    subject: Mapped[str | None] = mapped_column(String(64))  # a ballot, an evidence file
    field: Mapped[str] = mapped_column(String(16))  # bot.domain.audit.AuditField
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # Who made the change as the bloc knew them then ("Hoa, Cục Thuế tỉnh Thái Bình"); it stays
    # when the contact is gone (``actor_id`` is then NULL).
    actor_label: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)


class Evidence(Base):
    """A piece of evidence (minh chứng) for one criterion of a sheet: a stored file or a link."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_sheet", "sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # file, link
    ref: Mapped[str | None] = mapped_column(String(128))  # the file store's reference
    filename: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(128), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str | None] = mapped_column(Text)
    caption: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class ReviewComment(Base):
    """One message of the short thread about one criterion of a reviewed sheet."""

    __tablename__ = "review_comments"
    __table_args__ = (Index("ix_review_comments_sheet", "sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(16))  # reviewer, agency
    author_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class Ballot(Base):
    """A secret ballot (bỏ phiếu kín) of a season: an acclamation or an election.

    Who voted is in ``ballot_voters``, what was voted in ``ballot_votes``; nothing joins them.
    """

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("blocs.id", ondelete="CASCADE"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # bot.domain.ballots.BallotKind
    title: Mapped[str] = mapped_column(Text)
    candidates: Mapped[list[str]] = mapped_column(JSON, default=list)  # agency codes
    seats: Mapped[int] = mapped_column(Integer, default=1)  # how many a voter may choose
    voters: Mapped[int] = mapped_column(Integer, default=0)  # member agencies entitled
    quorum: Mapped[str] = mapped_column(String(16))  # a share, strictly more than it
    threshold: Mapped[str] = mapped_column(String(16))
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the tally, once closed


class BallotVoter(Base):
    """That an agency voted in a ballot: its proof of voting, and nothing of its vote."""

    __tablename__ = "ballot_voters"

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )


class BallotVote(Base):
    """One vote cast, without who cast it or when: a random key, the choice, and the hash of
    the receipt its voter was given (to change the vote before the close)."""

    __tablename__ = "ballot_votes"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    choice: Mapped[list[str]] = mapped_column(JSON, default=list)  # agency codes; [] blank
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
