"""What the calendar dialogs read and write (local dates and times, reminder offsets,
summaries), and the group posts about a change of the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from bot.blocfile import EventKind
from bot.domain import typed
from bot.domain.typed import fold
from bot.handlers.formatting import duration, fit_title, when
from bot.i18n import _, ngettext
from bot.services.events import DEFAULT_OFFSETS, MAX_OFFSET, EventChange, EventView
from bot.services.reminders import Nudge

DEFAULT_WORDS = {"ok", "mac dinh", "macdinh", "default", "defaults"}
BUTTON_WIDTH = 48  # characters of a title on a button


class TimeProblem(StrEnum):
    FORMAT = "format"  # not one of the accepted forms
    INVALID = "invalid"  # 31/02, 25:00
    PAST = "past"


class TimeError(ValueError):
    def __init__(self, problem: TimeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_time(text: str, timezone: str, now: datetime) -> datetime:
    """A local date and time: ``20/11/2025 17:00``, ``2025-11-20 17:00`` or ``20/11 17:00``
    (the next 20/11 to come); ``17h00`` and ``17h`` too (see typed). Raises TimeError."""
    moment = typed.parse_local_datetime(text, timezone, now, upcoming=True)
    if moment is None:
        invalid = typed.is_date_time(text)
        raise TimeError(TimeProblem.INVALID if invalid else TimeProblem.FORMAT)
    if moment <= now:
        raise TimeError(TimeProblem.PAST)
    return moment


def parse_offsets(text: str, kind: EventKind) -> tuple[timedelta, ...] | None:
    """``7d 3d 1d 2h``, ``7 ngày, 2 giờ, 30 phút`` (``7 ngay``, ``2 gio``), or a word for the
    defaults; farthest first. None if not understood, or one is zero or beyond a year."""
    folded = fold(text)
    if folded in DEFAULT_WORDS or folded == fold(_("default")):
        return DEFAULT_OFFSETS[kind]
    offsets = typed.parse_offsets(text)
    if not offsets or any(o <= timedelta(0) or o > MAX_OFFSET for o in offsets):
        return None
    return tuple(sorted(set(offsets), reverse=True))


def time_problem(problem: TimeProblem) -> str:
    """What is wrong with a typed date and time, and what is accepted."""
    if problem is TimeProblem.PAST:
        return _("That time has already passed. Send a date and time still to come.")
    if problem is TimeProblem.INVALID:
        return _("There is no such date or time. Check the day, the month and the hour.")
    return _(
        "I could not read that date. Send the local date and time like 20/11/2025 17:00, "
        "2025-11-20 17:00 or 20/11 17:00."
    )


def offsets_text(offsets: Sequence[timedelta]) -> str:
    """``7 days, 3 days, 1 day, 2 hours``."""
    return ", ".join(duration(offset) for offset in offsets) or _("none")


def event_line(event: EventView) -> str:
    """``Hội nghị tổng kết — 20/12/2021 14:00``, with what makes it special."""
    line = f"{event.title} — {when(event.at, event.timezone)}"
    if event.closes_scoring:
        line += " " + _("(closes the self-scoring)")
    return line


def button_line(event: EventView) -> str:
    """``Hội nghị tổng kết công tác… — 20/12/2021 14:00``: a long title cut at a word."""
    return f"{fit_title(event.title, BUTTON_WIDTH)} — {when(event.at, event.timezone)}"


def kind_name(kind: EventKind) -> str:
    """``deadline`` or ``meeting``, in the middle of a sentence."""
    return _("deadline") if kind is EventKind.DEADLINE else _("meeting")


def summary(
    kind: EventKind,
    title: str,
    at: datetime,
    timezone: str,
    place: str | None,
    offsets: Sequence[timedelta],
    closes_scoring: bool,
) -> str:
    """What a new event will be, before the head confirms it."""
    if kind is EventKind.DEADLINE:
        lines = [_("New deadline: {title}").format(title=title)]
        lines.append(_("Due: {time}").format(time=when(at, timezone)))
    else:
        lines = [_("New meeting: {title}").format(title=title)]
        lines.append(_("When: {time}").format(time=when(at, timezone)))
        lines.append(_("Place: {place}").format(place=place or _("not given")))
    lines.append(_("Reminders: {offsets} before.").format(offsets=offsets_text(offsets)))
    if closes_scoring:
        lines.append(_("It closes the self-scoring: sheets cannot be changed after it."))
    if kind is EventKind.DEADLINE:
        lines.append(_("Create this deadline? The bloc's group will be told."))
    else:
        lines.append(_("Create this meeting? The bloc's group will be told."))
    return "\n".join(lines)


def ask_title(kind: EventKind) -> str:
    """The first question about a new event."""
    if kind is EventKind.DEADLINE:
        return _("Send the title of the new deadline, like: Nộp bảng tự chấm điểm")
    return _("Send the title of the new meeting, like: Hội nghị tổng kết")


def ask_time(kind: EventKind) -> str:
    """When is it, in local time."""
    if kind is EventKind.DEADLINE:
        return _("When is it due? Send the local date and time, like 20/11/2025 17:00.")
    return _("When is the meeting? Send the local date and time, like 20/12/2025 14:00.")


def done(action: str, change: EventChange) -> str:
    """What was created, moved or cancelled, and who was told."""
    event = change.event
    line = event_line(event)
    if action == "new":
        lines = [_("Created: {event}").format(event=line)]
    elif action == "move":
        moved = _("Moved: {event}. Its reminders go out again before the new time.")
        lines = [moved.format(event=line)]
    else:
        lines = [_("Cancelled: {event}. Its reminders will not go out.").format(event=line)]
    if change.posts:
        lines.append(
            ngettext(
                "{n} group of the bloc is told.", "{n} groups of the bloc are told.", change.posts
            ).format(n=change.posts)
        )
    return "\n".join(lines)


# -- calendar changes, posted to the group (bot.services.notices.CalendarTexts)


def event_created(event: EventView) -> str:
    """A new deadline or meeting: when, where, what it closes, its reminders."""
    time = when(event.at, event.timezone)
    if event.kind is EventKind.MEETING:
        lines = [_("New meeting: “{title}”, on {time}.").format(title=event.title, time=time)]
    else:
        lines = [_("New deadline: “{title}”, due {time}.").format(title=event.title, time=time)]
    if event.place:
        lines.append(_("Place: {place}").format(place=event.place))
    if event.closes_scoring:
        lines.append(_("Self-score sheets can be changed until then, not after."))
    if event.remind:
        lines.append(_("Reminders: {offsets} before.").format(offsets=offsets_text(event.remind)))
    return "\n".join(lines)


def event_moved(event: EventView, previous: datetime) -> str:
    """A deadline or meeting moved from ``previous`` to its time now."""
    values = {
        "title": event.title,
        "old": when(previous, event.timezone),
        "new": when(event.at, event.timezone),
    }
    if event.kind is EventKind.MEETING:
        return _("The meeting “{title}” is moved from {old} to {new}.").format(**values)
    return _("The deadline “{title}” is moved from {old} to {new}.").format(**values)


def event_cancelled(event: EventView) -> str:
    """A deadline or meeting that will not take place."""
    values = {"title": event.title, "time": when(event.at, event.timezone)}
    if event.kind is EventKind.MEETING:
        return _("The meeting “{title}” on {time} is cancelled.").format(**values)
    return _("The deadline “{title}” ({time}) is cancelled.").format(**values)


# -- the reply to /remind


def nudge_text(nudge: Nudge) -> str:
    """What /remind sent, to whom, and who it could not reach."""
    if not nudge.agencies:
        return _("Every agency has submitted its sheet: there is nobody to remind.")
    if nudge.repeated:
        return _("This reminder was sent a moment ago; it was not sent again.")
    count = len(nudge.agencies)
    lines = [
        ngettext(
            "{n} agency has not submitted: {agencies}.",
            "{n} agencies have not submitted: {agencies}.",
            count,
        ).format(n=count, agencies=", ".join(nudge.agencies)),
        _("Sent: {messages} and {posts}.").format(
            messages=ngettext("{n} direct message", "{n} direct messages", nudge.people).format(
                n=nudge.people
            ),
            posts=ngettext("{n} group post", "{n} group posts", nudge.groups).format(
                n=nudge.groups
            ),
        ),
    ]
    if nudge.waits_until is not None and (nudge.people or nudge.groups):
        lines.append(
            _("It is the bloc's quiet time: the messages go out at {time}.").format(
                time=when(nudge.waits_until, nudge.timezone)
            )
        )
    if nudge.unreachable:
        lines.append(
            ngettext(
                "{n} contact has blocked the bot and was left out.",
                "{n} contacts have blocked the bot and were left out.",
                nudge.unreachable,
            ).format(n=nudge.unreachable)
        )
    if nudge.without_contact:
        lines.append(
            _("Nobody is linked yet for: {agencies}.").format(
                agencies=", ".join(nudge.without_contact)
            )
        )
    return "\n".join(lines)
