"""Score sheets, their entries and the audit log of every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.storage.db import insert_or_ignore, upsert
from bot.storage.models import AuditEntry, ScoreEntry, ScoreSheet


@dataclass(frozen=True)
class SheetRow:
    """An agency's sheet as the chat reads it, in one query: status and entries by criterion."""

    id: int
    status: str
    submitted_at: datetime | None
    values: dict[int, Decimal]  # criterion id -> self-score
    notes: dict[int, str]  # criterion id -> note


class SheetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def read(self, season_id: int, agency_id: int, *, lock: bool = False) -> SheetRow | None:
        """The sheet with its entries in one query; ``lock`` holds the sheet until commit."""
        query = (
            select(
                ScoreSheet.id,
                ScoreSheet.status,
                ScoreSheet.submitted_at,
                ScoreEntry.criterion_id,
                ScoreEntry.self_value,
                ScoreEntry.note,
            )
            .outerjoin(ScoreEntry, ScoreEntry.sheet_id == ScoreSheet.id)
            .where(ScoreSheet.season_id == season_id, ScoreSheet.agency_id == agency_id)
        )
        if lock:
            query = query.with_for_update(of=ScoreSheet)
        rows = (await self.session.execute(query)).all()
        if not rows:
            return None
        first = rows[0]
        values = {r.criterion_id: r.self_value for r in rows if r.self_value is not None}
        notes = {r.criterion_id: r.note for r in rows if r.note}
        return SheetRow(first.id, first.status, first.submitted_at, values, notes)

    async def ensure(self, season_id: int, agency_id: int, now: datetime) -> SheetRow:
        """The sheet, created if missing and held until commit; safe when two start it at once."""
        row = await self.read(season_id, agency_id, lock=True)
        if row is None:
            await self.session.execute(
                insert_or_ignore(
                    self.session,
                    ScoreSheet,
                    season_id=season_id,
                    agency_id=agency_id,
                    status="draft",
                    created_at=now,
                    updated_at=now,
                )
            )
            row = await self.read(season_id, agency_id, lock=True)
        assert row is not None
        return row

    async def set_entry(
        self, sheet_id: int, criterion_id: int, contact_id: int, now: datetime, **fields: Any
    ) -> None:
        """Write fields of one criterion's entry (``self_value``, ``note``), creating it."""
        values = {
            "sheet_id": sheet_id,
            "criterion_id": criterion_id,
            "updated_by_id": contact_id,
            "updated_at": now,
            **fields,
        }
        statement = upsert(self.session, ScoreEntry, values, keys=["sheet_id", "criterion_id"])
        await self.session.execute(statement)

    async def update(self, sheet_id: int, **fields: Any) -> None:
        """Change columns of a sheet (status, submitted_at, updated_at...)."""
        await self.session.execute(
            sa_update(ScoreSheet).where(ScoreSheet.id == sheet_id).values(**fields)
        )

    async def append_audit(self, rows: list[dict[str, Any]]) -> None:
        """Append several audit rows in one statement; rows are never changed afterwards."""
        if rows:
            await self.session.execute(insert(AuditEntry), rows)

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
