"""SQLite for the async engine without a thread hop per call.

SQLAlchemy's aiosqlite driver sends every cursor call to a worker thread and back; on a
local file a statement takes microseconds, the two thread switches far longer (about 0.2 ms
each here), and a unit of work makes dozens of them. This dialect is SQLAlchemy's own
pysqlite dialect (the standard library's ``sqlite3``) declared usable under ``AsyncEngine``:
the calls run inline on the event loop thread, inside SQLAlchemy's greenlet, as the engine
does for every async driver. Only SQLite on a local file is meant to use it: a statement
blocks the loop for as long as SQLite works, which there is short. The process's units of
work take turns (``UnitOfWorkFactory(serial=True)``), so they never wait on each other's
locks; another process holding the write lock makes a statement wait up to busy_timeout.

Use sessions (or ``AsyncConnection.run_sync``): ``AsyncConnection.execute`` insists that the
driver awaited something and refuses a driver that never needs to.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL

DRIVER = "blocbot_inline"


class _Cursor(sqlite3.Cursor):
    """A sqlite3 cursor that the async result layer can close."""

    async def _async_soft_close(self) -> None:
        """Nothing to release: rows were read inline."""


class _Connection(sqlite3.Connection):
    """A sqlite3 connection whose cursors are ``_Cursor``."""

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, usable by ``create_async_engine``."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def create_connect_args(self, url: URL) -> Any:
        args, kwargs = super().create_connect_args(url)
        kwargs["check_same_thread"] = False  # the pool may close it from another thread
        kwargs["factory"] = _Connection
        return args, kwargs


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")
