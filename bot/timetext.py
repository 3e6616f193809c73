"""Moments and durations as people read them, in the current language (handlers and the
messages services write for the outbox use the same words)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import _, ngettext


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
