"""PostgreSQL advisory locks: the outbox leader's, held by a session, and the migrations'.

A session lock lives exactly as long as the connection that took it: closing the connection,
the process dying (even by SIGKILL: the kernel closes its socket) or the server ending the
backend releases it. So the connection is a connection of its own (no pool: a pooled
connection given back would keep its session, and the lock, alive), kept open while the lock is
held. Keys are per database, so replicas of two deployments on one server never meet.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from bot.storage.db import create_engine

log = logging.getLogger(__name__)

LEADER_KEY = 0x0B10CB07  # the outbox leader's session lock
MIGRATIONS_KEY = 0x0B10CB08  # held (for a transaction) while migrations run
APPLICATION = "blocbot "  # application_name of a lock's session: this, then the replica
CONNECT_TIMEOUT = 5.0  # seconds to open the lock's connection
# The server probes an idle lock connection after 5 s without traffic, every 2 s, 3 times: a
# holder whose machine vanished (no socket closed) loses the lock within about 11 s.
KEEPALIVE = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}

_TRY = text("SELECT pg_try_advisory_lock(:key)")
_CHECK = text("SELECT 1")
# Who holds a lock (a bigint key shows its low half in objid, objsubid 1), by the
# application_name of the holder's session.
_HOLDER = text(
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key "
    "AND l.objsubid = 1 AND l.database = "
    "(SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1"
)
_MIGRATING = text("SELECT pg_advisory_xact_lock(:key)")


class SessionLock:
    """An advisory lock that ``name``'s session holds on a connection of its own."""

    def __init__(self, url: str, name: str, key: int = LEADER_KEY) -> None:
        self.key = key
        self.name = name
        self.application = (APPLICATION + name)[:63]  # PostgreSQL keeps 63 bytes of it
        self._engine: AsyncEngine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=False,
            connect_args={
                "timeout": CONNECT_TIMEOUT,
                "server_settings": {"application_name": self.application, **KEEPALIVE},
            },
        )
        self._connection: AsyncConnection | None = None
        self.backend_pid: int | None = None  # the server process of the connection, if open

    @property
    def connected(self) -> bool:
        return self._connection is not None

    async def try_acquire(self) -> bool:
        """Take the lock unless another session holds it (connecting first if need be)."""
        connection = await self._connect()
        got = (await connection.execute(_TRY, {"key": self.key})).scalar_one()
        return bool(got)

    async def holder(self) -> str | None:
        """The name of the replica whose session holds the lock, if one does and says so."""
        connection = await self._connect()
        found = (await connection.execute(_HOLDER, {"key": self.key})).scalar_one_or_none()
        if not found or not str(found).startswith(APPLICATION):
            return None
        return str(found).removeprefix(APPLICATION) or None

    async def check(self) -> None:
        """One round trip on the lock's connection; raises when the connection is gone."""
        if self._connection is None:
            raise ConnectionError("the lock's connection is closed")
        await self._connection.execute(_CHECK)

    async def release(self) -> None:
        """Close the connection, and so release the lock (at once: the socket is closed
        without waiting for the server, which may be the one that stopped answering)."""
        connection, self._connection = self._connection, None
        self.backend_pid = None
        if connection is None:
            return
        with suppress(Exception):
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            if driver is not None:
                driver.terminate()
        with suppress(Exception):
            await connection.invalidate()
        with suppress(Exception):
            await connection.close()

    async def close(self) -> None:
        """Release the lock and the engine."""
        await self.release()
        await self._engine.dispose()

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            try:
                pid = await connection.execute(text("SELECT pg_backend_pid()"))
                self.backend_pid = int(pid.scalar_one())
            except BaseException:
                with suppress(Exception):
                    await connection.close()
                raise
            self._connection = connection
        return self._connection


async def hold_migrations(connection: AsyncConnection) -> None:
    """Wait for, and take until the transaction ends, the lock under which migrations run:
    replicas started at once migrate one after the other, the later ones finding nothing to
    do (PostgreSQL only; SQLite has one writer anyway)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(_MIGRATING, {"key": MIGRATIONS_KEY})
