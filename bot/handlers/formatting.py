"""How numbers, times and roles read in the current language."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.scores import format_points
from bot.i18n import N_, _, current_locale
from bot.services.people import Role
from bot.timetext import duration, when

__all__ = ["ROLE_NAMES", "duration", "points", "role_name", "when"]

ROLE_NAMES = {
    Role.HEAD: N_("bloc head (Trưởng khối)"),
    Role.DEPUTY: N_("deputy head (Phó khối)"),
    Role.MEMBER: N_("member agency"),
}


def points(value: Decimal) -> str:
    """``8,5`` in Vietnamese, ``8.5`` in English."""
    return format_points(value, current_locale())


def role_name(role: Role) -> str:
    return _(ROLE_NAMES[role])
