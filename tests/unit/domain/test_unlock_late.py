"""A sheet the head unlocked stays open after the deadline until then; a late sheet's deduction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.criteria import CriteriaGroup, Criterion, GroupKind, ScoringTable
from bot.domain.sheets import Closed, SheetStatus, is_late, total, why_closed, with_late

DEADLINE = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
TABLE = ScoringTable(
    (
        CriteriaGroup(
            "I", "Nhiệm vụ", (Criterion("I.1", "Chỉ tiêu", Decimal(10)),), GroupKind.SCORE
        ),
    ),
    Decimal("0.5"),
)


def closed(status: SheetStatus, now: datetime, until: datetime | None, announced: bool = False):
    announced_at = DEADLINE if announced else None
    return why_closed(
        status, announced_at=announced_at, deadline=DEADLINE, now=now, unlocked_until=until
    )


def test_an_unlocked_sheet_is_open_after_the_deadline_until_the_unlock_ends() -> None:
    until = DEADLINE + timedelta(days=2)
    after = DEADLINE + timedelta(hours=1)
    assert closed(SheetStatus.DRAFT, after, until) is None
    assert closed(SheetStatus.SUBMITTED, after, until) is Closed.SUBMITTED
    assert closed(SheetStatus.DRAFT, until, until) is Closed.DEADLINE  # from the moment itself
    assert closed(SheetStatus.DRAFT, after, None) is Closed.DEADLINE


def test_an_unlock_does_not_open_a_sheet_once_results_are_announced() -> None:
    until = DEADLINE + timedelta(days=2)
    assert closed(SheetStatus.DRAFT, DEADLINE + timedelta(hours=1), until, True) is Closed.LOCKED


def test_before_the_deadline_an_unlock_changes_nothing() -> None:
    before = DEADLINE - timedelta(hours=1)
    assert closed(SheetStatus.DRAFT, before, DEADLINE - timedelta(days=1)) is None
    assert closed(SheetStatus.SUBMITTED, before, None) is Closed.SUBMITTED


def test_a_sheet_submitted_from_the_deadline_on_is_late() -> None:
    assert is_late(DEADLINE, DEADLINE)
    assert not is_late(DEADLINE - timedelta(seconds=1), DEADLINE)
    assert not is_late(DEADLINE, None)
    assert not is_late(None, DEADLINE)


def test_the_late_deduction_comes_out_of_the_total() -> None:
    totals = with_late(total(TABLE, {"I.1": Decimal("8.5")}), Decimal(2))
    assert (totals.total, totals.late, totals.base) == (Decimal("6.5"), Decimal(2), Decimal("8.5"))


def test_no_late_deduction_leaves_the_totals_as_they_are() -> None:
    plain = total(TABLE, {"I.1": Decimal("8.5")})
    assert with_late(plain, Decimal(0)) == plain
    assert plain.late == 0
