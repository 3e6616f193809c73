"""Properties of reading scores: any text at all gives a score the table accepts, or a refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.criteria import Criterion, CriterionKind
from bot.domain.scores import ScoreError, ScoreProblem, format_points, parse_score, plain

PROPERTIES = settings(max_examples=400, database=None, deadline=None)

CRITERIA = st.sampled_from(
    [
        Criterion("I.1", "Nhiệm vụ chuyên môn", Decimal(25)),
        Criterion("I.2", "Chỉ tiêu", Decimal("7.5")),
        Criterion("I.3", "Tối đa lẻ", Decimal("2.25")),
        Criterion("I.4", "Không điểm", Decimal(0)),
        Criterion("IV.1", "Tổ chức đảng", Decimal(5), CriterionKind.YESNO),
        Criterion("IV.2", "Đạt chuẩn", Decimal(1), CriterionKind.YESNO),
    ]
)
STEPS = st.sampled_from([Decimal("0.5"), Decimal("0.25"), Decimal(1), Decimal("0.1")])

# Characters that numbers are made of, in several scripts, and what looks like them.
NUMBERISH = st.text(
    alphabet=st.sampled_from(list("0123456789.,+-−  eE_xn٫²①½８，．－٣०\u00a0\x00")),
    max_size=40,
)
# Long runs of digits, with a separator somewhere, to reach past any context precision.
LONG = st.builds(
    lambda whole, separator, fraction: whole + separator + fraction,
    st.text(alphabet="0123456789", min_size=1, max_size=400),
    st.sampled_from(["", ",", "."]),
    st.text(alphabet="0123456789", max_size=400),
)
ANY_TEXT = st.one_of(st.text(), NUMBERISH, LONG)


def _accepted_or_refused(text: str, criterion: Criterion, step: Decimal) -> None:
    try:
        value = parse_score(text, criterion, step)
    except ScoreError as error:
        assert error.problem in ScoreProblem
        assert (error.text, error.criterion, error.step) == (text, criterion, step)
        assert str(error)  # the description itself never fails
        return
    assert isinstance(value, Decimal) and value.is_finite()
    assert 0 <= value <= criterion.max
    if criterion.is_yesno:
        assert value in (0, criterion.max)
    else:
        assert value % step == 0
    assert str(value) == format_points(value, "en")  # no exponent, no trailing zeros, no "-0"


@PROPERTIES
@given(text=ANY_TEXT, criterion=CRITERIA, step=STEPS)
@example(text="1" * 29, criterion=Criterion("I.1", "", Decimal(25)), step=Decimal("0.5"))
@example(text="9" * 10_000, criterion=Criterion("I.1", "", Decimal(25)), step=Decimal("0.5"))
@example(text="8," + "0" * 40 + "1", criterion=Criterion("I.1", "", Decimal(25)), step=Decimal(1))
@example(text="NaN", criterion=Criterion("I.1", "", Decimal(25)), step=Decimal("0.5"))
@example(text="1e309", criterion=Criterion("I.1", "", Decimal(25)), step=Decimal("0.5"))
@example(text="²", criterion=Criterion("I.1", "", Decimal(25)), step=Decimal("0.5"))
def test_any_text_gives_an_accepted_score_or_a_score_error(
    text: str, criterion: Criterion, step: Decimal
) -> None:
    _accepted_or_refused(text, criterion, step)


@PROPERTIES
@given(
    criterion=CRITERIA.filter(lambda criterion: not criterion.is_yesno),
    step=st.sampled_from([Decimal("0.5"), Decimal("0.25"), Decimal(1)]),
    units=st.integers(min_value=0, max_value=100),
    locale=st.sampled_from(["vi", "en"]),
)
def test_every_score_the_bot_shows_reads_back_as_itself(
    criterion: Criterion, step: Decimal, units: int, locale: str
) -> None:
    value = step * units
    if value > criterion.max:
        return

    assert parse_score(format_points(value, locale), criterion, step) == value


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_a_thousandth_step_would_make_some_shown_scores_ambiguous(locale: str) -> None:
    # Why tables keep to steps of 0,5 or 0,25: "1,125" also reads as one thousand one hundred...
    criterion = Criterion("I.1", "", Decimal(25))

    with pytest.raises(ScoreError) as refused:
        parse_score(format_points(Decimal("1.125"), locale), criterion, Decimal("0.125"))

    assert refused.value.problem is ScoreProblem.AMBIGUOUS


@PROPERTIES
@given(
    st.decimals(allow_nan=False, allow_infinity=False)
    | st.builds(Decimal, st.integers(-(10**40), 10**40)).map(lambda d: d.scaleb(-3))
)
@example(Decimal("8.50"))
@example(Decimal("2.8E1"))
@example(Decimal("-0.000"))
def test_a_plain_number_is_the_same_number_without_trailing_zeros_or_exponent(
    value: Decimal,
) -> None:
    tidied = plain(value)

    assert tidied == value
    _sign, digits, exponent = tidied.as_tuple()
    assert isinstance(exponent, int)
    assert exponent <= 0 or tidied == 0
    assert exponent == 0 or digits[-1] != 0
