"""the command menus last set, so that a start or a new leader sends only the changed ones

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-27 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A replica that took the lead set every linked person's menus again: 24,000 calls for
    # 12,000 contacts, about 100 s of a core, most of them unchanged.
    op.create_table(
        "published_menus",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("bot", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(96), nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "bot", "scope", name="pk_published_menus"),
    )


def downgrade() -> None:
    op.drop_table("published_menus")
