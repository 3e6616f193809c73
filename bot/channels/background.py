"""Work a channel runs beside the updates: started, logged when it fails, stopped with it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)


class Background:
    """Tasks of one channel; ``stop()`` lets them finish for ``grace`` seconds, then cancels."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Awaitable[None]) -> None:
        """Run ``work``; a failure is one log line (the traceback at debug), never raised."""

        async def run() -> None:
            try:
                await work
            except Exception as error:
                log.error("%s background work failed: %r", self.name, error)
                log.debug("%s background work failed", self.name, exc_info=error)

        task = asyncio.create_task(run(), name=f"{self.name}-background")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self, grace: float = 0.0) -> None:
        """Wait up to ``grace`` seconds for the tasks in flight, then cancel what is left."""
        if grace and self._tasks:
            await asyncio.wait(self._tasks, timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
