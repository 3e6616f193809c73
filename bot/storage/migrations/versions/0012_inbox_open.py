"""the inbox's open updates in the order they came, whatever the handled ones keep

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-20 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("done_at IS NULL")


def upgrade() -> None:
    # A claim took the oldest open updates through the primary key, stepping over every
    # handled one the table keeps (an hour of them): 9 ms a claim at 6,000 rows.
    op.create_index(
        "ix_inbox_open", "inbox", ["id"], postgresql_where=WAITING, sqlite_where=WAITING
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_open", table_name="inbox")
