"""A score sheet (bảng chấm điểm): its totals, its status, when it is closed, its progress.

The totals: group subtotals, bonus, deductions and the total. The status: a draft until the
agency submits it, locked when the results are announced. Closed: no change is taken once the
results are announced or the deadline that closes scoring has passed (unless the head unlocked
the sheet, until a time he chose), nor on a submitted sheet until it is reopened. Late: submitted
after that deadline, which may cost points in the ranking. The progress (tiến độ): submitted,
started or not started.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from bot.domain.criteria import Criterion, GroupKind, ScoringTable
from bot.domain.scores import plain


@dataclass(frozen=True)
class SheetTotals:
    """What one sheet adds up to (tổng điểm).

    ``groups`` holds each group's subtotal by group code, as a positive amount: a score group's
    sum, a bonus group's sum capped at its cap, a deduction group's points deducted.
    """

    groups: Mapping[str, Decimal] = field(hash=False)
    base: Decimal
    bonus: Decimal
    bonus_uncapped: Decimal
    deductions: Decimal
    total: Decimal
    late: Decimal = Decimal(0)  # points lost for a late sheet, already out of ``total``

    @property
    def bonus_capped(self) -> bool:
        """True when the cap cut some bonus points."""
        return self.bonus < self.bonus_uncapped

    # Pickled (for the process that writes the files) with ``groups`` as a plain dict, which a
    # read-only view cannot be.
    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "groups": dict(self.groups)}

    def __setstate__(self, state: dict[str, object]) -> None:
        groups = state["groups"]
        assert isinstance(groups, dict)
        self.__dict__.update(state, groups=MappingProxyType(groups))


def total(table: ScoringTable, values: Mapping[str, Decimal]) -> SheetTotals:
    """Add up a sheet whose values are keyed by criterion code; a missing value counts as 0.

    Raises KeyError for a code that is not exactly one of the table's.
    """
    known = {item.code for item in table.criteria()}
    unknown = sorted(code for code in values if code not in known)
    if unknown:
        raise KeyError(f"not in the scoring table: {', '.join(unknown)}")

    groups: dict[str, Decimal] = {}
    base = bonus = bonus_uncapped = deductions = Decimal(0)
    for group in table.groups:
        subtotal = sum((values.get(item.code, Decimal(0)) for item in group.items), Decimal(0))
        match group.kind:
            case GroupKind.SCORE:
                base += subtotal
            case GroupKind.BONUS:
                bonus_uncapped += subtotal
                if group.cap is not None:
                    subtotal = min(subtotal, group.cap)
                bonus += subtotal
            case GroupKind.DEDUCTION:
                deductions += subtotal
        groups[group.code] = plain(subtotal)

    return SheetTotals(
        groups=MappingProxyType(groups),
        base=plain(base),
        bonus=plain(bonus),
        bonus_uncapped=plain(bonus_uncapped),
        deductions=plain(deductions),
        total=plain(base + bonus - deductions),
    )


def with_late(totals: SheetTotals, deduction: Decimal) -> SheetTotals:
    """The totals of a late sheet: ``deduction`` points (0: marked only) out of its total."""
    if not deduction:
        return totals
    return replace(totals, late=plain(deduction), total=plain(totals.total - deduction))


def is_late(submitted_at: datetime | None, deadline: datetime | None) -> bool:
    """Whether a sheet submitted at ``submitted_at`` came after the deadline that closes
    scoring (from the moment itself)."""
    return submitted_at is not None and deadline is not None and submitted_at >= deadline


def missing(table: ScoringTable, values: Mapping[str, Decimal]) -> tuple[Criterion, ...]:
    """The criteria that have no value yet, in table order."""
    return tuple(item for item in table.criteria() if item.code not in values)


class SheetStatus(StrEnum):
    """Where a sheet stands, as it is stored."""

    DRAFT = "draft"  # being filled in (or reopened)
    SUBMITTED = "submitted"  # sent to the head
    LOCKED = "locked"  # results announced


class Closed(StrEnum):
    """Why a sheet cannot be changed now."""

    SUBMITTED = "submitted"  # reopen it first
    DEADLINE = "deadline"  # the deadline that closes scoring has passed: only the head unlocks
    LOCKED = "locked"  # results announced


def why_closed(
    status: SheetStatus,
    *,
    announced_at: datetime | None,
    deadline: datetime | None,
    now: datetime,
    unlocked_until: datetime | None = None,
) -> Closed | None:
    """Why the agency cannot change a sheet in ``status`` at ``now``; None while it can.

    The season closes every sheet once its results are announced or, from the moment itself,
    once the deadline that closes scoring has passed; before that only a draft is open. A
    sheet the head unlocked stays open after the deadline until ``unlocked_until`` (up to the
    moment itself). A submitted sheet can be reopened exactly when a draft would be open.
    """
    if announced_at is not None:
        return Closed.LOCKED
    unlocked = unlocked_until is not None and now < unlocked_until
    if deadline is not None and now >= deadline and not unlocked:
        return Closed.DEADLINE
    match status:
        case SheetStatus.DRAFT:
            return None
        case SheetStatus.SUBMITTED:
            return Closed.SUBMITTED
        case SheetStatus.LOCKED:
            return Closed.LOCKED


class Progress(StrEnum):
    """How far an agency's self-score sheet is (tiến độ)."""

    SUBMITTED = "submitted"
    DRAFT = "draft"  # started, not submitted (or reopened)
    NOT_STARTED = "not_started"


def progress_of(submitted_at: datetime | None, answered: int) -> Progress:
    """Submitted once it has been sent, a draft once a criterion is answered, else not started."""
    if submitted_at is not None:
        return Progress.SUBMITTED
    if answered:
        return Progress.DRAFT
    return Progress.NOT_STARTED
