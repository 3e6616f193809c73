"""Group commit of what sends did: one transaction records every send that finished meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.storage.uow import UnitOfWorkFactory


@dataclass
class _Entry:
    id: int
    payload: dict[str, Any] | None  # what the send recorded in the row's payload, if anything
    sent: bool  # the whole message is out (else: some parts of it)
    done: asyncio.Future[None]


class SentRecorder:
    """Marks messages sent (or parts of them), many per transaction, each caller returning once
    its row is in.

    A committer task commits what is queued; whatever finishes meanwhile goes in its next
    commit. A caller waits for its own commit, so a send counts as in flight until it is
    recorded, and nothing is delayed on purpose: with one send at a time, each commits alone.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self._queued: list[_Entry] = []
        self._committer: asyncio.Task[None] | None = None

    async def sent(self, id: int, payload: dict[str, Any] | None = None) -> None:
        """Record that message ``id`` went out (with this payload, if given); returns when that
        is committed."""
        await self._queue(id, payload, sent=True)

    async def progress(self, id: int, payload: dict[str, Any]) -> None:
        """Record how far the send of message ``id`` got (its payload says); returns when that
        is committed."""
        await self._queue(id, payload, sent=False)

    async def _queue(self, id: int, payload: dict[str, Any] | None, *, sent: bool) -> None:
        done = asyncio.get_running_loop().create_future()
        self._queued.append(_Entry(id, payload, sent, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all())
        await done

    async def _commit_all(self) -> None:
        while self._queued:
            await self._commit()

    async def _commit(self) -> None:
        batch, self._queued = self._queued, []
        now = self.clock.now()
        try:
            async with self.uow() as unit:
                outbox = unit.outbox
                await outbox.sent_all([e.id for e in batch if e.sent and e.payload is None], now)
                await outbox.sent_with(
                    [(e.id, e.payload) for e in batch if e.sent and e.payload is not None], now
                )
                await outbox.progressed(
                    [(e.id, e.payload) for e in batch if not e.sent and e.payload is not None]
                )
                await unit.commit()
                # Committed: the senders go on now, not after the connection is handed back
                # (every moment between a send and its record is one a crash repeats it in).
                for entry in batch:
                    if not entry.done.done():
                        entry.done.set_result(None)
        except Exception as error:
            for entry in batch:
                if not entry.done.done():
                    entry.done.set_exception(error)
