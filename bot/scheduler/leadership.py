"""Leadership: the one replica that sends the outbox and runs the periodic jobs.

The platforms' limits are per bot, not per process, so only one replica sends. On PostgreSQL a
replica leads while its session holds an advisory lock (``bot.storage.locks``); the others stand
by, trying to take it every second or so, and one of them leads within seconds when the leader
dies, since the lock goes with the leader's connection. The leader checks that connection every
``check`` seconds: when a check fails the lock may be someone else's already, so it stops its
duty at once and stands by again. On SQLite one process has the database: it always leads.

leadership = Leadership(SessionLock(url, "blocbot-1"), "blocbot-1")
await leadership.run(duty)  # duty.start() while leading, duty.stop() when no longer
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Protocol

from bot.storage.locks import SessionLock

log = logging.getLogger(__name__)

RETRY = 1.0  # seconds between two tries of a replica standing by (plus up to half more)
CHECK = 1.0  # seconds between two checks of the leader's connection
TIMEOUT = 3.0  # seconds a try or a check may take before it counts as failed
HAND_OVER = 3  # a replica that stopped leading waits this many retries before trying again


@dataclass(frozen=True)
class LeaderState:
    """Who sends the outbox, as this replica knows it."""

    leading: bool  # this replica leads
    replica: str  # this replica's name
    led_by: str | None  # the leading replica's name; None: not known (or nobody leads)

    def to_json(self) -> dict[str, object]:
        return {"leader": self.leading, "replica": self.replica, "led_by": self.led_by}


class Duty(Protocol):
    """What the leader runs: started when it leads, stopped when it no longer does."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Leadership:
    """Leads while ``lock`` is held (always, without a lock: SQLite), running a duty then."""

    def __init__(
        self,
        lock: SessionLock | None,
        replica: str,
        *,
        retry: float = RETRY,
        check: float = CHECK,
        timeout: float = TIMEOUT,
    ) -> None:
        self.lock = lock
        self.replica = replica
        self.retry = retry
        self.check = check
        self.timeout = timeout
        self.leading = False
        self.led_by: str | None = None
        self._stop = asyncio.Event()
        self._unreachable: str | None = None  # why the last try failed, logged once

    def state(self) -> LeaderState:
        return LeaderState(self.leading, self.replica, self.led_by)

    def stop(self) -> None:
        """Leave ``run()``: stop the duty and release the lock."""
        self._stop.set()

    async def run(self, duty: Duty) -> None:
        """Stand by until this replica leads, do the duty while it does, and again, until
        ``stop()``."""
        standing_by = False
        try:
            while not self._stop.is_set():
                if await self._acquire():
                    standing_by = False
                    try:
                        await self._lead(duty)
                    except Exception:
                        log.exception("replica %s could not lead; trying again", self.replica)
                    # The fault may be this replica's own: a stand-by gets the first chance.
                    await self._pause(HAND_OVER * self.retry)
                    continue
                if not standing_by:
                    standing_by = True
                    log.info(
                        "replica %s stands by: %s sends the outbox",
                        self.replica,
                        self.led_by or "another replica",
                    )
                await self._pause(self.retry * (1 + random.random() / 2))
        finally:
            if self.lock is not None:
                await self.lock.close()

    # -- standing by -------------------------------------------------------------------------

    async def _acquire(self) -> bool:
        """Try to take the lock; on failure, find out who holds it."""
        lock = self.lock
        if lock is None:
            return True
        try:
            async with asyncio.timeout(self.timeout):
                if await lock.try_acquire():
                    self._unreachable = None
                    return True
                self.led_by = await lock.holder()
        except Exception as error:
            await lock.release()  # a broken connection is opened anew on the next try
            self.led_by = None
            reason = _reason(error)
            if reason != self._unreachable:
                log.warning(
                    "replica %s cannot ask the database who leads (%s); trying again",
                    self.replica,
                    reason,
                )
            self._unreachable = reason
            return False
        self._unreachable = None
        return False

    # -- leading -----------------------------------------------------------------------------

    async def _lead(self, duty: Duty) -> None:
        """Do the duty until the lock's connection fails or ``stop()``; then stop it and let
        the lock go (closing the connection)."""
        self._set_leading(True)
        log.info("replica %s leads: it sends the outbox and runs the periodic jobs", self.replica)
        try:
            await duty.start()
            await self._watch()
        finally:
            self._set_leading(False)
            try:
                await duty.stop()
            finally:
                if self.lock is not None:
                    await self.lock.release()

    async def _watch(self) -> None:
        """Return when the lock's connection no longer answers, or on ``stop()``."""
        lock = self.lock
        while not await self._pause(self.check):
            if lock is None:
                continue
            try:
                async with asyncio.timeout(self.timeout):
                    await lock.check()
            except Exception as error:
                log.warning(
                    "replica %s no longer leads: its database connection failed (%s); "
                    "it stops sending and stands by",
                    self.replica,
                    _reason(error),
                )
                return

    def _set_leading(self, leading: bool) -> None:
        self.leading = leading
        self.led_by = self.replica if leading else None

    async def _pause(self, seconds: float) -> bool:
        """Wait ``seconds`` or until ``stop()``; True when stopped."""
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            return False
        return True


def _reason(error: BaseException) -> str:
    """The first line of an error's message (its type when it has none), for the log."""
    lines = str(error).strip().splitlines()
    return (lines[0].strip() if lines else "")[:200] or type(error).__name__
