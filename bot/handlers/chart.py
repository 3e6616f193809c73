"""/chart (/bieudo): the ranking as a picture for those who may see it, else the progress."""

from __future__ import annotations

from bot.handlers.context import Context
from bot.handlers.pictures import reply_with_progress, reply_with_ranking
from bot.handlers.results import bloc_of, sees_ranking
from bot.handlers.router import Audience, Command, Router
from bot.handlers.seasons import asked_year
from bot.i18n import N_, _
from bot.services.scoring import NoSeason


def register(router: Router) -> None:
    """Add the chart command."""
    router.command(
        Command(
            "chart",
            chart,
            Audience.LINKED,
            N_("the ranking as a picture (the progress until the ranking may be seen)"),
            ("bieudo",),
        )
    )


async def chart(ctx: Context, args: str) -> None:
    """Send the picture of the ranking this person may see here (as /standings shows it), else
    the picture of who has submitted."""
    known, year = await asked_year(ctx, args, "/chart")
    if not known:
        return
    bloc_id = bloc_of(ctx)
    if bloc_id is None:
        return
    try:
        view = await ctx.services.results.standings(bloc_id, year)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    year_of, name = view.progress.season_year, view.progress.bloc_name
    if sees_ranking(ctx, bloc_id, view):
        text = _("The ranking of {bloc}, {year}, as a picture.")
        reply_with_ranking(ctx, text.format(bloc=name, year=year_of), view)
    else:
        text = _(
            "The ranking is visible to the head and deputies until the results are announced."
        )
        reply_with_progress(ctx, text.format(bloc=name, year=year_of), view.progress)
