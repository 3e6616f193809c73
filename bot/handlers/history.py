"""A criterion's history from the audit trail: /history CODE, and /history AGENCY CODE for the
head, deputies and operators."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from bot.domain.audit import AuditField
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt, points, when
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _, ngettext
from bot.services.history import CriterionHistory, HistoryLine, UnknownAgency, UnknownCriterion
from bot.services.scoring import NoSeason

SHOWN = 20  # the newest changes a reply shows; older ones are counted

FIELD_NAMES: dict[str, str] = {
    AuditField.SELF: N_("self-score"),
    AuditField.REVIEWED: N_("reviewed score"),
    AuditField.FINAL: N_("final score"),
    AuditField.NOTE: N_("note"),
    AuditField.STATUS: N_("status"),
    AuditField.UNLOCK: N_("reopened until"),
    AuditField.LATE: N_("late"),
    AuditField.ELIGIBILITY: N_("eligibility"),
    AuditField.EVIDENCE: N_("evidence"),
}
STATUS_NAMES: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "locked": N_("locked"),
}
NOT_YOURS = N_("Only the bloc head, deputies or operators can see another agency's history.")
SCORES = frozenset({AuditField.SELF, AuditField.REVIEWED, AuditField.FINAL})


def register(router: Router) -> None:
    """Add /history."""
    router.command(
        Command(
            "history",
            history,
            Audience.LINKED,
            N_("who changed a criterion's score and when"),
            ("lichsu",),
            in_group=False,
        )
    )


async def history(ctx: Context, args: str) -> None:
    """Show one criterion's changes on the person's sheet, or on a named agency's."""
    words = args.split()
    bloc_id = ctx.bloc_id
    if not words or len(words) > 2:
        ctx.reply(_usage(ctx))
        return
    if bloc_id is None:
        ctx.reply(_("Link your account first (/start CODE) to see your agency's history."))
        return
    *agency, code = words
    service = ctx.services.history
    link = ctx.link
    try:
        if agency:
            agency_id = await service.agency_id(bloc_id, agency[0])
        elif link is not None:
            agency_id = link.agency_id
        else:
            ctx.reply(_usage(ctx))
            return
        if (link is None or agency_id != link.agency_id) and not ctx.person.leads(bloc_id):
            ctx.reply(_(NOT_YOURS))
            return
        found = await service.criterion_history(bloc_id, agency_id, code)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
    except UnknownAgency as unknown:
        if not ctx.person.leads(bloc_id):
            ctx.reply(_(NOT_YOURS))
            return
        ctx.reply(
            _("There is no agency {agency} in the bloc; its agencies are: {codes}.").format(
                agency=excerpt(unknown.code, 20), codes=", ".join(unknown.codes)
            )
        )
    except UnknownCriterion:
        ctx.reply(
            _(
                "There is no criterion {code} in the scoring table; /myscore lists the codes."
            ).format(code=excerpt(code, 20))
        )
    else:
        ctx.reply(history_text(found))


def _usage(ctx: Context) -> str:
    bloc_id = ctx.bloc_id
    if bloc_id is not None and ctx.person.leads(bloc_id):
        return _(
            "Send /history with a criterion code, for example /history I.1, or with an "
            "agency's code first for that agency: /history thue I.1."
        )
    return _("Send /history with a criterion code, for example /history I.1.")


def history_text(found: CriterionHistory) -> str:
    """The criterion's changes, oldest first, the newest ``SHOWN`` of them."""
    title = _("History of {code} “{title}”, {agency}, {year}:").format(
        code=found.criterion_code,
        title=excerpt(found.criterion_title, 60),
        agency=found.agency_name,
        year=found.season_year,
    )
    if not found.lines:
        return "\n".join([title, _("No changes yet.")])
    lines = [title]
    older = len(found.lines) - SHOWN
    if older > 0:
        lines.append(
            ngettext(
                "({count} older change is not shown.)",
                "({count} older changes are not shown.)",
                older,
            ).format(count=older)
        )
    lines += [change_line(line, found.timezone) for line in found.lines[-SHOWN:]]
    return "\n".join(lines)


def change_line(line: HistoryLine, timezone: str) -> str:
    """``20/11/2021 17:00 · Lan, Cục Thuế: self-score 20 → 25,5 (reason: …)``."""
    name = FIELD_NAMES.get(line.field)
    what = _(name) if name else line.field
    old = value_text(line.field, line.old_value, timezone)
    new = value_text(line.field, line.new_value, timezone)
    text = _("{time} · {who}: {what} {old} → {new}").format(
        time=when(line.at, timezone),
        who=line.actor_label or _("unknown"),
        what=what,
        old=old,
        new=new,
    )
    if line.reason:
        text += " " + _("(reason: {reason})").format(reason=excerpt(line.reason, 120))
    return text


def value_text(field: str, value: str | None, timezone: str) -> str:
    """A value as the person reads it: ``8,5``, “a note”, a status in words; — for none."""
    if value is None or value == "":
        return "—"
    if field in SCORES:
        try:
            return points(Decimal(value))
        except InvalidOperation:
            return value
    if field == AuditField.STATUS and value in STATUS_NAMES:
        return _(STATUS_NAMES[value])
    if field == AuditField.NOTE:
        return f"“{excerpt(value, 60)}”"
    return _moment(value, timezone) or excerpt(value, 60)


def _moment(value: str, timezone: str) -> str | None:
    """A stored moment (ISO 8601 with its offset) in the bloc's time, or None."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return when(moment, timezone)
