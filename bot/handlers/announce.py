"""Publishing the results in two steps: /announce first publishes the provisional results to
the bloc, open to objection for the time the bloc file gives; once that time is over, /announce
again publishes the final results and locks the scores."""

from __future__ import annotations

from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.domain.sheets import Progress
from bot.domain.year import ResultsStage
from bot.handlers.context import Context
from bot.handlers.formatting import when
from bot.handlers.model import Button
from bot.handlers.pictures import results_pictures
from bot.handlers.results import (
    announced_line,
    bloc_of,
    published_text,
    results_post,
)
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _, current_locale, ngettext, use_locale
from bot.services.results import (
    AlreadyAnnounced,
    AlreadyProvisional,
    Announcement,
    NotYetFinal,
    ProgressView,
    Recipient,
    SeasonChanged,
    StandingsView,
)
from bot.services.scoring import NoSeason

# Confirmation buttons: an:pub:<year> (provisional), an:yes:<year> (final), an:no.
PREFIX = "an"
FLOW = "announce"  # waiting for the head to confirm, also by a typed number or keyword
PROVISIONAL = "pub"
FINAL = "yes"


def register(router: Router) -> None:
    """Add /announce."""
    router.command(
        Command(
            "announce",
            announce,
            Audience.HEADS,
            N_("publish the results: provisional first, final after the time for objections"),
            ("congbo",),
        )
    )
    router.button(PREFIX, confirm)
    router.flow(FLOW, answer)


async def announce(ctx: Context, _args: str) -> None:
    """Sum up where the results stand and ask the head to confirm the next step."""
    bloc_id = bloc_of(ctx)
    if bloc_id is None:
        return
    try:
        view = await ctx.services.results.progress(bloc_id)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    match view.stage:
        case ResultsStage.FINAL:
            ctx.reply(announced_line(view))
            return
        case ResultsStage.PROVISIONAL:
            until = view.objections_until
            if until is not None and view.as_of < until:
                ctx.reply(_waiting(view))
                return
            step, question = FINAL, _final_question(view)
        case ResultsStage.OPEN:
            step, question = PROVISIONAL, _provisional_question(view)
    ctx.conversation.start(FLOW, year=view.season_year, step=step)
    ctx.reply(question, _choices(view.season_year, step), menu=True)


def _submissions(view: ProgressView) -> list[str]:
    submitted = view.having(Progress.SUBMITTED)
    lines = [
        _("{done} of {total} agencies have submitted their sheets.").format(
            done=len(submitted), total=len(view.agencies)
        )
    ]
    missing = [line.agency.name for line in view.agencies if line.status is not Progress.SUBMITTED]
    if missing:
        lines.append(
            _("Not submitted, so not ranked: {agencies}").format(agencies=", ".join(missing))
        )
    return lines


def _provisional_question(view: ProgressView) -> str:
    lines = [
        _("Publish the provisional results of {year}?").format(year=view.season_year),
        *_submissions(view),
        _(
            "Everyone in the bloc will see the ranking and may object to the head for the time "
            "the bloc's rules give; the scores can still be reviewed. The final results come "
            "after that, with /announce again."
        ),
    ]
    return "\n".join(lines)


def _final_question(view: ProgressView) -> str:
    lines = [
        _("Announce the final results of {year}?").format(year=view.season_year),
        *_submissions(view),
        _(
            "Announcing locks every sheet, fixes the final scores and sends the ranking to the "
            "bloc's group and to every contact. It cannot be undone."
        ),
    ]
    return "\n".join(lines)


def _waiting(view: ProgressView) -> str:
    assert view.provisional_at is not None and view.objections_until is not None
    return _(
        "The provisional results were published on {published}; objections are open until "
        "{until}. Send /announce after that time to announce the final results."
    ).format(
        published=when(view.provisional_at, view.timezone),
        until=when(view.objections_until, view.timezone),
    )


async def answer(ctx: Context, text: str) -> None:
    """Read a typed answer to the announcement question."""
    year = ctx.conversation.data.get("year")
    step = ctx.conversation.data.get("step", FINAL)
    word = " ".join(text.casefold().split())
    if word in YES_WORDS or word == _("yes").casefold():
        await confirm(ctx, f"{PREFIX}:{step}:{year}")
    elif word in NO_WORDS or word == _("no").casefold():
        await confirm(ctx, f"{PREFIX}:no")
    elif ctx.incoming.in_group:
        ctx.conversation.end()  # the group talks about something else
    else:
        ctx.reply(
            _("Choose 1 to publish the results or 2 to cancel."),
            _choices(year, step),
            menu=True,
        )


async def confirm(ctx: Context, payload: str) -> None:
    """Publish the results and send them out, or drop the question."""
    if ctx.conversation.flow == FLOW:
        ctx.conversation.end()
    bloc_id = ctx.bloc_id
    if bloc_id is None or not ctx.person.heads(bloc_id):
        ctx.notice(_("Only the bloc head or an operator can announce the results."))
        return
    parts = payload.split(":")
    if parts == [PREFIX, "no"]:
        try:
            announced = (await ctx.services.results.progress(bloc_id)).announced
        except NoSeason:
            announced = False
        if announced:
            ctx.notice(_("The results are already announced."))
        else:
            ctx.reply(_("Nothing was announced."), edit=True)
        return
    step = parts[1] if len(parts) == 3 else ""
    year = parts[2] if len(parts) == 3 else ""
    valid_year = year.isascii() and year.isdigit() and len(year) <= 4  # "²" is a digit too
    if step not in (PROVISIONAL, FINAL) or not valid_year:
        ctx.notice(_("This button has expired."))
        return
    # The results come to this chat through the outbox too, like everyone's, so a crash
    # before this reply goes cannot lose them; the reply only confirms.
    group = ctx.incoming.in_group
    here = Recipient(
        ctx.incoming.platform,
        ctx.incoming.chat_id,
        current_locale(),
        None if group else ctx.person.contact_id,
    )
    results = ctx.services.results
    use = results.publish if step == PROVISIONAL else results.announce
    post = provisional_in if step == PROVISIONAL else results_in
    try:
        done = await use(
            bloc_id, ctx.person.contact_id, post, year=int(year), asker=here, asked_in_group=group
        )
    except AlreadyAnnounced:
        ctx.notice(_("The results are already announced."))
        return
    except AlreadyProvisional:
        ctx.notice(_("The provisional results are already published."))
        return
    except NotYetFinal as early:
        if early.until is None:
            ctx.notice(_("Publish the provisional results first: send /announce."))
        else:
            ctx.reply(_waiting(await results.progress(bloc_id)))
        return
    except (SeasonChanged, NoSeason):
        ctx.notice(_("This button has expired."))
        return
    results_pictures(ctx, done)  # the group's posts wait for their picture, if they have one
    ctx.reply(_sent(done, step), edit=True)


def _sent(done: Announcement, step: str) -> str:
    groups = ngettext("{n} group", "{n} groups", len(done.groups)).format(n=len(done.groups))
    people = ngettext("{n} contact", "{n} contacts", len(done.contacts)).format(
        n=len(done.contacts)
    )
    if step == PROVISIONAL:
        until = done.standings.progress.objections_until
        assert until is not None
        return _(
            "The provisional results are published and sent to {groups} and {people}; "
            "objections are open until {time}."
        ).format(groups=groups, people=people, time=when(until, done.standings.progress.timezone))
    return _("The results are announced and sent to {groups} and {people}.").format(
        groups=groups, people=people
    )


def results_in(standings: StandingsView, locale: str) -> str:
    """The final results post, in ``locale``."""
    with use_locale(locale):
        return results_post(standings)


def provisional_in(standings: StandingsView, locale: str) -> str:
    """The provisional results post, in ``locale``."""
    with use_locale(locale):
        return published_text(standings)


def _choices(year: object, step: str) -> list[list[Button]]:
    label = _("Publish") if step == PROVISIONAL else _("Announce")
    return [
        [
            Button(label, f"{PREFIX}:{step}:{year}", _("yes")),
            Button(_("Cancel"), f"{PREFIX}:no", _("no")),
        ]
    ]
