"""The head's commands on sheets and awards: /unlock (reopen one agency's sheet after the
deadline) and /eligibility (mark an agency eligible or not for awards)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.typed import parse_local_datetime, parse_offset
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt, when
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command, Router
from bot.handlers.sheet_admin_text import (
    eligibility_reply,
    eligibility_state,
    unlocked_reply,
)
from bot.i18n import N_, _
from bot.services.scoring import NoSeason
from bot.services.sheet_admin import (
    BeforeDeadline,
    ReasonRequired,
    ResultsOut,
    SheetsOverview,
    UnknownAgency,
    UntilPassed,
)

UNLOCK = "ul"  # ul:<code>: unlock this agency's sheet for the default time
ELIGIBILITY = "el"  # el:a:<code> pick, el:y:<code> eligible, el:n:<code> ineligible, el:ok, el:no
FLOW = "eligibility"  # waiting for the reason, then the confirmation
END_OF_DAY = "17:00"  # a date without a time: the end of that office day


def register(router: Router) -> None:
    """Add /unlock and /eligibility."""
    router.command(
        Command(
            "unlock",
            unlock,
            Audience.HEADS,
            N_("reopen one agency's sheet after the deadline"),
            ("mokhoa",),
        )
    )
    router.command(
        Command(
            "eligibility",
            eligibility,
            Audience.HEADS,
            N_("mark an agency eligible or not for awards"),
            ("dieukien",),
            in_group=False,
        )
    )
    router.button(UNLOCK, unlock_pressed)
    router.button(ELIGIBILITY, eligibility_pressed)
    router.flow(FLOW, eligibility_text)


async def _overview(ctx: Context) -> tuple[int, SheetsOverview] | None:
    """The bloc of the command and its agencies, or None after saying why not."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(_("Link your account first (/start CODE)."))
        return None
    try:
        return bloc_id, await ctx.services.sheet_admin.overview(bloc_id)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return None


async def _pressed_by_head(ctx: Context) -> tuple[int, SheetsOverview] | None:
    """The bloc and its agencies for a button the head (or an operator) pressed."""
    bloc_id = ctx.bloc_id
    if bloc_id is None or not ctx.person.heads(bloc_id):
        ctx.notice(_("Only the bloc head or an operator can do this."))
        return None
    return await _overview(ctx)


def _unknown(code: str, view: SheetsOverview) -> str:
    return _("There is no agency “{code}” in this bloc; the codes are: {codes}.").format(
        code=excerpt(code), codes=", ".join(view.codes())
    )


async def unlock(ctx: Context, args: str) -> None:
    """Reopen an agency's sheet until a time, or list the sheets the deadline closed."""
    found = await _overview(ctx)
    if found is None:
        return
    bloc_id, view = found
    code, _space, rest = args.strip().partition(" ")
    if not code:
        closed = [a for a in view.agencies if a.closed_by_deadline]
        if not closed:
            ctx.reply(_("No sheet is closed by the deadline now."))
            return
        buttons = [[Button(a.name, f"{UNLOCK}:{a.code}")] for a in closed]
        ctx.reply(
            _("Whose sheet should be reopened for two days? Or send /unlock CODE TIME."),
            buttons,
            menu=True,
        )
        return
    agency = view.find(code)
    if agency is None:
        ctx.reply(_unknown(code, view))
        return
    until: datetime | None = None
    if rest.strip():
        until = read_until(rest, view)
        if until is None:
            ctx.reply(
                _(
                    "“{text}” is not a time; write 20/11/2025 17:00, 20/11 (until 17:00) or "
                    "+2d (two days)."
                ).format(text=excerpt(rest))
            )
            return
    await _unlock(ctx, bloc_id, agency.code, until, view)


async def unlock_pressed(ctx: Context, payload: str) -> None:
    """Reopen the chosen agency's sheet for the default time."""
    found = await _pressed_by_head(ctx)
    if found is None:
        return
    bloc_id, view = found
    agency = view.find(payload.partition(":")[2])
    if agency is None:
        ctx.notice(_("This button has expired."))
        return
    await _unlock(ctx, bloc_id, agency.code, None, view)


async def _unlock(
    ctx: Context, bloc_id: int, code: str, until: datetime | None, view: SheetsOverview
) -> None:
    try:
        done = await ctx.services.sheet_admin.unlock(bloc_id, code, until, ctx.person.contact_id)
    except BeforeDeadline as error:
        if error.deadline is None:
            text = _("No deadline closes the scoring: the agency can reopen its sheet itself.")
        else:
            text = _(
                "The deadline {time} has not passed: the agency can reopen its sheet itself."
            ).format(time=when(error.deadline, view.timezone))
        ctx.reply(text)
    except ResultsOut:
        ctx.reply(_("The results are announced: the sheets can no longer be reopened."))
    except UntilPassed as error:
        ctx.reply(
            _("{time} has passed; give a time to come.").format(
                time=when(error.until, view.timezone)
            )
        )
    except UnknownAgency as error:
        ctx.reply(_unknown(error.code, view))
    else:
        ctx.reply(unlocked_reply(done))


def read_until(text: str, view: SheetsOverview) -> datetime | None:
    """Until when: ``20/11/2025 17:00``, ``20/11`` (17:00), ``+2d`` or ``2 ngày`` from now."""
    text = text.strip()
    now, zone = view.as_of, view.timezone
    moment = parse_local_datetime(text, zone, now, upcoming=True)
    if moment is None:
        moment = parse_local_datetime(f"{text} {END_OF_DAY}", zone, now, upcoming=True)
    if moment is not None:
        return moment
    offset = parse_offset(text.removeprefix("+").strip())
    return now + offset if offset else None


async def eligibility(ctx: Context, args: str) -> None:
    """Start the dialog: an agency named, or the agencies to choose from."""
    found = await _overview(ctx)
    if found is None:
        return
    _bloc_id, view = found
    if args.strip():
        agency = view.find(args)
        if agency is None:
            ctx.reply(_unknown(args.strip(), view))
            return
        _ask_state(ctx, view, agency.code)
        return
    ctx.conversation.start(FLOW, step="agency")
    buttons = [[Button(a.name, f"{ELIGIBILITY}:a:{a.code}")] for a in view.agencies]
    ctx.reply(_("Which agency?"), buttons, menu=True)


def _ask_state(ctx: Context, view: SheetsOverview, code: str) -> None:
    agency = view.find(code)
    assert agency is not None
    ctx.conversation.start(FLOW, step="state", agency=agency.code)
    buttons = [
        [Button(_("Eligible for awards"), f"{ELIGIBILITY}:y:{agency.code}")],
        [Button(_("Not eligible"), f"{ELIGIBILITY}:n:{agency.code}")],
    ]
    question = _("Set it to:")  # outside the f-string, where the catalog's extraction sees it
    ctx.reply(f"{eligibility_state(agency)} {question}", buttons, menu=True)


async def eligibility_pressed(ctx: Context, payload: str) -> None:
    """Follow a button of the dialog."""
    found = await _pressed_by_head(ctx)
    if found is None:
        return
    bloc_id, view = found
    _prefix, _colon, rest = payload.partition(":")
    action, _colon, code = rest.partition(":")
    data = ctx.conversation.data if ctx.conversation.flow == FLOW else {}
    if action in ("a", "y", "n") and view.find(code) is None:
        ctx.notice(_("This button has expired."))
    elif action == "a":
        _ask_state(ctx, view, code)
    elif action == "y":
        await _set(ctx, bloc_id, code, True, None)
    elif action == "n":
        ctx.conversation.start(FLOW, step="reason", agency=code)
        ctx.reply(_("Why is it not eligible for awards? Write the reason."))
    elif action == "ok" and data.get("step") == "confirm":
        await _set(ctx, bloc_id, str(data["agency"]), False, str(data["reason"]))
    elif action == "no":
        ctx.conversation.end()
        ctx.reply(_("Nothing was changed."), edit=True)
    else:
        ctx.notice(_("This button has expired."))


async def eligibility_text(ctx: Context, text: str) -> None:
    """Read the typed agency code or reason of the dialog."""
    data = ctx.conversation.data
    step = data.get("step")
    if step == "reason":
        reason = " ".join(text.split())
        if not reason:
            ctx.reply(_("Write the reason, or /cancel."))
            return
        ctx.conversation.start(FLOW, step="confirm", agency=data["agency"], reason=reason)
        buttons = [
            [
                Button(_("Confirm"), f"{ELIGIBILITY}:ok", _("yes")),
                Button(_("Cancel"), f"{ELIGIBILITY}:no", _("no")),
            ]
        ]
        ctx.reply(
            _("Mark {code} not eligible for awards because “{reason}”?").format(
                code=data["agency"], reason=excerpt(reason, 200)
            ),
            buttons,
            menu=True,
        )
        return
    found = await _overview(ctx)
    if found is None:
        return
    _bloc_id, view = found
    if step == "agency":
        if view.find(text) is None:
            ctx.reply(_unknown(text.strip(), view))
            return
        _ask_state(ctx, view, text)
        return
    ctx.reply(_("Choose one of the options above, or /cancel."))


async def _set(ctx: Context, bloc_id: int, code: str, eligible: bool, reason: str | None) -> None:
    ctx.conversation.end()
    actor = ctx.person.contact_id
    try:
        change = await ctx.services.sheet_admin.set_eligibility(
            bloc_id, code, eligible, reason, actor
        )
    except ResultsOut:
        ctx.reply(_("The results are announced: eligibility can no longer change."))
    except ReasonRequired:
        ctx.reply(_("Give the reason why the agency is not eligible."))
    except UnknownAgency as error:
        ctx.reply(
            _("There is no agency “{code}” in this bloc; the codes are: {codes}.").format(
                code=error.code, codes=", ".join(error.known)
            )
        )
    else:
        ctx.reply(eligibility_reply(change))
