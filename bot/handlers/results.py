"""Progress, standings and the results announcement: /progress, /standings, /announce."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.domain.sheets import Progress
from bot.domain.year import PictureKind, ResultsStage
from bot.handlers.context import Context
from bot.handlers.formatting import duration, points, when
from bot.handlers.pictures import in_group_with, reply_with_progress, reply_with_ranking
from bot.handlers.router import Audience, Command, Router
from bot.handlers.seasons import asked_year
from bot.handlers.sheet_admin_text import standing_marks
from bot.handlers.tie_text import tie_notes
from bot.i18n import N_, _
from bot.services.results import (
    AgencyProgress,
    AwardLine,
    PlatformReach,
    ProgressView,
    StandingsView,
)
from bot.services.scoring import NoSeason

V = TypeVar("V")

# The platforms as people write their names (not translated).
PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


def register(router: Router) -> None:
    """Add the progress, standings and announcement commands."""
    router.command(
        Command(
            "progress",
            progress,
            Audience.LINKED,
            N_("who has submitted the self-score sheets"),
            ("tiendo",),
        )
    )
    router.command(
        Command(
            "standings",
            standings,
            Audience.LINKED,
            N_("the ranking: provisional for the head and deputies, final after the results"),
            ("xephang",),
        )
    )


async def _read(ctx: Context, read: Callable[[int], Awaitable[V]]) -> tuple[int, V] | None:
    """The bloc of this chat and what ``read`` says of it, or a reply saying why not."""
    bloc_id = bloc_of(ctx)
    if bloc_id is None:
        return None
    try:
        return bloc_id, await read(bloc_id)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return None


async def progress(ctx: Context, _args: str) -> None:
    """Show who has submitted, who is drafting, and the time left."""
    found = await _read(ctx, ctx.services.results.progress)
    if found is None:
        return
    bloc_id, view = found
    leader = ctx.person.leads(bloc_id) and not ctx.incoming.in_group
    text = progress_text(view, contacts=leader)
    if in_group_with(ctx, PictureKind.PROGRESS, view):
        reply_with_progress(ctx, text, view)
    else:
        ctx.reply(text)


async def standings(ctx: Context, args: str) -> None:
    """Show the ranking this person may see here (of the year asked for, if one is)."""
    known, year = await asked_year(ctx, args, "/standings")
    if not known:
        return
    found = await _read(ctx, lambda bloc_id: ctx.services.results.standings(bloc_id, year))
    if found is None:
        return
    bloc_id, view = found
    if not sees_ranking(ctx, bloc_id, view):
        hidden = _(
            "The ranking is visible to the head and deputies until the results are announced."
        )
        ctx.reply(f"{progress_text(view.progress, contacts=False)}\n\n{hidden}")
        return
    if view.final:
        text = results_post(view)
    elif view.progress.stage is ResultsStage.PROVISIONAL:
        text = published_text(view)
    else:
        text = provisional_text(view)
    if in_group_with(ctx, PictureKind.STANDINGS, view.progress):
        reply_with_ranking(ctx, text, view)
    else:
        ctx.reply(text)


def sees_ranking(ctx: Context, bloc_id: int, view: StandingsView) -> bool:
    """The rule of /standings: everyone once final or published, the head and deputies in a
    direct chat before."""
    if view.final or view.progress.stage is ResultsStage.PROVISIONAL:
        return True
    return ctx.person.leads(bloc_id) and not ctx.incoming.in_group


def progress_text(view: ProgressView, *, contacts: bool) -> str:
    """Who has submitted, who is drafting, who has not started, and the deadline."""
    submitted = view.having(Progress.SUBMITTED)
    lines = [
        _("Self-score sheets of {bloc}, {year}: {done} of {total} submitted.").format(
            bloc=view.bloc_name,
            year=view.season_year,
            done=len(submitted),
            total=len(view.agencies),
        )
    ]
    sections: tuple[tuple[tuple[Progress, ...], str], ...]
    if view.announced:
        sections = (
            ((Progress.SUBMITTED,), _("Submitted:")),
            ((Progress.DRAFT, Progress.NOT_STARTED), _("Not submitted:")),
        )
    else:
        sections = (
            ((Progress.SUBMITTED,), _("Submitted:")),
            ((Progress.DRAFT,), _("Still drafting:")),
            ((Progress.NOT_STARTED,), _("Not started:")),
        )
    for statuses, heading in sections:
        agencies = [line for line in view.agencies if line.status in statuses]
        if agencies:
            lines.append(heading)
            lines.extend(_progress_line(view, line, contacts) for line in agencies)
    lines.append(_deadline_line(view))
    return "\n".join(lines)


def provisional_text(view: StandingsView) -> str:
    """The provisional ranking from the self-scores, for the head and deputies."""
    progress = view.progress
    heading = _(
        "Provisional ranking of {bloc}, {year}, from the self-scores of the submitted sheets. "
        "Only the head and deputies see it until the results are announced."
    ).format(bloc=progress.bloc_name, year=progress.season_year)
    return "\n".join([heading, *_ranking_lines(view)])


def published_text(view: StandingsView) -> str:
    """The provisional results published to the bloc, open to objection until a time."""
    progress = view.progress
    lines = [
        _("Provisional results of the emulation year {year}: {bloc}").format(
            year=progress.season_year, bloc=progress.bloc_name
        )
    ]
    if progress.objections_until is not None:
        until = when(progress.objections_until, progress.timezone)
        if progress.as_of < progress.objections_until:
            lines.append(
                _(
                    "Objections may be sent to the bloc head until {time}; then the head "
                    "announces the final results."
                ).format(time=until)
            )
        else:
            lines.append(
                _("The time for objections ended on {time}; the final results follow.").format(
                    time=until
                )
            )
    return "\n".join([*lines, *_ranking_lines(view)])


def results_post(view: StandingsView) -> str:
    """The final results: ranking, leading unit, award proposals, ineligible agencies."""
    progress = view.progress
    heading = _("Results of the emulation year {year}: {bloc}").format(
        year=progress.season_year, bloc=progress.bloc_name
    )
    return "\n".join([heading, *_ranking_lines(view)])


def _ranking_lines(view: StandingsView) -> list[str]:
    if not view.placings:
        lines = [_("No sheet has been submitted yet.")]
    else:
        lines = [""]
        for index, placing in enumerate(view.placings):
            mark = f"{placing.rank}=" if placing.shared else f"{placing.rank}."
            line = f"{mark} {placing.agency.name} — {points(placing.total)}"
            notes = tie_notes(view, index)
            notes.extend(standing_marks(placing))
            lines.append(f"{line} ({'; '.join(notes)})" if notes else line)
        lines.append("")
        lines.append(_leader_line(view))
    if view.placings and view.awards:
        lines.append(_("Award proposals:"))
        for award in view.awards:
            names = ", ".join(agency.name for agency in award.agencies) or _("none")
            lines.append(f"• {award.title}: {names}")
            lines.extend("  " + note for note in _ballot_notes(award))
            if award.tied:
                lines.append(
                    "  "
                    + _("Tie at rank {rank} between {agencies}: the bloc decides, e.g. by vote.")
                    .format(rank=award.tie_rank, agencies=", ".join(a.name for a in award.tied))
                )  # fmt: skip
    ineligible = view.ineligible()
    if ineligible:
        lines.append(_("Not eligible for awards:"))
        unknown = _("no reason given")
        lines.extend(f"• {p.agency.name}: {p.ineligible_reason or unknown}" for p in ineligible)
    if view.not_ranked:
        lines.append(
            _("Not ranked (no submitted sheet): {agencies}").format(
                agencies=", ".join(agency.name for agency in view.not_ranked)
            )
        )
    return lines


def _leader_line(view: StandingsView) -> str:
    if view.leader is None:
        return _("Leading unit: none (the first place is shared or no agency is eligible).")
    first = view.awards[0] if view.awards else None
    ballot = first.ballot if first is not None else None
    votes = ballot.votes_of(view.leader.code) if ballot is not None else None
    if ballot is not None and votes is not None:
        return _(
            "Leading unit: {agency} (acclaimed by secret ballot: {votes}/{voted} votes)"
        ).format(agency=view.leader.name, votes=votes, voted=ballot.voted)
    line = _("Leading unit: {agency}").format(agency=view.leader.name)
    if first is not None and view.leader in first.tied:
        line += " " + _("(tied: the bloc decides)")
    return line


def _ballot_notes(award: AwardLine) -> list[str]:
    """How a ballot decided the award: its votes, and the voted agencies not eligible."""
    notes = []
    if award.ballot is not None:
        ballot = award.ballot
        votes = ", ".join(f"{ref.name} {n}" for ref, n in ballot.votes)
        notes.append(
            _("Decided by secret ballot no. {id}: {votes} of {voted} votes cast.").format(
                id=ballot.id, votes=votes, voted=ballot.voted
            )
        )
    if award.refused:
        names = ", ".join(ref.name for ref in award.refused)
        notes.append(
            _("Voted but not eligible for awards, so not proposed: {agencies}.").format(
                agencies=names
            )
        )
    return notes


def _progress_line(view: ProgressView, line: AgencyProgress, contacts: bool) -> str:
    text = f"• {line.agency.name}"
    if line.status is Progress.SUBMITTED and line.submitted_at is not None:
        text += f" — {when(line.submitted_at, view.timezone)}"
    elif line.status is Progress.DRAFT and not view.announced:
        text += " — " + _("{answered}/{criteria} criteria").format(
            answered=line.answered, criteria=line.criteria
        )
    if contacts:
        text += " · " + (_reach(line.platforms) if line.platforms else _("no linked contact"))
    return text


def _reach(platforms: tuple[PlatformReach, ...]) -> str:
    """Where an agency's contacts are: ``Telegram, Zalo (cannot be reached)``."""
    reachable = [_platform(p.platform, p.reachable) for p in platforms if p.reachable]
    blocked = [
        _("{platform} (cannot be reached)").format(platform=_platform(p.platform, p.unreachable))
        for p in platforms
        if p.unreachable
    ]
    return ", ".join(reachable + blocked)


def _platform(platform: str, count: int) -> str:
    name = PLATFORM_NAMES.get(platform, platform.capitalize())
    return f"{name} ×{count}" if count > 1 else name


def _deadline_line(view: ProgressView) -> str:
    if view.announced_at is not None:
        return announced_line(view)
    if view.provisional_at is not None:
        published = when(view.provisional_at, view.timezone)
        return _(
            "The provisional results were published on {time}. Send /standings to see them."
        ).format(time=published)
    if view.deadline is None:
        return _("No deadline closes the scoring yet.")
    deadline = when(view.deadline, view.timezone)
    if view.as_of < view.deadline:
        return _("Deadline {time}: {left} left.").format(
            time=deadline, left=duration(view.deadline - view.as_of)
        )
    return _("The deadline {time} has passed.").format(time=deadline)


def announced_line(view: ProgressView) -> str:
    at = view.announced_at
    assert at is not None
    return _(
        "The results of {year} were announced on {time}. Send /standings to see them."
    ).format(year=view.season_year, time=when(at, view.timezone))


def bloc_of(ctx: Context) -> int | None:
    """The bloc of the command, or None after telling the person how to choose one."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(
            _("Link your account first (/start CODE), or use this command in the bloc's group.")
        )
    return bloc_id
