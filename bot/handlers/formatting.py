"""How numbers, times and roles read in the current language."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.scores import format_points
from bot.i18n import N_, _, current_locale, ngettext
from bot.services.people import Role

ROLE_NAMES = {
    Role.HEAD: N_("bloc head (Trưởng khối)"),
    Role.DEPUTY: N_("deputy head (Phó khối)"),
    Role.MEMBER: N_("member agency"),
}


def points(value: Decimal) -> str:
    """``8,5`` in Vietnamese, ``8.5`` in English."""
    return format_points(value, current_locale())


def when(moment: datetime, timezone: str) -> str:
    """A moment in the bloc's local time: ``20/11/2021 17:00``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def role_name(role: Role) -> str:
    return _(ROLE_NAMES[role])


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
