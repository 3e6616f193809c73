"""Who reviews whose sheet, when a change needs a reason, what a reviewed sheet adds up to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.criteria import CriteriaGroup, Criterion, GroupKind, ScoringTable
from bot.domain.review import (
    ReviewState,
    needs_reason,
    reviewed_by,
    reviewed_total,
    reviewers_of,
    rotation,
    state_of,
    unchecked,
)
from bot.domain.year import ReviewMode

CODES = ("thongke", "khobac", "thue", "nhnn")
TABLE = ScoringTable(
    (
        CriteriaGroup("I", "Chuyên môn", (Criterion("I.1", "Chỉ tiêu", Decimal(25)),)),
        CriteriaGroup(
            "D",
            "Điểm trừ",
            (Criterion("D.1", "Báo cáo chậm", Decimal(2)),),
            GroupKind.DEDUCTION,
        ),
    ),
    Decimal("0.5"),
)


def test_rotation_gives_each_agency_the_next_one_and_never_itself() -> None:
    assert rotation(CODES) == {
        "thongke": "khobac",
        "khobac": "thue",
        "thue": "nhnn",
        "nhnn": "thongke",
    }
    assert rotation(("a", "b")) == {"a": "b", "b": "a"}
    assert rotation(("alone",)) == {}
    assert rotation(()) == {}
    assert all(reviewer != reviewed for reviewer, reviewed in rotation(CODES).items())


def test_cross_review_is_the_agency_before_in_the_bloc_order() -> None:
    assert reviewers_of(ReviewMode.CROSS, "thue", CODES, head="nhnn") == ("khobac",)
    assert reviewers_of(ReviewMode.CROSS, "thongke", CODES, head="nhnn") == ("nhnn",)
    assert reviewed_by(ReviewMode.CROSS, "thue", CODES, head="nhnn") == ("nhnn",)


def test_head_review_skips_the_heads_own_sheet_for_the_deputies() -> None:
    args = {"head": "nhnn", "deputies": ("thongke",)}
    assert reviewers_of(ReviewMode.HEAD, "thue", CODES, **args) == ("nhnn",)
    assert reviewers_of(ReviewMode.HEAD, "nhnn", CODES, **args) == ("thongke",)
    assert reviewed_by(ReviewMode.HEAD, "nhnn", CODES, **args) == ("thongke", "khobac", "thue")
    assert reviewed_by(ReviewMode.HEAD, "thongke", CODES, **args) == ("nhnn",)


def test_a_review_team_reviews_every_sheet_but_its_own() -> None:
    team = ("thongke", "khobac")
    assert reviewers_of(ReviewMode.HEAD, "thue", CODES, head="nhnn", team=team) == team
    assert reviewers_of(ReviewMode.HEAD, "khobac", CODES, head="nhnn", team=team) == ("thongke",)


def test_self_score_only_has_no_reviewers() -> None:
    assert reviewers_of(ReviewMode.SELF, "thue", CODES, head="nhnn") == ()
    assert reviewed_by(ReviewMode.SELF, "nhnn", CODES, head="nhnn") == ()


def test_every_value_other_than_the_self_score_needs_a_reason() -> None:
    assert needs_reason(Decimal(25), Decimal(20))
    assert needs_reason(Decimal(20), Decimal("20.5"))
    assert not needs_reason(Decimal(25), Decimal("25.0"))
    assert needs_reason(None, Decimal(0))


def test_the_reviewed_total_takes_reviewed_values_where_there_are() -> None:
    own = {"I.1": Decimal(25), "D.1": Decimal(0)}
    totals = reviewed_total(TABLE, own, {"D.1": Decimal(1)})
    assert totals.total == Decimal(24)
    assert reviewed_total(TABLE, own, {}).total == Decimal(25)
    assert unchecked(TABLE, {"D.1": Decimal(1)}) == (TABLE.find("I.1"),)


def test_the_state_of_a_review() -> None:
    at = datetime(2021, 11, 20, tzinfo=UTC)
    assert state_of(None, None, 0) is ReviewState.NOT_SUBMITTED
    assert state_of(at, None, 0) is ReviewState.SUBMITTED
    assert state_of(at, None, 2) is ReviewState.UNDER_REVIEW
    assert state_of(at, at + timedelta(hours=1), 2) is ReviewState.REVIEWED
    # Reopened and sent again after the review was finished: in review again.
    assert state_of(at + timedelta(days=1), at, 2) is ReviewState.UNDER_REVIEW
