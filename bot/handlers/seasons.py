"""The next season for an operator: /newseason YEAR [HEAD [DEPUTY ...]], with a confirmation."""

from __future__ import annotations

from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.handlers.context import Context
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command, Router
from bot.handlers.season_text import created, question, refusal
from bot.i18n import N_, _
from bot.services.seasons import SeasonRefused

# Confirmation buttons: ns:yes:<year>, ns:no.
PREFIX = "ns"
FLOW = "newseason"  # waiting for the operator to confirm; data: year, head, deputies, bloc
USAGE = "/newseason YEAR HEAD [DEPUTY ...]"


def register(router: Router) -> None:
    """Add /newseason."""
    router.command(
        Command(
            "newseason",
            new_season,
            Audience.ANYONE,  # operators only, said by the handler
            N_("start the next emulation season: /newseason YEAR"),
            ("namthiduamoi", "namoi"),
            in_group=False,
            listed_for=Audience.OPERATORS,
        )
    )
    router.button(PREFIX, confirm)
    router.flow(FLOW, answer)


async def new_season(ctx: Context, args: str) -> None:
    """Show what the new season would be and ask the operator to confirm."""
    if not ctx.person.operator:
        ctx.reply(_("Only an operator can start a new season."))
        return
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(_("Choose the bloc first with /bloc CODE."))
        return
    words = args.split()
    if not words or not (words[0].isascii() and words[0].isdigit() and len(words[0]) == 4):
        ctx.reply(_("Write the year of the new season, for example /newseason 2026."))
        return
    year, head, deputies = int(words[0]), (words[1] if len(words) > 1 else None), words[2:]
    try:
        plan = await ctx.services.seasons.plan(bloc_id, year, head=head, deputies=deputies or None)
    except SeasonRefused as refused:
        ctx.reply(refusal(refused, year, USAGE))
        return
    ctx.conversation.start(FLOW, year=year, head=head, deputies=deputies, bloc=bloc_id)
    ctx.reply(question(plan), _choices(year), menu=True)


async def answer(ctx: Context, text: str) -> None:
    """Read a typed answer to the question."""
    year = ctx.conversation.data.get("year")
    word = " ".join(text.casefold().split())
    if word in YES_WORDS or word == _("yes").casefold():
        await confirm(ctx, f"{PREFIX}:yes:{year}")
    elif word in NO_WORDS or word == _("no").casefold():
        await confirm(ctx, f"{PREFIX}:no")
    else:
        ctx.reply(_("Choose 1 to start the season or 2 to cancel."), _choices(year), menu=True)


async def confirm(ctx: Context, payload: str) -> None:
    """Create the season and tell the bloc, or drop the question."""
    data = dict(ctx.conversation.data) if ctx.conversation.flow == FLOW else {}
    if ctx.conversation.flow == FLOW:
        ctx.conversation.end()
    if not ctx.person.operator:
        ctx.notice(_("Only an operator can start a new season."))
        return
    if payload == f"{PREFIX}:no":
        ctx.reply(_("No season was started."), edit=True)
        return
    if not data or payload != f"{PREFIX}:yes:{data.get('year')}":
        ctx.notice(_("This button has expired."))
        return
    year = int(data["year"])
    try:
        done = await ctx.services.seasons.new_season(
            int(data["bloc"]),
            year,
            head=data.get("head"),
            deputies=data.get("deputies") or None,
            actor=ctx.person.contact_id,
        )
    except SeasonRefused as refused:
        ctx.reply(refusal(refused, year, USAGE), edit=True)
        return
    ctx.reply(created(done), edit=True)


async def asked_year(ctx: Context, args: str, command: str) -> tuple[bool, int | None]:
    """The season a command asks for (``/standings 2025``): (True, None) when it names none,
    (False, None) when the reply said it is no year or no season of the bloc."""
    text = args.strip()
    bloc_id = ctx.bloc_id
    if not text or bloc_id is None:
        return True, None
    years = await ctx.services.seasons.years(bloc_id)
    if text.isascii() and text.isdigit() and int(text) in years:
        return True, int(text)
    known = ", ".join(str(year) for year in years) or "—"
    ctx.reply(
        _("{year} is not a season of the bloc; the seasons are: {years} ({command} YEAR).").format(
            year=text, years=known, command=command
        )
    )
    return False, None


def _choices(year: object) -> list[list[Button]]:
    return [
        [
            Button(_("Start"), f"{PREFIX}:yes:{year}", _("yes")),
            Button(_("Cancel"), f"{PREFIX}:no", _("no")),
        ]
    ]
