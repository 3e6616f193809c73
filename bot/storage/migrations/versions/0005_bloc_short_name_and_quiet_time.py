"""bloc settings: a short name, and the quiet time (nightly hours, weekdays, holidays)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("blocs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "quiet_hours", sa.String(length=16), server_default="21:00-07:00", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("quiet_days", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("holidays", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("blocs", schema=None) as batch_op:
        batch_op.drop_column("holidays")
        batch_op.drop_column("quiet_days")
        batch_op.drop_column("quiet_hours")
        batch_op.drop_column("short_name")
