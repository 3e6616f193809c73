"""Group commit of sent messages: one transaction records every send that finished meanwhile."""

from __future__ import annotations

import asyncio

from bot.clock import Clock
from bot.storage.uow import UnitOfWorkFactory


class SentRecorder:
    """Marks messages sent, many per transaction, each caller returning once its row is in.

    A committer task commits what is queued; whatever finishes meanwhile goes in its next
    commit. A caller waits for its own commit, so a send counts as in flight until it is
    recorded, and nothing is delayed on purpose: with one send at a time, each commits alone.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self._queued: list[tuple[int, asyncio.Future[None]]] = []
        self._committer: asyncio.Task[None] | None = None

    async def sent(self, id: int) -> None:
        """Record that message ``id`` went out; returns when that is committed."""
        done = asyncio.get_running_loop().create_future()
        self._queued.append((id, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all())
        await done

    async def _commit_all(self) -> None:
        while self._queued:
            await self._commit()

    async def _commit(self) -> None:
        batch, self._queued = self._queued, []
        try:
            async with self.uow() as unit:
                await unit.outbox.sent_all([id for id, _ in batch], self.clock.now())
                await unit.commit()
        except Exception as error:
            for _, done in batch:
                if not done.done():
                    done.set_exception(error)
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)
