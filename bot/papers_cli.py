"""``blocbot minutes BLOC`` and ``blocbot proposal BLOC``: the season's papers as Word files."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from bot.app import App
    from bot.services.documents import Papers


def add_papers(commands: Any) -> None:
    """Add ``minutes`` and ``proposal`` to the command line's commands."""
    for name, summary, run in (
        ("minutes", _("the minutes of the year-end meeting (.docx)"), minutes),
        ("proposal", _("the proposal for awards to the province (.docx)"), proposal),
    ):
        command = commands.add_parser(name, help=summary)
        command.add_argument("bloc", metavar=_("BLOC"), help=_("the bloc's code"))
        command.add_argument("--season", metavar=_("YEAR"), type=int, help=_("the season's year"))
        command.add_argument("--lang", choices=("vi", "en"), help=_("the document's language"))
        if name == "minutes":
            command.add_argument(
                "--meeting", metavar=_("CODE"), help=_("the meeting's code (default: the last)")
            )
        command.add_argument(
            "-o", "--output", metavar=_("FILE"), required=True, help=_("the .docx file to write")
        )
        command.set_defaults(command=run)


async def minutes(app: App, args: argparse.Namespace) -> int:
    return await _write(app, args, "minutes")


async def proposal(app: App, args: argparse.Namespace) -> int:
    return await _write(app, args, "proposal")


async def _write(app: App, args: argparse.Namespace, kind: str) -> int:
    """Write the paper: 0, or 1 with one sentence saying why not."""
    import asyncio

    from bot.handlers.papers import render
    from bot.services.documents import UnknownMeeting
    from bot.services.scoring import NoSeason
    from bot.storage.migrate import upgrade

    await upgrade(app.settings.database_url)
    async with app.uow() as uow:
        bloc = await uow.blocs.get(args.bloc)
        bloc_id = bloc.id if bloc is not None else None
    if bloc_id is None:
        print(
            _("No bloc has the code {bloc}. See: blocbot bloc list").format(bloc=args.bloc),
            file=sys.stderr,
        )
        return 1
    documents = app.services.documents
    try:
        if kind == "minutes":
            papers: Papers = await documents.minutes(bloc_id, args.season, args.meeting)
        else:
            papers = await documents.proposal(bloc_id, args.season)
    except NoSeason:
        print(_("The bloc has no season {year}.").format(year=args.season or ""), file=sys.stderr)
        return 1
    except UnknownMeeting as unknown:
        print(
            _("The season has no meeting {code}; its meetings are: {codes}.").format(
                code=unknown.code, codes=", ".join(unknown.codes) or "—"
            ),
            file=sys.stderr,
        )
        return 1
    from bot.handlers.docx_papers import TemplateProblem

    with use_locale(args.lang) if args.lang else nullcontext():
        try:
            data = await asyncio.to_thread(render, kind, papers, app.settings.templates)
        except TemplateProblem as problem:
            print(problem.for_operator(), file=sys.stderr)
            return 1
    await asyncio.to_thread(Path(args.output).write_bytes, data)
    print(_("Written: {file}").format(file=args.output))
    return 0
