"""The self-score sheet (bảng tự chấm điểm): answers, notes, submission and reopening."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from bot.clock import Clock
from bot.domain.criteria import (
    CriteriaGroup,
    Criterion,
    CriterionKind,
    GroupKind,
    ScoringTable,
)
from bot.domain.sheets import Closed as Closed  # re-exported
from bot.domain.sheets import SheetStatus as SheetStatus  # re-exported
from bot.domain.sheets import SheetTotals, is_late, missing, total, why_closed
from bot.services.audit import sheet_change, shown
from bot.services.evidence_check import check_evidence
from bot.storage.models import Season
from bot.storage.repositories.sheets import SheetRow
from bot.storage.uow import UnitOfWork


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
    unlocked_until: datetime | None = None  # the head reopened it after the deadline, until
    late: bool = False  # submitted after the deadline
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


@dataclass(frozen=True)
class SeasonShape:
    """What a season's sheets are scored against; kept until the season's version changes."""

    season_id: int
    bloc_id: int
    year: int
    version: int
    table: ScoringTable
    ids: Mapping[str, int]  # criterion code -> id
    codes: Mapping[int, str]  # criterion id -> code
    deadline: datetime | None

    @classmethod
    def of(cls, season: Season) -> SeasonShape:
        ids = {row.code: row.id for row in season.criteria}
        return cls(
            season_id=season.id,
            bloc_id=season.bloc_id,
            year=season.year,
            version=season.version,
            table=table_of(season),
            ids=ids,
            codes={criterion_id: code for code, criterion_id in ids.items()},
            deadline=scoring_deadline(season),
        )


@dataclass(frozen=True)
class _Now:
    """A season's shape with what changes under it: whether results are out."""

    shape: SeasonShape
    announced_at: datetime | None

    def closed(
        self, status: SheetStatus, now: datetime, unlocked_until: datetime | None = None
    ) -> Closed | None:
        """Why a sheet in ``status`` is closed at ``now`` in this season; None while open."""
        return why_closed(
            status,
            announced_at=self.announced_at,
            deadline=self.shape.deadline,
            now=now,
            unlocked_until=unlocked_until,
        )


class ScoringService:
    """Reads and changes agencies' self-score sheets; every change is audited."""

    def __init__(
        self, unit: UnitOfWork, clock: Clock, shapes: dict[int, SeasonShape] | None = None
    ) -> None:
        self.unit = unit
        self.clock = clock
        # Season shapes by season id, shared by every unit of work of the process (the App
        # owns it): a season's table is read once while its version holds.
        self._shapes: dict[int, SeasonShape] = shapes if shapes is not None else {}
        # Sheets read with ``hold``, by (bloc, agency), for the change that follows.
        self._held: dict[tuple[int, int], tuple[_Now, SheetRow]] = {}

    async def sheet(self, bloc_id: int, agency_id: int, *, hold: bool = False) -> SheetView:
        """The agency's sheet in the bloc's current season, in one query.

        ``hold``: the caller may change the sheet next, in this unit of work: it is held until
        commit as it is read, and the change that follows reads it no more.
        """
        uow = self.unit
        found = await uow.sheets.current(bloc_id, agency_id, lock=hold)
        if found is None:
            if hold:  # no sheet yet (or no season): the change will make it
                return await self.sheet(bloc_id, agency_id)
            raise NoSeason(bloc_id)
        current, row = found
        season = await self._shape_now(uow, current.id, current.version, current.announced_at)
        if hold and row is not None:
            self._held[(bloc_id, agency_id)] = (season, row)
        return self._view(season, agency_id, row)

    async def answer(
        self,
        bloc_id: int,
        agency_id: int,
        contact_id: int,
        answers: Iterable[tuple[str, Decimal]],
    ) -> SheetView:
        """Record self-scores (criterion code, value), all in one commit."""
        uow = self.unit
        now, season, row = await self._open_sheet(bloc_id, agency_id)
        audit = []
        ids = (row.id, season.shape.season_id, agency_id)
        changes = []
        for code, value in answers:
            criterion_id = season.shape.ids[code]
            old = row.values.get(criterion_id)
            if old is not None and old == value:
                continue
            changes.append((criterion_id, value))
            row.values[criterion_id] = value
            audit.append(
                sheet_change(now, ids, contact_id, "self", shown(old), shown(value), criterion_id)
            )
        sheets = uow.sheets
        for number, (criterion_id, value) in enumerate(changes, 1):
            if number < len(changes):
                await sheets.set_entry(row.id, criterion_id, contact_id, now, self_value=value)
            else:  # the last one notes that the sheet changed
                await sheets.set_self_and_touch(row.id, criterion_id, contact_id, now, value)
        await uow.audit.append(bloc_id, audit)
        return self._view(season, agency_id, row)

    async def note(
        self, bloc_id: int, agency_id: int, contact_id: int, code: str, text: str | None
    ) -> SheetView:
        """Set (or clear, with None) the note of one criterion."""
        uow = self.unit
        now, season, row = await self._open_sheet(bloc_id, agency_id)
        criterion_id = season.shape.ids[code]
        old = row.notes.get(criterion_id)
        if old != text:
            await uow.sheets.set_entry(
                row.id, criterion_id, contact_id, now, note=text, field="note"
            )
            sheet = (row.id, season.shape.season_id, agency_id)
            await uow.audit.append(
                bloc_id, [sheet_change(now, sheet, contact_id, "note", old, text, criterion_id)]
            )
            if text:
                row.notes[criterion_id] = text
            else:
                row.notes.pop(criterion_id, None)
        return self._view(season, agency_id, row)

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
        uow = self.unit
        season, row = await self._held_or_ensured(bloc_id, agency_id, now)
        view = self._view(season, agency_id, row)
        until = row.unlocked_until
        if status is SheetStatus.SUBMITTED:
            _check_open(season, view.status, now, until)
            if view.missing:
                raise Incomplete(view.missing)
            await check_evidence(uow, season.shape.season_id, row.id, season.shape.codes)
        else:  # reopened when a draft would be open
            _check_open(season, SheetStatus.DRAFT, now, until)
        if row.status != status.value:
            submitted = status is SheetStatus.SUBMITTED
            late = submitted and is_late(now, season.shape.deadline)
            sheet = (row.id, season.shape.season_id, agency_id)
            audit = [sheet_change(now, sheet, contact_id, "status", row.status, status.value)]
            if late:
                audit.append(sheet_change(now, sheet, contact_id, "late", None, "late"))
            if not submitted:  # the review takes the agency's values again when it resubmits
                for criterion_id, value in await uow.sheets.clear_review(row.id):
                    audit.append(
                        sheet_change(
                            now,
                            sheet,
                            contact_id,
                            "reviewed",
                            shown(value),
                            None,
                            criterion_id,
                            reason="sheet reopened",
                        )
                    )
            await uow.audit.append(bloc_id, audit)
            await uow.sheets.set_status(
                row.id,
                status.value,
                now if submitted else None,
                contact_id if submitted else None,
                now,
                late=late,
            )
            submitted_at = now if submitted else None
            row = replace(row, status=status.value, submitted_at=submitted_at, late=late)
        return self._view(season, agency_id, row)

    async def _open_sheet(self, bloc_id: int, agency_id: int) -> tuple[datetime, _Now, SheetRow]:
        """Now, the current season and the agency's sheet, which must be open for changes."""
        now = self.clock.now()
        season, row = await self._held_or_ensured(bloc_id, agency_id, now)
        _check_open(season, SheetStatus(row.status), now, row.unlocked_until)
        return now, season, row

    async def _held_or_ensured(
        self, bloc_id: int, agency_id: int, now: datetime
    ) -> tuple[_Now, SheetRow]:
        """The current season and the agency's sheet, held until commit: as ``sheet(hold=True)``
        read it, else read now (and created if missing)."""
        held = self._held.pop((bloc_id, agency_id), None)
        if held is not None:
            return held
        season = await self._season(self.unit, bloc_id)
        return season, await self.unit.sheets.ensure(season.shape.season_id, agency_id, now)

    async def _season(self, uow: UnitOfWork, bloc_id: int) -> _Now:
        """The bloc's current season: its shape from the cache while its version holds."""
        current = await uow.seasons.current(bloc_id)
        if current is None:
            raise NoSeason(bloc_id)
        return await self._shape_now(uow, *current)

    async def _shape_now(
        self, uow: UnitOfWork, season_id: int, version: int, announced_at: datetime | None
    ) -> _Now:
        """The shape of a season at ``version`` (from the cache while it holds), and whether
        its results are out."""
        shape = self._shapes.get(season_id)
        if shape is None or shape.version != version:
            season = await uow.seasons.by_id(season_id)
            assert season is not None
            shape = self._shapes[season_id] = SeasonShape.of(season)
        return _Now(shape, announced_at)

    def _view(self, season: _Now, agency_id: int, row: SheetRow | None) -> SheetView:
        shape = season.shape
        status = SheetStatus(row.status) if row else SheetStatus.DRAFT
        now = self.clock.now()
        return SheetView(
            bloc_id=shape.bloc_id,
            season_year=shape.year,
            agency_id=agency_id,
            table=shape.table,
            values={shape.codes[c]: v for c, v in row.values.items()} if row else {},
            notes={shape.codes[c]: n for c, n in row.notes.items()} if row else {},
            status=status,
            submitted_at=row.submitted_at if row else None,
            deadline=shape.deadline,
            closed=season.closed(status, now, row.unlocked_until if row else None),
            as_of=now,
            unlocked_until=row.unlocked_until if row else None,
            late=row.late if row else False,
        )


def _check_open(
    season: _Now, status: SheetStatus, now: datetime, unlocked_until: datetime | None
) -> None:
    """Raise SheetClosed unless a sheet in ``status`` may be changed at ``now``."""
    reason = season.closed(status, now, unlocked_until)
    if reason is not None:
        raise SheetClosed(reason)
