"""The self-score sheet (bảng tự chấm điểm): answers, notes, submission and reopening."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.clock import Clock
from bot.domain.criteria import (
    CriteriaGroup,
    Criterion,
    CriterionKind,
    GroupKind,
    ScoringTable,
)
from bot.domain.scores import plain
from bot.domain.sheets import SheetTotals, missing, total
from bot.storage.models import AuditEntry, ScoreSheet, Season
from bot.storage.uow import UnitOfWork, UnitOfWorkFactory


class SheetStatus(StrEnum):
    DRAFT = "draft"  # being filled in (or reopened)
    SUBMITTED = "submitted"  # sent to the head
    LOCKED = "locked"  # results announced


class Closed(StrEnum):
    """Why a sheet cannot be changed now."""

    SUBMITTED = "submitted"  # reopen it first
    DEADLINE = "deadline"  # the deadline that closes scoring has passed: only the head unlocks
    LOCKED = "locked"  # results announced


class SheetClosed(Exception):
    def __init__(self, reason: Closed) -> None:
        super().__init__(reason.value)
        self.reason = reason


class Incomplete(Exception):
    """Submitting needs every criterion answered."""

    def __init__(self, missing: tuple[Criterion, ...]) -> None:
        super().__init__(", ".join(c.code for c in missing))
        self.missing = missing


class NoSeason(LookupError):
    """The bloc has no season to score."""


@dataclass(frozen=True)
class SheetView:
    """An agency's sheet as the chat shows it."""

    bloc_id: int
    season_year: int
    agency_id: int
    table: ScoringTable
    values: Mapping[str, Decimal]
    notes: Mapping[str, str]
    status: SheetStatus
    submitted_at: datetime | None
    deadline: datetime | None  # the deadline that closes scoring
    closed: Closed | None  # None: the agency may change it now
    as_of: datetime  # when it was read
    totals: SheetTotals = field(init=False)
    missing: tuple[Criterion, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "totals", total(self.table, self.values))
        object.__setattr__(self, "missing", missing(self.table, self.values))

    def resume_at(self, code: str | None) -> Criterion | None:
        """``code`` itself if still unanswered, else the next unanswered one."""
        current = self.table.find(code) if code else None
        if current is not None and current.code not in self.values:
            return current
        return self.next_open(code)

    def next_open(self, after: str | None = None) -> Criterion | None:
        """The first unanswered criterion after ``after`` (wrapping), or None when all are."""
        codes = [criterion.code for criterion in self.table.criteria()]
        start = codes.index(after) + 1 if after in codes else 0
        for code in codes[start:] + codes[:start]:
            if code not in self.values:
                return self.table.find(code)
        return None


def table_of(season: Season) -> ScoringTable:
    """The domain's scoring table of a stored season."""
    groups = []
    for group in season.groups:
        items = tuple(
            Criterion(row.code, row.title, row.max, CriterionKind(row.kind))
            for row in sorted(group.items, key=lambda row: row.position)
        )
        groups.append(
            CriteriaGroup(group.code, group.title, items, GroupKind(group.kind), group.cap)
        )
    return ScoringTable(tuple(groups), season.step)


def scoring_deadline(season: Season) -> datetime | None:
    return next((e.at for e in season.events if e.closes_scoring and e.cancelled_at is None), None)


class ScoringService:
    """Reads and changes agencies' self-score sheets; every change is audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def sheet(self, bloc_id: int, agency_id: int) -> SheetView:
        async with self.uow() as uow:
            season = await self._season(uow, bloc_id)
            sheet = await uow.sheets.get(season.id, agency_id)
            return self._view(season, agency_id, sheet)

    async def answer(
        self,
        bloc_id: int,
        agency_id: int,
        contact_id: int,
        answers: Iterable[tuple[str, Decimal]],
    ) -> SheetView:
        """Record self-scores (criterion code, value), all in one commit."""
        now = self.clock.now()
        async with self.uow() as uow:
            season = await self._season(uow, bloc_id)
            sheet = await uow.sheets.get_or_create(season.id, agency_id, now)
            self._check_open(season, sheet, now)
            rows = {row.code: row for row in season.criteria}
            for code, value in answers:
                row = rows[code]
                entry = await uow.sheets.entry(sheet.id, row.id, now)
                if entry.self_value is not None and entry.self_value == value:
                    continue
                uow.sheets.audit(
                    AuditEntry(
                        at=now,
                        sheet_id=sheet.id,
                        criterion_id=row.id,
                        field="self",
                        old_value=_text(entry.self_value),
                        new_value=_text(value),
                        actor_id=contact_id,
                        actor_label="",
                    )
                )
                entry.self_value = value
                entry.updated_by_id = contact_id
                entry.updated_at = now
            sheet.updated_at = now
            await uow.commit()
            return self._view(
                season, agency_id, await uow.sheets.get(season.id, agency_id, reload=True)
            )

    async def note(
        self, bloc_id: int, agency_id: int, contact_id: int, code: str, text: str | None
    ) -> SheetView:
        """Set (or clear, with None) the note of one criterion."""
        now = self.clock.now()
        async with self.uow() as uow:
            season = await self._season(uow, bloc_id)
            sheet = await uow.sheets.get_or_create(season.id, agency_id, now)
            self._check_open(season, sheet, now)
            row = next(row for row in season.criteria if row.code == code)
            entry = await uow.sheets.entry(sheet.id, row.id, now)
            if entry.note != text:
                uow.sheets.audit(
                    AuditEntry(
                        at=now,
                        sheet_id=sheet.id,
                        criterion_id=row.id,
                        field="note",
                        old_value=entry.note,
                        new_value=text,
                        actor_id=contact_id,
                        actor_label="",
                    )
                )
                entry.note = text
                entry.updated_by_id = contact_id
                entry.updated_at = now
            await uow.commit()
            return self._view(
                season, agency_id, await uow.sheets.get(season.id, agency_id, reload=True)
            )

    async def submit(self, bloc_id: int, agency_id: int, contact_id: int) -> SheetView:
        """Send the sheet to the head; every criterion must be answered."""
        return await self._set_status(bloc_id, agency_id, contact_id, SheetStatus.SUBMITTED)

    async def reopen(self, bloc_id: int, agency_id: int, contact_id: int) -> SheetView:
        """Reopen a submitted sheet, until the deadline that closes scoring."""
        return await self._set_status(bloc_id, agency_id, contact_id, SheetStatus.DRAFT)

    async def _set_status(
        self, bloc_id: int, agency_id: int, contact_id: int, status: SheetStatus
    ) -> SheetView:
        now = self.clock.now()
        async with self.uow() as uow:
            season = await self._season(uow, bloc_id)
            sheet = await uow.sheets.get_or_create(season.id, agency_id, now)
            view = self._view(season, agency_id, sheet)
            if status is SheetStatus.SUBMITTED:
                self._check_open(season, sheet, now)
                if view.missing:
                    raise Incomplete(view.missing)
            else:
                reason = self._closed(season, now)
                if reason is not None:
                    raise SheetClosed(reason)
            if sheet.status != status.value:
                uow.sheets.audit(
                    AuditEntry(
                        at=now,
                        sheet_id=sheet.id,
                        field="status",
                        old_value=sheet.status,
                        new_value=status.value,
                        actor_id=contact_id,
                        actor_label="",
                    )
                )
                sheet.status = status.value
                submitted = status is SheetStatus.SUBMITTED
                sheet.submitted_at = now if submitted else None
                sheet.submitted_by_id = contact_id if submitted else None
                sheet.updated_at = now
            await uow.commit()
            return self._view(season, agency_id, sheet)

    async def _season(self, uow: UnitOfWork, bloc_id: int) -> Season:
        season = await uow.seasons.latest(bloc_id)
        if season is None:
            raise NoSeason(bloc_id)
        return season

    def _closed(self, season: Season, now: datetime) -> Closed | None:
        if season.announced_at is not None:
            return Closed.LOCKED
        deadline = scoring_deadline(season)
        if deadline is not None and now >= deadline:
            return Closed.DEADLINE
        return None

    def _check_open(self, season: Season, sheet: ScoreSheet, now: datetime) -> None:
        reason = self._closed(season, now)
        if reason is None and sheet.status != SheetStatus.DRAFT.value:
            reason = Closed.SUBMITTED if sheet.status == "submitted" else Closed.LOCKED
        if reason is not None:
            raise SheetClosed(reason)

    def _view(self, season: Season, agency_id: int, sheet: ScoreSheet | None) -> SheetView:
        codes = {row.id: row.code for row in season.criteria}
        entries = sheet.entries if sheet else []
        status = SheetStatus(sheet.status) if sheet else SheetStatus.DRAFT
        closed = self._closed(season, self.clock.now())
        if closed is None and status is not SheetStatus.DRAFT:
            closed = Closed.SUBMITTED if status is SheetStatus.SUBMITTED else Closed.LOCKED
        return SheetView(
            bloc_id=season.bloc_id,
            season_year=season.year,
            agency_id=agency_id,
            table=table_of(season),
            values={
                codes[e.criterion_id]: e.self_value for e in entries if e.self_value is not None
            },
            notes={codes[e.criterion_id]: e.note for e in entries if e.note},
            status=status,
            submitted_at=sheet.submitted_at if sheet else None,
            deadline=scoring_deadline(season),
            closed=closed,
            as_of=self.clock.now(),
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(plain(value))
