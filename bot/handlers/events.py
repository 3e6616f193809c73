"""The bloc's calendar in chat: /deadline and /meeting (/hop) create, move or cancel an event
in a short dialog; /remind (/nhacnho) nudges the agencies that have not submitted, now.

A dialog: the menu (new, move, cancel), then for a new event the title, the local date and
time, the place (meetings), the reminder offsets and a confirmation; to move one, the event,
the new time and a confirmation; to cancel one, the event and a confirmation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.handlers import event_text
from bot.handlers.context import Context
from bot.handlers.event_text import TimeError, fold
from bot.handlers.formatting import when
from bot.handlers.model import Button, IncomingKind
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.blocfile import EventKind
from bot.services.events import DEFAULT_OFFSETS, MAX_TITLE, Calendar, EventRefused, Problem
from bot.services.reminders import NudgeRefused, Refusal
from bot.services.scoring import NoSeason

FLOW = "event"
PREFIX = "ev"  # ev:new:d, ev:move:m, ev:cancel:d, ev:mv:<id>, ev:rm:<id>, ev:def, ev:ok, ev:no
_KINDS = {"d": EventKind.DEADLINE, "m": EventKind.MEETING}
_LETTERS = {kind: letter for letter, kind in _KINDS.items()}
_MENU_WORDS = {
    "new": {"new", "moi", "tao", "them"},
    "move": {"move", "doi", "doi lich", "doi gio"},
    "cancel": {"cancel", "huy", "xoa"},
}


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
        if refused.reason is Refusal.ANNOUNCED:
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
    data = ctx.conversation.data
    step, kind = data.get("step"), EventKind(data.get("kind", EventKind.DEADLINE.value))
    if step == "menu":
        word = next((w for w, forms in _MENU_WORDS.items() if _said(text, w, forms)), None)
        if word is None:
            await _menu(ctx, kind)
        else:
            await _start(ctx, word, kind)
    elif step == "pick":
        ctx.reply(_("Choose one of the numbers above, or send /cancel."))
    elif step == "title":
        title = " ".join(text.split())
        if not title:
            ctx.reply(event_text.ask_title(kind))
            return
        if len(title) > MAX_TITLE:
            ctx.reply(_("That title is too long: at most {n} characters.").format(n=MAX_TITLE))
            return
        data.update(step="time", title=title)
        ctx.reply(event_text.ask_time(kind))
    elif step == "time":
        await _read_time(ctx, kind, text)
    elif step == "place":
        place = text.strip()
        data.update(step="remind", place=None if place in ("-", "") else place)
        _ask_offsets(ctx, kind)
    elif step == "remind":
        offsets = event_text.parse_offsets(text, kind)
        if offsets is None:
            ctx.reply(
                _(
                    "I could not read those reminders. Send how long before to remind, like "
                    "7d 3d 1d 2h (d days, h hours, m minutes), or ok for the defaults."
                )
            )
            return
        await _set_offsets(ctx, kind, offsets)
    elif step == "confirm":
        folded = fold(text)
        if folded in YES_WORDS or folded == fold(_("yes")):
            await _confirm(ctx)
        elif folded in NO_WORDS or folded == fold(_("no")):
            _drop(ctx)
        else:
            keep = _("Keep it") if data.get("action") == "cancel" else ""
            ctx.reply(_("Choose 1 to confirm or 2 to leave it."), _confirmation(keep), menu=True)
    else:
        ctx.conversation.end()


async def press(ctx: Context, payload: str) -> None:
    """A button of the calendar dialog."""
    bloc_id = ctx.bloc_id
    if bloc_id is None or not ctx.person.heads(bloc_id):
        ctx.notice(_("Only the bloc head or an operator can change the calendar."))
        return
    parts = payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    flow = ctx.conversation.data if ctx.conversation.flow == FLOW else {}
    if action in _MENU_WORDS and len(parts) == 3 and parts[2] in _KINDS:
        await _start(ctx, action, _KINDS[parts[2]])
    elif action in ("mv", "rm") and len(parts) == 3 and _number(parts[2]):
        await _pick(ctx, "move" if action == "mv" else "cancel", int(parts[2]))
    elif action == "def" and flow.get("step") == "remind":
        kind = EventKind(flow.get("kind", EventKind.DEADLINE.value))
        await _set_offsets(ctx, kind, DEFAULT_OFFSETS[kind])
    elif action == "ok" and flow.get("step") == "confirm":
        await _confirm(ctx)
    elif action == "no" and flow:
        _drop(ctx)
    else:
        ctx.notice(_("This button has expired."))


async def _menu(ctx: Context, kind: EventKind) -> None:
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    upcoming = calendar.upcoming(kind)
    if kind is EventKind.DEADLINE:
        heading = _("Upcoming deadlines of {bloc}:") if upcoming else _("No upcoming deadline.")
        labels = (_("New deadline"), _("Move a deadline"), _("Cancel a deadline"))
    else:
        heading = _("Upcoming meetings of {bloc}:") if upcoming else _("No upcoming meeting.")
        labels = (_("New meeting"), _("Move a meeting"), _("Cancel a meeting"))
    lines = [heading.format(bloc=calendar.short_name or calendar.bloc_name)]
    lines += [f"• {event_text.event_line(event)}" for event in upcoming]
    letter = _LETTERS[kind]
    buttons = [Button(labels[0], f"{PREFIX}:new:{letter}", _("new"))]
    if calendar.movable(kind):
        buttons.append(Button(labels[1], f"{PREFIX}:move:{letter}", _("move")))
        buttons.append(Button(labels[2], f"{PREFIX}:cancel:{letter}", _("cancel")))
    ctx.conversation.start(FLOW, kind=kind.value, step="menu", tz=calendar.timezone)
    ctx.reply("\n".join(lines), [buttons], menu=True)


async def _start(ctx: Context, action: str, kind: EventKind) -> None:
    """Begin creating, or list the events to move or cancel."""
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    base = {"kind": kind.value, "tz": calendar.timezone, "action": action}
    if action == "new":
        ctx.conversation.start(FLOW, step="title", **base)
        ctx.reply(event_text.ask_title(kind))
        return
    events = calendar.movable(kind)
    if not events:
        ctx.conversation.end()
        ctx.reply(_("There is no {kind} to change.").format(kind=event_text.kind_name(kind)))
        return
    code = "mv" if action == "move" else "rm"
    buttons = [[Button(event_text.button_line(e), f"{PREFIX}:{code}:{e.id}")] for e in events]
    ctx.conversation.start(FLOW, step="pick", **base)
    if action == "move":
        question = _("Which {kind} do you want to move?")
    else:
        question = _("Which {kind} do you want to cancel?")
    ctx.reply(question.format(kind=event_text.kind_name(kind)), buttons, menu=True)


async def _pick(ctx: Context, action: str, event_id: int) -> None:
    """The head chose the event to move or cancel."""
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    event = next((e for e in calendar.events if e.id == event_id), None)
    if event is None or event not in calendar.movable(event.kind):
        ctx.conversation.end()
        ctx.reply(_("That event is no longer on the calendar."))
        return
    ctx.conversation.start(
        FLOW,
        kind=event.kind.value,
        tz=calendar.timezone,
        action=action,
        event=event.id,
        title=event.title,
        old=event.at.isoformat(),
    )
    time = when(event.at, event.timezone)
    deadline = event.kind is EventKind.DEADLINE
    if action == "move":
        ctx.conversation.data["step"] = "time"
        if deadline:
            lead = _("The deadline “{title}” is due {time}.")
        else:
            lead = _("The meeting “{title}” is on {time}.")
        lead = lead.format(title=event.title, time=time)
        ctx.reply(f"{lead}\n{event_text.ask_time(event.kind)}")
        return
    ctx.conversation.data["step"] = "confirm"
    if deadline:
        question = _(
            "Cancel the deadline “{title}” ({time})? Its reminders stop and the bloc's group "
            "is told."
        )
    else:
        question = _(
            "Cancel the meeting “{title}” on {time}? Its reminders stop and the bloc's group "
            "is told."
        )
    keep = _confirmation(_("Keep it"))  # "leave it" would read as cancelling it
    ctx.reply(question.format(title=event.title, time=time), keep, menu=True)


async def _read_time(ctx: Context, kind: EventKind, text: str) -> None:
    data = ctx.conversation.data
    try:
        at = event_text.parse_time(text, data["tz"], ctx.services.events.clock.now())
    except TimeError as error:
        ctx.reply(event_text.time_problem(error.problem))
        return
    data["at"] = at.isoformat()
    if data.get("action") == "move":
        data["step"] = "confirm"
        if kind is EventKind.DEADLINE:
            question = _(
                "Move the deadline “{title}” from {old} to {new}? Its reminders go out again "
                "before the new time, and the bloc's group is told."
            )
        else:
            question = _(
                "Move the meeting “{title}” from {old} to {new}? Its reminders go out again "
                "before the new time, and the bloc's group is told."
            )
        question = question.format(
            title=data["title"],
            old=when(datetime.fromisoformat(data["old"]), data["tz"]),
            new=when(at, data["tz"]),
        )
        ctx.reply(question, _confirmation(), menu=True)
    elif kind is EventKind.MEETING:
        data["step"] = "place"
        ctx.reply(_("Where is the meeting? Send the place, or - if there is none."))
    else:
        data["step"] = "remind"
        _ask_offsets(ctx, kind)


async def _set_offsets(ctx: Context, kind: EventKind, offsets: tuple[timedelta, ...]) -> None:
    data = ctx.conversation.data
    calendar = await _calendar(ctx)
    if calendar is None:
        return
    closes = kind is EventKind.DEADLINE and calendar.scoring_deadline is None
    data.update(
        step="confirm",
        remind=[int(offset.total_seconds()) for offset in offsets],
        closes=closes,
    )
    text = event_text.summary(
        kind,
        data["title"],
        datetime.fromisoformat(data["at"]),
        data["tz"],
        data.get("place"),
        offsets,
        closes,
    )
    ctx.reply(text, _confirmation(), menu=True)


async def _confirm(ctx: Context) -> None:
    """Create, move or cancel the event the dialog is about."""
    data = dict(ctx.conversation.data)
    bloc_id = ctx.bloc_id
    assert bloc_id is not None
    events = ctx.services.events
    edit = ctx.incoming.kind is IncomingKind.BUTTON
    try:
        if data["action"] == "new":
            change = await events.create(
                bloc_id,
                ctx.person.contact_id,
                EventKind(data["kind"]),
                data["title"],
                datetime.fromisoformat(data["at"]),
                data.get("place"),
                [timedelta(seconds=s) for s in data["remind"]],
                closes_scoring=bool(data.get("closes")),
            )
        elif data["action"] == "move":
            change = await events.move(bloc_id, data["event"], datetime.fromisoformat(data["at"]))
        else:
            change = await events.cancel(bloc_id, data["event"])
    except EventRefused as refused:
        if refused.problem is Problem.IN_PAST:
            ctx.conversation.data["step"] = "time"
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
    ctx.reply(event_text.done(data["action"], change), edit=edit)


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
    data = ctx.conversation.data
    title, action = data.get("title"), data.get("action")
    if not isinstance(title, str) or not title:
        return _("Nothing was changed on the calendar.")
    deadline = data.get("kind", EventKind.DEADLINE.value) == EventKind.DEADLINE.value
    if action == "new":
        if deadline:
            said = _("The draft deadline “{title}” was dropped; nothing was created.")
        else:
            said = _("The draft meeting “{title}” was dropped; nothing was created.")
        return said.format(title=title)
    try:
        time = when(datetime.fromisoformat(str(data.get("old"))), str(data.get("tz")))
    except (ValueError, KeyError):
        return _("Nothing was changed on the calendar.")
    if action == "move" and deadline:
        said = _("The deadline “{title}” was not moved; it stays due {time}.")
    elif action == "move":
        said = _("The meeting “{title}” was not moved; it stays on {time}.")
    elif deadline:
        said = _("The deadline “{title}” was not cancelled; it stays due {time}.")
    else:
        said = _("The meeting “{title}” was not cancelled; it stays on {time}.")
    return said.format(title=title, time=time)


def _cancelled(ctx: Context) -> str:
    return describe_draft(ctx) or _("Nothing was changed on the calendar.")


def _number(text: str) -> bool:
    """An id as a button carries it: ASCII digits only (``²`` and ``①`` are digits to
    ``str.isdigit`` but not to ``int``)."""
    return text.isascii() and text.isdigit() and len(text) < 19


def _ask_offsets(ctx: Context, kind: EventKind) -> None:
    defaults = DEFAULT_OFFSETS[kind]
    ctx.reply(
        _(
            "When should I remind? Send how long before, like 7d 3d 1d 2h (d days, h hours, "
            "m minutes), or ok for the defaults: {defaults}."
        ).format(defaults=event_text.offsets_text(defaults)),
        [[Button(_("Use the defaults"), f"{PREFIX}:def", "ok")]],
        menu=True,
    )


def _confirmation(keep: str = "") -> list[list[Button]]:
    return [
        [
            Button(_("Confirm"), f"{PREFIX}:ok", _("yes")),
            Button(keep or _("Leave it"), f"{PREFIX}:no", _("no")),
        ]
    ]


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


def _said(text: str, word: str, forms: set[str]) -> bool:
    folded = fold(text)
    return folded in forms or folded == fold(_(word))
