"""The audit trail read back: whether a bloc's chain holds, and one criterion's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.audit import BreakKind, verify
from bot.services.invites import UnknownBloc
from bot.services.scoring import NoSeason
from bot.storage.models import Season
from bot.storage.uow import UnitOfWork


class UnknownCriterion(LookupError):
    """The bloc's season has no criterion with this code."""


class UnknownAgency(LookupError):
    """The bloc has no agency with this code; ``codes``: those it has."""

    def __init__(self, code: str, codes: tuple[str, ...]) -> None:
        super().__init__(code)
        self.code = code
        self.codes = codes


@dataclass(frozen=True)
class ChainBreak:
    """One place where a bloc's chain does not hold (``bot.domain.audit.Break``), with the
    place of the entry where it shows."""

    kind: BreakKind
    seq: int  # for MISSING, the first place missing; for HEAD, the higher of the two ends
    entry_id: int | None = None
    entry_seq: int | None = None  # the place of entry ``entry_id``


@dataclass(frozen=True)
class AuditCheck:
    """What ``blocbot audit verify`` found in one bloc's chain."""

    bloc_code: str
    entries: int  # how many entries the log holds
    head_seq: int  # the place of the last entry, as the bloc keeps it
    last_seq: int  # the place of the last entry the log holds
    breaks: tuple[ChainBreak, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks


@dataclass(frozen=True)
class HistoryLine:
    """One change of a criterion, as the audit trail keeps it."""

    at: datetime
    field: str
    old_value: str | None
    new_value: str | None
    reason: str | None
    actor_label: str


@dataclass(frozen=True)
class CriterionHistory:
    """Every change of one criterion on one agency's sheet of the current season, oldest first."""

    season_year: int
    timezone: str  # the bloc's
    agency_code: str
    agency_name: str
    criterion_code: str
    criterion_title: str
    lines: tuple[HistoryLine, ...]


class HistoryService:
    """Reads the audit trail: verifies a bloc's chain, shows what happened to a criterion."""

    def __init__(self, unit: UnitOfWork) -> None:
        self.unit = unit

    async def verify(self, bloc_code: str) -> AuditCheck:
        """Every break in the bloc's chain, its entries and head read in this unit of work."""
        uow = self.unit
        bloc = await uow.blocs.get(bloc_code)
        if bloc is None:
            raise UnknownBloc(bloc_code)
        head = await uow.audit.head(bloc.id)
        assert head is not None
        entries = await uow.audit.chain_of(bloc.id)
        head_seq, head_hash = head
        places = {entry.id: entry.seq for entry in entries}
        breaks = tuple(
            ChainBreak(one.kind, one.seq, one.entry_id, places.get(one.entry_id or 0))
            for one in verify(bloc.id, entries, head_seq, head_hash)
        )
        return AuditCheck(
            bloc_code=bloc.code,
            entries=len(entries),
            head_seq=head_seq,
            last_seq=entries[-1].seq if entries else 0,
            breaks=breaks,
        )

    async def agency_id(self, bloc_id: int, agency_code: str) -> int:
        """The id of the bloc's agency ``agency_code`` (any case) in the current season."""
        season = await self._season(bloc_id)
        wanted = agency_code.strip().casefold()
        for member in season.members:
            if member.agency.code.casefold() == wanted:
                return member.agency.id
        agencies = sorted((m.agency for m in season.members), key=lambda a: a.position)
        raise UnknownAgency(agency_code, tuple(agency.code for agency in agencies))

    async def criterion_history(self, bloc_id: int, agency_id: int, code: str) -> CriterionHistory:
        """What happened to criterion ``code`` (any case) on the agency's current sheet."""
        uow = self.unit
        season = await self._season(bloc_id)
        wanted = code.strip().casefold()
        criterion = next((c for c in season.criteria if c.code.casefold() == wanted), None)
        if criterion is None:
            raise UnknownCriterion(code)
        agency = next(m.agency for m in season.members if m.agency.id == agency_id)
        bloc = await uow.blocs.by_id(bloc_id)
        assert bloc is not None
        sheet = await uow.sheets.read(season.id, agency_id)
        entries = await uow.audit.of_criterion(sheet.id, criterion.id) if sheet else []
        lines = tuple(
            HistoryLine(
                at=entry.facts.at,
                field=entry.facts.field,
                old_value=entry.facts.old_value,
                new_value=entry.facts.new_value,
                reason=entry.facts.reason,
                actor_label=entry.facts.actor_label,
            )
            for entry in entries
        )
        return CriterionHistory(
            season_year=season.year,
            timezone=bloc.timezone,
            agency_code=agency.code,
            agency_name=agency.name,
            criterion_code=criterion.code,
            criterion_title=criterion.title,
            lines=lines,
        )

    async def _season(self, bloc_id: int) -> Season:
        season = await self.unit.seasons.latest(bloc_id)
        if season is None:
            raise NoSeason(bloc_id)
        return season
