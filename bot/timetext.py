"""Moments, durations and the bloc's quiet time as people read them (handlers, the messages
services write for the outbox, and the dispatcher share these words and this rule).

An outbox text may say how long is left until a moment (``left_until``): ``settle`` writes it
when the message is queued and notes where, and ``resettle`` writes it again when it is sent,
so a reminder held overnight says what is true in the morning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import format_decimal

from bot.domain.calendar import QuietTime
from bot.i18n import _, current_locale, ngettext, use_locale

QUIET_FROM = time(21, 0)  # the default quiet time of a bloc starts here...
QUIET_UNTIL = time(7, 0)  # ...and ends here, local time
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
QUIET = "quiet"  # outbox payload: the bloc's quiet time (QuietTime.payload())
BEFORE_EVENT = "before_event"  # outbox payload: a reminder that goes late rather than never
LEFT = "left"  # outbox payload: where the text says the time left, to say it again when sent
_LEFT_MARK = re.compile("\ue000([0-9T:+.-]{16,40})\ue001")
WHEN = "dd/MM/yyyy HH:mm"  # a moment in both languages (a CLDR pattern: 20/11/2025 17:00)


def when(moment: datetime, timezone: str) -> str:
    """A moment in the bloc's local time: ``20/11/2021 17:00``."""
    return format_datetime(moment, WHEN, tzinfo=ZoneInfo(timezone), locale=current_locale())


# Durations are said in our catalog's words and units; Babel writes the numbers. Babel's own
# format_timedelta says one unit only, picks it before it rounds (23 h 50 min: "24 hours", not
# "1 day") and goes on to weeks and months ("1 week", not "7 days").
def duration(delta: timedelta) -> str:
    """``3 days 4 hours``, ``2 hours 5 minutes``, ``12 minutes``."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("{n} day", "{n} days", days).format(n=_count(days)))
    if hours:
        parts.append(ngettext("{n} hour", "{n} hours", hours).format(n=_count(hours)))
    if minutes and not days:
        parts.append(ngettext("{n} minute", "{n} minutes", minutes).format(n=_count(minutes)))
    return " ".join(parts) or _("less than a minute")


def time_left(delta: timedelta) -> str:
    """How long is left, in the one unit a person would say: ``7 days`` (for 6 days 23 hours
    too), ``2 hours``, ``30 minutes``. Each unit is rounded to the nearest."""
    seconds = delta.total_seconds()
    minutes = _nearest(seconds / 60)
    if minutes < 1:
        return _("less than a minute")
    if minutes < 60:
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=_count(minutes))
    hours = _nearest(seconds / 3600)
    if hours < 24:
        return ngettext("{n} hour", "{n} hours", hours).format(n=_count(hours))
    days = _nearest(seconds / 86400)
    return ngettext("{n} day", "{n} days", days).format(n=_count(days))


def _nearest(value: float) -> int:
    return int(value + 0.5) if value > 0 else 0


def _count(n: int) -> str:
    """A count of days, hours or minutes in the current language, not grouped: ``1000``."""
    return format_decimal(n, locale=current_locale(), group_separator=False)


def zone_of(timezone: str) -> ZoneInfo:
    """The zone named ``timezone``, the default one when the name is unknown."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def quiet_until(now: datetime, timezone: str, quiet: QuietTime | None = None) -> datetime | None:
    """The end of the quiet time (the default: 21:00-07:00) ``now`` is in, else None."""
    local = now.astimezone(zone_of(timezone))
    allowed = (quiet or QuietTime()).next_allowed(local)
    if allowed == local:
        return None
    return None if allowed is None else allowed.astimezone(UTC)


def is_quiet(moment: datetime, timezone: str, quiet: QuietTime | None = None) -> bool:
    """In the bloc's quiet time: its messages wait."""
    return quiet_until(moment, timezone, quiet) is not None


def send_at(
    now: datetime,
    timezone: str,
    quiet: bool,
    not_after: datetime | None,
    payload: Mapping[str, Any] | None,
) -> datetime | None:
    """When an outbox message due ``now`` goes: ``now``, the end of the bloc's quiet time (as
    its payload carries it), or None when it is no longer worth sending."""
    if not quiet:
        return now
    payload = payload or {}
    rules = QuietTime.from_payload(payload.get(QUIET))
    at = rules.send_at(
        now.astimezone(zone_of(timezone)), not_after, before_event=bool(payload.get(BEFORE_EVENT))
    )
    return None if at is None else at.astimezone(UTC)


def left_until(moment: datetime) -> str:
    """A stand-in for the time left until ``moment``, which ``settle`` writes out."""
    return f"\ue000{moment.astimezone(UTC).isoformat()}\ue001"


def settle(text: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """``text`` with every ``left_until`` written as the time left at ``now`` in the current
    language, and the payload entries that let ``resettle`` write it again later."""
    parts: list[str] = []
    spans: list[list[Any]] = []
    length, start = 0, 0
    for match in _LEFT_MARK.finditer(text):
        parts.append(text[start : match.start()])
        length += match.start() - start
        said = time_left(datetime.fromisoformat(match[1]) - now)
        spans.append([length, len(said), match[1]])
        parts.append(said)
        length += len(said)
        start = match.end()
    parts.append(text[start:])
    if not spans:
        return text, {}
    return "".join(parts), {LEFT: {"locale": current_locale(), "spans": spans}}


def resettle(text: str, payload: Mapping[str, Any] | None, now: datetime) -> str:
    """``text`` as ``settle`` wrote it, with the time left said again as of ``now``."""
    left = (payload or {}).get(LEFT)
    if not isinstance(left, Mapping):
        return text
    said = text
    try:
        with use_locale(str(left.get("locale", ""))):
            for start, length, until in sorted(left.get("spans", ()), reverse=True):
                left_now = time_left(datetime.fromisoformat(until) - now)
                said = said[:start] + left_now + said[start + length :]
    except (TypeError, ValueError):
        return text  # not what settle wrote: the text as it was queued
    return said
