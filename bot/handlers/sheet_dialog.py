"""The moves of the self-score sheet dialog: ask one criterion, review, record, submit.

The entry points (commands, typed answers, buttons) are in ``bot.handlers.scoring``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal

from bot.domain.criteria import Criterion
from bot.domain.sheets import Closed
from bot.handlers import sheet_text
from bot.handlers.context import Context
from bot.handlers.formatting import points, when
from bot.handlers.model import Button
from bot.i18n import _
from bot.services.evidence_check import EvidenceMissing
from bot.services.people import Link
from bot.services.scoring import Incomplete, NoSeason, SheetClosed, SheetView

FLOW = "score"
NOTE_LIMIT = 500  # characters of a note (ghi chú) to a criterion


async def record(
    ctx: Context,
    before: SheetView,
    link: Link,
    values: list[tuple[str, Decimal]],
    at: Criterion | None,
    problems: list[str] | None = None,
    *,
    bare: bool = False,
) -> None:
    """Store values; the reply names each one, and the old value of each one it replaces."""
    try:
        sheet = await ctx.services.scoring.answer(
            link.bloc_id, link.agency_id, ctx.person.contact_id, values
        )
    except SheetClosed as closed:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
        ctx.reply(sheet_text.closed(closed.reason, sheet, link.bloc_timezone))
        ctx.conversation.end()
        return
    saved = ", ".join(change(code, value, before.values) for code, value in values)
    lead = "\n".join([_("Saved: {values}.").format(values=saved), *(problems or [])])
    if bare and len(values) == 1:
        code, value = values[0]
        moment = sheet.as_of.isoformat()
        ctx.conversation.data["last"] = [code, str(value), moment, ctx.incoming.sequence]
    else:
        ctx.conversation.data.pop("last", None)
    following = sheet.resume_at(at.code if at is not None else values[-1][0])
    if following is None:
        review(ctx, sheet, link, lead)
    else:
        ask(ctx, sheet, following, lead)


def change(code: str, value: Decimal, before: Mapping[str, Decimal]) -> str:
    """``I.1 = 24,5`` for a new value, ``D.2: 2 → 3`` for one that replaces another."""
    old = before.get(code)
    if old is None:
        return f"{code} = {points(value)}"
    if old == value:
        return _("{code} = {value} (unchanged)").format(code=code, value=points(value))
    return f"{code}: {points(old)} → {points(value)}"


async def save_note(ctx: Context, code: str, text: str) -> None:
    link = ctx.link
    if link is None or not code:
        ctx.tell(
            _(
                "Notes belong to a criterion: open your sheet with /score and go to the "
                "criterion first."
            )
        )
        return
    cleared = text.strip() in ("-", "")
    if len(text.strip()) > NOTE_LIMIT:
        ctx.conversation.data["awaiting"] = "note"
        ctx.tell(
            _(
                "A note can have at most {limit} characters; this one has {count}. Send a "
                "shorter note for {code} (send - to remove it)."
            ).format(limit=NOTE_LIMIT, count=len(text.strip()), code=code)
        )
        return
    try:
        sheet = await ctx.services.scoring.note(
            link.bloc_id,
            link.agency_id,
            ctx.person.contact_id,
            code,
            None if cleared else text.strip(),
        )
    except SheetClosed as closed:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
        ctx.reply(sheet_text.closed(closed.reason, sheet, link.bloc_timezone))
        return
    done = _("Note removed.") if cleared else _("Note saved for {code}.").format(code=code)
    criterion = sheet.table.find(code)
    if criterion is not None:
        ask(ctx, sheet, criterion, done)
    else:
        ctx.reply(done)


async def submit(ctx: Context, sheet: SheetView, link: Link, version: str) -> None:
    if version and version != fingerprint(sheet):
        ctx.notice(_("The sheet changed since that review."))
        review(
            ctx,
            sheet,
            link,
            _("The sheet changed since that review; here it is as it stands now."),
        )
        return
    try:
        sheet = await ctx.services.scoring.submit(
            link.bloc_id, link.agency_id, ctx.person.contact_id
        )
    except Incomplete as incomplete:
        codes = ", ".join(c.code for c in incomplete.missing)
        ctx.reply(
            _(
                "Every criterion needs a score before submitting (0 is a score). Missing: {codes}."
            ).format(codes=codes)
        )
        ask(ctx, sheet, incomplete.missing[0])
        return
    except EvidenceMissing as missing:
        ctx.reply(sheet_text.evidence_missing(missing.codes))
        return
    except SheetClosed as closed:
        ctx.reply(sheet_text.closed(closed.reason, sheet, link.bloc_timezone))
        return
    ctx.conversation.end()
    lines = [
        _("Submitted. Total: {total}.").format(total=points(sheet.totals.total)),
    ]
    if sheet.deadline is not None:
        lines.append(
            _("You can reopen it with /score until {time}.").format(
                time=when(sheet.deadline, link.bloc_timezone)
            )
        )
    ctx.notice(_("Submitted."))
    ctx.reply("\n".join(lines))


async def reopen(ctx: Context, link: Link) -> None:
    try:
        sheet = await ctx.services.scoring.reopen(
            link.bloc_id, link.agency_id, ctx.person.contact_id
        )
    except SheetClosed as closed:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
        ctx.reply(sheet_text.closed(closed.reason, sheet, link.bloc_timezone))
        return
    ctx.conversation.start(FLOW)
    lead = _("The sheet is open again. Change what you need, then review and submit it again.")
    review(ctx, sheet, link, lead)


def ask(ctx: Context, sheet: SheetView, criterion: Criterion, lead: str = "") -> None:
    """Show one criterion with its buttons and remember it as the current one."""
    ctx.conversation.data["at"] = criterion.code
    ctx.conversation.data.pop("resume", None)
    ctx.conversation.data.pop("repeat", None)
    code = criterion.code
    rows: list[list[Button]] = []
    if criterion.is_yesno:
        rows.append(
            [
                Button(_("Yes (đạt)"), f"sc:yes:{code}", _("yes")),
                Button(_("No (không đạt)"), f"sc:no:{code}", _("no")),
            ]
        )
    rows.append(
        [
            Button(_("◀ Back"), f"sc:back:{code}", _("back")),
            Button(_("Skip ▶"), f"sc:skip:{code}", _("skip")),
        ]
    )
    rows.append(
        [
            Button(_("Note"), f"sc:note:{code}", _("note")),
            Button(_("Review and submit"), "sc:review", _("review")),
        ]
    )
    if ctx.incoming.buttons_shown:  # typed, it is /evidence CODE
        rows[-1].insert(1, Button(_("📎 Evidence"), f"ev:at:{code}"))
    ctx.reply(joined(lead, sheet_text.prompt(sheet, criterion)), rows)


def review(ctx: Context, sheet: SheetView, link: Link, lead: str = "") -> None:
    text = joined(lead, sheet_text.review(sheet, link.agency_name))
    # The review is the question now, not a criterion: a bare number is no score here.
    was = ctx.conversation.data.pop("at", None)
    ctx.conversation.data.pop("repeat", None)
    if sheet.missing:
        first = sheet.missing[0]
        ctx.conversation.data["resume"] = first.code
        button = Button(_("Continue scoring"), f"sc:edit:{first.code}", _("continue"))
        ctx.reply(
            text + "\n" + _("Score the missing criteria, then submit."), [[button]], menu=True
        )
        return
    if was:
        ctx.conversation.data["resume"] = was
    buttons = [
        Button(_("Submit the sheet"), f"sc:submit:{fingerprint(sheet)}", _("submit")),
        Button(_("Keep editing"), "sc:edit", _("edit")),
    ]
    ctx.reply(text + "\n" + _("Submit this sheet to the bloc head?"), [buttons], menu=True)


def joined(lead: str, text: str) -> str:
    """One message: what just happened, then what comes next."""
    return f"{lead}\n\n{text}" if lead else text


def show_closed(ctx: Context, sheet: SheetView, link: Link) -> None:
    assert sheet.closed is not None
    ctx.conversation.end()
    text = sheet_text.closed(sheet.closed, sheet, link.bloc_timezone)
    if sheet.closed is Closed.SUBMITTED:
        buttons = [
            Button(_("Reopen to edit"), "sc:reopen", _("reopen")),
            Button(_("Show the sheet"), "sc:show", _("show")),
        ]
        ctx.reply(text, [buttons], menu=True)
    else:
        ctx.reply(text, [[Button(_("Show the sheet"), "sc:show", _("show"))]], menu=True)


def status(sheet: SheetView, link: Link) -> str:
    if sheet.closed is not None:
        return sheet_text.closed(sheet.closed, sheet, link.bloc_timezone)
    return _("Status: being filled in. Send /score to continue.")


async def open_sheet(ctx: Context) -> tuple[Link, SheetView] | None:
    """The person's agency and its sheet, or a reply saying why there is none."""
    link = ctx.link
    if link is None:
        ctx.reply(
            _(
                "Only an agency's contact officer fills in its sheet. Link your account "
                "with /start CODE."
            )
        )
        return None
    try:
        return link, await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
    except NoSeason:
        ctx.reply(_("Your bloc has no season to score yet."))
        return None


def fingerprint(sheet: SheetView) -> str:
    """A short fingerprint of the values, so a stale "submit" button is noticed."""
    text = ";".join(f"{code}={value}" for code, value in sorted(sheet.values.items()))
    return hashlib.sha1(text.encode()).hexdigest()[:8]
