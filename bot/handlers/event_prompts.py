"""What the calendar dialog asks and offers: the menu, the event to pick, the move and cancel
questions, the reminders question, the confirmation buttons, and what /cancel drops."""

from __future__ import annotations

from datetime import datetime

from bot.domain.events import EventKind
from bot.handlers import event_text
from bot.handlers.event_draft import LETTERS, PREFIX, Action, Draft
from bot.handlers.formatting import when
from bot.handlers.model import Button
from bot.i18n import _
from bot.services.events import DEFAULT_OFFSETS, Calendar, EventView

Buttons = list[list[Button]]


def menu(calendar: Calendar, kind: EventKind) -> tuple[str, Buttons]:
    """The upcoming deadlines or meetings, and the buttons to add, move or cancel one."""
    upcoming = calendar.upcoming(kind)
    if kind is EventKind.DEADLINE:
        heading = _("Upcoming deadlines of {bloc}:") if upcoming else _("No upcoming deadline.")
        labels = (_("New deadline"), _("Move a deadline"), _("Cancel a deadline"))
    else:
        heading = _("Upcoming meetings of {bloc}:") if upcoming else _("No upcoming meeting.")
        labels = (_("New meeting"), _("Move a meeting"), _("Cancel a meeting"))
    lines = [heading.format(bloc=calendar.short_name or calendar.bloc_name)]
    lines += [f"• {event_text.event_line(event)}" for event in upcoming]
    letter = LETTERS[kind]
    buttons = [Button(labels[0], f"{PREFIX}:new:{letter}", _("new"))]
    if calendar.movable(kind):
        buttons.append(Button(labels[1], f"{PREFIX}:move:{letter}", _("move")))
        buttons.append(Button(labels[2], f"{PREFIX}:cancel:{letter}", _("cancel")))
    if kind is EventKind.MEETING and upcoming:  # bot.handlers.meeting_place
        buttons.append(Button(_("Change a meeting's place"), "mp:pick", _("place")))
    return "\n".join(lines), [buttons]


def which(action: Action, kind: EventKind, events: list[EventView]) -> tuple[str, Buttons]:
    """Which event to move or cancel, one button each."""
    code = "mv" if action is Action.MOVE else "rm"
    buttons = [[Button(event_text.button_line(e), f"{PREFIX}:{code}:{e.id}")] for e in events]
    if action is Action.MOVE:
        question = _("Which {kind} do you want to move?")
    else:
        question = _("Which {kind} do you want to cancel?")
    return question.format(kind=event_text.kind_name(kind)), buttons


def when_now(event: EventView) -> str:
    """The event to move, when it is now, and the question for its new time."""
    time = when(event.at, event.timezone)
    if event.kind is EventKind.DEADLINE:
        lead = _("The deadline “{title}” is due {time}.")
    else:
        lead = _("The meeting “{title}” is on {time}.")
    lead = lead.format(title=event.title, time=time)
    return f"{lead}\n{event_text.ask_time(event.kind)}"


def cancel_question(event: EventView) -> tuple[str, Buttons]:
    """Whether to cancel the event, with a button to keep it."""
    time = when(event.at, event.timezone)
    if event.kind is EventKind.DEADLINE:
        question = _(
            "Cancel the deadline “{title}” ({time})? Its reminders stop and the bloc's group "
            "is told."
        )
    else:
        question = _(
            "Cancel the meeting “{title}” on {time}? Its reminders stop and the bloc's group "
            "is told."
        )
    keep = confirmation(_("Keep it"))  # "leave it" would read as cancelling it
    return question.format(title=event.title, time=time), keep


def move_question(draft: Draft, at: datetime) -> str:
    """Whether to move the event of ``draft`` from its time to ``at``."""
    if draft.kind is EventKind.DEADLINE:
        question = _(
            "Move the deadline “{title}” from {old} to {new}? Its reminders go out again "
            "before the new time, and the bloc's group is told."
        )
    else:
        question = _(
            "Move the meeting “{title}” from {old} to {new}? Its reminders go out again "
            "before the new time, and the bloc's group is told."
        )
    assert draft.old is not None
    return question.format(
        title=draft.title, old=when(draft.old, draft.tz), new=when(at, draft.tz)
    )


def ask_offsets(kind: EventKind) -> tuple[str, Buttons]:
    """When to remind, with a button for the defaults."""
    defaults = DEFAULT_OFFSETS[kind]
    question = _(
        "When should I remind? Send how long before, like 7d 3d 1d 2h (d days, h hours, "
        "m minutes), or ok for the defaults: {defaults}."
    )
    return (
        question.format(defaults=event_text.offsets_text(defaults)),
        [[Button(_("Use the defaults"), f"{PREFIX}:def", "ok")]],
    )


def confirmation(keep: str = "") -> Buttons:
    """Confirm, and leave it (or ``keep``: what not confirming means)."""
    return [
        [
            Button(_("Confirm"), f"{PREFIX}:ok", _("yes")),
            Button(keep or _("Leave it"), f"{PREFIX}:no", _("no")),
        ]
    ]


def dropped(draft: Draft | None) -> str:
    """What leaving the dialog at ``draft`` drops: a draft deadline or meeting is not
    created, an event being moved or cancelled stays as it is; before that, nothing."""
    nothing = _("Nothing was changed on the calendar.")
    if draft is None or not draft.title:
        return nothing
    deadline = draft.kind is EventKind.DEADLINE
    if draft.action is Action.NEW:
        if deadline:
            said = _("The draft deadline “{title}” was dropped; nothing was created.")
        else:
            said = _("The draft meeting “{title}” was dropped; nothing was created.")
        return said.format(title=draft.title)
    if draft.old is None:
        return nothing
    try:
        time = when(draft.old, draft.tz)
    except (ValueError, KeyError):  # not a timezone
        return nothing
    if draft.action is Action.MOVE and deadline:
        said = _("The deadline “{title}” was not moved; it stays due {time}.")
    elif draft.action is Action.MOVE:
        said = _("The meeting “{title}” was not moved; it stays on {time}.")
    elif deadline:
        said = _("The deadline “{title}” was not cancelled; it stays due {time}.")
    else:
        said = _("The meeting “{title}” was not cancelled; it stays on {time}.")
    return said.format(title=draft.title, time=time)
