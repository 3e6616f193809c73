"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build
from bot.clock import FrozenClock, SystemClock
from bot.config import Settings
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Base

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "tw-thaibinh.yaml"
PG_ENV = "BLOCBOT_TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV, "")
PG_SKIP = f"PostgreSQL not configured: set {PG_ENV} to run this test there too"

# Files are drawn at the bot's own priority here: on a machine the suite keeps busy, a drawing
# process at a lower one waits for every test around it (test_rendering.py checks the setting).
os.environ["BLOCBOT_RENDER_NICENESS"] = "0"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not PG_URL:
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL variants were skipped because {PG_ENV} is not set "
            f"(e.g. {PG_ENV}=postgresql+asyncpg://postgres@127.0.0.1:5432/test make test).",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to open a connection outside this machine."""
    real = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    """A database of this run's own on the server of the configured URL, migrated once.

    Two runs at once never share tables, so one run's TRUNCATE cannot wait on the other's
    locks. The database is dropped at the end, and so are those left by runs that died more
    than a day ago.
    """
    server = make_url(PG_URL)
    name = f"{server.database or 'test'}_{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
    url = server.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_create_database(server, name))
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(_drop_database(server, name))


def _stale_databases(server: URL, names: list[str]) -> list[str]:
    """The names among ``names`` of databases a test run created more than a day ago."""
    prefix = f"{server.database or 'test'}_"
    stale = time.time() - 86400
    parts = {name: name.removeprefix(prefix).split("_") for name in names}
    return [
        name
        for name, (born, *rest) in parts.items()
        if name.startswith(prefix) and len(rest) == 2 and born.isdigit() and int(born) < stale
    ]


async def _create_database(server: URL, name: str) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            names = (await conn.execute(text("SELECT datname FROM pg_database"))).scalars()
            for old in _stale_databases(server, list(names)):
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def _drop_database(server: URL, name: str) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker; each test gets a copy of it, not a new upgrade."""
    path = tmp_path_factory.mktemp("template") / "blocbot.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty, migrated database: a fresh SQLite file, or this run's PostgreSQL one."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "blocbot.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    if not PG_URL:
        pytest.skip(PG_SKIP)
    own: str = request.getfixturevalue("_postgres_schema")
    asyncio.run(_truncate(own))
    return own


async def _truncate(url: str) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2021, 11, 10, 2, 0, tzinfo=UTC))


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    """Settings of the test's own: its database and file store, nothing from the environment."""
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, files=str(tmp_path / "files"), _env_file=None
    )


@pytest.fixture
async def app(database_url: str, clock: FrozenClock, tmp_path: Path) -> AsyncIterator[App]:
    """The wired application on the test database, with a frozen clock."""
    application = build(settings_for(database_url, tmp_path), clock)
    yield application
    await application.close()


@pytest.fixture
async def live(database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    """The application on the test database with the real clock, as `blocbot run` has it."""
    application = build(settings_for(database_url, tmp_path), SystemClock())
    yield application
    await application.close()


def backend(url: str) -> str:
    return make_url(url).get_backend_name()
