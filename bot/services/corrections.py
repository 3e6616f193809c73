"""Corrections after the final results: an operator changes one final score, with a reason.

The final results are locked; a mistake found afterwards is corrected only here, one value at
a time, checked as a score is, with its reason in the audit trail. The head and the agency's
contacts are told through the outbox; what they read is the injected ``CorrectionTexts``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from bot.clock import Clock
from bot.domain.criteria import Criterion
from bot.domain.scores import parse_score
from bot.services.audit import sheet_change, shown
from bot.services.posts import Draft, tell_contacts
from bot.services.progress import AgencyRef
from bot.services.results import RankedAgency, ResultsService
from bot.services.scoring import NoSeason, table_of
from bot.storage.models import ScoreEntry, Season
from bot.storage.uow import UnitOfWork

REASON_LIMIT = 500  # characters of a reason kept


class NotFinal(Exception):
    """The final results are not announced yet: values change by scoring and review."""


class UnknownAgency(LookupError):
    """No member agency of the season has that code."""


class UnknownCriterion(LookupError):
    """The scoring table has no criterion with that code."""


class NoSheet(LookupError):
    """The agency never started a sheet: it has no scores to correct."""


class ReasonRequired(ValueError):
    """A correction needs a reason."""


@dataclass(frozen=True)
class Correction:
    """One final score corrected: old and new, why, and where the agency stands now."""

    bloc_id: int
    year: int
    agency: AgencyRef
    criterion: Criterion
    old: Decimal | None
    new: Decimal
    reason: str
    placing: RankedAgency | None  # None: the agency is not ranked (no submitted sheet)

    @property
    def changed(self) -> bool:
        return self.old != self.new


class CorrectionTexts(Protocol):
    def corrected(self, correction: Correction) -> str: ...


class CorrectionService:
    """Operators' corrections of final scores."""

    def __init__(
        self, unit: UnitOfWork, clock: Clock, results: ResultsService, texts: CorrectionTexts
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.results = results
        self.texts = texts

    async def correct(
        self, bloc_id: int, contact_id: int | None, agency: str, code: str, value: str, reason: str
    ) -> Correction:
        """Set the final value of ``code`` on ``agency``'s sheet to ``value`` (typed, checked
        like a score: ScoreError), for ``reason`` (ReasonRequired if blank). NotFinal before the
        final results; UnknownAgency, UnknownCriterion for codes the season does not have."""
        uow = self.unit
        season = await uow.seasons.latest(bloc_id)
        if season is None:
            raise NoSeason(bloc_id)
        if season.announced_at is None:
            raise NotFinal(season.year)
        member = next(
            (m for m in season.members if m.agency.code.casefold() == agency.casefold()), None
        )
        if member is None:
            raise UnknownAgency(agency)
        table = table_of(season)
        criterion = next(
            (c for c in table.criteria() if c.code.casefold() == code.casefold()), None
        )
        if criterion is None:
            raise UnknownCriterion(code)
        new = parse_score(value, criterion, season.step)
        why = reason.strip()[:REASON_LIMIT]
        if not why:
            raise ReasonRequired(criterion.code)
        entry = await self._entry(season, member.agency_id, criterion.code)
        old = entry.final_value
        if old != new:
            now = self.clock.now()
            ids = (entry.sheet_id, season.id, member.agency_id)
            fact = sheet_change(
                now,
                ids,
                contact_id,
                "final",
                shown(old),
                shown(new),
                entry.criterion_id,
                reason=why,
            )
            await uow.audit.append(bloc_id, [fact])
            entry.final_value = new
            entry.updated_at = now
            await uow.session.flush()
        standings = await self.results.standings(bloc_id)
        ref = AgencyRef(member.agency.code, member.agency.name)
        placing = next((p for p in standings.placings if p.agency.code == ref.code), None)
        done = Correction(bloc_id, season.year, ref, criterion, old, new, why, placing)
        if done.changed:
            await self._tell(season, done)
        return done

    async def _entry(self, season: Season, agency_id: int, code: str) -> ScoreEntry:
        """The sheet entry of a criterion, made if the sheet had none for it; NoSheet if the
        agency has no sheet at all."""
        uow = self.unit
        sheets = await uow.sheets.lock_season(season.id)
        sheet = next((s for s in sheets if s.agency_id == agency_id), None)
        if sheet is None:
            raise NoSheet(agency_id)
        now = self.clock.now()
        criterion_id = next(row.id for row in season.criteria if row.code == code)
        entry = next((e for e in sheet.entries if e.criterion_id == criterion_id), None)
        if entry is None:
            entry = ScoreEntry(sheet_id=sheet.id, criterion_id=criterion_id, updated_at=now)
            sheet.entries.append(entry)
            await uow.session.flush()
        return entry

    async def _tell(self, season: Season, done: Correction) -> None:
        """The head's and the agency's contacts, once each, in their language."""
        uow, now = self.unit, self.clock.now()

        def make() -> str:
            return self.texts.corrected(done)

        bloc = await uow.blocs.by_id(done.bloc_id)
        assert bloc is not None
        heads = {m.agency_id for m in season.members if m.role == "head"}
        head = await uow.audit.head(bloc.id)
        draft = Draft(f"correction:{bloc.id}:{head[0] if head else 0}", make, None)
        await tell_contacts(
            uow,
            bloc,
            lambda link: link.agency_id in heads or link.agency.code == done.agency.code,
            draft,
            now,
        )
