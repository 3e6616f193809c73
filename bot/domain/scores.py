"""Reading a score as people type it in chat, and writing points back for them."""

from __future__ import annotations

from decimal import Context, Decimal, localcontext
from enum import StrEnum
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal

from bot.domain.criteria import Criterion
from bot.domain.typed import fold, read_number

# Yes/no answers, compared after dropping case and Vietnamese diacritics (see fold). No digits:
# on a yes/no criterion a number is a number, 0 or the maximum (see _parse_yesno).
YES_WORDS = frozenset({"có", "co", "đạt", "dat", "yes", "y", "x", "ok"})
NO_WORDS = frozenset(
    {"không", "khong", "ko", "k", "chưa đạt", "chua dat", "không đạt", "khong dat", "no", "n"}
)

_SHOWN = 60  # characters of the typed text that an error message repeats

# How points are written: Vietnamese, and English for any other language.
_VIETNAMESE, _ENGLISH = Locale.parse("vi"), Locale.parse("en")


class ScoreProblem(StrEnum):
    """Why a typed score was refused."""

    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    ABOVE_MAX = "above_max"
    OFF_STEP = "off_step"  # not a multiple of the table's step (thang điểm lẻ 0,5...)
    YESNO_EXPECTED = "yesno_expected"  # đạt / không đạt
    AMBIGUOUS = "ambiguous"  # "1.000": 1 with a decimal point, or 1000 with a thousands dot


class ScoreError(ValueError):
    """A typed score that was refused: the attributes say what is wrong and what is accepted.

    ``value`` is the number that was read, or None when the text was not a number (or, for a
    yes/no criterion, not a number at all) or could be read two ways. ``readings`` are those
    two ways for AMBIGUOUS, the decimal one first: (1, 1000) for ``1.000``; else empty.
    """

    def __init__(
        self,
        problem: ScoreProblem,
        text: str,
        criterion: Criterion,
        step: Decimal,
        value: Decimal | None = None,
        readings: tuple[Decimal, ...] = (),
    ) -> None:
        self.problem = problem
        self.text = text
        self.criterion = criterion
        self.step = step
        self.value = value
        self.readings = readings
        super().__init__(self._describe())

    @property
    def maximum(self) -> Decimal:
        """The criterion's maximum: the highest value accepted."""
        return self.criterion.max

    def _describe(self) -> str:
        maximum = format_points(self.criterion.max, "en")
        step = format_points(self.step, "en")
        typed = self.text if len(self.text) <= _SHOWN else self.text[: _SHOWN - 1] + "…"
        what = f"{typed!r} for {self.criterion.code}"
        match self.problem:
            case ScoreProblem.YESNO_EXPECTED:
                return f"{what}: expected yes or no (có/không), 0 or {maximum}"
            case ScoreProblem.AMBIGUOUS:
                ways = " or ".join(format_points(value, "en") for value in self.readings)
                return f"{what}: ambiguous, {ways}; write the number without a thousands separator"
            case ScoreProblem.NOT_A_NUMBER:
                reason = "not a number"
            case ScoreProblem.NEGATIVE:
                reason = "negative"
            case ScoreProblem.ABOVE_MAX:
                reason = f"above the maximum {maximum}"
            case ScoreProblem.OFF_STEP:
                reason = f"not a multiple of {step}"
        return f"{what}: {reason}; expected 0 to {maximum} in steps of {step}"


def parse_score(text: str, criterion: Criterion, step: Decimal) -> Decimal:
    """Read a score typed for ``criterion`` (``8,5`` or ``8.5``); ScoreError says what is wrong.

    Any text gives a value from 0 to the maximum on the step, or ScoreError: never another
    exception, whatever its length. A yes/no criterion takes a yes/no word (``có``, ``đạt``,
    ``không``, ``chưa đạt``... with or without diacritics), ``0`` or its maximum, and gives the
    maximum or zero.
    """
    if step <= 0:
        raise ValueError(f"the score step must be positive, not {step}")
    if criterion.is_yesno:
        return _parse_yesno(text, criterion, step)
    readings = read_number(text)
    if not readings:
        raise ScoreError(ScoreProblem.NOT_A_NUMBER, text, criterion, step)
    value = readings[0]
    if value < 0:
        raise ScoreError(ScoreProblem.NEGATIVE, text, criterion, step, value)
    if len(readings) > 1:
        raise ScoreError(ScoreProblem.AMBIGUOUS, text, criterion, step, readings=readings)
    if value > criterion.max:
        raise ScoreError(ScoreProblem.ABOVE_MAX, text, criterion, step, value)
    if not is_multiple(value, step):
        raise ScoreError(ScoreProblem.OFF_STEP, text, criterion, step, value)
    return value


def sample_score(criterion: Criterion, step: Decimal) -> Decimal:
    """A score to show as an example: on the step, from 0 to the maximum, below it if it can."""
    if step <= 0:
        raise ValueError(f"the score step must be positive, not {step}")
    maximum = max(criterion.max, Decimal(0))
    with localcontext(_exact(maximum, step)):
        top = (maximum // step) * step  # the highest multiple of the step up to the maximum
        below = top - step if top == maximum else top
    return plain(max(below, Decimal(0)))


def is_multiple(value: Decimal, step: Decimal) -> bool:
    """Whether ``value`` is a whole number of ``step`` (both finite), exactly at any length."""
    with localcontext(_exact(value, step)):
        return value % step == 0


@lru_cache(maxsize=4096)  # a bloc's sheets show the same few values again and again
def format_points(value: Decimal, locale: str) -> str:
    """Points as people write them: ``8,5`` in Vietnamese, ``8.5`` in English (any other
    language too), ``28`` whole; every digit, never grouped (``1000``) nor rounded."""
    if not value.is_finite():
        raise ValueError(f"points must be a finite number, not {value}")
    shown = plain(value)
    language = locale.replace("-", "_").split("_")[0].casefold()
    _sign, digits, exponent = shown.as_tuple()
    assert isinstance(exponent, int)  # finite
    # Babel rounds to at least 3 decimals in the current context: room for every digit.
    with localcontext(Context(prec=len(digits) + abs(exponent) + 4)):
        return format_decimal(
            shown,
            locale=_VIETNAMESE if language == "vi" else _ENGLISH,
            group_separator=False,
            decimal_quantization=False,
        )


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros or exponent: ``8.50`` -> ``8.5``, ``2.8E1`` -> 28."""
    if value == 0:
        return Decimal(0)
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return value  # NaN or infinity: nothing to tidy
    if exponent == 0 or (exponent < 0 and digits[-1] != 0):
        return value  # 28, 8.5: plain already (most values, and a context costs more)
    # Precision for every digit of the result, so that a long number is neither rounded nor
    # refused (quantize() needs 29 digits for 29 digits, whatever the default context says).
    with localcontext(Context(prec=max(28, len(digits) + max(exponent, 0) + 1))):
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


def _exact(value: Decimal, step: Decimal) -> Context:
    """A context whose precision holds ``value // step`` whole, so ``%`` and ``//`` are exact."""
    return Context(prec=max(28, value.adjusted() - step.adjusted() + 3))


def _parse_yesno(text: str, criterion: Criterion, step: Decimal) -> Decimal:
    answer = fold(text, caseless=True)
    if answer in _YES:
        return plain(criterion.max)
    if answer in _NO:
        return Decimal(0)
    readings = read_number(text)
    value = readings[0] if len(readings) == 1 else None
    if value is not None and value in (0, criterion.max):
        return plain(value)
    if criterion.max in readings:
        raise ScoreError(ScoreProblem.AMBIGUOUS, text, criterion, step, readings=readings)
    raise ScoreError(ScoreProblem.YESNO_EXPECTED, text, criterion, step, value)


_YES = frozenset(fold(word, caseless=True) for word in YES_WORDS)
_NO = frozenset(fold(word, caseless=True) for word in NO_WORDS)
