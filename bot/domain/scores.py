"""Reading a score as people type it in chat, and writing points back for them."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from enum import StrEnum

from bot.domain.criteria import Criterion

# Digits with at most one decimal separator, either "," or "."; a leading sign.
# No thousands separators, no exponent, no "nan"/"inf": chat input, not Python literals.
_NUMBER = re.compile(r"(?P<sign>[+\-−]?)(?P<digits>[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)")

# Yes/no answers, compared after dropping case and Vietnamese diacritics (see _fold).
YES_WORDS = frozenset({"có", "co", "đạt", "dat", "yes", "y", "x", "ok", "1"})
NO_WORDS = frozenset(
    {"không", "khong", "ko", "k", "chưa đạt", "chua dat", "không đạt", "khong dat", "no", "n", "0"}
)


class ScoreProblem(StrEnum):
    """Why a typed score was refused."""

    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    ABOVE_MAX = "above_max"
    OFF_STEP = "off_step"  # not a multiple of the table's step (thang điểm lẻ 0,5...)
    YESNO_EXPECTED = "yesno_expected"  # đạt / không đạt


class ScoreError(ValueError):
    """A typed score that was refused: the attributes say what is wrong and what is accepted.

    ``value`` is the number that was read, or None when the text was not a number (or, for a
    yes/no criterion, not a number at all).
    """

    def __init__(
        self,
        problem: ScoreProblem,
        text: str,
        criterion: Criterion,
        step: Decimal,
        value: Decimal | None = None,
    ) -> None:
        self.problem = problem
        self.text = text
        self.criterion = criterion
        self.step = step
        self.value = value
        super().__init__(self._describe())

    @property
    def maximum(self) -> Decimal:
        """The criterion's maximum: the highest value accepted."""
        return self.criterion.max

    def _describe(self) -> str:
        maximum = format_points(self.criterion.max, "en")
        step = format_points(self.step, "en")
        what = f"{self.text!r} for {self.criterion.code}"
        match self.problem:
            case ScoreProblem.YESNO_EXPECTED:
                return f"{what}: expected yes or no (có/không), 0 or {maximum}"
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

    A yes/no criterion takes a yes/no word (``có``, ``đạt``, ``không``, ``chưa đạt``... with or
    without diacritics), ``0`` or its maximum, and gives the maximum or zero.
    """
    if step <= 0:
        raise ValueError(f"the score step must be positive, not {step}")
    if criterion.is_yesno:
        return _parse_yesno(text, criterion, step)
    value = _read_number(text)
    if value is None:
        raise ScoreError(ScoreProblem.NOT_A_NUMBER, text, criterion, step)
    if value < 0:
        raise ScoreError(ScoreProblem.NEGATIVE, text, criterion, step, value)
    if value > criterion.max:
        raise ScoreError(ScoreProblem.ABOVE_MAX, text, criterion, step, value)
    if value % step != 0:
        raise ScoreError(ScoreProblem.OFF_STEP, text, criterion, step, value)
    return value


def format_points(value: Decimal, locale: str) -> str:
    """Points as people write them: ``8,5`` in Vietnamese, ``8.5`` in English, ``28`` whole."""
    if not value.is_finite():
        raise ValueError(f"points must be a finite number, not {value}")
    digits = format(plain(value), "f")
    language = locale.replace("-", "_").split("_")[0].casefold()
    return digits.replace(".", ",") if language == "vi" else digits


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros or exponent: ``8.50`` -> ``8.5``, ``2.8E1`` -> 28."""
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _read_number(text: str) -> Decimal | None:
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    value = plain(Decimal(match["digits"].replace(",", ".")))
    return -value if match["sign"] in ("-", "−") and value else value


def _parse_yesno(text: str, criterion: Criterion, step: Decimal) -> Decimal:
    answer = _fold(text)
    if answer in _YES:
        return plain(criterion.max)
    if answer in _NO:
        return Decimal(0)
    value = _read_number(text)
    if value is not None and value in (0, criterion.max):
        return value
    raise ScoreError(ScoreProblem.YESNO_EXPECTED, text, criterion, step, value)


def _fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: ``  Chưa  ĐẠT `` -> ``chua dat``."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


_YES = frozenset(_fold(word) for word in YES_WORDS)
_NO = frozenset(_fold(word) for word in NO_WORDS)
