"""Score sheets, their entries and the audit log of every change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.storage.db import insert_or_ignore
from bot.storage.models import AuditEntry, ScoreEntry, ScoreSheet


class SheetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, season_id: int, agency_id: int, *, lock: bool = False, reload: bool = False
    ) -> ScoreSheet | None:
        """An agency's sheet with its entries.

        ``lock`` holds the row until commit (PostgreSQL); ``reload`` reads it again even if
        this session already has it.
        """
        query = (
            select(ScoreSheet)
            .where(ScoreSheet.season_id == season_id, ScoreSheet.agency_id == agency_id)
            .options(selectinload(ScoreSheet.entries))
        )
        if lock:
            query = query.with_for_update()
        if reload:
            query = query.execution_options(populate_existing=True)
        return (await self.session.scalars(query)).one_or_none()

    async def get_or_create(self, season_id: int, agency_id: int, now: datetime) -> ScoreSheet:
        """The agency's sheet, created if missing; safe when two people start it at once."""
        await self.session.execute(
            insert_or_ignore(
                self.session, ScoreSheet, season_id=season_id, agency_id=agency_id,
                status="draft", created_at=now, updated_at=now,
            )
        )  # fmt: skip
        sheet = await self.get(season_id, agency_id, lock=True)
        assert sheet is not None
        return sheet

    async def entry(self, sheet_id: int, criterion_id: int, now: datetime) -> ScoreEntry:
        """The entry of one criterion on a sheet, created empty if missing, locked for update."""
        await self.session.execute(
            insert_or_ignore(
                self.session, ScoreEntry, sheet_id=sheet_id, criterion_id=criterion_id,
                updated_at=now,
            )
        )  # fmt: skip
        query = (
            select(ScoreEntry)
            .where(ScoreEntry.sheet_id == sheet_id, ScoreEntry.criterion_id == criterion_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).one()

    async def for_season(self, season_id: int) -> list[ScoreSheet]:
        """Every sheet of a season with its entries."""
        query = (
            select(ScoreSheet)
            .where(ScoreSheet.season_id == season_id)
            .options(selectinload(ScoreSheet.entries))
            .order_by(ScoreSheet.id)
        )
        return list((await self.session.scalars(query)).all())

    async def lock_season(self, season_id: int) -> list[ScoreSheet]:
        """Every sheet of a season with its entries, read afresh and held until commit."""
        query = (
            select(ScoreSheet)
            .where(ScoreSheet.season_id == season_id)
            .options(selectinload(ScoreSheet.entries))
            .order_by(ScoreSheet.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(query)).all())

    def audit(self, entry: AuditEntry) -> None:
        """Append to the audit log; rows are never changed afterwards."""
        self.session.add(entry)
