"""The command line: ``blocbot`` (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo

from bot import __version__
from bot.app import App, build
from bot.config import Settings
from bot.i18n import N_, _, set_default_locale
from bot.services.blocfile import BlocFileError, load_bloc_file
from bot.services.blocs import Action, Change, ImportRefused, Refusal, RefusalReason
from bot.services.invites import InviteLine, UnknownBloc
from bot.storage.migrate import upgrade

WHAT = {
    "bloc": N_("bloc"),
    "agency": N_("agency"),
    "season": N_("season"),
    "group": N_("group"),
    "criterion": N_("criterion"),
    "event": N_("event"),
    "role": N_("role"),
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    try:
        settings = Settings()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    set_default_locale(settings.locale)
    args = _parser().parse_args(argv)
    command: Callable[[App, argparse.Namespace], Awaitable[int]] = args.command
    try:
        return asyncio.run(_with_app(settings, command, args))
    except BrokenPipeError:  # the reader went away (``blocbot ... | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


async def _with_app(
    settings: Settings,
    command: Callable[[App, argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
) -> int:
    app = build(settings)
    try:
        return await command(app, args)
    finally:
        await app.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blocbot", description=_("Chat assistant for emulation blocs (khối thi đua).")
    )
    parser.add_argument("--version", action="version", version=f"blocbot {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    db = commands.add_parser("db", help=_("database commands")).add_subparsers(required=True)
    db.add_parser("upgrade", help=_("apply the database migrations")).set_defaults(
        command=db_upgrade
    )

    bloc = commands.add_parser("bloc", help=_("bloc commands")).add_subparsers(required=True)
    importer = bloc.add_parser("import", help=_("create or update a bloc from a YAML file"))
    importer.add_argument("file", metavar="FILE.yaml")
    importer.set_defaults(command=bloc_import)
    bloc.add_parser("list", help=_("list the blocs")).set_defaults(command=bloc_list)

    commands.add_parser("run", help=_("run the bot on every channel with a token")).set_defaults(
        command=run_bot
    )
    demo = commands.add_parser("demo", help=_("chat with the sample bloc in this terminal"))
    demo.add_argument(
        "--database",
        metavar="FILE",
        default="blocbot-demo.db",
        help=_("the demo's SQLite file (created afresh)"),
    )
    demo.set_defaults(command=run_demo)

    invites = commands.add_parser("invites", help=_("print a bloc's invite codes"))
    invites.add_argument("bloc", metavar="BLOC")
    invites.add_argument("--rotate", action="store_true", help=_("replace every code"))
    invites.set_defaults(command=invite_codes)
    return parser


async def run_bot(app: App, _args: argparse.Namespace) -> int:
    """Run the channels, the scheduler and the web server until stopped."""
    from bot.runner import run

    await app.close()
    return await run(app.settings)


async def run_demo(app: App, args: argparse.Namespace) -> int:
    """The console demo on a local SQLite file seeded with the sample bloc."""
    from bot.demo import demo

    await app.close()
    return await demo(app.settings, args.database)


async def db_upgrade(app: App, _args: argparse.Namespace) -> int:
    """Apply the migrations."""
    await upgrade(app.settings.database_url)
    print(_("The database is up to date."))
    return 0


async def bloc_import(app: App, args: argparse.Namespace) -> int:
    """Import a bloc file and print what changed."""
    try:
        spec = load_bloc_file(
            args.file,
            default_timezone=app.settings.timezone,
            default_locale=app.settings.locale,
        )
    except BlocFileError as error:
        print(
            _("{file}: the bloc file has errors, nothing was imported:").format(file=args.file),
            file=sys.stderr,
        )
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    await upgrade(app.settings.database_url)
    try:
        report = await app.blocs.import_bloc(spec)
    except ImportRefused as refused:
        print(
            _("Nothing was imported, because it would drop scores already given:"), file=sys.stderr
        )
        for refusal in refused.refusals:
            print(f"  {describe_refusal(refusal)}", file=sys.stderr)
        return 1
    if not report.changes:
        print(
            _("Bloc {bloc}, season {year}: no changes.").format(
                bloc=report.bloc_code, year=report.year
            )
        )
        return 0
    print(
        _("Bloc {bloc}, season {year}: {count} changes.").format(
            bloc=report.bloc_code, year=report.year, count=len(report.changes)
        )
    )
    for change in report.changes:
        print(f"  {describe_change(change)}")
    return 0


def describe_change(change: Change) -> str:
    """One line of an import summary: ``+ criterion I.4``, ``~ agency thue: name a -> b``."""
    what = _(WHAT.get(change.what, change.what))
    if change.action is Action.ADDED:
        return f"+ {what} {change.code}"
    if change.action is Action.REMOVED:
        return f"- {what} {change.code}"
    fields = "; ".join(f"{name}: {before} → {after}" for name, before, after in change.fields)
    return f"~ {what} {change.code}: {fields}"


def describe_refusal(refusal: Refusal) -> str:
    """Why one removal or change was refused, in the operator's words."""
    what = _(WHAT.get(refusal.what, refusal.what))
    if refusal.reason is RefusalReason.REMOVED_WITH_SCORES:
        return _("{what} {code} cannot be removed: {count} sheet(s) already have scores").format(
            what=what, code=refusal.code, count=refusal.sheets
        )
    return _("{what} {code}: the new max is below a score already given ({highest})").format(
        what=what, code=refusal.code, highest=refusal.highest
    )


async def bloc_list(app: App, _args: argparse.Namespace) -> int:
    """Print the blocs with their season and progress."""
    await upgrade(app.settings.database_url)
    rows = await app.blocs.summaries()
    if not rows:
        print(_("No blocs yet. Import one with: blocbot bloc import FILE.yaml"))
        return 0
    header = (_("bloc"), _("season"), _("agencies"), _("contacts"), _("submitted"), _("name"))
    table = [
        (
            r.code,
            str(r.season_year or "-"),
            str(r.agencies),
            str(r.contacts),
            f"{r.submitted}/{r.agencies}",
            r.name,
        )
        for r in rows
    ]
    _print_table(header, table)
    return 0


async def invite_codes(app: App, args: argparse.Namespace) -> int:
    """Print (and create or rotate) a bloc's invite codes."""
    await upgrade(app.settings.database_url)
    try:
        lines = await app.invites.invites(args.bloc, rotate=args.rotate)
    except UnknownBloc:
        print(
            _("No bloc has the code {bloc}. See: blocbot bloc list").format(bloc=args.bloc),
            file=sys.stderr,
        )
        return 1
    username = await _bot_username(app.settings)
    zone = ZoneInfo(app.settings.timezone)
    header = [_("for"), _("code"), _("used"), _("expires")]
    if username:
        header.append(_("Telegram link"))
    table = []
    for line in lines:
        row = [
            line.agency_code or _("group: /linkgroup CODE"),
            line.code,
            f"{line.uses}/{line.max_uses}",
            line.expires_at.astimezone(zone).strftime("%Y-%m-%d"),
        ]
        if username:
            row.append(_telegram_link(username, line))
        table.append(row)
    _print_table(header, table)
    if not username:
        print(_("Set BLOCBOT_TELEGRAM_TOKEN (or BLOCBOT_TELEGRAM_BOT_USERNAME) to see links."))
    return 0


def _telegram_link(username: str, line: InviteLine) -> str:
    if line.kind == "group":
        return f"https://t.me/{username}?startgroup={line.code}"
    return f"https://t.me/{username}?start={line.code}"


async def _bot_username(settings: Settings) -> str | None:
    """The bot's username: from the settings, or asked from Telegram when a token is set."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if not settings.telegram_token:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.telegram_token, base_url=settings.telegram_base_url)
    try:
        async with asyncio.timeout(10):
            me = await bot.get_me()
    except (TelegramError, TimeoutError):
        return None
    return me.username


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
