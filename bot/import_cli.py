"""``blocbot bloc import`` of several files or folders in one process: a line per file, one
sentence for a file that cannot be imported (the others go on), and a summary.

A folder stands for every bloc file in it (``*.yaml`` and ``*.yml``, by name, not its
subfolders). Each file is imported in a unit of work of its own, as a single import is.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bot.app import App
from bot.blocfile import BlocFileError, load_bloc_file
from bot.domain.scores import format_points
from bot.i18n import _, current_locale, ngettext
from bot.import_text import describe_closing, describe_refusal
from bot.services.blocs import ImportRefused
from bot.storage.migrate import upgrade

SUFFIXES = (".yaml", ".yml")  # what a bloc file is called
NAMED = 5  # files the summary names that were not imported


@dataclass
class Tally:
    """How the files went."""

    imported: int = 0
    changed: int = 0
    failed: list[str] = field(default_factory=list)


def several(paths: Sequence[str]) -> bool:
    """Whether the arguments name more than one file: several, or a folder."""
    return len(paths) > 1 or Path(paths[0]).is_dir()


def bloc_files(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """The files the arguments name, in order (a folder: its bloc files by name), and the
    folders that hold none."""
    files: list[str] = []
    empty: list[str] = []
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            files.append(name)
            continue
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        if not found:
            empty.append(name)
        files += [str(p) for p in found]
    return files, empty


async def import_many(app: App, paths: Sequence[str]) -> int:
    """Import every bloc file ``paths`` name; 1 if any of them was not imported."""
    started = time.perf_counter()
    files, empty = bloc_files(paths)
    tally = Tally()
    for folder in empty:
        print(
            _("{folder}: no bloc file (.yaml or .yml) in this folder.").format(folder=folder),
            file=sys.stderr,
        )
        tally.failed.append(folder)
    await upgrade(app.settings.database_url)
    total = len(files)
    for number, name in enumerate(files, 1):
        await _import_one(app, name, f"[{number}/{total}] {name}", tally)
    if tally.imported:
        await app.refresh_statistics()
    seconds = format_points(Decimal(f"{time.perf_counter() - started:.1f}"), current_locale())
    print(
        _("{imported} of {total} bloc files imported ({changed} with changes) in {seconds} s.")
        .format(imported=tally.imported, total=total, changed=tally.changed, seconds=seconds)
    )  # fmt: skip
    if not tally.failed:
        return 0
    named = ", ".join(tally.failed[:NAMED]) + (", …" if len(tally.failed) > NAMED else "")
    count = len(tally.failed)
    print(
        ngettext(
            "{count} file was not imported: {files}.",
            "{count} files were not imported: {files}.",
            count,
        ).format(count=count, files=named),
        file=sys.stderr,
    )
    return 1


async def _import_one(app: App, name: str, label: str, tally: Tally) -> None:
    """Import one file and say how it went in one line."""
    settings = app.settings
    try:
        spec = load_bloc_file(
            name, default_timezone=settings.timezone, default_locale=settings.locale
        )
        report = await app.blocs.import_bloc(spec)
    except BlocFileError as error:
        print(f"{label}: {_not_imported(error, name)}", file=sys.stderr)
        tally.failed.append(name)
        return
    except ImportRefused as refused:
        reasons = "; ".join(describe_refusal(refusal) for refusal in refused.refusals)
        sentence = _("not imported, because it would drop scores already given: {reasons}.")
        print(f"{label}: {sentence.format(reasons=reasons)}", file=sys.stderr)
        tally.failed.append(name)
        return
    tally.imported += 1
    tally.changed += bool(report.changes)
    if report.changes:
        said = _("Bloc {bloc}, season {year}: {count} changes.").format(
            bloc=report.bloc_code, year=report.year, count=len(report.changes)
        )
    else:
        said = _("Bloc {bloc}, season {year}: no changes.").format(
            bloc=report.bloc_code, year=report.year
        )
    print(f"{label}: {said}", flush=True)
    if report.closing_in_past is not None:
        warning = describe_closing(report.closing_in_past, spec.timezone)
        print(f"{label}: {warning}", file=sys.stderr)


def _not_imported(error: BlocFileError, name: str) -> str:
    """A bad file in one sentence: its first problem, and how many more there are."""
    problem = error.problems[0]
    first = problem.message if problem.path == name else str(problem)  # the file itself
    more = len(error.problems) - 1
    if not more:
        return _("not imported: {problem}.").format(problem=first)
    return ngettext(
        "not imported: {problem} (and {count} more problem).",
        "not imported: {problem} (and {count} more problems).",
        more,
    ).format(problem=first, count=more)
