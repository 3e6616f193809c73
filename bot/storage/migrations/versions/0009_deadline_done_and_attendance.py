"""deadlines met by each agency, and the answers to meetings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keys(table: str, by: str) -> list[sa.ForeignKeyConstraint]:
    """The foreign keys both tables have: the event, the agency, and the contact ``by``."""
    return [
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f(f"fk_{table}_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f(f"fk_{table}_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            [by], ["contacts.id"], name=op.f(f"fk_{table}_{by}_contacts"), ondelete="SET NULL"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "event_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        *_keys("event_completions", "marked_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_completions")),
        sa.UniqueConstraint(
            "event_id", "agency_id", name=op.f("uq_event_completions_event_id_agency_id")
        ),
    )
    op.create_table(
        "event_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        *_keys("event_attendance", "answered_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_attendance")),
        sa.UniqueConstraint(
            "event_id", "agency_id", name=op.f("uq_event_attendance_event_id_agency_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("event_attendance")
    op.drop_table("event_completions")
