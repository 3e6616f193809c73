"""``blocbot export BLOC [--season YEAR] [--lang vi|en] -o FILE.xlsx``: the summary table of
scores (bảng tổng hợp điểm) as a workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from bot.app import App


def add_export(commands: Any) -> None:
    """Add ``export`` to the command line's commands."""
    export = commands.add_parser(
        "export", help=_("write a bloc's summary table of scores to an XLSX file")
    )
    export.add_argument(
        "bloc", metavar=_("BLOC"), help=_("the bloc's code (see: blocbot bloc list)")
    )
    export.add_argument(
        "--season", metavar=_("YEAR"), type=int, help=_("the season's year (default: the latest)")
    )
    export.add_argument(
        "--lang",
        choices=("vi", "en"),
        help=_("the language of the headers (default: the bloc's)"),
    )
    export.add_argument(
        "-o", "--output", metavar=_("FILE.xlsx"), required=True, help=_("the file to write")
    )
    export.set_defaults(command=export_table)


async def export_table(app: App, args: argparse.Namespace) -> int:
    """Write the workbook: 0, or 1 with one sentence saying why not."""
    import asyncio

    from bot.handlers.export import holds
    from bot.services.invites import UnknownBloc
    from bot.services.scoring import NoSeason
    from bot.storage.migrate import upgrade

    await upgrade(app.settings.database_url)
    try:
        table = await app.services.exports.table(args.bloc, args.season)
    except UnknownBloc:
        print(
            _("No bloc has the code {bloc}. See: blocbot bloc list").format(bloc=args.bloc),
            file=sys.stderr,
        )
        return 1
    except NoSeason:
        print(
            _("Bloc {bloc} has no season of {year}.").format(bloc=args.bloc, year=args.season)
            if args.season
            else _("The bloc has no emulation season yet."),
            file=sys.stderr,
        )
        return 1
    with use_locale(args.lang or table.locale):
        from bot.handlers.export_xlsx import workbook  # openpyxl, loaded when first used

        data = await asyncio.to_thread(workbook, table)
        line = holds(table)
    path = Path(args.output)
    await asyncio.to_thread(path.write_bytes, data)
    print(line)
    print(_("Written to {path}.").format(path=path))
    return 0
