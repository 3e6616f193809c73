"""Reading scores as people type them in chat, and showing points back."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from bot.domain.criteria import Criterion, CriterionKind, ScoringTable
from bot.domain.scores import (
    ScoreError,
    ScoreProblem,
    format_points,
    is_multiple,
    parse_score,
    plain,
    sample_score,
)

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
    ["", "   ", "abc", "8.5.1", "8,5,1", "24,5,5", "1,000.5", "1.000,5", "nan", "NaN", "inf",
     "-inf", "Infinity", "sNaN", "1e2", "1E1", "1e309", "8 5", "1 000", "8,", "8.", "+", "-",
     ",", ".", "½", "²", "①", "⑧", "Ⅷ", "0x10", "8đ", "8\x00", "\x00", "8\u200b", "٫5"],
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


@pytest.mark.parametrize("typed", ["-0", "−0", "-0,0", "+0"])
def test_minus_zero_is_just_zero(task: Criterion, typed: str) -> None:
    assert str(parse_score(typed, task, STEP)) == "0"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("８,５", "8.5"), ("８．５", "8.5"), ("２０", "20"), ("٨", "8"), ("٢٤,٥", "24.5"),
     ("८", "8"), ("＋８", "8"), ("\u3000８\u3000", "8")],
)  # fmt: skip
def test_digits_of_other_scripts_read_as_the_same_digits(
    task: Criterion, typed: str, expected: str
) -> None:
    assert str(parse_score(typed, task, STEP)) == expected


def test_a_full_width_minus_is_a_minus(task: Criterion) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score("－８", task, STEP)

    assert refused.value.problem is ScoreProblem.NEGATIVE


@pytest.mark.parametrize(
    ("typed", "decimal", "thousands"),
    [("1.000", "1", "1000"), ("1,000", "1", "1000"), ("8,500", "8.5", "8500"),
     ("12.345", "12.345", "12345"), ("100.000", "100", "100000"), ("+2,500", "2.5", "2500")],
)  # fmt: skip
def test_three_digits_after_the_separator_can_be_a_thousands_separator(
    task: Criterion, typed: str, decimal: str, thousands: str
) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    error = refused.value
    assert error.problem is ScoreProblem.AMBIGUOUS
    assert error.value is None
    assert error.readings == (Decimal(decimal), Decimal(thousands))
    assert str(error) == (
        f"{typed!r} for I.1: ambiguous, {decimal} or {thousands}; "
        "write the number without a thousands separator"
    )


@pytest.mark.parametrize(
    ("typed", "expected"), [("0,750", "0.75"), ("0.500", "0.5"), (",500", "0.5"), ("8,50", "8.5"),
                            ("8,5000", "8.5"), ("1000.000", "1000")],
)  # fmt: skip
def test_a_number_that_reads_one_way_only_is_not_ambiguous(
    typed: str, expected: str, task: Criterion
) -> None:
    try:
        value = parse_score(typed, task, Decimal("0.25"))
    except ScoreError as error:
        assert error.problem is ScoreProblem.ABOVE_MAX
        value = error.value
    assert str(value) == expected


def test_a_negative_number_with_three_decimals_is_negative_either_way(task: Criterion) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score("-1.000", task, STEP)

    assert refused.value.problem is ScoreProblem.NEGATIVE


@pytest.mark.parametrize("digits", [29, 30, 100, 10_000])
def test_a_number_with_very_many_digits_is_above_the_maximum(task: Criterion, digits: int) -> None:
    typed = "9" * digits

    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    error = refused.value
    assert error.problem is ScoreProblem.ABOVE_MAX
    assert error.value == Decimal(typed)
    assert len(str(error)) < 200  # the message does not repeat ten thousand digits
    assert format_points(error.value, "vi") == typed  # and the value can still be shown


def test_very_many_decimals_are_off_the_step_not_rounded_onto_it(task: Criterion) -> None:
    typed = "8,5" + "0" * 40 + "1"

    with pytest.raises(ScoreError) as refused:
        parse_score(typed, task, STEP)

    assert refused.value.problem is ScoreProblem.OFF_STEP
    assert refused.value.value == Decimal(typed.replace(",", "."))


def test_trailing_zeros_after_many_decimals_are_still_the_same_score(task: Criterion) -> None:
    assert str(parse_score("8,5" + "0" * 40, task, STEP)) == "8.5"
    assert str(parse_score("0" * 40 + "8", task, STEP)) == "8"


def test_a_million_digits_are_refused_quickly(task: Criterion) -> None:
    started = time.perf_counter()
    for typed in ("9" * 1_000_000, "1," + "1" * 1_000_000, "٩" * 100_000):
        with pytest.raises(ScoreError):
            parse_score(typed, task, STEP)

    assert time.perf_counter() - started < 2


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
    ["có", "Có", "CÓ", "co", "đạt", "Đạt", "ĐẠT", "dat", "yes", "Y", "x", "OK", " có ",
     "5", "5,0", "5.0", "+5", "５"],
)  # fmt: skip
def test_yes_on_a_yesno_criterion_gives_full_marks(party: Criterion, typed: str) -> None:
    assert parse_score(typed, party, STEP) == Decimal(5)


@pytest.mark.parametrize(
    "typed",
    ["không", "Không", "khong", "ko", "K", "chưa đạt", "Chưa Đạt", "chua dat", "chưa  đạt",
     "không đạt", "khong dat", "no", "N", "0", "0,0", "-0", "０"],
)  # fmt: skip
def test_no_on_a_yesno_criterion_gives_zero(party: Criterion, typed: str) -> None:
    assert parse_score(typed, party, STEP) == Decimal(0)


def test_yes_typed_with_decomposed_diacritics_is_understood(party: Criterion) -> None:
    decomposed = "đa\u0323t"  # "đạt" as some keyboards send it: a + combining dot below
    assert parse_score(decomposed, party, STEP) == Decimal(5)


@pytest.mark.parametrize(
    "typed",
    ["2,5", "3", "6", "-5", "maybe", "", "có không", "yesno", "1", "1,0", "9" * 40, "²", "1.000"],
)
def test_anything_else_on_a_yesno_criterion_is_refused(party: Criterion, typed: str) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, party, STEP)

    assert refused.value.problem is ScoreProblem.YESNO_EXPECTED


def test_one_on_a_yesno_criterion_worth_one_is_yes() -> None:
    worth_one = Criterion("IV.9", "Đạt chuẩn", Decimal(1), CriterionKind.YESNO)

    assert parse_score("1", worth_one, STEP) == Decimal(1)
    assert parse_score("0", worth_one, STEP) == Decimal(0)


def test_the_maximum_written_with_three_zeros_on_a_yesno_criterion_is_ambiguous(
    party: Criterion,
) -> None:
    with pytest.raises(ScoreError) as refused:
        parse_score("5.000", party, STEP)

    assert refused.value.problem is ScoreProblem.AMBIGUOUS
    assert refused.value.readings == (Decimal(5), Decimal(5000))


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
        ("1000.5", "1000,5", "1000.5"),  # never a thousands separator: it would read two ways
        ("123456", "123456", "123456"),
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


@pytest.mark.parametrize("locale", ["en_US", "fr", ""])
def test_any_other_language_uses_a_decimal_point(locale: str) -> None:
    assert format_points(Decimal("8.5"), locale) == "8.5"


def test_what_is_shown_reads_back_as_the_same_score(task: Criterion) -> None:
    shown = format_points(Decimal("12.5"), "vi")

    assert parse_score(shown, task, STEP) == Decimal("12.5")


def test_points_with_many_digits_are_shown_whole() -> None:
    assert format_points(Decimal("1" * 40), "vi") == "1" * 40
    assert format_points(Decimal("1" * 40 + ".50"), "vi") == "1" * 40 + ",5"
    assert format_points(Decimal("1E+40"), "en") == "1" + "0" * 40
    assert str(plain(Decimal("0." + "0" * 40 + "10"))) == "1E-41"


@pytest.mark.parametrize(
    ("maximum", "step", "example"),
    [("25", "0.5", "24.5"), ("10", "1", "9"), ("2.25", "0.5", "2"), ("0.5", "1", "0"),
     ("0.5", "0.5", "0"), ("0", "0.5", "0"), ("7.5", "0.25", "7.25")],
)  # fmt: skip
def test_the_sample_score_is_one_the_criterion_accepts(
    maximum: str, step: str, example: str
) -> None:
    criterion = Criterion("I.9", "Ví dụ", Decimal(maximum))

    sample = sample_score(criterion, Decimal(step))

    assert str(sample) == example
    assert parse_score(format_points(sample, "vi"), criterion, Decimal(step)) == sample


@pytest.mark.parametrize(
    ("value", "step", "multiple"),
    [("8.5", "0.5", True), ("8.25", "0.5", False), ("1" * 40, "1", True),
     ("1" * 40 + ".5", "0.5", True), ("1" * 40 + ".25", "0.5", False), ("-1.5", "0.5", True)],
)  # fmt: skip
def test_a_multiple_of_the_step_is_exact_at_any_length(
    value: str, step: str, multiple: bool
) -> None:
    assert is_multiple(Decimal(value), Decimal(step)) is multiple


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_points_that_are_not_finite_cannot_be_shown(value: str) -> None:
    with pytest.raises(ValueError):
        format_points(Decimal(value), "vi")
