"""What a new season says: what will be created, what was, why not, and the bloc's post."""

from __future__ import annotations

from bot.i18n import _, ngettext
from bot.services.seasons import Chosen, NewSeason, Refusal, SeasonRefused
from bot.timetext import when


def _names(chosen: Chosen) -> str:
    return ", ".join(ref.name for ref in chosen.agencies) or _("none")


def _source(chosen: Chosen) -> str:
    if chosen.ballot_id is None:
        return _("given by the operator")
    return _("elected by ballot {id}").format(id=chosen.ballot_id)


def summary_lines(season: NewSeason) -> list[str]:
    """The new season: its head and deputies with where they come from, its table, its
    calendar a year on."""
    lines = [
        _("Head: {names} ({source}).").format(
            names=_names(season.head), source=_source(season.head)
        ),
        _("Deputies: {names} ({source}).").format(
            names=_names(season.deputies), source=_source(season.deputies)
        ),
        ngettext(
            "{count} criterion, as in {year}.", "{count} criteria, as in {year}.", season.criteria
        ).format(count=season.criteria, year=season.last_year),
        ngettext("{count} award, as in {year}.", "{count} awards, as in {year}.", season.awards)
        .format(count=season.awards, year=season.last_year),
    ]  # fmt: skip
    if season.events:
        lines.append(
            ngettext(
                "{count} event, moved from {year}:", "{count} events, moved from {year}:",
                len(season.events),
            ).format(count=len(season.events), year=season.last_year)
        )  # fmt: skip
        lines += [
            "• "
            + _("{title}: {before} → {at}").format(
                title=event.title,
                before=when(event.before, season.timezone),
                at=when(event.at, season.timezone),
            )
            for event in season.events
        ]
    else:
        lines.append(_("No events to move: add them with /deadline and /meeting."))
    return lines


def question(season: NewSeason) -> str:
    """The confirmation an operator is asked before the season is created."""
    lines = [
        _("Start the emulation season {year} of {bloc}?").format(
            year=season.year, bloc=season.bloc_name
        ),
        *summary_lines(season),
        _(
            "The agencies and their contacts stay linked; eligibility is set again for the new "
            "year; the season {year} stays readable with /standings {year}."
        ).format(year=season.last_year),
    ]
    return "\n".join(lines)


def created(season: NewSeason) -> str:
    """What was created, and how many chats were told."""
    lines = [
        _("The emulation season {year} of {bloc} has started.").format(
            year=season.year, bloc=season.bloc_name
        ),
        *summary_lines(season),
        ngettext(
            "{count} message tells the bloc.", "{count} messages tell the bloc.", season.told
        ).format(count=season.told),
    ]
    return "\n".join(lines)


def started_post(season: NewSeason) -> str:
    """To the bloc's group and contacts: the new season has started, with its head."""
    lines = [
        _("The emulation season {year} of {bloc} has started.").format(
            year=season.year, bloc=season.bloc_name
        ),
        _("Head: {names}.").format(names=_names(season.head)),
    ]
    if season.deputies.agencies:
        lines.append(_("Deputies: {names}.").format(names=_names(season.deputies)))
    lines.append(
        _(
            "The criteria are those of {year}; send /score to fill in this year's "
            "self-score sheet."
        ).format(year=season.last_year)
    )
    return "\n".join(lines)


def refusal(refused: SeasonRefused, year: int, how: str) -> str:
    """Why the season was not created, in one sentence; ``how`` is how to give the head and
    deputies (``--head CODE [--deputy CODE ...]`` or the chat's form)."""
    years = ", ".join(str(y) for y in refused.years) or "—"
    match refused.reason:
        case Refusal.UNKNOWN_BLOC:
            return _("No bloc has the code {code}.").format(code=refused.code)
        case Refusal.NO_SEASON:
            return _("The bloc has no season to copy: import one from a bloc file first.")
        case Refusal.NOT_AFTER if year in refused.years:
            return _("The season {year} exists already; the seasons are: {years}.").format(
                year=year, years=years
            )
        case Refusal.NOT_AFTER:
            return _(
                "A new season must come after the last one; the seasons are: {years}."
            ).format(years=years)
        case Refusal.MISSING:
            return _(
                "No closed secret ballot elected the {who} for {year}: give them with {how}."
            ).format(who=_missing(refused.missing), year=year, how=how)
        case Refusal.UNKNOWN_AGENCY:
            return _("No agency has the code {code}; the codes are: {codes}.").format(
                code=refused.code, codes=", ".join(refused.codes)
            )
        case Refusal.BALLOT_DECIDED:
            return _(
                "Ballot {id} elected {names}; leave out the codes you gave, or give those."
            ).format(id=refused.ballot_id, names=", ".join(r.name for r in refused.elected))
        case Refusal.HEAD_IS_DEPUTY:
            return _("The agency {code} cannot be both head and deputy.").format(code=refused.code)


def _missing(missing: tuple[str, ...]) -> str:
    if missing == ("head",):
        return _("head")
    if missing == ("deputies",):
        return _("deputies")
    return _("head and deputies")
