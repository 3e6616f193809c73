"""Apply the Alembic migrations that ship inside the package.

Replicas may start at once: on PostgreSQL the upgrade runs under an advisory lock, so one
migrates and the others wait, then find the schema up to date. During a rolling upgrade an old
replica may start (or restart) on a database a newer one has already migrated: it finds a
revision it does not know, says so, and runs on the newer schema as it is (migrations are
additive for a release, see the README), instead of refusing to start.

A database already at the newest migration is left alone without loading Alembic (which
costs a command line a few tenths of a second): the newest revision is read from the
migration files, the database's from its ``alembic_version`` table.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from bot.storage.db import create_engine
from bot.storage.locks import hold_migrations

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?::[^=]*)?=(.*)$", re.M)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the package's migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


@cache
def newest_revision() -> str | None:
    """The one head of the migration files, or None when they do not say one plainly."""
    revisions: set[str] = set()
    earlier: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision[1])
        earlier.update(_QUOTED.findall(down[1]))
    heads = revisions - earlier
    return heads.pop() if len(heads) == 1 else None


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (one replica at a time)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if revision == "head" and await connection.run_sync(_at_newest):
                return
            await hold_migrations(connection)  # until this transaction commits
            await connection.run_sync(_upgrade, url, revision)
    finally:
        await engine.dispose()


def newer_revisions(connection: Connection, script: ScriptDirectory) -> list[str]:
    """The revisions the database is at that these migrations do not know: a newer release
    migrated it."""
    from alembic.runtime.migration import MigrationContext
    from alembic.util.exc import CommandError

    current = MigrationContext.configure(connection).get_current_heads()
    unknown = []
    for revision in current:
        try:
            script.get_revision(revision)
        except CommandError:
            unknown.append(revision)
    return unknown


def _at_newest(connection: Connection) -> bool:
    """True when the database's one revision is the newest migration."""
    newest = newest_revision()
    if newest is None or not inspect(connection).has_table("alembic_version"):
        return False
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return list(found) == [newest]


def _upgrade(connection: Connection, url: str, revision: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(url)
    config.attributes["connection"] = connection
    newer = newer_revisions(connection, ScriptDirectory.from_config(config))
    if newer:
        log.warning(
            "the database is at revision %s, newer than this version of blocbot knows "
            "(%s): running on it as it is",
            ", ".join(newer),
            ScriptDirectory.from_config(config).get_current_head(),
        )
        return
    command.upgrade(config, revision)
