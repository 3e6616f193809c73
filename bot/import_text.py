"""How a bloc import reads to the operator: its changes, its refusals and its warnings.

The import service returns typed values (``bot.services.blocs``); here they become the words,
numbers and dates of the command line's language: ``Maximum: 25 → 30``, ``8,5``,
``20/11/2025 17:00``, ``nhóm I, điểm trừ, thời điểm nộp``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from bot.domain.rules import Award, TieBreak, TieBreakKind
from bot.domain.scores import format_points
from bot.handlers.formatting import role_name
from bot.i18n import N_, _, current_locale, ngettext
from bot.services.blocs import (
    Action,
    Change,
    ClosingDeadline,
    FieldChange,
    Refusal,
    RefusalReason,
)
from bot.services.people import Role
from bot.timetext import duration, when

WHAT = {
    "bloc": N_("bloc"),
    "agency": N_("agency"),
    "season": N_("season"),
    "group": N_("group"),
    "criterion": N_("criterion"),
    "event": N_("event"),
    "role": N_("role"),
}
FIELDS = {
    "name": N_("Name"),
    "title": N_("Title"),
    "timezone": N_("Time zone"),
    "locale": N_("Language"),
    "step": N_("Score step"),
    "tie_break": N_("Order when totals are equal"),
    "awards": N_("Award proposals"),
    "kind": N_("Kind"),
    "cap": N_("Cap"),
    "max": N_("Maximum"),
    "group": N_("Group"),
    "at": N_("Time"),
    "place": N_("Place"),
    "remind": N_("Reminders before"),
    "closes_scoring": N_("Closes scoring"),
    "review": N_("Review"),
    "review_team": N_("Review team"),
    "evidence_required": N_("Evidence required for"),
    "evidence_max_mb": N_("Largest evidence file (MB)"),
    "evidence_types": N_("Evidence file types"),
    "late_deduction": N_("Deduction for a late sheet"),
    "objection_days": N_("Days to object to provisional results"),
    "quorum": N_("Ballot quorum (share of members, more than)"),
    "threshold": N_("Votes needed to win (share, more than)"),
    "head_repeats": N_("The head may be elected again"),
    "ineligible": N_("Not eligible for awards"),
    "eligible": N_("Eligible for awards"),
    "ineligible_reason": N_("Why not eligible"),
    "pictures": N_("Pictures in the group"),
}
KINDS = {
    "score": N_("scored 0 to max"),
    "bonus": N_("bonus points"),
    "deduction": N_("deduction points"),
    "yesno": N_("yes/no (full marks or zero)"),
    "deadline": N_("deadline"),
    "meeting": N_("meeting"),
    "self": N_("self-score only"),
    "head": N_("by the head"),
    "cross": N_("cross-review between agencies"),
}
TEXT_FIELDS = frozenset({"name", "title", "place"})  # shown in quotes


def describe_change(change: Change, timezone: str) -> list[str]:
    """The lines of one change: ``+ criterion I.4``, or ``~ criterion I.1`` and its fields."""
    what = _(WHAT.get(change.what, change.what))
    sign = {Action.ADDED: "+", Action.REMOVED: "-", Action.UPDATED: "~"}[change.action]
    head = f"{sign} {what} {change.code}"
    if change.what == "role" and change.fields:  # ``~ role thue: member agency → bloc head``
        (role,) = change.fields
        if role.old is None:
            return [f"{head}: {show_value(role, role.new, timezone)}"]
        before, after = (show_value(role, value, timezone) for value in (role.old, role.new))
        return [f"{head}: {before} → {after}"]
    if change.action is not Action.UPDATED:
        return [head]
    lines = [head]
    for item in change.fields:
        before, after = (show_value(item, value, timezone) for value in (item.old, item.new))
        lines.append(f"    {_(FIELDS.get(item.name, item.name))}: {before} → {after}")
    return lines


def show_value(item: FieldChange, value: Any, timezone: str) -> str:
    """A field's value as people write it: ``8,5``, ``20/11/2025 17:00``, ``nhóm I, điểm trừ``."""
    if value is None or value == ():
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Role):
        return role_name(value)
    if isinstance(value, Enum):
        return _(KINDS.get(str(value.value), str(value.value)))
    if isinstance(value, Decimal):
        return format_points(value, current_locale())
    if isinstance(value, datetime):
        return when(value, timezone)
    if isinstance(value, tuple):
        return ", ".join(_show_part(part) for part in value)
    return f"“{value}”" if item.name in TEXT_FIELDS else str(value)


def _show_part(part: object) -> str:
    if isinstance(part, TieBreak):
        if part.kind is TieBreakKind.GROUP:
            return _("group {code}").format(code=part.group_code)
        if part.kind is TieBreakKind.DEDUCTIONS:
            return _("deductions")
        return _("time of submission")
    if isinstance(part, Award):
        return ngettext(
            "{title} ({count} agency)", "{title} ({count} agencies)", part.count
        ).format(title=part.title, count=part.count)
    if isinstance(part, timedelta):
        return duration(part)
    return str(part)


def describe_closing(deadline: ClosingDeadline, timezone: str) -> str:
    """The warning that the deadline closing scoring is already past."""
    return _(
        "Warning: the deadline that closes scoring, “{title}” ({code}) at {at}, is already past: "
        "agencies can no longer fill in or submit their sheets. Give it a later due time in the "
        "file to open scoring."
    ).format(title=deadline.title, code=deadline.code, at=when(deadline.at, timezone))


def describe_refusal(refusal: Refusal) -> str:
    """Why one removal or change was refused, in the operator's words."""
    what = _(WHAT.get(refusal.what, refusal.what))
    if refusal.reason is RefusalReason.REMOVED_WITH_SCORES:
        return _("{what} {code} cannot be removed: {count} sheet(s) already have scores").format(
            what=what, code=refusal.code, count=refusal.sheets
        )
    highest = format_points(refusal.highest, current_locale()) if refusal.highest else "0"
    return _("{what} {code}: the new max is below a score already given ({highest})").format(
        what=what, code=refusal.code, highest=highest
    )
