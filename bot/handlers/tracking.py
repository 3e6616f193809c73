"""Deadlines met and meeting answers in chat: /done (/daxong) marks a deadline that is not
the score sheet (a report, a plan) as sent by the agency, or by the head for one; /attend
(/thamdu) answers a meeting (yes or no, then who will come); ``/done list`` and
``/attend list`` show the leaders the list per agency. The /meeting menu's place button leads
to ``bot.handlers.meeting_place``."""

from __future__ import annotations

from bot.domain.events import EventKind
from bot.domain.typed import fold
from bot.handlers import evidence, tracking_text
from bot.handlers.context import Context
from bot.handlers.event_draft import is_id
from bot.handlers.event_text import button_line
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.events import EventView
from bot.services.scoring import NoSeason
from bot.services.tracking import TrackingProblem, TrackingRefused

PREFIX = "tk"  # tk:d:<id> mark, tk:dl:<id> list, tk:m|u:<id>:<agency>, tk:a|y|n|al:<id>
FLOW = "attend"  # waiting for who will come: {"event": <id>}
LIST_WORDS = {"list", "ds", "danhsach", "danh sach"}
UNDO_WORDS = {"undo", "bo", "huy"}


def register(router: Router) -> None:
    """Add /done and /attend, their buttons and the question who will come."""
    router.command(
        Command(
            "done",
            done,
            Audience.LINKED,
            N_("mark a deadline (a report, a plan) as sent by your agency"),
            ("daxong",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "attend",
            attend,
            Audience.LINKED,
            N_("answer a meeting: whether your agency comes and who"),
            ("thamdu",),
            in_group=False,
        )
    )
    router.button(PREFIX, press)
    router.flow(FLOW, attendees)


async def done(ctx: Context, args: str) -> None:
    """Mark a deadline as sent, list who has sent it, or offer the open deadlines; while
    evidence is being sent, /done alone ends that."""
    if not args.strip() and ctx.conversation.flow == evidence.FLOW:
        await evidence.done(ctx, "")
        return
    words = args.split()
    listing = bool(words) and fold(words[0]) in LIST_WORDS
    undo = bool(words) and fold(words[0]) in UNDO_WORDS
    if listing or undo:
        words = words[1:]
    heads = ctx.bloc_id is not None and ctx.person.heads(ctx.bloc_id)
    if (listing and not _leads(ctx)) or (undo and not heads):
        ctx.reply(_("Only the bloc head or a deputy can see or change the marks of others."))
        return
    agency = ctx.link.agency_code if ctx.link is not None else None
    if heads and len(words) > 1 and await _is_agency(ctx, words[-1]):
        agency = words.pop()
    event = await _event(ctx, EventKind.DEADLINE, " ".join(words), "dl" if heads else "d")
    if event is None:
        return
    if listing:
        await _done_list(ctx, event.id)
    elif agency is None:
        ctx.reply(_("Link your account to your agency first: /start CODE."))
    else:
        await _mark(ctx, event.id, agency, undo=undo)


async def attend(ctx: Context, args: str) -> None:
    """Ask whether the agency comes to a meeting, or show the leaders the list."""
    words = args.split()
    listing = bool(words) and fold(words[0]) in LIST_WORDS
    if listing:
        words = words[1:]
        if not _leads(ctx):
            ctx.reply(_("Only the bloc head or a deputy can see the list of who comes."))
            return
    event = await _event(ctx, EventKind.MEETING, " ".join(words), "al" if listing else "a")
    if event is None:
        return
    if listing:
        await _attendance_list(ctx, event.id)
    else:
        await _ask(ctx, event.id)


async def attendees(ctx: Context, text: str) -> None:
    """Who will come: names, or - for nobody named yet."""
    event_id = ctx.conversation.data.get("event")
    link = ctx.link
    ctx.conversation.end()
    if not isinstance(event_id, int) or link is None or ctx.bloc_id is None:
        return
    names = "" if text.strip() == "-" else text
    await _answer(ctx, event_id, True, names)


async def press(ctx: Context, payload: str) -> None:
    """A button of /done or /attend."""
    parts = payload.split(":")
    if len(parts) < 3 or not is_id(parts[2]) or ctx.bloc_id is None:
        ctx.notice(_("This button has expired."))
        return
    word, event_id, heads = parts[1], int(parts[2]), ctx.person.heads(ctx.bloc_id)
    own = ctx.link.agency_code if ctx.link is not None else None
    match word:
        case "d" if own is not None:
            await _mark(ctx, event_id, own)
        case "dl" if _leads(ctx):
            await _done_list(ctx, event_id)
        case "m" | "u" if heads and len(parts) == 4:
            await _mark(ctx, event_id, parts[3], undo=word == "u")
            await _done_list(ctx, event_id)
        case "a" if own is not None:
            await _ask(ctx, event_id)
        case "y" if own is not None:
            if await _answer(ctx, event_id, True, None):
                ctx.conversation.start(FLOW, event=event_id)
                ctx.reply(tracking_text.ask_attendees())
        case "n" if own is not None:
            await _answer(ctx, event_id, False, None)
        case "al" if _leads(ctx):
            await _attendance_list(ctx, event_id)
        case _:
            ctx.notice(_("This button has expired."))


# -- the moves


async def _event(ctx: Context, kind: EventKind, given: str, code: str) -> EventView | None:
    """The deadline or meeting named by ``given`` (its code or its title); with nothing
    given, the only one, or buttons to choose (``tk:<code>:<id>``) and None."""
    if ctx.bloc_id is None:
        ctx.reply(_("Link your account to your agency first: /start CODE."))
        return None
    try:
        events = await ctx.services.tracking.open_events(ctx.bloc_id, kind)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return None
    if not events:
        ctx.reply(tracking_text.none_open(kind))
        return None
    if not given:
        if len(events) == 1:
            return events[0]
        buttons = [[Button(button_line(e), f"{PREFIX}:{code}:{e.id}")] for e in events]
        ctx.reply(tracking_text.pick(kind, code in ("dl", "al")), buttons, menu=True)
        return None
    wanted = fold(given)
    exact = [e for e in events if wanted in (fold(e.code), fold(e.title))]
    found = exact or [e for e in events if wanted in fold(e.title)]
    if len(found) != 1:
        ctx.reply(tracking_text.unknown(kind, given, [e.code for e in events]))
        return None
    return found[0]


async def _mark(ctx: Context, event_id: int, agency: str, *, undo: bool = False) -> None:
    assert ctx.bloc_id is not None
    tracking = ctx.services.tracking
    try:
        change = await tracking.mark_done(
            ctx.bloc_id, event_id, agency, ctx.person.contact_id, undo=undo
        )
    except TrackingRefused as refused:
        ctx.reply(tracking_text.problem(refused.problem, EventKind.DEADLINE))
        return
    ctx.reply(tracking_text.marked(change))


async def _done_list(ctx: Context, event_id: int) -> None:
    """Who has sent it; the head gets a button per agency to mark or undo."""
    assert ctx.bloc_id is not None
    try:
        marks = await ctx.services.tracking.completions(ctx.bloc_id, event_id)
    except TrackingRefused as refused:
        ctx.reply(tracking_text.problem(refused.problem, EventKind.DEADLINE))
        return
    buttons: list[list[Button]] = []
    if ctx.person.heads(ctx.bloc_id):
        for line in marks.agencies:
            word, label = ("u", _("Undo: {agency}")) if line.at else ("m", _("Sent: {agency}"))
            payload = f"{PREFIX}:{word}:{event_id}:{line.code}"
            buttons.append([Button(label.format(agency=line.name), payload)])
    ctx.reply(tracking_text.done_list(marks), buttons, menu=bool(buttons))


async def _ask(ctx: Context, event_id: int) -> None:
    """Yes or no, with what the agency answered before."""
    assert ctx.bloc_id is not None and ctx.link is not None
    try:
        marks = await ctx.services.tracking.attendance(ctx.bloc_id, event_id)
    except TrackingRefused as refused:
        ctx.reply(tracking_text.problem(refused.problem, EventKind.MEETING))
        return
    line = next(a for a in marks.agencies if a.code == ctx.link.agency_code)
    buttons = [
        [
            Button(_("Yes, we come"), f"{PREFIX}:y:{event_id}", _("yes")),
            Button(_("No"), f"{PREFIX}:n:{event_id}", _("no")),
        ]
    ]
    ctx.reply(tracking_text.ask_answer(marks.event, line), buttons, menu=True)


async def _answer(ctx: Context, event_id: int, comes: bool, names: str | None) -> bool:
    """Record the agency's answer and say it, old → new; False if refused."""
    assert ctx.bloc_id is not None and ctx.link is not None
    try:
        change = await ctx.services.tracking.answer(
            ctx.bloc_id, event_id, ctx.link.agency_code, ctx.person.contact_id, comes, names
        )
    except TrackingRefused as refused:
        if refused.problem is TrackingProblem.TOO_LONG:
            ctx.conversation.start(FLOW, event=event_id)
        ctx.reply(tracking_text.problem(refused.problem, EventKind.MEETING))
        return False
    ctx.reply(tracking_text.answered(change))
    return True


async def _attendance_list(ctx: Context, event_id: int) -> None:
    assert ctx.bloc_id is not None
    try:
        marks = await ctx.services.tracking.attendance(ctx.bloc_id, event_id)
    except TrackingRefused as refused:
        ctx.reply(tracking_text.problem(refused.problem, EventKind.MEETING))
        return
    ctx.reply(tracking_text.attendance_list(marks))


def _leads(ctx: Context) -> bool:
    return ctx.bloc_id is not None and ctx.person.leads(ctx.bloc_id)


async def _is_agency(ctx: Context, code: str) -> bool:
    assert ctx.bloc_id is not None
    try:
        agencies = await ctx.services.tracking.agencies(ctx.bloc_id)
    except NoSeason:
        return False
    return any(a == code for a, _name in agencies)
