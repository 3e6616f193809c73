"""What the review (thẩm định) of a sheet shows and answers: the sheet with its self and
reviewed values, the sheets a person reviews, one checked criterion, the refusals, and what
the agency and the reviewers are told (``ReviewTexts``, written by a presenter)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from bot.domain.criteria import Criterion, ScoringTable
from bot.domain.review import ReviewState, reviewed_total, reviewers_of, unchecked
from bot.domain.sheets import SheetTotals, total
from bot.domain.year import SeasonRules
from bot.storage.models import Bloc, Season

REASON_LIMIT = 500  # characters of a reason or a comment


class NoReview(Exception):
    """The bloc has no review: its self-scores are final."""


class NotReviewer(Exception):
    """The person does not review this agency's sheet (nor speaks for the agency)."""


class UnknownAgency(LookupError):
    """No agency of the bloc has this code."""


class NotSubmitted(Exception):
    """Only a submitted sheet is reviewed; this one is a draft (or was reopened)."""


class ReviewClosed(Exception):
    """The results are announced: the scores are final."""


class ReasonRequired(ValueError):
    """A reviewed value other than the agency's own needs a reason."""


@dataclass(frozen=True)
class Reviewer:
    """Who acts: their contact, the agency they speak for in the bloc, operator rights."""

    contact_id: int
    agency_code: str | None
    operator: bool = False


@dataclass(frozen=True)
class Comment:
    side: str  # reviewer, agency
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class ReviewSheet:
    """A submitted sheet as the reviewer and the agency see it."""

    bloc_id: int
    season_year: int
    agency_code: str
    agency_name: str
    table: ScoringTable
    self_values: Mapping[str, Decimal]
    reviewed: Mapping[str, Decimal]  # criterion code -> reviewed value, where checked
    reasons: Mapping[str, str]  # criterion code -> why it was changed
    comments: Mapping[str, tuple[Comment, ...]]
    state: ReviewState
    done_at: datetime | None
    evidence: Mapping[str, int] = field(default_factory=dict)  # code -> pieces of evidence
    # The agency reopened the sheet after the review began and sent it again, then.
    resubmitted_at: datetime | None = None
    timezone: str = "Asia/Ho_Chi_Minh"  # the bloc's
    self_totals: SheetTotals = field(init=False)
    totals: SheetTotals = field(init=False)  # reviewed where checked, else self
    unchecked: tuple[Criterion, ...] = field(init=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "self_totals", total(self.table, self.self_values))
        set_(self, "totals", reviewed_total(self.table, self.self_values, self.reviewed))
        set_(self, "unchecked", unchecked(self.table, self.reviewed))

    def changed(self) -> tuple[str, ...]:
        """The codes whose reviewed value differs from the agency's own."""
        return tuple(c for c, v in self.reviewed.items() if v != self.self_values.get(c))


@dataclass(frozen=True)
class QueueItem:
    """One sheet the person reviews, and where its review stands."""

    agency_code: str
    agency_name: str
    state: ReviewState


@dataclass(frozen=True)
class Change:
    """One criterion checked: the value before (reviewed, else self) and after."""

    sheet: ReviewSheet
    code: str
    old: Decimal
    new: Decimal
    reason: str | None
    reopened: bool  # the review had been finished: it is open again


class ReviewTexts(Protocol):
    """What the agency's contacts and the reviewers are told, in the reader's language."""

    def changed(self, sheet: ReviewSheet, code: str, old: Decimal, new: Decimal) -> str: ...

    def commented(self, sheet: ReviewSheet, code: str, comment: Comment) -> str: ...

    def finished(self, sheet: ReviewSheet) -> str: ...


@dataclass(frozen=True)
class ReviewYear:
    """The bloc's current season and who reviews whom in it."""

    bloc: Bloc
    season: Season
    rules: SeasonRules
    codes: tuple[str, ...]  # member agencies in the bloc's order
    head: str | None
    deputies: tuple[str, ...]

    def reviewers(self, agency: str) -> tuple[str, ...]:
        rules = self.rules
        return reviewers_of(
            rules.review,
            agency,
            self.codes,
            head=self.head,
            team=rules.reviewers,
            deputies=self.deputies,
        )

    def may_review(self, who: Reviewer, agency: str) -> bool:
        return who.operator or (who.agency_code in self.reviewers(agency))

    def agency(self, code: str) -> tuple[int, str]:
        found = next((a for a in self.bloc.agencies if a.code == code), None)
        if found is None or code not in self.codes:
            raise UnknownAgency(code)
        return found.id, found.name
