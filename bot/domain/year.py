"""The rules of a bloc's year after the self-score, which differ between provinces: who
reviews the sheets, what evidence is required, what lateness costs, how long the bloc may
object to provisional results, and what makes a secret ballot valid.

Each is a key of the bloc file (``season.review``, ``season.evidence``, ``season.late``,
``season.results``, ``season.ballot``, ``season.ineligible``, ``season.pictures``);
``SeasonRules`` holds them, and ``as_json``/``from_json`` keep them in the season's row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

# File types accepted as evidence by default, by extension.
EVIDENCE_TYPES: tuple[str, ...] = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")
EVIDENCE_MAX_MB = 20  # Telegram lets a bot download files up to 20 MB


class ReviewMode(StrEnum):
    """Who checks a submitted sheet (thẩm định)."""

    SELF = "self"  # nobody: the self-score is final
    HEAD = "head"  # the head (or the review team the bloc file names)
    CROSS = "cross"  # each agency reviews another, assigned in rotation


class PictureKind(StrEnum):
    """A post to the bloc's group that carries a picture when the bloc file asks for it."""

    STANDINGS = "standings"  # /standings answered in the group: the ranking it may see
    RESULTS = "results"  # the provisional and final results /announce posts: the ranking
    PROGRESS = "progress"  # /progress answered in the group: who submitted, drafts, not started


@dataclass(frozen=True)
class EvidenceRules:
    """What evidence (minh chứng) the bloc asks for."""

    required: tuple[str, ...] = ()  # criterion codes that need at least one piece
    max_mb: int = EVIDENCE_MAX_MB
    types: tuple[str, ...] = EVIDENCE_TYPES


@dataclass(frozen=True)
class BallotRules:
    """When a secret ballot (bỏ phiếu kín) counts and who it elects.

    ``quorum``: the share of member agencies that must vote, strictly more than it (0.5: more
    than half). ``threshold``: the share of the votes cast a candidate needs, strictly more
    than it. ``head_repeats``: whether this year's head may be elected head again.
    """

    quorum: Decimal = Decimal("0.5")
    threshold: Decimal = Decimal("0.5")
    head_repeats: bool = False


@dataclass(frozen=True)
class IneligibleAgency:
    """An agency the bloc file excludes from awards, and why."""

    agency: str
    reason: str


@dataclass(frozen=True)
class SeasonRules:
    """A season's rules of the year (see the module)."""

    review: ReviewMode = ReviewMode.HEAD
    reviewers: tuple[str, ...] = ()  # agency codes of the review team; () the head's
    evidence: EvidenceRules = field(default_factory=EvidenceRules)
    late_deduction: Decimal = Decimal(0)  # points a late sheet loses
    objection_days: int = 3  # provisional results stand this long before the head finalises
    ballot: BallotRules = field(default_factory=BallotRules)
    ineligible: tuple[IneligibleAgency, ...] = ()
    pictures: tuple[PictureKind, ...] = ()  # in PictureKind's order; () none

    def flat(self) -> dict[str, Any]:
        """Each rule by a name of its own, as an import reports what changed."""
        return {
            "review": self.review,
            "review_team": self.reviewers,
            "evidence_required": self.evidence.required,
            "evidence_max_mb": self.evidence.max_mb,
            "evidence_types": self.evidence.types,
            "late_deduction": self.late_deduction,
            "objection_days": self.objection_days,
            "quorum": self.ballot.quorum,
            "threshold": self.ballot.threshold,
            "head_repeats": self.ballot.head_repeats,
            "ineligible": tuple(f"{i.agency}: {i.reason}" for i in self.ineligible),
            "pictures": self.pictures,
        }

    def as_json(self) -> dict[str, Any]:
        """The rules as the season's row keeps them."""
        return {
            "review": self.review.value,
            "reviewers": list(self.reviewers),
            "evidence": {
                "required": list(self.evidence.required),
                "max_mb": self.evidence.max_mb,
                "types": list(self.evidence.types),
            },
            "late_deduction": str(self.late_deduction),
            "objection_days": self.objection_days,
            "ballot": {
                "quorum": str(self.ballot.quorum),
                "threshold": str(self.ballot.threshold),
                "head_repeats": self.ballot.head_repeats,
            },
            "ineligible": [{"agency": i.agency, "reason": i.reason} for i in self.ineligible],
            "pictures": [kind.value for kind in self.pictures],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> SeasonRules:
        """The rules a season's row keeps; what it lacks (an older season) is the default."""
        if not data:
            return cls()
        default = cls()
        evidence = data.get("evidence") or {}
        ballot = data.get("ballot") or {}
        return cls(
            review=ReviewMode(data.get("review", default.review)),
            reviewers=tuple(data.get("reviewers", ())),
            evidence=EvidenceRules(
                tuple(evidence.get("required", ())),
                int(evidence.get("max_mb", EVIDENCE_MAX_MB)),
                tuple(evidence.get("types", EVIDENCE_TYPES)),
            ),
            late_deduction=Decimal(data.get("late_deduction", "0")),
            objection_days=int(data.get("objection_days", default.objection_days)),
            ballot=BallotRules(
                Decimal(ballot.get("quorum", default.ballot.quorum)),
                Decimal(ballot.get("threshold", default.ballot.threshold)),
                bool(ballot.get("head_repeats", default.ballot.head_repeats)),
            ),
            ineligible=tuple(
                IneligibleAgency(entry["agency"], entry["reason"])
                for entry in data.get("ineligible", ())
            ),
            pictures=pictures_of(data.get("pictures", ())),
        )


def pictures_of(words: object) -> tuple[PictureKind, ...]:
    """The kinds of picture ``words`` name, once each in PictureKind's order; what names none
    (a word of a later version) is left out."""
    named = {str(word) for word in words} if isinstance(words, list | tuple) else set()
    return tuple(kind for kind in PictureKind if kind.value in named)


class ResultsStage(StrEnum):
    """How far a season's results are (kết quả)."""

    OPEN = "open"  # nothing published: the ranking is the head's and deputies' working view
    PROVISIONAL = "provisional"  # published to the bloc, open to objection (góp ý)
    FINAL = "final"  # final scores locked (công bố chính thức)


def results_stage(provisional_at: datetime | None, announced_at: datetime | None) -> ResultsStage:
    """The stage of a season's results from when each step was taken."""
    if announced_at is not None:
        return ResultsStage.FINAL
    if provisional_at is not None:
        return ResultsStage.PROVISIONAL
    return ResultsStage.OPEN


def objections_until(provisional_at: datetime, days: int) -> datetime:
    """When the bloc's time to object to provisional results ends (``days`` after them)."""
    return provisional_at + timedelta(days=days)
