"""Start-up loads what a command needs: no document library until a file is written or read,
and a command of the command line nothing it does not use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_starting_the_bot_loads_no_document_library() -> None:
    probe = (
        "import sys, bot.app, bot.cli; "
        "print(sorted(m for m in ('openpyxl', 'docx', 'matplotlib') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


# What a command loaded, printed after it ran (its own output goes to stdout).
LOADED = (
    "import runpy, sys\n"
    "sys.argv = ['blocbot', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('bot', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY)), file=sys.stderr)\n"
)


def loaded_by(tmp_path: Path, *argv: str, heavy: set[str]) -> tuple[str, str]:
    """Run ``blocbot argv`` on a SQLite file of its own; its output and the ``heavy`` modules
    it loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOCBOT_")}
    env["BLOCBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"
    done = subprocess.run(
        [sys.executable, "-c", LOADED.replace("HEAVY", repr(sorted(heavy))), *argv],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )  # fmt: skip
    return done.stdout, done.stderr.strip().splitlines()[-1]


def test_the_version_loads_no_database_messenger_or_web_library(tmp_path: Path) -> None:
    heavy = {"telegram", "sqlalchemy", "aiohttp", "httpx", "alembic", "babel", "apscheduler"}
    out, loaded = loaded_by(tmp_path, "--version", heavy=heavy)
    assert out.startswith("blocbot ") and loaded == "[]"


def test_importing_a_bloc_loads_no_messenger_web_or_migration_library(tmp_path: Path) -> None:
    bloc = Path(__file__).resolve().parents[2] / "examples" / "tw-thaibinh.yaml"
    heavy = {"telegram", "aiohttp", "httpx", "alembic", "apscheduler", "openpyxl", "docx"}
    loaded_by(tmp_path, "db", "upgrade", heavy=heavy)  # the migrations, once
    out, loaded = loaded_by(tmp_path, "bloc", "import", str(bloc), heavy=heavy)
    assert "tw-thaibinh" in out and loaded == "[]"
