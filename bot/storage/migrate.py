"""Apply the Alembic migrations that ship inside the package.

Replicas may start at once: on PostgreSQL the upgrade runs under an advisory lock, so one
migrates and the others wait, then find the schema up to date. During a rolling upgrade an old
replica may start (or restart) on a database a newer one has already migrated: it finds a
revision it does not know, says so, and runs on the newer schema as it is (migrations are
additive for a release, see the README), instead of refusing to start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from bot.storage.db import create_engine
from bot.storage.locks import hold_migrations

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the package's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (one replica at a time)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await hold_migrations(connection)  # until this transaction commits
            await connection.run_sync(_upgrade, url, revision)
    finally:
        await engine.dispose()


def newer_revisions(connection: Connection, script: ScriptDirectory) -> list[str]:
    """The revisions the database is at that these migrations do not know: a newer release
    migrated it."""
    current = MigrationContext.configure(connection).get_current_heads()
    unknown = []
    for revision in current:
        try:
            script.get_revision(revision)
        except CommandError:
            unknown.append(revision)
    return unknown


def _upgrade(connection: Connection, url: str, revision: str) -> None:
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
