"""The review (thẩm định) of submitted self-score sheets: who reviews whose sheet, when a
changed value needs a reason, and what a reviewed sheet adds up to.

A bloc chooses in its file (``season.review``): the self-score is final (``self``); the head,
or the review team the file names (``season.review_team``), reviews every sheet (``head``);
or each agency reviews the next one in the bloc's order, the last one the first (``cross``).
Nobody reviews their own agency's sheet: in ``head`` mode the head's own sheet goes to the
rest of the team, or to the deputies when the team is the head alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.domain.criteria import Criterion, ScoringTable
from bot.domain.sheets import SheetTotals, total
from bot.domain.year import ReviewMode


class ReviewState(StrEnum):
    """Where the review of one sheet stands."""

    NOT_SUBMITTED = "not_submitted"  # a draft (or reopened by its agency): not in review
    SUBMITTED = "submitted"  # waiting: no criterion checked yet
    UNDER_REVIEW = "under_review"  # some criteria checked
    REVIEWED = "reviewed"  # finished: the reviewed total stands


def rotation(codes: Sequence[str]) -> dict[str, str]:
    """Cross-review in rotation: reviewer -> the agency it reviews, each agency the next one
    in ``codes`` and the last one the first; nobody reviews itself (fewer than two: none)."""
    unique = list(dict.fromkeys(codes))
    if len(unique) < 2:
        return {}
    return {code: unique[(i + 1) % len(unique)] for i, code in enumerate(unique)}


def reviewers_of(
    mode: ReviewMode,
    agency: str,
    codes: Sequence[str],
    *,
    head: str | None,
    team: Sequence[str] = (),
    deputies: Sequence[str] = (),
) -> tuple[str, ...]:
    """The agencies that review ``agency``'s sheet, by code; () when nobody does.

    ``codes``: the bloc's agencies in its order; ``team``: the review team of the bloc file
    (empty: the head alone).
    """
    if mode is ReviewMode.SELF:
        return ()
    if mode is ReviewMode.CROSS:
        return tuple(r for r, reviewed in rotation(codes).items() if reviewed == agency)
    chosen = tuple(team) if team else ((head,) if head else ())
    others = tuple(code for code in chosen if code != agency)
    if others:
        return others
    return tuple(code for code in deputies if code != agency)


def reviewed_by(
    mode: ReviewMode,
    reviewer: str,
    codes: Sequence[str],
    *,
    head: str | None,
    team: Sequence[str] = (),
    deputies: Sequence[str] = (),
) -> tuple[str, ...]:
    """The agencies whose sheets ``reviewer`` reviews, in the bloc's order."""
    return tuple(
        agency
        for agency in codes
        if reviewer in reviewers_of(mode, agency, codes, head=head, team=team, deputies=deputies)
    )


def needs_reason(self_value: Decimal | None, reviewed: Decimal) -> bool:
    """A reviewed value other than the agency's own is a change: it needs a reason."""
    return self_value is None or reviewed != self_value


def reviewed_values(
    self_values: Mapping[str, Decimal], reviewed: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Each criterion's value after review: the reviewed one where there is one, else the
    agency's own."""
    return {**self_values, **reviewed}


def reviewed_total(
    table: ScoringTable, self_values: Mapping[str, Decimal], reviewed: Mapping[str, Decimal]
) -> SheetTotals:
    """What the sheet adds up to after review (see ``reviewed_values``)."""
    return total(table, reviewed_values(self_values, reviewed))


def unchecked(table: ScoringTable, reviewed: Mapping[str, Decimal]) -> tuple[Criterion, ...]:
    """The criteria the reviewer has neither accepted nor changed, in table order."""
    return tuple(item for item in table.criteria() if item.code not in reviewed)


def state_of(submitted_at: datetime | None, done_at: datetime | None, checked: int) -> ReviewState:
    """A sheet's review state. A review finished before the sheet was last submitted (it was
    reopened and sent again) is open again."""
    if submitted_at is None:
        return ReviewState.NOT_SUBMITTED
    if done_at is not None and done_at >= submitted_at:
        return ReviewState.REVIEWED
    return ReviewState.UNDER_REVIEW if checked else ReviewState.SUBMITTED
