"""/meeting's place change: the head picks an upcoming meeting from the /meeting menu, sends
the new place and confirms; the group and the agencies coming are told, old → new."""

from __future__ import annotations

from bot.domain.events import EventKind
from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.domain.typed import fold
from bot.handlers import tracking_text
from bot.handlers.context import Context
from bot.handlers.event_draft import is_id
from bot.handlers.event_text import button_line
from bot.handlers.model import Button, IncomingKind
from bot.handlers.router import Router
from bot.i18n import _
from bot.services.scoring import NoSeason
from bot.services.tracking import TrackingProblem, TrackingRefused

PREFIX = "mp"  # mp:pick, mp:<id>, mp:ok, mp:no
FLOW = "place"  # {"event": <id>, "place": <the new place, once sent>}


def register(router: Router) -> None:
    """Add the place buttons of the /meeting menu and the question for the new place."""
    router.button(PREFIX, press)
    router.flow(FLOW, answer, on_cancel=lambda _ctx: _("The meeting's place was not changed."))


async def press(ctx: Context, payload: str) -> None:
    """A button of the place change."""
    bloc_id = ctx.bloc_id
    if bloc_id is None or not ctx.person.heads(bloc_id):
        ctx.notice(_("Only the bloc head or an operator can change the calendar."))
        return
    word = payload.split(":", 1)[1] if ":" in payload else ""
    data = ctx.conversation.data if ctx.conversation.flow == FLOW else {}
    if word == "pick":
        await _meetings(ctx, bloc_id)
    elif is_id(word):
        await _ask(ctx, bloc_id, int(word))
    elif word == "ok" and "place" in data:
        await _confirm(ctx, bloc_id, data)
    elif word == "no" and data:
        _drop(ctx)
    else:
        ctx.notice(_("This button has expired."))


async def answer(ctx: Context, text: str) -> None:
    """The new place, then yes or no."""
    data = ctx.conversation.data
    bloc_id = ctx.bloc_id
    if bloc_id is None or not isinstance(data.get("event"), int):
        ctx.conversation.end()
        return
    if "place" not in data:
        place = text.strip()
        place = "" if place == "-" else " ".join(place.split())
        title, old = str(data.get("title", "")), data.get("old")
        ctx.conversation.start(FLOW, event=data["event"], title=title, old=old, place=place)
        question = tracking_text.place_question(
            title, old if isinstance(old, str) else None, place
        )
        ctx.reply(question, _confirmation(), menu=True)
        return
    folded = fold(text)
    if folded in YES_WORDS or folded == fold(_("yes")):
        await _confirm(ctx, bloc_id, data)
    elif folded in NO_WORDS or folded == fold(_("no")):
        _drop(ctx)
    else:
        ctx.reply(_("Choose 1 to confirm or 2 to leave it."), _confirmation(), menu=True)


async def _meetings(ctx: Context, bloc_id: int) -> None:
    try:
        meetings = await ctx.services.tracking.open_events(bloc_id, EventKind.MEETING)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    if not meetings:
        ctx.reply(tracking_text.none_open(EventKind.MEETING))
        return
    buttons = [[Button(button_line(e), f"{PREFIX}:{e.id}")] for e in meetings]
    ctx.reply(_("Which meeting changes its place?"), buttons, menu=True)


async def _ask(ctx: Context, bloc_id: int, event_id: int) -> None:
    meetings = await ctx.services.tracking.open_events(bloc_id, EventKind.MEETING)
    event = next((e for e in meetings if e.id == event_id), None)
    if event is None:
        ctx.reply(tracking_text.problem(TrackingProblem.NOT_FOUND, EventKind.MEETING))
        return
    ctx.conversation.start(FLOW, event=event.id, title=event.title, old=event.place)
    ctx.reply(tracking_text.ask_place(event))


async def _confirm(ctx: Context, bloc_id: int, data: dict[str, object]) -> None:
    event_id, place = data["event"], data["place"]
    assert isinstance(event_id, int) and isinstance(place, str)
    ctx.conversation.end()
    edit = ctx.incoming.kind is IncomingKind.BUTTON
    try:
        change = await ctx.services.tracking.move_place(
            bloc_id, event_id, place, ctx.person.contact_id
        )
    except TrackingRefused as refused:
        ctx.reply(tracking_text.problem(refused.problem, EventKind.MEETING), edit=edit)
        return
    ctx.reply(tracking_text.place_done(change.event, change.previous, change.posts), edit=edit)


def _drop(ctx: Context) -> None:
    ctx.conversation.end()
    edit = ctx.incoming.kind is IncomingKind.BUTTON
    ctx.reply(_("The meeting's place was not changed."), edit=edit)


def _confirmation() -> list[list[Button]]:
    return [
        [
            Button(_("Confirm"), f"{PREFIX}:ok", _("yes")),
            Button(_("Leave it"), f"{PREFIX}:no", _("no")),
        ]
    ]
