"""The values of a bloc file: text, codes, points, times, reminders, as pydantic types.

Each type reads what YAML gave the way people write it (``8,5`` for 8.5, ``7 ngày`` for 7d) and
refuses the rest with the message people read, already translated (``refuse``); pydantic's own
errors are worded in ``bot.blocfile.model``. The sections of the file are made of these
types there, and the rules across entries (``bot.blocfile.rules``) read values with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainValidator,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from bot.blocfile.loader import SplitText
from bot.domain.calendar import DEFAULT_HOURS, WEEKDAYS, parse_hours
from bot.domain.criteria import CriterionKind, GroupKind
from bot.domain.rules import TieBreak, parse_tie_break
from bot.domain.typed import parse_local_datetime, parse_offset
from bot.domain.year import PictureKind, ReviewMode
from bot.i18n import LOCALES, N_, _

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LOCALE = "vi"
DEFAULT_STEP = Decimal("0.5")
MAX_AGENCIES = 50
MAX_SLUG = 64  # bloc, agency and event codes
MAX_CRITERION_CODE = 16  # group and criterion codes
MAX_POINTS = Decimal(1000)
MAX_STEP_PLACES = 3
MAX_REMIND_DAYS = 366
YEARS = (2000, 2100)
MAX_SHORT_NAME = 60
MAX_HOLIDAYS = 400  # days, ranges counted day by day
PLATFORMS = ("telegram", "zalo")
MAX_OBJECTION_DAYS = 60
MAX_EVIDENCE_MB = 50
SLUG_PATTERN = r"^[a-z0-9-]+$"
CODE_PATTERN = r"^\S+$"

# Accepted criterion kinds per group kind; the first is the default. ``score`` in a bonus group
# is what people write for an ordinary bonus criterion, so it is read as ``bonus``.
CRITERION_KINDS = {
    GroupKind.SCORE: {"score": CriterionKind.SCORE, "yesno": CriterionKind.YESNO},
    GroupKind.BONUS: {
        "bonus": CriterionKind.BONUS,
        "score": CriterionKind.BONUS,
        "yesno": CriterionKind.YESNO,
    },
    GroupKind.DEDUCTION: {"deduction": CriterionKind.DEDUCTION, "yesno": CriterionKind.YESNO},
}

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {name: day for names in (WEEKDAYS, _DAY_NAMES) for day, name in enumerate(names)}
NIGHT: tuple[time | None, time | None] = parse_hours(DEFAULT_HOURS)  # the default quiet hours
_T = TypeVar("_T")

Loc = tuple[str | int, ...]  # where a value is: keys and list indexes, as pydantic gives them
Found = tuple[Loc, str]  # a problem: where, and the message people read


def path_of(loc: Loc) -> str:
    """``season.criteria[1].items[0].max`` for its loc."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def refuse(message: str, **values: object) -> PydanticCustomError:
    """An error that says ``message`` (translated) as it is, its ``{names}`` filled in."""
    return PydanticCustomError("blocfile", _(message).format(**values))


# -- the values


def _written(value: object, info: ValidationInfo) -> object:
    """Text as written, stripped ("" for none); a whole number is text too (``code: 1``)."""
    if isinstance(value, SplitText):
        message = N_('contains a comma; put the whole text in quotes, like {key}: "{value}"')
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')  # as YAML reads it back
        raise refuse(message, key=info.field_name or "title", value=quoted)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


# the validator last: it runs first, on what YAML gave, and the constraints see its text
_AS_WRITTEN = BeforeValidator(_written)
OptionalText = Annotated[str, StringConstraints(strict=True), _AS_WRITTEN]
Text = Annotated[str, StringConstraints(strict=True, min_length=1), _AS_WRITTEN]
Slug = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=MAX_SLUG, pattern=SLUG_PATTERN),
    _AS_WRITTEN,
]
Code = Annotated[
    str,
    StringConstraints(
        strict=True, min_length=1, max_length=MAX_CRITERION_CODE, pattern=CODE_PATTERN
    ),
    _AS_WRITTEN,
]
ShortName = Annotated[str, StringConstraints(strict=True, max_length=MAX_SHORT_NAME), _AS_WRITTEN]
TEXT: TypeAdapter[str] = TypeAdapter(Text)


def _one_of(accepted: Iterable[str], message: str) -> AfterValidator:
    """A word of ``accepted``, case-insensitive, in lower case; "" when none is given."""
    words = tuple(accepted)

    def check(word: str) -> str:
        if word and word.casefold() not in words:
            raise refuse(message, value=word, accepted=", ".join(words))
        return word.casefold()

    return AfterValidator(check)


Locale = Annotated[
    OptionalText, _one_of(LOCALES, N_("unknown locale “{value}”; accepted: {accepted}"))
]
Platform = Annotated[
    OptionalText, _one_of(PLATFORMS, N_("unknown platform “{value}”; accepted: {accepted}"))
]
GroupKindWord = Annotated[
    OptionalText, _one_of(GroupKind, N_("unknown kind “{value}”; accepted: {accepted}"))
]


def _number(value: object) -> object:
    """``8``, ``8.5`` or ``"8,5"`` as a Decimal; a YAML float is read as written, never through
    float arithmetic."""
    if value is None:
        return None
    number = None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise refuse(N_("must be a number like 8 or 8,5"))
    return number


Points = Annotated[Decimal, BeforeValidator(_number), Field(gt=0, le=MAX_POINTS)]
Step = Annotated[Points, Field(decimal_places=MAX_STEP_PLACES)]
Count = Annotated[int, Strict(), Field(ge=1)]
Share = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, lt=1)]  # 0.5: half
Penalty = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=MAX_POINTS)]
Days = Annotated[int, Strict(), Field(ge=0, le=MAX_OBJECTION_DAYS)]
Megabytes = Annotated[int, Strict(), Field(ge=1, le=MAX_EVIDENCE_MB)]
ReviewWord = Annotated[
    OptionalText, _one_of(ReviewMode, N_("unknown review “{value}”; accepted: {accepted}"))
]
PictureWord = Annotated[
    Text, _one_of(PictureKind, N_("unknown picture “{value}”; accepted: {accepted}"))
]


def _pictures(value: object) -> object:
    """``true`` for every kind of picture, ``false`` or nothing for none, else the list as it
    is, its words checked one by one."""
    if value is None or value is False:
        return []
    if value is True:
        return [kind.value for kind in PictureKind]
    if isinstance(value, list):
        return value
    message = N_("must be true, false or a list of some of: {accepted}")
    raise refuse(message, accepted=", ".join(PictureKind))


Pictures = Annotated[list[PictureWord], BeforeValidator(_pictures)]


def _year(year: int) -> int:
    if not YEARS[0] <= year <= YEARS[1]:
        raise refuse(N_("must be from {low} to {high}"), low=YEARS[0], high=YEARS[1])
    return year


def _moment(value: object) -> datetime:
    """A local time ``YYYY-MM-DD HH:MM``; a bare date is not enough."""
    if isinstance(value, datetime):  # written unquoted with seconds, YAML made it a time
        return value
    if (
        isinstance(value, str)
        and (moment := parse_local_datetime(value, None, iso=True)) is not None
    ):
        return moment
    if value is None:
        raise refuse(N_("required"))
    message = N_("“{value}” is not a date and time; use YYYY-MM-DD HH:MM, like 2025-11-20 17:00")
    raise refuse(message, value=value)


def _offset(value: object) -> timedelta:
    """How long before an event to remind: ``7d``, ``2h``, ``30m`` (``7 ngày``, ``2 giờ``,
    ``30 phút`` too)."""
    text = TEXT.validate_python(value)
    offset = parse_offset(text)
    if offset is None:
        message = N_("“{value}” is not an offset; use a number and d, h or m, like 7d, 2h or 30m")
        raise refuse(message, value=text)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        raise refuse(N_("must be greater than 0"))
    if minutes > MAX_REMIND_DAYS * 24 * 60:
        raise refuse(N_("must be at most {days} days"), days=MAX_REMIND_DAYS)
    return timedelta(minutes=minutes)


def _tie_break(value: object) -> TieBreak:
    text = TEXT.validate_python(value)
    try:
        return parse_tie_break(text)
    except ValueError:
        message = N_("unknown tie-break “{value}”; use group:<code>, deductions or submitted_at")
        raise refuse(message, value=text) from None


def _hours(value: object) -> tuple[time | None, time | None]:
    """``"21:00-07:00"``, or false for none; nothing: the nightly default."""
    if value is None:
        return NIGHT
    if value is False:
        return None, None
    try:
        return parse_hours(value if isinstance(value, str) else "")
    except ValueError:
        message = N_(
            "“{value}” is not a time span; use HH:MM-HH:MM like “21:00-07:00”, or false for none"
        )
        raise refuse(message, value=value) from None


def _weekday(value: object) -> int:
    word = TEXT.validate_python(value).casefold()
    if word not in _DAYS:
        message = N_("unknown day “{value}”; accepted: {accepted}")
        raise refuse(message, value=word, accepted=", ".join(WEEKDAYS))
    return _DAYS[word]


def _holiday(value: object) -> tuple[date, date]:
    """A date, ``2025-09-02``, or a range of them, ``2026-02-14..2026-02-22``: first and last."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value, value  # written unquoted, YAML made it a date
    text = TEXT.validate_python(value)
    first, _dots, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
    except ValueError:
        message = N_(
            "“{value}” is not a date; use YYYY-MM-DD like 2025-09-02, or a range like "
            "2026-02-14..2026-02-22"
        )
        raise refuse(message, value=text) from None
    if end < start:
        raise refuse(N_("the range ends before it starts"))
    return start, end


def holiday_days(ranges: Iterable[tuple[date, date]]) -> list[date]:
    """Every day of the ranges."""
    return [
        start + timedelta(days=n) for start, end in ranges for n in range((end - start).days + 1)
    ]


Moment = Annotated[datetime, PlainValidator(_moment)]  # naive (the bloc's zone) unless YAML said
Offset = Annotated[timedelta, PlainValidator(_offset)]
TieBreakRule = Annotated[TieBreak, PlainValidator(_tie_break)]
Weekday = Annotated[int, PlainValidator(_weekday)]
Holiday = Annotated[tuple[date, date], PlainValidator(_holiday)]
QuietHours = Annotated[tuple[time | None, time | None], PlainValidator(_hours)]
Year = Annotated[int, Strict(), AfterValidator(_year)]


def read(kind: TypeAdapter[_T], value: object) -> _T | None:
    """``value`` read as ``kind``; None when it is not one."""
    try:
        return kind.validate_python(value)
    except ValidationError:
        return None
