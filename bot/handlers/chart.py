"""/chart (/bieudo): the ranking as a picture for those who may see it, else the progress."""

from __future__ import annotations

import asyncio
import re

from bot.handlers.chart_draw import draw, progress_picture, ranking_picture
from bot.handlers.context import Context
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.handlers.results import bloc_of, sees_ranking
from bot.handlers.router import Audience, Command, Router
from bot.handlers.seasons import asked_year
from bot.i18n import N_, _
from bot.services.results import ProgressView, StandingsView
from bot.services.scoring import NoSeason

PNG = "image/png"


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
    code = _bloc_code(ctx)
    if sees_ranking(ctx, bloc_id, view):
        text = _("The ranking of {bloc}, {year}, as a picture.")
        attachment = await ranking_png(view, f"xep-hang-{code}")
    else:
        text = _(
            "The ranking is visible to the head and deputies until the results are announced."
        )
        attachment = await progress_png(view.progress, f"tien-do-{code}")
    year_of = view.progress.season_year
    ctx.replies.add(
        Outgoing(
            text.format(bloc=view.progress.bloc_name, year=year_of), attachments=(attachment,)
        )
    )


async def ranking_png(view: StandingsView, stem: str) -> Attachment:
    """The ranking picture, drawn off the event loop; the words in the current language."""
    picture = ranking_picture(view)
    data = await asyncio.to_thread(draw, picture)
    return Attachment(AttachmentKind.IMAGE, _filename(stem, view.progress.season_year), PNG, data)


async def progress_png(view: ProgressView, stem: str) -> Attachment:
    """The progress picture, drawn off the event loop."""
    picture = progress_picture(view)
    data = await asyncio.to_thread(draw, picture)
    return Attachment(AttachmentKind.IMAGE, _filename(stem, view.season_year), PNG, data)


def _filename(stem: str, year: int) -> str:
    return f"{re.sub(r'[^A-Za-z0-9-]+', '-', stem).strip('-')}-{year}.png"


def _bloc_code(ctx: Context) -> str:
    if ctx.group is not None:
        return ctx.group.bloc_code
    link = ctx.link
    if link is not None:
        return link.bloc_code
    chosen = ctx.chosen_bloc
    return chosen.bloc_code if chosen is not None else "khoi"
