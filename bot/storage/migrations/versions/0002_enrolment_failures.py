"""enrolment failures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:28:23.166852
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enrolment_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_failures")),
    )
    with op.batch_alter_table("enrolment_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrolment_failures_who_at", ["platform", "user_id", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolment_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolment_failures_who_at")

    op.drop_table("enrolment_failures")
