"""The words of unlocking a sheet and of award eligibility, and the marks they leave on the
ranking."""

from __future__ import annotations

from bot.handlers.formatting import points, when
from bot.i18n import _
from bot.services.sheet_admin import AgencyState, EligibilityChange, Unlocked
from bot.services.standings import RankedAgency


def standing_marks(placing: RankedAgency) -> list[str]:
    """What the ranking notes of an agency besides its tie: late, not eligible."""
    marks = []
    if placing.late:
        lost = placing.totals.late
        marks.append(
            _("submitted late, −{points} points").format(points=points(lost))
            if lost
            else _("submitted late")
        )
    if not placing.eligible:  # its reason is listed under the awards
        marks.append(_("not eligible for awards"))
    return marks


def unlocked_notice(done: Unlocked) -> str:
    """The message to the agency's contacts: their sheet is open again, until when."""
    return _(
        "The bloc head has reopened the self-score sheet of {agency} until {time}. Send /score "
        "to change and submit it; a sheet submitted after the deadline is marked late."
    ).format(agency=done.name, time=when(done.until, done.timezone))


def unlocked_reply(done: Unlocked) -> str:
    """What the head sees once a sheet is unlocked: old → new."""
    before = when(done.old_until, done.timezone) if done.old_until else _("closed")
    text = _("The sheet of {agency} is open until {time} (before: {before}).").format(
        agency=done.name, time=when(done.until, done.timezone), before=before
    )
    if done.reopened:
        text += " " + _("It was submitted and is a draft again until the agency submits it.")
    if done.told:
        text += " " + _("Its contacts are told.")
    else:
        text += " " + _("It has no contact to tell.")
    return text


def eligibility_state(agency: AgencyState) -> str:
    """An agency's award eligibility, in one line."""
    if agency.eligible:
        return _("{agency}: eligible for awards.").format(agency=agency.name)
    return _("{agency}: not eligible for awards ({reason}).").format(
        agency=agency.name, reason=agency.ineligible_reason or _("no reason given")
    )


def eligibility_reply(change: EligibilityChange) -> str:
    """Old → new eligibility of an agency."""
    before = _eligible_words(change.old_eligible, change.old_reason)
    after = _eligible_words(change.eligible, change.reason)
    if not change.changed:
        return _("{agency} stays {state}.").format(agency=change.name, state=after)
    return _("{agency}: {before} → {after}.").format(
        agency=change.name, before=before, after=after
    )


def _eligible_words(eligible: bool, reason: str | None) -> str:
    if eligible:
        return _("eligible for awards")
    return _("not eligible for awards ({reason})").format(reason=reason or _("no reason given"))
