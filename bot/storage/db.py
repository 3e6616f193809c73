"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Executable, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage import sqlite_inline
from bot.storage.deferred import DeferringSession

POOL = 20  # PostgreSQL connections kept by default (BLOCBOT_DATABASE_POOL)
POOL_WAIT = 60.0  # seconds a unit of work waits for a free connection before it fails
IDLE_PING = 10.0  # seconds: a connection unused for longer is checked before it is used
STATEMENTS_KEPT = 500  # prepared statements each PostgreSQL connection keeps (asyncpg)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_when_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a connection that sat unused for a while (the server may have dropped it); a
    busy one goes straight to work, saving the ping's three round trips on every update."""
    idle_since = record.info.pop("idle_since", None)
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:  # the pool drops it and connects afresh
        raise DisconnectionError(f"the connection was lost while unused: {error}") from error


def create_engine(url: str, pool: int = POOL, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite with WAL, foreign keys and a busy timeout on every connection.

    SQLite runs through the inline driver (``bot.storage.sqlite_inline``) whatever async
    driver the URL names, so ``sqlite+aiosqlite:///blocbot.db`` works as documented. On
    PostgreSQL the engine keeps ``pool`` connections (a unit of work beyond them waits for
    one), each with its prepared statements, and checks only those that sat idle.
    """
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": 10})
        url = (
            make_url(url)
            .set(drivername=f"sqlite+{sqlite_inline.DRIVER}")
            .render_as_string(hide_password=False)
        )
    else:
        if "poolclass" not in kwargs:  # a connection of its own (a lock's) has no pool
            kwargs.setdefault("pool_size", pool)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_timeout", POOL_WAIT)
        kwargs.setdefault("connect_args", {"prepared_statement_cache_size": STATEMENTS_KEPT})
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine.sync_engine, "checkin", _idle_since)
        event.listen(engine.sync_engine, "checkout", _ping_when_idle)
    return engine


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The engine on the same pool whose connections keep each statement as it returns."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def refresh_statistics(engine: AsyncEngine) -> None:
    """Let PostgreSQL's planner know the tables as they are now (``ANALYZE``), after a bulk
    write such as an import of many blocs: until autovacuum gets to them, it plans on the
    figures of the tables before, and a person's read that takes 0.5 ms with them took 11 ms
    (hash joins over every agency) on a thousand blocs just imported. Nothing on SQLite, whose
    planner goes by the indexes."""
    if engine.dialect.name != "postgresql":
        return
    from bot.storage.models import Base  # the tables are blocbot's only, not the database's

    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with autocommit(engine).connect() as connection:
        await connection.exec_driver_sql(f"ANALYZE {tables}")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit, and which send the writes deferred
    on them before any other statement (``bot.storage.deferred``)."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=DeferringSession)


def insert_or_ignore(session: AsyncSession, model: type[Any], **values: Any) -> Executable:
    """An INSERT that does nothing when a unique key already exists (SQLite and PostgreSQL)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return pg_insert(model).values(**values).on_conflict_do_nothing()
    return sqlite_insert(model).values(**values).on_conflict_do_nothing()


def upsert(
    session: AsyncSession,
    model: type[Any],
    values: dict[str, Any],
    keys: list[str] | None = None,
) -> Executable:
    """INSERT, or UPDATE the row with the same ``keys`` (default: the primary key)."""
    keys = keys or [column.name for column in model.__table__.primary_key.columns]
    changes = {name: value for name, value in values.items() if name not in keys}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values)
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)


class Prepared:
    """A statement built once per dialect, with ``bindparam`` placeholders.

    SQLAlchemy memoizes a statement object's cache key, so reusing the object skips building
    the statement and keying it on every call: on the hot paths that is most of the cost.
    """

    def __init__(self, build: Callable[[str], Executable]) -> None:
        self._build = build
        self._by_dialect: dict[str, Executable] = {}

    def __call__(self, session: AsyncSession) -> Executable:
        name = session.get_bind().dialect.name
        statement = self._by_dialect.get(name)
        if statement is None:
            statement = self._by_dialect[name] = self._build(name)
        return statement


def dialect_insert(dialect: str, model: type[Any]) -> Any:
    """A Core INSERT into ``model``'s table with ON CONFLICT support of ``dialect``."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model.__table__)
