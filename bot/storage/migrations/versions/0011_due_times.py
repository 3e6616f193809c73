"""when each bloc's calendar is next due, and the indexes that keep reads to one bloc

Revision ID: 0011
Revises: 0009
Create Date: 2027-01-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): the reads of one bloc (its links, groups, codes), the messages of one event,
# and the ballots whose time has come.
_INDEXES = (
    ("memberships", "bloc_id"),
    ("group_links", "bloc_id"),
    ("invites", "bloc_id"),
    ("outbox", "event_id"),
    ("ballots", "closes_at"),
)


def upgrade() -> None:
    op.create_table(
        "calendar_due",
        sa.Column("bloc_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["bloc_id"],
            ["blocs.id"],
            name=op.f("fk_calendar_due_bloc_id_blocs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bloc_id", name=op.f("pk_calendar_due")),
    )
    with op.batch_alter_table("calendar_due", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_due_due_at", ["due_at"], unique=False)
    # Every bloc there is: read by the first tick, which sets its time.
    due = sa.table("calendar_due", sa.column("bloc_id"), sa.column("due_at", UTCDateTime()))
    blocs = sa.table("blocs", sa.column("id"))
    look_again = sa.literal(datetime(2000, 1, 1, tzinfo=UTC), UTCDateTime())
    op.execute(due.insert().from_select(["bloc_id", "due_at"], sa.select(blocs.c.id, look_again)))
    for table, column in _INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(_INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_{column}")
    with op.batch_alter_table("calendar_due", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_due_due_at")
    op.drop_table("calendar_due")
