"""Pictures with the posts to the bloc's group, when the bloc file asks for them
(``season.pictures``): the ranking with /standings and with the results /announce posts, the
progress with /progress.

A picture's words are written at once, in the chat's language; it is drawn once the update's
work is committed (``Replies.later``), in a worker thread, so the database and the event loop
are free for everyone else meanwhile. A picture that cannot be drawn is logged in one line and
its text goes without it.
"""

from __future__ import annotations

import logging
import re

from bot.domain.year import PictureKind
from bot.handlers.chart_draw import Picture, draw, progress_picture, ranking_picture
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.handlers.rendering import rendered
from bot.i18n import use_locale
from bot.services.results import Announcement, PostPicture, ProgressView, StandingsView

log = logging.getLogger(__name__)

PNG = "image/png"


def in_group_with(ctx: Context, kind: PictureKind, view: ProgressView) -> bool:
    """Whether this answer goes to the bloc's group and the bloc file asks for ``kind`` there."""
    return ctx.group is not None and kind in view.pictures


def reply_with_ranking(ctx: Context, text: str, view: StandingsView) -> None:
    """Answer ``text`` with the picture of the ranking ``view`` shows."""
    name = filename(f"xep-hang-{bloc_code(ctx)}", view.progress.season_year)
    _reply_with(ctx, text, ranking_picture(view), name)


def reply_with_progress(ctx: Context, text: str, view: ProgressView) -> None:
    """Answer ``text`` with the picture of who has submitted, drafts, not started."""
    name = filename(f"tien-do-{bloc_code(ctx)}", view.season_year)
    _reply_with(ctx, text, progress_picture(view), name)


def _reply_with(ctx: Context, text: str, picture: Picture, name: str) -> None:
    async def drawn() -> Attachment | None:
        data = await _png(picture, name)
        return None if data is None else Attachment(AttachmentKind.IMAGE, name, PNG, data)

    ctx.replies.attach_later(Outgoing(text), drawn)


def results_pictures(ctx: Context, done: Announcement) -> None:
    """Once the results are committed, draw the ranking for the group posts held for it
    (``done.held``) and let them go, with it or, if it cannot be drawn, without."""
    if not done.held:
        return
    keys: dict[str, list[str]] = {}  # by the language of the picture's words
    for post in done.held:
        keys.setdefault(post.locale, []).append(post.dedupe_key)
    pictures = {}
    for locale in keys:
        with use_locale(locale):
            pictures[locale] = ranking_picture(done.standings)
    name = filename(f"xep-hang-{bloc_code(ctx)}", done.standings.progress.season_year)
    begin = ctx.router.begin

    async def let_go() -> None:
        for locale, held in keys.items():
            data = await _png(pictures[locale], name)
            picture = PostPicture(name, data) if data is not None else None
            try:
                async with begin() as work:
                    await work.results.picture_drawn(held, picture)
                    await work.commit()
            except Exception as error:
                if picture is None:
                    raise  # the posts go when their wait is over
                log.error(
                    "picture %s not kept, its text goes without it: %s: %s",
                    name,
                    type(error).__name__,
                    excerpt(str(error), 200),
                )
                async with begin() as work:
                    await work.results.picture_drawn(held, None)
                    await work.commit()

    ctx.replies.later.append(let_go)


async def _png(picture: Picture, name: str) -> bytes | None:
    """The picture drawn off the event loop; None, said in one line of the log, if it fails."""
    try:
        return await rendered(draw, picture)
    except Exception as error:
        log.error(
            "picture %s not drawn, its text goes without it: %s: %s",
            name,
            type(error).__name__,
            excerpt(str(error), 200),
        )
        return None


def filename(stem: str, year: int) -> str:
    """``xep-hang-tw-thaibinh-2021.png``: a picture's file name, only letters, digits, '-'."""
    return f"{re.sub(r'[^A-Za-z0-9-]+', '-', stem).strip('-')}-{year}.png"


def bloc_code(ctx: Context) -> str:
    """The code of the bloc the update is about, for file names."""
    if ctx.group is not None:
        return ctx.group.bloc_code
    link = ctx.link
    if link is not None:
        return link.bloc_code
    chosen = ctx.chosen_bloc
    return chosen.bloc_code if chosen is not None else "khoi"
