"""Moments, durations and the quiet night as people read them (handlers, the messages services
write for the outbox, and the dispatcher share these words and this rule)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import _, ngettext

QUIET_FROM = time(21, 0)  # direct messages marked quiet wait from here...
QUIET_UNTIL = time(7, 0)  # ...until here, local time
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def when(moment: datetime, timezone: str) -> str:
    """A moment in the bloc's local time: ``20/11/2021 17:00``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def duration(delta: timedelta) -> str:
    """``3 days 4 hours``, ``2 hours 5 minutes``, ``12 minutes``."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("{n} day", "{n} days", days).format(n=days))
    if hours:
        parts.append(ngettext("{n} hour", "{n} hours", hours).format(n=hours))
    if minutes and not days:
        parts.append(ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes))
    return " ".join(parts) or _("less than a minute")


def quiet_until(now: datetime, timezone: str) -> datetime | None:
    """The next 07:00 in ``timezone`` when ``now`` is in its night (21:00-07:00), else None."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_ZONE)
    local = now.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone).astimezone(UTC)


def is_quiet(moment: datetime, timezone: str) -> bool:
    """Night in ``timezone``: direct messages wait for the morning."""
    return quiet_until(moment, timezone) is not None
