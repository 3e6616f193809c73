"""``blocbot season new BLOC YEAR``: the bloc's next season, in the operator's language."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bot.i18n import _

if TYPE_CHECKING:
    from bot.app import App

HOW = "--head CODE [--deputy CODE ...]"


def add_season(commands: Any) -> None:
    """Add ``season new`` to the command line's commands."""
    season = commands.add_parser("season", help=_("season commands"))
    new = season.add_subparsers(required=True).add_parser(
        "new", help=_("start a bloc's next season from its last one")
    )
    new.add_argument("bloc", metavar=_("BLOC"), help=_("the bloc's code (see: blocbot bloc list)"))
    new.add_argument("year", metavar=_("YEAR"), type=int, help=_("the year of the new season"))
    new.add_argument(
        "--head", metavar=_("CODE"), help=_("the head's agency, when no ballot elected one")
    )
    new.add_argument(
        "--deputy",
        metavar=_("CODE"),
        action="append",
        help=_("a deputy's agency, when no ballot elected them (repeat for each)"),
    )
    new.set_defaults(command=season_new)


async def season_new(app: App, args: argparse.Namespace) -> int:
    """Create the next season: 0, or 1 with one sentence saying why not."""
    from bot.handlers.season_text import created, refusal
    from bot.services.seasons import SeasonRefused
    from bot.storage.migrate import upgrade

    await upgrade(app.settings.database_url)
    try:
        done = await app.seasons.new_season(
            args.bloc, args.year, head=args.head, deputies=args.deputy
        )
    except SeasonRefused as refused:
        print(refusal(refused, args.year, HOW), file=sys.stderr)
        return 1
    lines = created(done).splitlines()
    print(lines[0])
    for line in lines[1:]:
        print(f"  {line}")
    return 0
