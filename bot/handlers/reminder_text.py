"""What the reminders say: before an event, the Monday digest, the missing sheets, the nudge.

The presenter of ``bot.services.notices.ReminderTexts``: the reminder service calls these
inside ``use_locale(<the reader's language>)`` and puts the result in the outbox. The time left
until a deadline or a meeting is a stand-in (``left_until``) that ``timetext.settle`` writes
out, and the dispatcher writes again when the message is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.events import EventKind
from bot.handlers.formatting import when
from bot.i18n import _, ngettext
from bot.services.events import EventView
from bot.services.results import AgencyProgress, Progress, ProgressView
from bot.timetext import left_until


def reminder(event: EventView) -> str:
    """A meeting, or a deadline that is not the self-score one: the same for everyone."""
    time, left = when(event.at, event.timezone), left_until(event.at)
    if event.kind is EventKind.MEETING:
        lines = [
            _("Reminder: “{title}”, on {time} ({left} from now).").format(
                title=event.title, time=time, left=left
            )
        ]
        if event.place:
            lines.append(_("Place: {place}").format(place=event.place))
        return "\n".join(lines)
    return _due(event)


def scoring_reminder(event: EventView, line: AgencyProgress) -> str:
    """To a contact of an agency that has not submitted its sheet before the deadline."""
    return "\n".join([_due(event), *_to_finish(line)])


def scoring_post(event: EventView, view: ProgressView) -> str:
    """To the group: the deadline, how many submitted, who has not."""
    late = [line.agency.name for line in view.agencies if line.status is not Progress.SUBMITTED]
    done = len(view.agencies) - len(late)
    return "\n".join(
        [
            _due(event),
            _("{done} of {total} agencies have submitted their sheets.").format(
                done=done, total=len(view.agencies)
            ),
            _("Not submitted yet: {agencies}").format(agencies=", ".join(late)),
            _("Contact officers: send /score to me in a direct chat to finish."),
        ]
    )


def missing_list(event: EventView, late: Sequence[AgencyProgress]) -> str:
    """To the head, once the deadline that closes scoring has passed."""
    lines = [
        ngettext(
            "The deadline “{title}” ({time}) has passed and {n} agency has not submitted:",
            "The deadline “{title}” ({time}) has passed and {n} agencies have not submitted:",
            len(late),
        ).format(time=when(event.at, event.timezone), title=event.title, n=len(late))
    ]
    for line in late:
        if line.status is Progress.DRAFT:
            status = _("{answered}/{criteria} criteria").format(
                answered=line.answered, criteria=line.criteria
            )
        else:
            status = _("not started")
        lines.append(f"• {line.agency.name} — {status}")
    lines.append(_("Send /progress to see the whole progress."))
    return "\n".join(lines)


def digest(view: ProgressView, bloc: str = "") -> str:
    """The Monday progress post to the group; ``bloc``: what to call it (its short name)."""
    submitted = view.having(Progress.SUBMITTED)
    lines = [
        _("Weekly progress of {bloc}, {year}: {done} of {total} agencies have submitted.").format(
            bloc=bloc or view.bloc_name,
            year=view.season_year,
            done=len(submitted),
            total=len(view.agencies),
        )
    ]
    sections = ((Progress.DRAFT, _("Still drafting:")), (Progress.NOT_STARTED, _("Not started:")))
    for status, heading in sections:
        names = [line.agency.name for line in view.having(status)]
        if names:
            lines.append(f"{heading} {', '.join(names)}")
    if view.deadline is not None:
        lines.append(_deadline(view.deadline, view.timezone))
    lines.append(_("Send /progress for the details."))
    return "\n".join(lines)


def nudge(view: ProgressView, line: AgencyProgress) -> str:
    """To a contact of a late agency, when the head presses /remind."""
    lines = [
        _("Reminder from the bloc head: {agency} has not submitted its self-score sheet yet.")
        .format(agency=line.agency.name)
    ]  # fmt: skip
    if view.deadline is not None:
        lines.append(_deadline(view.deadline, view.timezone))
    return "\n".join([*lines, *_to_finish(line)])


def nudge_post(view: ProgressView, late: Sequence[AgencyProgress]) -> str:
    """To the group, when the head presses /remind."""
    lines = [
        _("Reminder sent to the agencies that have not submitted yet: {agencies}").format(
            agencies=", ".join(line.agency.name for line in late)
        )
    ]
    if view.deadline is not None:
        lines.append(_deadline(view.deadline, view.timezone))
    return "\n".join(lines)


def _due(event: EventView) -> str:
    return _("Reminder: “{title}” is due {time} ({left} left).").format(
        title=event.title,
        time=when(event.at, event.timezone),
        left=left_until(event.at),
    )


def _deadline(deadline: datetime, timezone: str) -> str:
    return _("Deadline {time}: {left} left.").format(
        time=when(deadline, timezone), left=left_until(deadline)
    )


def _to_finish(line: AgencyProgress) -> list[str]:
    unscored = line.criteria - line.answered
    if line.answered == 0:
        first = _("{agency} has not scored any criterion yet (0/{total}).").format(
            agency=line.agency.name, total=line.criteria
        )
    elif unscored > 0:
        first = ngettext(
            "{agency} still has {n} criterion to score (of {total}).",
            "{agency} still has {n} criteria to score (of {total}).",
            unscored,
        ).format(agency=line.agency.name, n=unscored, total=line.criteria)
    else:
        first = _(
            "{agency} has scored every criterion; the sheet only needs to be submitted."
        ).format(agency=line.agency.name)
    return [first, _("Send /score to finish and submit the sheet.")]
