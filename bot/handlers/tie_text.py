"""How a tie in the standings reads: who is ahead of whom with the same total, and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.ranking import group_subtotal
from bot.domain.rules import TieBreak, TieBreakKind
from bot.handlers.formatting import points
from bot.i18n import _
from bot.services.results import RankedAgency, StandingsView


def tie_notes(view: StandingsView, index: int) -> list[str]:
    """Why the agency at ``index`` is behind or ahead of an equal total, on each side.

    Each placing names one rule (``decided_by``): the one against the place above when that
    place has the same total, else the one against the place below. So the rule between two
    places is the one the lower of them names.
    """
    placing = view.placings[index]
    notes = []
    above = _next_place(view.placings, index, -1)
    if above and above[0].total == placing.total and placing.decided_by is not None:
        notes.append(_tie_note(view, placing, above, placing.decided_by, ahead=False))
    below = _next_place(view.placings, index, 1)
    if below and below[0].total == placing.total and below[0].decided_by is not None:
        notes.append(_tie_note(view, placing, below, below[0].decided_by, ahead=True))
    return notes


def _next_place(
    placings: Sequence[RankedAgency], index: int, direction: int
) -> tuple[RankedAgency, ...]:
    """The agencies of the place just above (-1) or just below (1) the one at ``index``."""
    rank = placings[index].rank
    others = placings[:index] if direction < 0 else placings[index + 1 :]
    ranks = [other.rank for other in others if other.rank != rank]
    if not ranks:
        return ()
    wanted = max(ranks) if direction < 0 else min(ranks)
    return tuple(other for other in placings if other.rank == wanted)


def _tie_note(
    view: StandingsView,
    placing: RankedAgency,
    others: tuple[RankedAgency, ...],
    rule: TieBreak,
    *,
    ahead: bool,
) -> str:
    """``ahead of X: submitted earlier (…)``: the side, the other agencies, the deciding values."""
    agencies = ", ".join(other.agency.name for other in others)
    other = others[0]  # agencies sharing a place are equal on every rule
    if rule.kind is TieBreakKind.GROUP:
        code = rule.group_code or ""
        mine = points(group_subtotal(placing.totals, code))
        theirs = points(group_subtotal(other.totals, code))
        text = (
            _("ahead of {agencies}: higher score in group {group} ({mine} vs {theirs})")
            if ahead
            else _("behind {agencies}: lower score in group {group} ({mine} vs {theirs})")
        )
        return text.format(agencies=agencies, group=code, mine=mine, theirs=theirs)
    if rule.kind is TieBreakKind.DEDUCTIONS:
        mine, theirs = points(placing.totals.deductions), points(other.totals.deductions)
        text = (
            _("ahead of {agencies}: fewer deduction points ({mine} vs {theirs})")
            if ahead
            else _("behind {agencies}: more deduction points ({mine} vs {theirs})")
        )
        return text.format(agencies=agencies, mine=mine, theirs=theirs)
    submitted = {line.agency.code: line.submitted_at for line in view.progress.agencies}
    mine, theirs = _moments(
        submitted.get(placing.agency.code),
        submitted.get(other.agency.code),
        view.progress.timezone,
    )
    text = (
        _("ahead of {agencies}: submitted earlier ({mine} vs {theirs})")
        if ahead
        else _("behind {agencies}: submitted later ({mine} vs {theirs})")
    )
    return text.format(agencies=agencies, mine=mine, theirs=theirs)


def _moments(mine: datetime | None, theirs: datetime | None, timezone: str) -> tuple[str, str]:
    """Two submission times to the second (``20/11/2025 16:59:07``), finer if that is equal."""
    shown = [_at(moment, timezone, "%d/%m/%Y %H:%M:%S") for moment in (mine, theirs)]
    if shown[0] == shown[1]:
        shown = [_at(moment, timezone, "%d/%m/%Y %H:%M:%S.%f") for moment in (mine, theirs)]
    return shown[0], shown[1]


def _at(moment: datetime | None, timezone: str, pattern: str) -> str:
    if moment is None:
        return _("not submitted")
    return moment.astimezone(ZoneInfo(timezone)).strftime(pattern)
