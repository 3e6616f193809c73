"""What people type, read one way everywhere: words without case or diacritics, numbers
(``8,5`` or ``8.5``), reminder offsets (``7d``, ``7 ngày``) and local dates and times
(``20/11/2025 17:00``). Pure functions: chat, the console and the bloc file all use them."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

# Digits with at most one decimal separator, either "," or "."; a leading sign. Read after
# _ascii_digits, so "８,５" and "٨" count too. No thousands separators, no exponent, no
# "nan"/"inf", no "²" or "①": chat input, not Python literals.
_NUMBER = re.compile(r"(?P<sign>[+\-−]?)(?P<whole>[0-9]*)(?:[.,](?P<fraction>[0-9]+))?")

# "1.000", "8,500", "12.345": read as a decimal in one language and with a thousands
# separator in the other. Thousands groups never start with 0, so "0,750" is 0.75.
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}")

# Signs and separators as full-width keyboards send them.
_WIDE = str.maketrans({"＋": "+", "－": "-", "，": ",", "．": "."})

# One offset: a number and a unit, in English or Vietnamese (diacritics folded away).
_UNITS = {
    "w": ("w", "week", "weeks", "tuan"),
    "d": ("d", "day", "days", "ngay"),
    "h": ("h", "hr", "hrs", "hour", "hours", "g", "gio", "tieng"),
    "m": ("m", "min", "mins", "minute", "minutes", "p", "ph", "phut"),
}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words}
_UNIT = "|".join(sorted(_UNIT_OF, key=len, reverse=True))
_OFFSET = re.compile(rf"([0-9]+)\s*({_UNIT})(?![a-z])")
_SEPARATOR = r"(?:\s*[,;]\s*|\s+(?:va|and)\s+|\s+)"  # 7d 3d, 7d, 3d, 7 ngày và 2 giờ
_OFFSETS = re.compile(rf"(?:{_OFFSET.pattern}{_SEPARATOR})*{_OFFSET.pattern}[\s,;.]*")
_JOINED = re.compile(rf"(?:{_OFFSET.pattern}\s*)+")  # 2h30m, 1d6h
_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}

# A local date and time, read after folding case and spaces: 20/11/2025 17:00, 20-11-2025
# 17:00, 2025-11-20 17:00 (or 2025-11-20T17:00), 20/11 17:00; 17h00 and 17h for 17:00.
_CLOCK = re.compile(r"(?P<hour>\d{1,2})[:h](?P<minute>\d{2})?")
_DATES = (
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})",
    r"(?P<day>\d{1,2})-(?P<month>\d{1,2})-(?P<year>\d{4})",
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})",
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})",  # no year: it needs a ``now``
)
_MOMENTS = tuple(re.compile(rf"{day}(?: |t){_CLOCK.pattern}") for day in _DATES)
_ISO = (re.compile(rf"{_DATES[2]} (?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})"),)  # the bloc file's


def fold(text: str, *, caseless: bool = False) -> str:
    """Lower case, no Vietnamese diacritics, single spaces: ``  Chưa  ĐẠT `` -> ``chua dat``.

    ``caseless`` folds case with ``str.casefold`` (``ß`` -> ``ss``) instead of ``str.lower``,
    as yes/no scores have always been read.
    """
    lowered = text.casefold() if caseless else text.lower()
    decomposed = unicodedata.normalize("NFD", lowered.replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def parse_number(text: str) -> Decimal | None:
    """A number typed with a decimal comma or point, ``8,5`` or ``8.5``, spaces around; None
    if it is not one, or could be read two ways (``1.000``)."""
    readings = read_number(text)
    return readings[0] if len(readings) == 1 else None


def read_number(text: str) -> tuple[Decimal, ...]:
    """The ways ``text`` reads as a number: none, one, or two (decimal first) when ambiguous:
    ``1.000`` is 1 with a decimal point, or 1000 with a thousands dot."""
    match = _NUMBER.fullmatch(_ascii_digits(text.strip()))
    if match is None:
        return ()
    whole, fraction = match["whole"], match["fraction"] or ""
    if not whole and not fraction:
        return ()  # a sign alone, or a separator alone
    negative = match["sign"] in ("-", "−")
    readings = [_number(negative, whole, fraction)]
    if len(fraction) == 3 and _THOUSANDS.fullmatch(whole):
        readings.append(_number(negative, whole + fraction, ""))
    return tuple(readings)


def parse_offset(text: str) -> timedelta | None:
    """One offset: ``7d``, ``7 ngày``, ``2 giờ``, ``30 phút``, ``2 hours``; None if it is not
    one (zero is one: the caller says it is too short)."""
    match = _OFFSET.fullmatch(fold(text))
    return None if match is None else _span(match)


def parse_offsets(text: str, *, joined: bool = False) -> list[timedelta] | None:
    """Several offsets: ``7d 3d 1d 2h``, ``7 ngày, 2 giờ, 30 phút``, ``7 ngay 2 gio``; each
    number with its unit is one offset, in the order written. None if any part is not one.

    ``joined``: written together as one span instead, ``2h30m`` or ``1d6h``, no commas.
    """
    folded = fold(text)
    form = _JOINED if joined else _OFFSETS
    if not folded or form.fullmatch(folded) is None:
        return None
    return [_span(match) for match in _OFFSET.finditer(folded)]


def parse_clock(text: str) -> time | None:
    """A time of day: ``17:00``, ``17h00``, ``17h``; None if it is not one (``25:00``)."""
    match = _CLOCK.fullmatch(" ".join(text.lower().split()))
    if match is None:
        return None
    try:
        return time(int(match["hour"]), int(match["minute"] or 0))
    except ValueError:
        return None


def is_date_time(text: str) -> bool:
    """Whether ``text`` is written as a date and time, even one that does not exist
    (``31/02/2025 10:00``, ``20/11/2025 25:00``)."""
    return _moment(text) is not None


def parse_local_datetime(
    text: str,
    timezone: str | None,
    now: datetime | None = None,
    *,
    upcoming: bool = False,
    iso: bool = False,
) -> datetime | None:
    """A local date and time: ``20/11/2025 17:00``, ``20-11-2025 17:00``, ``2025-11-20 17:00``
    (``2025-11-20T17:00``), ``17h00`` or ``17h`` for the time; None if it is not one, or no
    such day or time (``31/02/2025``, ``25:00``).

    In ``timezone``, or naive without one. ``20/11 17:00`` takes the year of ``now`` in the
    zone (not read without ``now``), or the next 20/11 to come after ``now`` if ``upcoming``.
    ``iso``: only ``2025-11-20 17:00``, the one form of the bloc file.
    """
    match = _moment(text, _ISO if iso else _MOMENTS)
    if match is None:
        return None
    zone = ZoneInfo(timezone) if timezone else None
    fields = match.groupdict()
    year = fields.get("year")
    if year is None:
        if now is None:
            return None
        year = str(now.astimezone(zone).year)
    try:
        moment = datetime(
            int(year),
            int(fields["month"]),
            int(fields["day"]),
            int(fields["hour"]),
            int(fields["minute"] or 0),
            tzinfo=zone,
        )
        if "year" not in fields and upcoming and now is not None and moment <= now:
            moment = moment.replace(year=moment.year + 1)
    except ValueError:
        return None
    return moment


def _moment(text: str, forms: tuple[re.Pattern[str], ...] = _MOMENTS) -> re.Match[str] | None:
    folded = " ".join(text.lower().split())
    return next((m for form in forms if (m := form.fullmatch(folded))), None)


def _span(match: re.Match[str]) -> timedelta:
    return timedelta(minutes=int(match[1]) * _MINUTES[_UNIT_OF[match[2]]])


def _number(negative: bool, whole: str, fraction: str) -> Decimal:
    """The exact number from its digits, without trailing zeros: -0 is 0."""
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return -value if negative and value else value


def _ascii_digits(text: str) -> str:
    """Decimal digits of any script in ASCII (``٨``, ``８`` -> ``8``); ``²`` and ``①`` stay."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char
        for char in text.translate(_WIDE)
    )
