"""Score sheets, their entries and the audit log of every change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Executable, Row, Table, bindparam, literal, select
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.storage import deferred
from bot.storage.db import Prepared, dialect_insert, insert_or_ignore
from bot.storage.models import ScoreEntry, ScoreSheet, Season

# Core tables in the reads of every answer: ORM attributes send a statement down the ORM's
# compile and result paths, which cost more than the query.
_SHEETS = cast(Table, ScoreSheet.__table__)
_ENTRIES_TABLE = cast(Table, ScoreEntry.__table__)
_SEASONS = cast(Table, Season.__table__)
_SHEET_COLUMNS = (
    _SHEETS.c.id,
    _SHEETS.c.status,
    _SHEETS.c.submitted_at,
    _SHEETS.c.unlocked_until,
    _SHEETS.c.late,
    _ENTRIES_TABLE.c.criterion_id,
    _ENTRIES_TABLE.c.self_value,
    _ENTRIES_TABLE.c.note,
)
_WITH_ENTRIES = _ENTRIES_TABLE.c.sheet_id == _SHEETS.c.id
_SHEET_AND_ENTRIES = (
    select(*_SHEET_COLUMNS)
    .select_from(_SHEETS.outerjoin(_ENTRIES_TABLE, _WITH_ENTRIES))
    .where(
        _SHEETS.c.season_id == bindparam("season_id"),
        _SHEETS.c.agency_id == bindparam("agency_id"),
    )
)
_READ = _SHEET_AND_ENTRIES
_READ_LOCKED = _SHEET_AND_ENTRIES.with_for_update(of=_SHEETS)
_LATEST_SEASON = (
    select(_SEASONS.c.id)
    .where(_SEASONS.c.bloc_id == bindparam("bloc_id"))
    .order_by(_SEASONS.c.year.desc())
    .limit(1)
    .scalar_subquery()
)
_SEASON_SHEET_COLUMNS = (
    _SEASONS.c.id.label("season_id"),
    _SEASONS.c.version,
    _SEASONS.c.announced_at,
    *_SHEET_COLUMNS,
)
_SHEET_OF_AGENCY = (_SHEETS.c.season_id == _SEASONS.c.id) & (
    _SHEETS.c.agency_id == bindparam("agency_id")
)
# The bloc's latest season and the agency's sheet in it, if any, in one query.
_CURRENT = (
    select(*_SEASON_SHEET_COLUMNS)
    .select_from(
        _SEASONS.outerjoin(_SHEETS, _SHEET_OF_AGENCY).outerjoin(_ENTRIES_TABLE, _WITH_ENTRIES)
    )
    .where(_SEASONS.c.id == _LATEST_SEASON)
)
# The same, the sheet held until commit: no row when the sheet does not exist yet (a lock
# cannot hold the missing side of an outer join).
_CURRENT_LOCKED = (
    select(*_SEASON_SHEET_COLUMNS)
    .select_from(_SEASONS.join(_SHEETS, _SHEET_OF_AGENCY).outerjoin(_ENTRIES_TABLE, _WITH_ENTRIES))
    .where(_SEASONS.c.id == _LATEST_SEASON)
    .with_for_update(of=_SHEETS)
)
_TOUCH = (
    sa_update(_SHEETS)
    .where(_SHEETS.c.id == bindparam("s_id"))
    .values(updated_at=bindparam("s_at"))
)
_STATUS = (
    sa_update(_SHEETS)
    .where(_SHEETS.c.id == bindparam("s_id"))
    .values(
        status=bindparam("s_status"),
        submitted_at=bindparam("s_submitted_at"),
        submitted_by_id=bindparam("s_by"),
        late=bindparam("s_late"),
        updated_at=bindparam("s_at"),
    )
)
_UNLOCK = (
    sa_update(_SHEETS)
    .where(_SHEETS.c.id == bindparam("s_id"))
    .values(unlocked_until=bindparam("s_until"), updated_at=bindparam("s_at"))
)


def _entry_upsert(insert: Any, field: str) -> Any:
    """``insert`` into score entries, or on a criterion already answered: its ``field`` and
    who wrote it when."""
    changed = {name: insert.excluded[name] for name in (field, "updated_by_id", "updated_at")}
    return insert.on_conflict_do_update(index_elements=["sheet_id", "criterion_id"], set_=changed)


def _set_entry(field: str) -> Callable[[str], Executable]:
    def build(dialect: str) -> Executable:
        return cast(Executable, _entry_upsert(dialect_insert(dialect, ScoreEntry), field))

    return build


_SET_SELF = Prepared(_set_entry("self_value"))
_SET_NOTE = Prepared(_set_entry("note"))


# PostgreSQL only: a self-score written and its sheet's time set, as two CTEs ("scored" and
# "touched") that the unit's last statement carries (``AuditRepository``), or alone.
_SCORED = ("sheet_id", "criterion_id", "updated_by_id", "updated_at", "self_value")


def self_score_ctes() -> tuple[Any, Any]:
    """The self-score write as CTEs, its values bound as ``v_sheet_id``... and ``s_id``,
    ``s_at`` (``set_self_and_touch``)."""
    columns = {name: bindparam(f"v_{name}", type_=_ENTRIES_TABLE.c[name].type) for name in _SCORED}
    scored = _entry_upsert(pg_insert(_ENTRIES_TABLE).values(columns), "self_value")
    return _TOUCH.cte("touched"), scored.cte("scored")


_TOUCHED, _SCORED_CTE = self_score_ctes()
SELF_SCORE = select(literal(1)).add_cte(_TOUCHED).add_cte(_SCORED_CTE)


@dataclass(frozen=True)
class CurrentSeason:
    """The bloc's latest season as a sheet needs it: (id, version, announced_at)."""

    id: int
    version: int
    announced_at: datetime | None


@dataclass(frozen=True)
class SheetRow:
    """An agency's sheet as the chat reads it, in one query: status and entries by criterion."""

    id: int
    status: str
    submitted_at: datetime | None
    values: dict[int, Decimal]  # criterion id -> self-score
    notes: dict[int, str]  # criterion id -> note
    unlocked_until: datetime | None = None  # reopened by the head after the deadline, until
    late: bool = False  # submitted after the deadline


class SheetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def read(self, season_id: int, agency_id: int, *, lock: bool = False) -> SheetRow | None:
        """The sheet with its entries in one query; ``lock`` holds the sheet until commit."""
        query = _READ_LOCKED if lock else _READ
        params = {"season_id": season_id, "agency_id": agency_id}
        return _sheet_row((await self.session.execute(query, params)).all())

    async def current(
        self, bloc_id: int, agency_id: int, *, lock: bool = False
    ) -> tuple[CurrentSeason, SheetRow | None] | None:
        """The bloc's latest season and the agency's sheet in it (None: no sheet yet), in one
        query; None when the bloc has no season.

        ``lock`` holds the sheet until commit; then None also when the sheet does not exist
        yet (read the season and ``ensure`` the sheet instead).
        """
        params = {"bloc_id": bloc_id, "agency_id": agency_id}
        rows = (await self.session.execute(_CURRENT_LOCKED if lock else _CURRENT, params)).all()
        if not rows:
            return None
        first = rows[0]
        season = CurrentSeason(first.season_id, first.version, first.announced_at)
        return season, _sheet_row(rows) if first.id is not None else None

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
        self,
        sheet_id: int,
        criterion_id: int,
        contact_id: int,
        now: datetime,
        *,
        self_value: Decimal | None = None,
        note: str | None = None,
        field: str = "self_value",
    ) -> None:
        """Write one criterion's self-score or note (``field``), creating the entry."""
        values = {
            "sheet_id": sheet_id,
            "criterion_id": criterion_id,
            "updated_by_id": contact_id,
            "updated_at": now,
            field: self_value if field == "self_value" else note,
        }
        statement = _SET_SELF if field == "self_value" else _SET_NOTE
        await self.session.execute(statement(self.session), values)

    async def set_self_and_touch(
        self, sheet_id: int, criterion_id: int, contact_id: int, now: datetime, value: Decimal
    ) -> None:
        """Write one self-score and note that the sheet changed now (``set_entry`` and
        ``touch``; on PostgreSQL a deferred write, ``bot.storage.deferred``)."""
        if self.session.get_bind().dialect.name != "postgresql":
            await self.set_entry(sheet_id, criterion_id, contact_id, now, self_value=value)
            await self.touch(sheet_id, now)
            return
        values = {
            "v_sheet_id": sheet_id,
            "v_criterion_id": criterion_id,
            "v_updated_by_id": contact_id,
            "v_updated_at": now,
            "v_self_value": value,
            "s_id": sheet_id,
            "s_at": now,
        }
        # Nothing reads it before the commit, whose audit statement carries it (a round trip
        # less for every answer); anything sent before that sends it first.
        deferred.defer(self.session, SELF_SCORE, values)

    async def touch(self, sheet_id: int, now: datetime) -> None:
        """Note that the sheet changed now."""
        await self.session.execute(_TOUCH, {"s_id": sheet_id, "s_at": now})

    async def set_status(
        self,
        sheet_id: int,
        status: str,
        submitted_at: datetime | None,
        submitted_by: int | None,
        now: datetime,
        *,
        late: bool = False,
    ) -> None:
        """Move the sheet to a status (draft, submitted, locked); ``late``: submitted after
        the deadline."""
        params = {
            "s_id": sheet_id,
            "s_status": status,
            "s_submitted_at": submitted_at,
            "s_by": submitted_by,
            "s_late": late,
            "s_at": now,
        }
        await self.session.execute(_STATUS, params)

    async def clear_review(self, sheet_id: int) -> list[tuple[int, Decimal]]:
        """Undo the review's acceptances of a reopened sheet: the review is no longer done and
        the reviewed values given without a reason (the agency's own, taken as it was) go;
        changed values with their reasons stay, and so do who reviewed and when (the review
        sees the agency sent the sheet again after it). The (criterion id, value) cleared."""
        entries = _ENTRIES_TABLE
        accepted = (entries.c.sheet_id == sheet_id) & entries.c.reviewed_value.is_not(None)
        accepted &= entries.c.reviewed_reason.is_(None)
        rows = await self.session.execute(
            select(entries.c.criterion_id, entries.c.reviewed_value).where(accepted)
        )
        cleared = [(criterion_id, value) for criterion_id, value in rows]
        if cleared:
            await self.session.execute(
                sa_update(entries)
                .where(accepted)
                .values(reviewed_value=None)  # who reviewed, and when, stay: it shows
            )
        await self.session.execute(
            sa_update(_SHEETS).where(_SHEETS.c.id == sheet_id).values(review_done_at=None)
        )
        return cleared

    async def unlock(self, sheet_id: int, until: datetime | None, now: datetime) -> None:
        """Keep the sheet open after the deadline until ``until`` (None: no longer)."""
        await self.session.execute(_UNLOCK, {"s_id": sheet_id, "s_until": until, "s_at": now})

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


def _sheet_row(rows: Sequence[Row[*tuple[Any, ...]]]) -> SheetRow | None:
    """A sheet from the rows of its query, one per entry (None for no rows)."""
    if not rows:
        return None
    first = rows[0]
    values = {r.criterion_id: r.self_value for r in rows if r.self_value is not None}
    notes = {r.criterion_id: r.note for r in rows if r.note}
    return SheetRow(
        first.id, first.status, first.submitted_at, values, notes, first.unlocked_until,
        bool(first.late),
    )  # fmt: skip
