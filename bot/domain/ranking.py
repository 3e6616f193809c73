"""Ranking (xếp hạng) the agencies of a bloc and proposing its awards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from bot.domain.rules import Award, TieBreak, TieBreakKind
from bot.domain.sheets import SheetTotals


@dataclass(frozen=True)
class Candidate:
    """An agency to rank, with its final totals; an ineligible one is ranked but not awarded."""

    agency_code: str
    totals: SheetTotals
    submitted_at: datetime | None
    eligible: bool = True
    ineligible_reason: str | None = None


@dataclass(frozen=True)
class Placing:
    """An agency's place in the standings.

    ``shared`` is True when another agency has the same rank. ``behind`` is the tie-break rule
    by which the place just above, with the same total, came first; ``ahead`` the rule by which
    this one came before the place just below with the same total. None where that neighbour
    has another total, or there is none.
    """

    rank: int
    candidate: Candidate
    shared: bool
    behind: TieBreak | None = None
    ahead: TieBreak | None = None

    @property
    def decided_by(self) -> TieBreak | None:
        """The rule that set it apart from an equal total: the one above first, else below."""
        return self.behind if self.behind is not None else self.ahead


@dataclass(frozen=True)
class Standings:
    """The bloc's ranking (bảng xếp hạng), highest total first."""

    placings: tuple[Placing, ...]

    def leader(self, proposals: Sequence[AwardProposal] = ()) -> Placing | None:
        """The leading unit (đơn vị dẫn đầu), or None.

        With awards, ``propose_awards(self, awards)``: the first agency proposed for the first
        award (None when it goes to nobody). Without: the one agency at rank 1 if it is eligible;
        None if that place is shared.
        """
        if proposals:
            chosen = proposals[0].agency_codes
            return self.by_agency(chosen[0]) if chosen else None
        top = [placing for placing in self.placings if placing.rank == 1]
        return top[0] if len(top) == 1 and top[0].candidate.eligible else None

    def by_agency(self, code: str) -> Placing | None:
        """The placing of the agency ``code``, or None if it is not ranked."""
        return next((p for p in self.placings if p.candidate.agency_code == code), None)


@dataclass(frozen=True)
class AwardProposal:
    """The agencies the ranking proposes for one award.

    ``tie_at_boundary`` is True when the last agency chosen shares its rank with an eligible
    agency that got no award: the bloc has to decide between them, e.g. by vote.
    """

    award: Award
    agency_codes: tuple[str, ...]
    tie_at_boundary: bool


# A sort key: lower sorts first. Each part is a tuple so that None and datetimes compare safely.
_Key = tuple[tuple[object, ...], ...]


def rank(candidates: Iterable[Candidate], tie_break: Sequence[TieBreak]) -> Standings:
    """Rank by total, highest first, then by the tie-break rules in order.

    Agencies still equal after every rule share a rank (1, 1, 3), listed by agency code.
    """
    pool = list(candidates)
    repeated = sorted(code for code, n in Counter(c.agency_code for c in pool).items() if n > 1)
    if repeated:
        raise ValueError(f"agencies listed more than once: {', '.join(repeated)}")

    keyed = sorted(
        ((_key(c, tie_break), c) for c in pool), key=lambda kc: (kc[0], kc[1].agency_code)
    )
    grouped = [(key, [c for _, c in tied]) for key, tied in groupby(keyed, key=lambda kc: kc[0])]
    keys = [key for key, _ in grouped]

    placings: list[Placing] = []
    position = 1
    for index, (_, place) in enumerate(grouped):
        behind = _separating_rule(keys, index, index - 1, tie_break)
        ahead = _separating_rule(keys, index, index + 1, tie_break)
        for candidate in place:
            placings.append(Placing(position, candidate, len(place) > 1, behind, ahead))
        position += len(place)
    return Standings(tuple(placings))


def propose_awards(standings: Standings, awards: Sequence[Award]) -> tuple[AwardProposal, ...]:
    """Fill the awards in order from the top; one award per agency, ineligible agencies skipped."""
    waiting = [p for p in standings.placings if p.candidate.eligible]
    proposals: list[AwardProposal] = []
    for award in awards:
        if award.count < 0:
            raise ValueError(f"award {award.title!r} has a negative count {award.count}")
        chosen, waiting = waiting[: award.count], waiting[award.count :]
        tie = bool(chosen) and any(p.rank == chosen[-1].rank for p in waiting)
        codes = tuple(p.candidate.agency_code for p in chosen)
        proposals.append(AwardProposal(award, codes, tie))
    return tuple(proposals)


def _key(candidate: Candidate, tie_break: Sequence[TieBreak]) -> _Key:
    totals = candidate.totals
    parts: list[tuple[object, ...]] = [(-totals.total,)]
    for rule in tie_break:
        match rule.kind:
            case TieBreakKind.GROUP:
                parts.append((-group_subtotal(totals, rule.group_code or ""),))
            case TieBreakKind.DEDUCTIONS:
                parts.append((totals.deductions,))
            case TieBreakKind.SUBMITTED_AT:
                at = candidate.submitted_at
                parts.append((0, at) if at is not None else (1,))
    return tuple(parts)


def group_subtotal(totals: SheetTotals, group_code: str) -> Decimal:
    """A group's subtotal by code, case-insensitive; KeyError if the sheet has no such group."""
    wanted = group_code.casefold()
    for code, subtotal in totals.groups.items():
        if code.casefold() == wanted:
            return subtotal
    raise KeyError(f"tie-break on group {group_code!r}, which the scoring table does not have")


def _separating_rule(
    keys: list[_Key], index: int, other: int, tie_break: Sequence[TieBreak]
) -> TieBreak | None:
    """The first rule on which places ``index`` and ``other`` differ, if their totals are equal."""
    if not 0 <= other < len(keys) or keys[other][0] != keys[index][0]:
        return None
    for rule, mine, theirs in zip(tie_break, keys[index][1:], keys[other][1:], strict=True):
        if mine != theirs:
            return rule
    return None
