"""Reading scores as people type them in chat, and showing points back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.criteria import Criterion, CriterionKind, ScoringTable
from bot.domain.scores import ScoreError, ScoreProblem, format_points, parse_score

STEP = Decimal("0.5")


@pytest.fixture
def task(table: ScoringTable) -> Criterion:
    """I.1, a score criterion out of 25."""
    criterion = table.find("I.1")
    assert criterion is not None
    return criterion


@pytest.fixture
def party(table: ScoringTable) -> Criterion:
    """IV.1, a yes/no criterion worth 5."""
    criterion = table.find("IV.1")
    assert criterion is not None and criterion.kind is CriterionKind.YESNO
    return criterion


def test_comma_and_dot_are_the_same_score(task: Criterion) -> None:
    assert parse_score("8,5", task, STEP) == parse_score("8.5", task, STEP) == Decimal("8.5")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20", "20"),
        ("  20  ", "20"),
        ("+20", "20"),
        ("8,50", "8.5"),
        ("20,0", "20"),
        ("0", "0"),
        ("0,0", "0"),
        ("25", "25"),
        (",5", "0.5"),
        ("007", "7"),
    ],
)
def test_accepted_scores_come_back_normalized(task: Criterion, typed: str, expected: str) -> None:
    value = parse_score(typed, task, STEP)

    assert value == Decimal(expected)
    assert str(value) == expected  # no "8.50", "20.0" or "2E+1" noise


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "abc", "8.5.1", "8,5,1", "1,000.5", "1.000,5", "nan", "NaN", "inf", "-inf",
     "1e2", "1E1", "8 5", "8,", "8.", "+", "½", "٣", "0x10", "8đ"],
)  # fmt: skip
def test_text_that_is_not_a_number_is_refused(task: Criterion, typed: str) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    assert refused.value.problem is ScoreProblem.NOT_A_NUMBER
    assert refused.value.value is None


@pytest.mark.parametrize("typed", ["-1", "-0,5", "−3"])
def test_negative_score_is_refused(task: Criterion, typed: str) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    assert refused.value.problem is ScoreProblem.NEGATIVE


def test_minus_zero_is_just_zero(task: Criterion) -> None:
    assert str(parse_score("-0", task, STEP)) == "0"


@pytest.mark.parametrize("typed", ["25,5", "26", "100"])
def test_score_above_the_maximum_is_refused(task: Criterion, typed: str) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    assert refused.value.problem is ScoreProblem.ABOVE_MAX
    assert refused.value.maximum == Decimal(25)


@pytest.mark.parametrize("typed", ["8,3", "8.25", "0,1", "24,75"])
def test_score_off_the_step_is_refused(task: Criterion, typed: str) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    assert refused.value.problem is ScoreProblem.OFF_STEP


def test_a_finer_step_accepts_quarter_points(task: Criterion) -> None:
    assert parse_score("8,25", task, Decimal("0.25")) == Decimal("8.25")


def test_a_whole_point_step_refuses_halves(task: Criterion) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score("8,5", task, Decimal(1))

    assert refused.value.problem is ScoreProblem.OFF_STEP


def test_the_error_carries_what_a_message_needs(task: Criterion) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(" 8,3 ", task, STEP)

    error = refused.value
    assert isinstance(error, ValueError)
    assert (error.problem, error.text, error.criterion, error.step, error.value) == (
        ScoreProblem.OFF_STEP,
        " 8,3 ",
        task,
        STEP,
        Decimal("8.3"),
    )
    assert str(error) == "' 8,3 ' for I.1: not a multiple of 0.5; expected 0 to 25 in steps of 0.5"


def test_the_error_for_a_yesno_criterion_names_the_answers(party: Criterion) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score("maybe", party, STEP)

    assert str(refused.value) == "'maybe' for IV.1: expected yes or no (có/không), 0 or 5"


@pytest.mark.parametrize(
    "typed",
    ["có", "Có", "CÓ", "co", "đạt", "Đạt", "ĐẠT", "dat", "yes", "Y", "x", "OK", "1", " có ",
     "5", "5,0", "5.0"],
)  # fmt: skip
def test_yes_on_a_yesno_criterion_gives_full_marks(party: Criterion, typed: str) -> None:
    assert parse_score(typed, party, STEP) == Decimal(5)


@pytest.mark.parametrize(
    "typed",
    ["không", "Không", "khong", "ko", "K", "chưa đạt", "Chưa Đạt", "chua dat", "chưa  đạt",
     "không đạt", "khong dat", "no", "N", "0", "0,0"],
)  # fmt: skip
def test_no_on_a_yesno_criterion_gives_zero(party: Criterion, typed: str) -> None:
    assert parse_score(typed, party, STEP) == Decimal(0)


def test_yes_typed_with_decomposed_diacritics_is_understood(party: Criterion) -> None:
    decomposed = "đa\u0323t"  # "đạt" as some keyboards send it: a + combining dot below
    assert parse_score(decomposed, party, STEP) == Decimal(5)


@pytest.mark.parametrize("typed", ["2,5", "3", "6", "-5", "maybe", "", "có không", "yesno"])
def test_anything_else_on_a_yesno_criterion_is_refused(party: Criterion, typed: str) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, party, STEP)

    assert refused.value.problem is ScoreProblem.YESNO_EXPECTED


def test_a_step_that_is_not_positive_is_a_programming_error(task: Criterion) -> None:
    with pytest.raises(ValueError, match="step"):
        parse_score("8", task, Decimal(0))


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("8.5", "8,5", "8.5"),
        ("8.50", "8,5", "8.5"),
        ("28", "28", "28"),
        ("28.0", "28", "28"),
        ("2.8E+1", "28", "28"),
        ("1E+2", "100", "100"),
        ("0.00", "0", "0"),
        ("-0", "0", "0"),
        ("-3.5", "-3,5", "-3.5"),
        ("102.25", "102,25", "102.25"),
        ("0.0000001", "0,0000001", "0.0000001"),
    ],
)
def test_points_are_written_the_way_each_language_writes_them(
    value: str, vi: str, en: str
) -> None:
    assert format_points(Decimal(value), "vi") == vi
    assert format_points(Decimal(value), "en") == en


@pytest.mark.parametrize("locale", ["vi_VN", "vi-VN", "VI"])
def test_regional_vietnamese_locales_use_a_decimal_comma(locale: str) -> None:
    assert format_points(Decimal("8.5"), locale) == "8,5"


def test_what_is_shown_reads_back_as_the_same_score(task: Criterion) -> None:
    shown = format_points(Decimal("12.5"), "vi")

    assert parse_score(shown, task, STEP) == Decimal("12.5")


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_points_that_are_not_finite_cannot_be_shown(value: str) -> None:
    with pytest.raises(ValueError):
        format_points(Decimal(value), "vi")
