"""What /done (/daxong) and /attend (/thamdu) say, and the post about a meeting's new place
(``bot.services.tracking.PlaceTexts``)."""

from __future__ import annotations

from bot.domain.events import EventKind
from bot.handlers.formatting import when
from bot.i18n import _, ngettext
from bot.services.events import EventView
from bot.services.tracking import AgencyMark, MarkChange, Marks, TrackingProblem


def place_changed(event: EventView, previous: str | None) -> str:
    """To the group and the agencies coming: the meeting's place, old → new."""
    values = {
        "title": event.title,
        "time": when(event.at, event.timezone),
        "old": previous or _("not given"),
        "new": event.place or _("not given"),
    }
    return _("The meeting “{title}” on {time} changes its place: {old} → {new}.").format(**values)


def problem(refused: TrackingProblem, kind: EventKind) -> str:
    """Why a mark or an answer was refused, in one sentence."""
    if refused is TrackingProblem.SCORING:
        return _("The self-score deadline is met by submitting the sheet: use /score.")
    if refused is TrackingProblem.PASSED:
        return _("The meeting has begun: answers and its place no longer change.")
    if refused is TrackingProblem.NO_AGENCY:
        return _("There is no such agency in the bloc: send its code, as /progress shows it.")
    if refused is TrackingProblem.TOO_LONG:
        return _("That is too long: name who will come in at most 500 characters.")
    if kind is EventKind.DEADLINE:
        return _("That deadline is no longer on the calendar.")
    return _("That meeting is no longer on the calendar.")


def unknown(kind: EventKind, given: str, codes: list[str]) -> str:
    """A deadline or a meeting typed that matches none (or several)."""
    listed = ", ".join(codes) or _("none")
    if kind is EventKind.DEADLINE:
        said = _("No open deadline matches “{given}”. Open deadlines: {codes}.")
    else:
        said = _("No upcoming meeting matches “{given}”. Upcoming meetings: {codes}.")
    return said.format(given=given, codes=listed)


def none_open(kind: EventKind) -> str:
    if kind is EventKind.DEADLINE:
        return _("There is no open deadline to mark (the self-score sheet is sent with /score).")
    return _("There is no upcoming meeting.")


def pick(kind: EventKind, listing: bool = False) -> str:
    if kind is EventKind.DEADLINE:
        return _("Which deadline?") if listing else _("Which deadline has your agency met?")
    return _("Which meeting?") if listing else _("Which meeting are you answering?")


def marked(change: MarkChange) -> str:
    """What /done did: the agency's mark before → after."""
    values = {
        "title": change.event.title,
        "agency": change.after.name,
        "time": when(change.after.at or change.event.at, change.event.timezone),
    }
    if change.before.at is not None and change.after.at is not None:
        return _("“{title}”: {agency} was already marked as sent ({time}).").format(**values)
    if change.after.at is not None:
        said = _("“{title}”: {agency} not sent → sent ({time}). No more reminders of it.")
        return said.format(**values)
    if change.before.at is not None:
        return _("“{title}”: {agency} sent → not sent. Its reminders go out again.").format(
            **values
        )
    return _("“{title}”: {agency} was not marked as sent; nothing changed.").format(**values)


def done_list(marks: Marks) -> str:
    """Who has sent what the deadline asks for and who has not."""
    event = marks.event
    done, missing = marks.done(), marks.missing()
    lines = [
        _("“{title}”, due {time}: {n}/{total} sent.").format(
            title=event.title,
            time=when(event.at, event.timezone),
            n=len(done),
            total=len(marks.agencies),
        )
    ]
    for line in done:
        assert line.at is not None
        lines.append(f"✓ {line.name} ({when(line.at, event.timezone)})")
    lines += [f"✗ {line.name}" for line in missing]
    return "\n".join(lines)


def answer_text(line: AgencyMark) -> str:
    """``comes: Hoa, Lan`` · ``does not come`` · ``not answered``."""
    if line.answer is None:
        return _("not answered")
    if not line.answer:
        return _("does not come")
    if line.attendees:
        return _("comes: {names}").format(names=line.attendees)
    return _("comes")


def ask_answer(event: EventView, line: AgencyMark) -> str:
    """Whether the agency comes to the meeting, and what it answered before."""
    lead = _("Will {agency} attend “{title}” on {time}?").format(
        agency=line.name, title=event.title, time=when(event.at, event.timezone)
    )
    if event.place:
        lead += "\n" + _("Place: {place}").format(place=event.place)
    if line.answer is not None:
        lead += "\n" + _("Your answer now: {answer}.").format(answer=answer_text(line))
    return lead


def ask_attendees() -> str:
    return _("Who will come? Send the names (and positions), or - for nobody named yet.")


def answered(change: MarkChange) -> str:
    """The agency's answer before → after."""
    values = {
        "title": change.event.title,
        "old": answer_text(change.before),
        "new": answer_text(change.after),
    }
    if (change.before.answer, change.before.attendees) == (
        change.after.answer,
        change.after.attendees,
    ):
        return _("“{title}”: your answer stays: {new}.").format(**values)
    return _("“{title}”: {old} → {new}. You can change it until the meeting.").format(**values)


def attendance_list(marks: Marks) -> str:
    """Every agency's answer to the meeting, for the leaders."""
    event = marks.event
    coming = [line for line in marks.agencies if line.answer]
    unanswered = [line for line in marks.agencies if line.answer is None]
    lines = [
        _("“{title}”, {time}: {yes} coming, {none} not answered, of {total}.").format(
            title=event.title,
            time=when(event.at, event.timezone),
            yes=len(coming),
            none=len(unanswered),
            total=len(marks.agencies),
        )
    ]
    if event.place:
        lines.append(_("Place: {place}").format(place=event.place))
    marks_of = {True: "✓", False: "✗", None: "…"}
    lines += [
        f"{marks_of[line.answer]} {line.name}: {answer_text(line)}" for line in marks.agencies
    ]
    return "\n".join(lines)


def ask_place(event: EventView) -> str:
    return _(
        "The meeting “{title}” is at: {place}. Send the new place, or - if there is none."
    ).format(title=event.title, place=event.place or _("not given"))


def place_question(title: str, old: str | None, new: str) -> str:
    """Whether to change the meeting's place, old → new."""
    return _(
        "Change the place of “{title}”: {old} → {new}? The bloc's group and the agencies "
        "coming are told."
    ).format(title=title, old=old or _("not given"), new=new or _("not given"))


def place_done(event: EventView, previous: str | None, posts: int) -> str:
    said = _("Place of “{title}”: {old} → {new}.").format(
        title=event.title, old=previous or _("not given"), new=event.place or _("not given")
    )
    if posts:
        sent = ngettext("{n} message is on its way.", "{n} messages are on their way.", posts)
        said += " " + sent.format(n=posts)
    return said
