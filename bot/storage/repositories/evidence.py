"""Evidence (minh chứng) of score sheets: the pieces kept for each criterion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Agency, Evidence, Season


class EvidenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pieces(self, sheet_id: int, criterion_id: int | None = None) -> list[Evidence]:
        """The pieces not removed of a sheet (or of one of its criteria), oldest first."""
        query = select(Evidence).where(
            Evidence.sheet_id == sheet_id, Evidence.removed_at.is_(None)
        )
        if criterion_id is not None:
            query = query.where(Evidence.criterion_id == criterion_id)
        rows = await self.session.scalars(query.order_by(Evidence.added_at, Evidence.id))
        return list(rows)

    async def of_sheets(self, sheet_ids: Sequence[int]) -> dict[int, list[Evidence]]:
        """The pieces not removed of each of these sheets (by sheet id), oldest first."""
        found: dict[int, list[Evidence]] = {}
        if not sheet_ids:
            return found
        query = select(Evidence).where(
            Evidence.sheet_id.in_(sheet_ids), Evidence.removed_at.is_(None)
        )
        for piece in await self.session.scalars(query.order_by(Evidence.added_at, Evidence.id)):
            found.setdefault(piece.sheet_id, []).append(piece)
        return found

    async def counts(self, sheet_id: int) -> dict[int, int]:
        """How many pieces (not removed) each criterion of a sheet has, by criterion id."""
        query = (
            select(Evidence.criterion_id, func.count())
            .where(Evidence.sheet_id == sheet_id, Evidence.removed_at.is_(None))
            .group_by(Evidence.criterion_id)
        )
        return {criterion_id: count for criterion_id, count in await self.session.execute(query)}

    def add(self, piece: Evidence) -> None:
        self.session.add(piece)

    async def flush(self) -> None:
        await self.session.flush()

    async def remove(self, piece_id: int, now: datetime) -> None:
        await self.session.execute(
            sa_update(Evidence).where(Evidence.id == piece_id).values(removed_at=now)
        )

    async def rules(self, season_id: int) -> dict[str, Any]:
        """The season's rules of the year, as its row keeps them."""
        rules = await self.session.scalar(select(Season.rules).where(Season.id == season_id))
        return rules or {}

    async def agency(self, bloc_id: int, code: str) -> tuple[int, str, str] | None:
        """The id, code and name of the bloc's agency ``code`` (any case), or None."""
        query = select(Agency.id, Agency.code, Agency.name).where(
            Agency.bloc_id == bloc_id, func.lower(Agency.code) == code.lower()
        )
        row = (await self.session.execute(query)).first()
        return (row[0], row[1], row[2]) if row else None
