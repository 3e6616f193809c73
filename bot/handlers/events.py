"""The bloc's calendar in chat: /deadline and /meeting (/hop) create, move or cancel an event
in a short dialog; /remind (/nhacnho) nudges the agencies that have not submitted, now.

A dialog: the menu (new, move, cancel), then for a new event the title, the local date and
time, the place (meetings), the reminder offsets and a confirmation; to move one, the event,
the new time and a confirmation; to cancel one, the event and a confirmation. Its steps and
draft are in ``bot.handlers.event_draft``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.domain.events import EventKind
from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.domain.typed import fold
from bot.handlers import event_prompts, event_text
from bot.handlers.context import Context
from bot.handlers.event_draft import (
    FLOW,
    KINDS,
    PREFIX,
    Action,
    Draft,
    Step,
    is_id,
    load,
    menu_action,
    save,
)
from bot.handlers.event_prompts import confirmation
from bot.handlers.event_text import TimeError
from bot.handlers.formatting import when
from bot.handlers.model import IncomingKind
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.events import DEFAULT_OFFSETS, MAX_TITLE, Calendar, EventProblem, EventRefused
from bot.services.reminders import NudgeReason, NudgeRefused
from bot.services.scoring import NoSeason


def register(router: Router) -> None:
    """Add the calendar commands, their dialog and buttons, and /remind."""
    router.command(
        Command(
            "deadline",
            deadline,
            Audience.HEADS,
            N_("set, move or cancel a deadline"),
            ("hannop",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "meeting",
            meeting,
            Audience.HEADS,
            N_("set, move or cancel a meeting"),
            ("hop",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "remind",
            remind,
            Audience.LEADERS,
            N_("remind the agencies that have not submitted, now"),
            ("nhacnho",),
        )
    )
    router.button(PREFIX, press)
    router.flow(FLOW, answer, on_cancel=_cancelled)


async def deadline(ctx: Context, _args: str) -> None:
    """List the upcoming deadlines and offer to add, move or cancel one."""
    await _menu(ctx, EventKind.DEADLINE)


async def meeting(ctx: Context, _args: str) -> None:
    """List the upcoming meetings and offer to add, move or cancel one."""
    await _menu(ctx, EventKind.MEETING)


async def remind(ctx: Context, _args: str) -> None:
    """Nudge every contact of every agency that has not submitted, and say what was sent."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(
            _("Link your account first (/start CODE), or use this command in the bloc's group.")
        )
        return
    here = (ctx.incoming.platform, ctx.incoming.chat_id) if ctx.incoming.in_group else None
    try:
        nudge = await ctx.services.reminders.nudge(bloc_id, ctx.person.contact_id, skip=here)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    except NudgeRefused as refused:
        if refused.reason is NudgeReason.ANNOUNCED:
            ctx.reply(_("The results are announced: there is nobody to remind."))
        else:
            assert refused.deadline is not None
            time = when(refused.deadline, refused.timezone)
            passed = _("The deadline {time} has passed: late sheets can no longer be submitted.")
            ctx.reply(passed.format(time=time))
        return
    ctx.reply(event_text.nudge_text(nudge))


async def answer(ctx: Context, text: str) -> None:
    """Read what the head typed at the current step of the dialog."""
    draft = load(ctx.conversation)
    if draft is None:
        ctx.conversation.end()
        return
    await _ANSWERS[draft.step](ctx, draft, text)


async def press(ctx: Context, payload: str) -> None:
    """A button of the calendar dialog."""
    bloc_id = ctx.bloc_id
    if bloc_id is None or not ctx.person.heads(bloc_id):
        ctx.notice(_("Only the bloc head or an operator can change the calendar."))
        return
    parts = payload.split(":")
    word = parts[1] if len(parts) > 1 else ""
    draft = load(ctx.conversation)
    match word:
        case Action.NEW | Action.MOVE | Action.CANCEL if len(parts) == 3 and parts[2] in KINDS:
            await _start(ctx, Action(word), KINDS[parts[2]])
        case "mv" | "rm" if len(parts) == 3 and is_id(parts[2]):
            await _pick(ctx, Action.MOVE if word == "mv" else Action.CANCEL, int(parts[2]))
        case "def" if draft is not None and draft.step is Step.REMIND:
            await _set_offsets(ctx, draft, DEFAULT_OFFSETS[draft.kind])
        case "ok" if draft is not None and draft.step is Step.CONFIRM:
            await _confirm(ctx, draft)
        case "no" if draft is not None:
            _drop(ctx)
        case _:
            ctx.notice(_("This button has expired."))


# -- the answer typed at each step


async def _at_menu(ctx: Context, draft: Draft, text: str) -> None:
    action = menu_action(text)
    if action is None:
        await _menu(ctx, draft.kind)
    else:
        await _start(ctx, action, draft.kind)


async def _at_pick(ctx: Context, _draft: Draft, _text: str) -> None:
    ctx.reply(_("Choose one of the numbers above, or send /cancel."))


async def _at_title(ctx: Context, draft: Draft, text: str) -> None:
    title = " ".join(text.split())
    if not title:
        ctx.reply(event_text.ask_title(draft.kind))
        return
    if len(title) > MAX_TITLE:
        ctx.reply(_("That title is too long: at most {n} characters.").format(n=MAX_TITLE))
        return
    save(ctx.conversation, replace(draft, step=Step.TIME, title=title))
    ctx.reply(event_text.ask_time(draft.kind))


async def _at_time(ctx: Context, draft: Draft, text: str) -> None:
    try:
        at = event_text.parse_time(text, draft.tz, ctx.services.events.clock.now())
    except TimeError as error:
        ctx.reply(event_text.time_problem(error.problem))
        return
    if draft.action is Action.MOVE:
        save(ctx.conversation, replace(draft, step=Step.CONFIRM, at=at))
        ctx.reply(event_prompts.move_question(draft, at), confirmation(), menu=True)
    elif draft.kind is EventKind.MEETING:
        save(ctx.conversation, replace(draft, step=Step.PLACE, at=at))
        ctx.reply(_("Where is the meeting? Send the place, or - if there is none."))
    else:
        save(ctx.conversation, replace(draft, step=Step.REMIND, at=at))
        _ask_offsets(ctx, draft.kind)


async def _at_place(ctx: Context, draft: Draft, text: str) -> None:
    place = text.strip()
    place_or_none = None if place in ("-", "") else place
    save(ctx.conversation, replace(draft, step=Step.REMIND, place=place_or_none))
    _ask_offsets(ctx, draft.kind)


async def _at_remind(ctx: Context, draft: Draft, text: str) -> None:
    offsets = event_text.parse_offsets(text, draft.kind)
    if offsets is None:
        ctx.reply(
            _(
                "I could not read those reminders. Send how long before to remind, like "
                "7d 3d 1d 2h (d days, h hours, m minutes), or ok for the defaults."
            )
        )
        return
    await _set_offsets(ctx, draft, offsets)


async def _at_confirm(ctx: Context, draft: Draft, text: str) -> None:
    folded = fold(text)
    if folded in YES_WORDS or folded == fold(_("yes")):
        await _confirm(ctx, draft)
    elif folded in NO_WORDS or folded == fold(_("no")):
        _drop(ctx)
    else:
        keep = _("Keep it") if draft.action is Action.CANCEL else ""
        ctx.reply(_("Choose 1 to confirm or 2 to leave it."), confirmation(keep), menu=True)


_ANSWERS: dict[Step, Callable[[Context, Draft, str], Awaitable[None]]] = {
    Step.MENU: _at_menu,
    Step.PICK: _at_pick,
    Step.TITLE: _at_title,
    Step.TIME: _at_time,
    Step.PLACE: _at_place,
    Step.REMIND: _at_remind,
    Step.CONFIRM: _at_confirm,
}


# -- the moves of the dialog


async def _menu(ctx: Context, kind: EventKind) -> None:
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    text, buttons = event_prompts.menu(calendar, kind)
    save(ctx.conversation, Draft(Step.MENU, kind, calendar.timezone))
    ctx.reply(text, buttons, menu=True)


async def _start(ctx: Context, action: Action, kind: EventKind) -> None:
    """Begin creating, or list the events to move or cancel."""
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    if action is Action.NEW:
        save(ctx.conversation, Draft(Step.TITLE, kind, calendar.timezone, action))
        ctx.reply(event_text.ask_title(kind))
        return
    events = calendar.movable(kind)
    if not events:
        ctx.conversation.end()
        ctx.reply(_("There is no {kind} to change.").format(kind=event_text.kind_name(kind)))
        return
    question, buttons = event_prompts.which(action, kind, events)
    save(ctx.conversation, Draft(Step.PICK, kind, calendar.timezone, action))
    ctx.reply(question, buttons, menu=True)


async def _pick(ctx: Context, action: Action, event_id: int) -> None:
    """The head chose the event to move or cancel."""
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    event = next((e for e in calendar.events if e.id == event_id), None)
    if event is None or event not in calendar.movable(event.kind):
        ctx.conversation.end()
        ctx.reply(_("That event is no longer on the calendar."))
        return
    step = Step.TIME if action is Action.MOVE else Step.CONFIRM
    draft = Draft(step, event.kind, calendar.timezone, action, event.id, event.title, event.at)
    save(ctx.conversation, draft)
    if action is Action.MOVE:
        ctx.reply(event_prompts.when_now(event))
    else:
        question, keep = event_prompts.cancel_question(event)
        ctx.reply(question, keep, menu=True)


async def _set_offsets(ctx: Context, draft: Draft, offsets: tuple[timedelta, ...]) -> None:
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    assert draft.title is not None and draft.at is not None
    closes = draft.kind is EventKind.DEADLINE and calendar.scoring_deadline is None
    save(ctx.conversation, replace(draft, step=Step.CONFIRM, remind=offsets, closes=closes))
    text = event_text.summary(
        draft.kind, draft.title, draft.at, draft.tz, draft.place, offsets, closes
    )
    ctx.reply(text, confirmation(), menu=True)


async def _confirm(ctx: Context, draft: Draft) -> None:
    """Create, move or cancel the event the dialog is about."""
    bloc_id = ctx.bloc_id
    assert bloc_id is not None and draft.action is not None
    events = ctx.services.events
    edit = ctx.incoming.kind is IncomingKind.BUTTON
    try:
        if draft.action is Action.NEW:
            assert draft.title is not None and draft.at is not None
            change = await events.create(
                bloc_id,
                ctx.person.contact_id,
                draft.kind,
                draft.title,
                draft.at,
                draft.place,
                draft.remind,
                closes_scoring=draft.closes,
            )
        elif draft.action is Action.MOVE:
            assert draft.event is not None and draft.at is not None
            change = await events.move(bloc_id, draft.event, draft.at)
        else:
            assert draft.event is not None
            change = await events.cancel(bloc_id, draft.event)
    except EventRefused as refused:
        if refused.problem is EventProblem.IN_PAST:
            save(ctx.conversation, replace(draft, step=Step.TIME))
            ctx.reply(_("That time has passed in the meantime. Send a new date and time."))
        else:
            ctx.conversation.end()
            ctx.reply(_("That event is no longer on the calendar."), edit=edit)
        return
    except NoSeason:
        ctx.conversation.end()
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    ctx.conversation.end()
    ctx.reply(event_text.done(draft.action, change), edit=edit)


def _drop(ctx: Context) -> None:
    said = _cancelled(ctx)
    ctx.conversation.end()
    ctx.reply(said, edit=ctx.incoming.kind is IncomingKind.BUTTON)


def describe_draft(ctx: Context) -> str | None:
    """What leaving the calendar dialog now drops, to say on /cancel; None outside it.

    A draft deadline or meeting is not created, an event being moved or cancelled stays as
    it is; before any of that, nothing on the calendar changes.
    """
    if ctx.conversation.flow != FLOW:
        return None
    return event_prompts.dropped(load(ctx.conversation))


def _cancelled(ctx: Context) -> str:
    return describe_draft(ctx) or _("Nothing was changed on the calendar.")


def _ask_offsets(ctx: Context, kind: EventKind) -> None:
    question, buttons = event_prompts.ask_offsets(kind)
    ctx.reply(question, buttons, menu=True)


async def _calendar(ctx: Context) -> Calendar | None:
    """The bloc's calendar, or None after saying why there is none."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.conversation.end()
        ctx.reply(_("Link your account to your agency first: /start CODE."))
        return None
    try:
        return await ctx.services.events.calendar(bloc_id)
    except NoSeason:
        ctx.conversation.end()
        ctx.reply(_("The bloc has no emulation season yet."))
        return None
