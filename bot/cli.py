"""The command line: ``blocbot`` (also ``python -m bot``).

A command loads what it needs when it runs (the database, the channels, the documents), so
that every command starts quickly: ``blocbot --version`` loads none of them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot import __version__
from bot.config import SettingProblem, Settings, chosen_locale, problems
from bot.export_cli import add_export
from bot.i18n import N_, _, ngettext, set_default_locale
from bot.papers_cli import add_papers
from bot.season_cli import add_season

if TYPE_CHECKING:
    from bot.app import App
    from bot.services.invites import InviteLine

# argparse speaks through gettext domain 'argparse'; these are the words of its help and of the
# errors an operator can meet (Python 3.11), translated in our catalog (see ``_argparse_speaks``).
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ignored explicit argument %r"),
    N_("not allowed with argument %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("can't open '%(filename)s': %(error)s"),
)


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    set_default_locale(chosen_locale())
    try:
        settings = Settings()
    except ValidationError as error:
        if "--version" in (sys.argv[1:] if argv is None else argv):
            print(f"blocbot {__version__}")
        for problem in problems(error):
            print(describe_problem(problem), file=sys.stderr)
        return 2
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(f"blocbot {__version__}")  # as the parser would, without building it
        return 0
    with _argparse_speaks():
        args = _parser().parse_args(argv)
    import asyncio

    try:
        if args.command in OWN_APP:  # they build what they run themselves
            own: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]
            own = args.command
            return asyncio.run(own(settings, args))
        command: Callable[[App, argparse.Namespace], Awaitable[int]] = args.command
        return asyncio.run(_with_app(settings, command, args))
    except BrokenPipeError:  # the reader went away (``blocbot ... | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if not _database_failed(error):
            raise
        from sqlalchemy.engine import make_url

        url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = getattr(error, "orig", None) or getattr(error, "strerror", None) or error
        print(
            _("Could not use the database {url}: {reason}").format(url=url, reason=reason),
            file=sys.stderr,
        )
        return 1


def _database_failed(error: Exception) -> bool:
    """The database cannot be reached or opened (SQLAlchemy was loaded by what failed)."""
    if isinstance(error, OSError):
        return True
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(error, exc.SQLAlchemyError)


async def _with_app(
    settings: Settings,
    command: Callable[[App, argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
) -> int:
    from bot.app import build

    app = build(settings)
    try:
        return await command(app, args)
    finally:
        await app.close()


def describe_problem(problem: SettingProblem) -> str:
    """The line that says which setting is wrong, its value and what it accepts."""
    if problem.missing:
        return _("{variable} is not set, and the other settings need it: use {accepted}.").format(
            variable=problem.variable, accepted=_(problem.accepted)
        )
    if problem.secret:
        return _(
            "{variable}: the value is not accepted (not shown, it is secret); use {accepted}."
        ).format(variable=problem.variable, accepted=_(problem.accepted))
    return _("{variable}: “{value}” is not accepted; use {accepted}.").format(
        variable=problem.variable, value=problem.value, accepted=_(problem.accepted)
    )


@contextmanager
def _argparse_speaks() -> Iterator[None]:
    """Inside the block argparse's own words come from our catalog, in the current language."""
    saved = argparse.__dict__["_"], argparse.__dict__["ngettext"]
    argparse.__dict__.update(_=_, ngettext=ngettext)
    try:
        yield
    finally:
        argparse.__dict__["_"], argparse.__dict__["ngettext"] = saved


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blocbot", description=_("Chat assistant for emulation blocs.")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"blocbot {__version__}",
        help=_("show the version and exit"),
    )
    commands = parser.add_subparsers(required=True, metavar=_("COMMAND"))

    db = commands.add_parser("db", help=_("database commands")).add_subparsers(required=True)
    db.add_parser("upgrade", help=_("apply the database migrations")).set_defaults(
        command=db_upgrade
    )

    bloc = commands.add_parser("bloc", help=_("bloc commands")).add_subparsers(required=True)
    importer = bloc.add_parser(
        "import", help=_("create or update blocs from YAML files, one or many at once")
    )
    importer.add_argument(
        "file",
        nargs="+",
        metavar=_("FILE.yaml"),
        help=_("a bloc file, or a folder: every .yaml and .yml file in it"),
    )
    importer.set_defaults(command=bloc_import)
    bloc.add_parser("list", help=_("list the blocs")).set_defaults(command=bloc_list)

    commands.add_parser("run", help=_("run the bot on every channel with a token")).set_defaults(
        command=run_bot
    )
    demo = commands.add_parser("demo", help=_("chat with the sample bloc in this terminal"))
    demo.add_argument(
        "--database",
        metavar=_("FILE"),
        default="blocbot-demo.db",
        help=_("the demo's SQLite file (created afresh)"),
    )
    demo.set_defaults(command=run_demo)

    invites = commands.add_parser("invites", help=_("print a bloc's invite codes"))
    invites.add_argument(
        "bloc", metavar=_("BLOC"), help=_("the bloc's code (see: blocbot bloc list)")
    )
    invites.add_argument("--rotate", action="store_true", help=_("replace every code"))
    invites.set_defaults(command=invite_codes)

    audit = commands.add_parser("audit", help=_("audit trail commands"))
    verifier = audit.add_subparsers(required=True).add_parser(
        "verify", help=_("check that no entry of a bloc's audit trail was changed or removed")
    )
    verifier.add_argument(
        "bloc", metavar=_("BLOC"), help=_("the bloc's code (see: blocbot bloc list)")
    )
    verifier.set_defaults(command=audit_verify)
    add_season(commands)
    add_export(commands)
    add_papers(commands)
    return parser


async def run_bot(settings: Settings, _args: argparse.Namespace) -> int:
    """Run the channels, the scheduler and the web server until stopped."""
    from bot.runner import run

    return await run(settings)


async def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    """The console demo on a local SQLite file seeded with the sample bloc."""
    from bot.demo import demo

    return await demo(settings, args.database)


OWN_APP = (run_bot, run_demo)  # commands that build the App they run, on settings of their own


async def db_upgrade(app: App, _args: argparse.Namespace) -> int:
    """Apply the migrations."""
    from bot.storage.migrate import upgrade

    await upgrade(app.settings.database_url)
    print(_("The database is up to date."))
    return 0


async def bloc_import(app: App, args: argparse.Namespace) -> int:
    """Import a bloc file and print what changed; several, or a folder: a line for each."""
    from bot.import_cli import import_many, several

    if several(args.file):
        return await import_many(app, args.file)
    (path,) = args.file
    from bot.blocfile import BlocFileError, load_bloc_file
    from bot.import_text import describe_change, describe_closing, describe_refusal
    from bot.services.blocs import ImportRefused
    from bot.storage.migrate import upgrade

    try:
        spec = load_bloc_file(
            path,
            default_timezone=app.settings.timezone,
            default_locale=app.settings.locale,
        )
    except BlocFileError as error:
        print(
            _("{file}: the bloc file has errors, nothing was imported:").format(file=path),
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
    await app.refresh_statistics()
    print(
        _("Bloc {bloc}, season {year}: {count} changes.").format(
            bloc=report.bloc_code, year=report.year, count=len(report.changes)
        )
    )
    for change in report.changes:
        for line in describe_change(change, spec.timezone):
            print(f"  {line}")
    if report.closing_in_past is not None:
        print(describe_closing(report.closing_in_past, spec.timezone), file=sys.stderr)
    return 0


async def bloc_list(app: App, _args: argparse.Namespace) -> int:
    """Print the blocs with their season and progress."""
    from bot.storage.migrate import upgrade

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
    from zoneinfo import ZoneInfo

    from bot.services.invites import UnknownBloc
    from bot.storage.migrate import upgrade

    await upgrade(app.settings.database_url)
    try:
        lines = await app.invites.invites(args.bloc, rotate=args.rotate)
    except UnknownBloc:
        return _unknown_bloc(args.bloc)
    from bot.channels.telegram_api import TelegramUnavailable, bot_username

    try:
        username = await bot_username(app.settings)
    except TelegramUnavailable as error:
        username = None
        print(
            _("{reason} The codes are shown without links.").format(reason=error), file=sys.stderr
        )
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
            line.expires_at.astimezone(zone).strftime("%d/%m/%Y"),
        ]
        if username:
            row.append(_telegram_link(username, line))
        table.append(row)
    _print_table(header, table)
    if not username and not app.settings.telegram_token and not app.settings.zalo_token:
        print(_("Set BLOCBOT_TELEGRAM_TOKEN (or BLOCBOT_TELEGRAM_BOT_USERNAME) to see links."))
    if app.settings.zalo_token:
        print()
        print("\n".join(_zalo_steps()))
    return 0


async def audit_verify(app: App, args: argparse.Namespace) -> int:
    """Check a bloc's audit trail: 0 when it holds, 1 when it is broken or no such bloc."""
    from bot.audit_text import describe_check
    from bot.services.invites import UnknownBloc
    from bot.storage.migrate import upgrade

    await upgrade(app.settings.database_url)
    try:
        check = await app.history.verify(args.bloc)
    except UnknownBloc:
        return _unknown_bloc(args.bloc)
    lines = describe_check(check)
    print(lines[0])
    for line in lines[1:]:
        print(f"  {line}")
    return 0 if check.intact else 1


def _unknown_bloc(code: str) -> int:
    print(
        _("No bloc has the code {bloc}. See: blocbot bloc list").format(bloc=code), file=sys.stderr
    )
    return 1


def _zalo_steps() -> list[str]:
    """How people find the bot on Zalo, which has no links, and link with the codes above."""
    return [
        _("On Zalo (it has no links):"),
        "  "
        + _(
            "1. Find the bot: search for its name in Zalo, or scan its QR code from "
            "Zalo Bot Manager, and open a chat with it."
        ),
        "  "
        + _(
            "2. Send the agency's code from the table as the first message (or /start CODE): "
            "it links the sender to that agency."
        ),
        "  "
        + _(
            "3. For the bloc's group: add the bot to the Zalo group and send "
            "@BotName /linkgroup CODE there, with the group code and the bot's name after @."
        ),
        "  "
        + _(
            "Groups on Zalo are in beta: if the bot cannot be added to the group, the group "
            "posts go to each contact directly instead."
        ),
    ]


def _telegram_link(username: str, line: InviteLine) -> str:
    if line.kind == "group":
        return f"https://t.me/{username}?startgroup={line.code}"
    return f"https://t.me/{username}?start={line.code}"


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
