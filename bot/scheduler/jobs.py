"""Periodic jobs on APScheduler 3: each runs every so many seconds, never two at once.

app.jobs.append(PeriodicJob("reminders", 60, app.remind))  # in bot.app.App
# blocbot run schedules every job of app.jobs once the channels are up: in the leading replica
# only (see bot.scheduler.leadership), or in every replica with everywhere=True
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

JobFunction = Callable[[], Awaitable[object]]

KEEP_UPDATES = timedelta(days=7)  # platforms redeliver an update within a day at most
# Handled updates of the webhooks' inbox: a later delivery is still caught by the log above.
KEEP_INBOX = timedelta(hours=1)
FORGET_EVERY = 3600.0  # seconds between two clean-ups of the processed-updates log


@dataclass(frozen=True)
class PeriodicJob:
    """A coroutine function to run every ``seconds``, named for the log; in the leading
    replica only, unless ``everywhere``."""

    name: str
    seconds: float
    run: JobFunction
    everywhere: bool = False


def forgetting_updates(
    uow: UnitOfWorkFactory, clock: Clock, keep: timedelta = KEEP_UPDATES
) -> PeriodicJob:
    """The job that drops the dedupe record of updates processed more than ``keep`` ago, so
    the table holds a week of updates instead of growing forever, and the inbox's updates
    handled more than ``KEEP_INBOX`` ago."""

    async def forget() -> None:
        async with uow() as unit:
            now = clock.now()
            dropped = await unit.conversations.forget_updates_before(now - keep)
            await unit.inbox.forget_done_before(now - KEEP_INBOX)
            await unit.commit()
        if dropped:
            log.info("forgot %d processed updates older than %s", dropped, keep)

    return PeriodicJob("forget-updates", FORGET_EVERY, forget)


class Scheduler:
    """A thin wrapper over ``AsyncIOScheduler``.

    Jobs never overlap (``max_instances=1``); runs missed while one was busy collapse into one
    (``coalesce``). A job's exception is logged and the next run comes as planned. ``shutdown``
    waits for the runs in progress.
    """

    def __init__(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler  # only `blocbot run` has one

        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[Any]] = set()

    def every(self, seconds: float, function: JobFunction, name: str, now: bool = True) -> None:
        """Run ``function`` every ``seconds``, the first time at once unless ``now`` is False."""
        first = {"next_run_time": datetime.now(UTC)} if now else {}  # None would pause it
        self._scheduler.add_job(
            self._guarded(function, name),
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            **first,
        )

    def add(self, job: PeriodicJob) -> None:
        self.every(job.seconds, job.run, job.name)

    def start(self) -> None:
        """Start ticking (inside the running event loop)."""
        self._scheduler.start()

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Start no more runs, wait up to ``timeout`` seconds for those in progress, stop."""
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)
        self._scheduler.shutdown(wait=False)  # cancels what is still running
        await asyncio.sleep(0)

    def _guarded(self, function: JobFunction, name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await function()
            except Exception:
                log.exception("job %s failed", name)
            finally:
                if task is not None:
                    self._running.discard(task)

        return run
