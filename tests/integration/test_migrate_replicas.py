"""Migrations with several replicas: started at once they migrate one after the other, and an
older replica runs on a database a newer one has already migrated."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from bot.storage.db import create_engine
from bot.storage.migrate import alembic_config, upgrade
from tests.conftest import PG_SKIP, PG_URL, ROOT, _create_database, _drop_database

REPLICAS = 2
# What `blocbot run` and `blocbot db upgrade` do first, without the rest of their start-up.
UPGRADE = (
    "import asyncio, os; from bot.storage.migrate import upgrade; "
    "asyncio.run(upgrade(os.environ['BLOCBOT_DATABASE_URL']))"
)


async def revision(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(
                lambda sync: sync.execute(text("SELECT version_num FROM alembic_version"))
            )
            return list(found.scalars())
    finally:
        await engine.dispose()


def head() -> str:
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None
    return found


async def sessions(server: URL, name: str) -> str:
    """What the database's sessions are doing, to tell why the replicas did not finish."""
    engine = create_engine(server.render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT pid, state, wait_event_type, wait_event, left(query, 80) "
                    "FROM pg_stat_activity WHERE datname = :name"
                ),
                {"name": name},
            )
            return "\n".join(str(row) for row in found.all())
    finally:
        await engine.dispose()


@pytest.mark.postgres
@pytest.mark.timeout(300)  # two interpreters start: slow on a busy machine
async def test_replicas_started_at_once_on_an_empty_database_all_start() -> None:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    server = make_url(PG_URL)
    # Named as conftest names its databases, so that one left behind is dropped a day later.
    name = f"{server.database or 'test'}_{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
    url = server.set(database=name).render_as_string(hide_password=False)
    await _create_database(server, name)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BLOCBOT_")}
        env.update(BLOCBOT_DATABASE_URL=url, PYTHONPATH=str(ROOT))
        children = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                UPGRADE,
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(REPLICAS)
        ]
        try:
            outputs = await asyncio.wait_for(
                asyncio.gather(*(child.communicate() for child in children)), 240
            )
        except TimeoutError:
            raise AssertionError(f"still migrating:\n{await sessions(server, name)}") from None
        said = [output.decode() for output, _ in outputs]
        assert [child.returncode for child in children] == [0] * REPLICAS, "\n".join(said)
        assert await revision(url) == [head()]
    finally:
        await _drop_database(server, name)


async def stamp(url: str, version: str) -> None:
    """Set the revision the database says it is at (without migrating anything)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            change = text("UPDATE alembic_version SET version_num = :version")
            await connection.run_sync(lambda sync: sync.execute(change, {"version": version}))
    finally:
        await engine.dispose()


async def test_an_older_replica_runs_on_a_database_a_newer_one_migrated(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await stamp(database_url, "0999")  # a release this code does not know migrated it
    try:
        with caplog.at_level(logging.WARNING, "bot.storage.migrate"):
            await upgrade(database_url)  # does not raise

        assert await revision(database_url) == ["0999"]
        said = "the database is at revision 0999, newer than this version of blocbot knows"
        assert f"{said} ({head()}): running on it as it is" in caplog.text
    finally:
        await stamp(database_url, head())  # the database is this run's, for other tests
