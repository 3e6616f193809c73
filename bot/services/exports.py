"""The summary table of a season (bảng tổng hợp điểm): every agency's values per criterion
(self, reviewed, final), its totals and place in the standings, its notes and evidence; a pure
value the presenters lay out (a workbook, for one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.clock import Clock
from bot.domain.criteria import ScoringTable
from bot.services.invites import UnknownBloc
from bot.services.results import RankedAgency, ResultsService, StandingsView
from bot.services.scoring import NoSeason, table_of
from bot.storage.models import Bloc
from bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class CriterionValues:
    """One criterion of an agency's sheet: its three values (None where not given) and the
    words that go with them."""

    self_value: Decimal | None
    reviewed: Decimal | None
    final: Decimal | None
    note: str | None  # the agency's
    reviewed_reason: str | None  # the reviewer's


@dataclass(frozen=True)
class EvidenceItem:
    """A piece of evidence as the table lists it."""

    code: str  # the criterion's
    kind: str  # file or link
    name: str  # the file name or the address
    caption: str | None
    added_at: datetime


@dataclass(frozen=True)
class AgencyLine:
    """One agency of the table: its values, its place (None: not ranked) and its evidence."""

    code: str
    name: str
    values: Mapping[str, CriterionValues]  # by criterion code; missing: no entry
    placing: RankedAgency | None
    submitted_at: datetime | None
    evidence: tuple[EvidenceItem, ...]

    def value(self, code: str) -> CriterionValues | None:
        return self.values.get(code)


@dataclass(frozen=True)
class ExportTable:
    """A season's summary table, as of ``produced_at``."""

    bloc_code: str
    bloc_name: str
    year: int
    timezone: str
    locale: str  # the bloc's language
    produced_at: datetime
    table: ScoringTable  # groups and criteria, in the bloc file's order, with its step
    standings: StandingsView
    agencies: tuple[AgencyLine, ...]  # ranked first, in rank order; then the others

    @property
    def final(self) -> bool:
        return self.standings.final


class ExportService:
    """Reads what a season's summary table shows."""

    def __init__(self, unit: UnitOfWork, clock: Clock, results: ResultsService) -> None:
        self.unit = unit
        self.clock = clock
        self.results = results

    async def table(self, bloc: int | str, year: int | None = None) -> ExportTable:
        """The summary table of the bloc (its id or code) in ``year`` (None: its latest season);
        UnknownBloc, or NoSeason when it has no such season."""
        uow = self.unit
        row = await self._bloc(bloc)
        year = year if year is not None else await uow.seasons.latest_year(row.id)
        season = await uow.seasons.get(row.id, year) if year is not None else None
        if season is None:
            raise NoSeason(row.id)
        standings, read = await self.results.standings_and_sheets(row.id, season.year)
        codes = {criterion.id: criterion.code for criterion in season.criteria}
        sheets = {sheet.agency_id: sheet for sheet in read}
        kept = await uow.evidence.of_sheets([sheet.id for sheet in read])
        placings = {p.agency.code: p for p in standings.placings}
        lines = []
        for member in sorted(season.members, key=lambda m: m.agency.position):
            sheet = sheets.get(member.agency_id)
            values: dict[str, CriterionValues] = {}
            evidence: tuple[EvidenceItem, ...] = ()
            if sheet is not None:
                for entry in sheet.entries:
                    if entry.criterion_id in codes:
                        values[codes[entry.criterion_id]] = CriterionValues(
                            entry.self_value,
                            entry.reviewed_value,
                            entry.final_value,
                            entry.note,
                            entry.reviewed_reason,
                        )
                pieces = kept.get(sheet.id, ())
                evidence = tuple(
                    EvidenceItem(
                        codes.get(piece.criterion_id, "?"),
                        piece.kind,
                        piece.filename if piece.kind == "file" else piece.url or "",
                        piece.caption,
                        piece.added_at,
                    )
                    for piece in pieces
                )
            agency = member.agency
            lines.append(
                AgencyLine(
                    code=agency.code,
                    name=agency.name,
                    values=values,
                    placing=placings.get(agency.code),
                    submitted_at=sheet.submitted_at if sheet is not None else None,
                    evidence=evidence,
                )
            )
        order = {p.agency.code: index for index, p in enumerate(standings.placings)}
        lines.sort(key=lambda line: order.get(line.code, len(order)))  # stable: file order after
        return ExportTable(
            bloc_code=row.code,
            bloc_name=row.name,
            year=season.year,
            timezone=row.timezone,
            locale=row.locale,
            produced_at=self.clock.now(),
            table=table_of(season),
            standings=standings,
            agencies=tuple(lines),
        )

    async def _bloc(self, bloc: int | str) -> Bloc:
        found = (
            await self.unit.blocs.by_id(bloc)
            if isinstance(bloc, int)
            else await self.unit.blocs.get(bloc)
        )
        if found is None:
            raise UnknownBloc(str(bloc))
        return found
