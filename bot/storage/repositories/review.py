"""The review (thẩm định) of score sheets: a sheet with its entries, and the comment threads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.storage.models import ReviewComment, ScoreSheet


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sheet(self, season_id: int, agency_id: int) -> ScoreSheet | None:
        """The agency's sheet with its entries, read afresh and held until commit."""
        query = (
            select(ScoreSheet)
            .where(ScoreSheet.season_id == season_id, ScoreSheet.agency_id == agency_id)
            .options(selectinload(ScoreSheet.entries))
            .with_for_update(of=ScoreSheet)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).first()

    async def comments(self, sheet_id: int) -> list[ReviewComment]:
        """The sheet's comments, oldest first."""
        query = (
            select(ReviewComment)
            .where(ReviewComment.sheet_id == sheet_id)
            .order_by(ReviewComment.at, ReviewComment.id)
        )
        return list((await self.session.scalars(query)).all())

    async def add_comment(self, comment: ReviewComment) -> None:
        """Keep a comment; its id is known on return."""
        self.session.add(comment)
        await self.session.flush()
