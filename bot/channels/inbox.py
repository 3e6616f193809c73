"""Webhook updates through the inbox: stored before the platform is answered, handled by
whichever replica is free, each chat's in order and once.

A channel's webhook stores the update (``Inbox.receive``) and answers 200 once it is
committed. When nothing earlier of its chat is open and this replica has a hand free, the same
statement claims it for this replica, which handles it at once (with the update as the channel
read it: no second parse, no claim to wait for); else it wakes this replica's worker. The
worker claims what is waiting (the oldest update of each chat whose earlier updates are done,
for a lease), hands each to its channel, and marks it done once its replies are sent, in the
transaction that claims what comes next. Every replica's worker also looks at the table every
``POLL_EVERY`` seconds, for updates received by another replica or left by one that died: a
claim whose lease ran out is anyone's again.

An update is handled once: a retaken one whose handling had committed before its replica died
is a duplicate to the router, which answers it with nothing. What that leaves is the replies of
such an update that had not gone out yet: they are lost, as they are when a polling process is
killed at that moment (the person sends again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from bot.channels.reaching import Backoff
from bot.channels.reporting import Observer
from bot.clock import Clock
from bot.storage.repositories.inbox import InboxEntry
from bot.storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

# A channel's handler: the update as stored, and as the channel read it on receipt (None when
# it was taken from the table).
Handler = Callable[[dict[str, Any], Any], Awaitable[None]]

POLL_EVERY = 0.5  # seconds between two looks for updates other replicas received or left
RETRY_AFTER = timedelta(seconds=2)  # an update whose handling failed is tried again then
ATTEMPTS = 5  # claims of one update before it is given up
STOP_GRACE = 5.0  # seconds the updates in hand get to finish when the worker stops


class Inbox:
    """This replica's side of the inbox: what its webhooks received, and its worker."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        worker: str,
        *,
        lease: float = 30.0,
        concurrency: int = 32,
        observer: Observer | None = None,
        poll_every: float = POLL_EVERY,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.worker = worker
        self.lease = timedelta(seconds=lease)
        self.concurrency = concurrency
        self.observer = observer
        self.poll_every = poll_every
        self.handlers: dict[str, Handler] = {}
        self._wake = asyncio.Event()
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._receiving = 0  # receipts under way that may take their update: hands promised
        self._finished: list[int] = []  # handled, to be marked done
        self._failed: list[int] = []  # to be given back for a later try
        self._dropped: list[int] = []  # cut short by a stop: anyone's again at once
        self._renewed = 0.0  # when the leases of the updates in hand were last renewed
        self._fresh = True  # nothing read yet: claims under this worker's name are stale
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def handle(self, platform: str, handler: Handler) -> None:
        """``handler`` answers the updates of ``platform`` (it raises when it could not)."""
        self.handlers[platform] = handler

    async def receive(
        self,
        platform: str,
        chat_id: str,
        update_key: str,
        payload: dict[str, Any],
        parsed: Any = None,
    ) -> bool:
        """Store an update and commit it, taking it at once when its chat has nothing earlier
        open and a hand is free (``parsed``, the update as the channel read it, goes to the
        handler then); False when it was stored before (a second delivery, then counted as a
        duplicate). Raises when it could not be stored."""
        take = self._can_take(platform)
        if take:
            self._receiving += 1
        try:
            async with self.uow.each_statement() as unit:  # one round trip: the INSERT
                now = self.clock.now()
                if take:
                    added, taken = await unit.inbox.add_taken(
                        platform, chat_id, update_key, payload, now, self.worker, now + self.lease
                    )
                else:
                    added = await unit.inbox.add(platform, chat_id, update_key, payload, now)
                    taken = None
                await unit.commit()
        finally:
            if take:
                self._receiving -= 1
        if taken is not None and self._stopping:
            self._dropped.append(taken)  # the worker stopped meanwhile: anyone's again
        elif taken is not None:
            self._take(InboxEntry(taken, platform, chat_id, payload, 1), parsed)
        elif added:
            self.wake()
        elif self.observer is not None:
            self.observer.update(platform, "duplicate", None)
        return added

    def _can_take(self, platform: str) -> bool:
        """Whether an update received now may be taken by this replica on receipt: its worker
        runs (and has given back what a former run of its name held), and a hand is free."""
        return (
            self._task is not None
            and not self._stopping
            and not self._fresh
            and platform in self.handlers
            and len(self._in_hand) + self._receiving < self.concurrency
        )

    def _take(self, entry: InboxEntry, parsed: Any = None) -> None:
        """Handle a claimed update in the background."""
        self._in_hand[entry.id] = asyncio.create_task(
            self._handle(entry, parsed), name=f"inbox-{entry.platform}-{entry.id}"
        )

    def wake(self) -> None:
        """Look at the inbox now."""
        self._wake.set()

    @property
    def in_hand(self) -> int:
        """Updates this replica is handling."""
        return len(self._in_hand)

    # -- the worker ---------------------------------------------------------------------------

    def start(self) -> None:
        """Take updates in the background, until ``stop()`` (none without a channel)."""
        if not self.handlers:
            return
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="inbox")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Take nothing more, let the updates in hand finish for ``grace`` seconds, and record
        what became of them; what is still unfinished is left to its lease."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self.wake()
        with suppress(asyncio.CancelledError):
            await task
        if self._in_hand:
            await asyncio.wait(list(self._in_hand.values()), timeout=grace)
        for handling in list(self._in_hand.values()):
            handling.cancel()
        await asyncio.gather(*self._in_hand.values(), return_exceptions=True)
        try:
            await self._settle(take=0)
        except Exception as error:
            log.warning("could not record the updates handled before stopping: %s", error)

    async def _run(self) -> None:
        backoff = Backoff(first=POLL_EVERY, longest=10.0)
        while not self._stopping:
            self._wake.clear()
            free = self.concurrency - len(self._in_hand) - self._receiving
            try:
                taken = await self._settle(take=free)
            except Exception as error:
                pause = backoff.next()
                log.warning("could not read the inbox (%s); trying again in %g s", error, pause)
                log.debug("could not read the inbox", exc_info=error)
                await self._pause(pause)
                continue
            backoff.reset()
            for entry in taken:
                # One in hand already had its lease run out while this worker still had it.
                if entry.id not in self._in_hand:
                    self._take(entry)
            if taken and len(taken) == free:
                continue  # there may be more waiting: full hands wait for one to finish
            await self._pause(self.poll_every)

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _settle(self, take: int) -> list[InboxEntry]:
        """In one transaction: mark done what was handled, give back what failed, renew the
        leases of what is in hand (every third of a lease), and claim up to ``take`` updates.
        What could not be recorded is recorded the next time."""
        finished, self._finished = self._finished, []
        failed, self._failed = self._failed, []
        dropped, self._dropped = self._dropped, []
        loop = asyncio.get_running_loop()
        renew = (
            bool(self._in_hand) and loop.time() - self._renewed >= self.lease.total_seconds() / 3
        )
        try:
            # Each statement on its own: one round trip each, none for BEGIN and COMMIT. Each
            # is safe alone (marks done and releases only what is still open, renews only
            # this worker's claims), so what one that failed left is recorded next time.
            async with self.uow.each_statement() as unit:
                now = self.clock.now()
                if self._fresh:
                    stale = await unit.inbox.abandoned(self.worker, now)
                await unit.inbox.done(finished, now)
                await unit.inbox.release(failed, self.worker, now + RETRY_AFTER)
                await unit.inbox.release(dropped, self.worker, now)
                if renew:
                    await unit.inbox.renew(list(self._in_hand), self.worker, now + self.lease)
                taken = await unit.inbox.claim(
                    self.worker, now, self.lease, take, list(self.handlers)
                )
                await unit.commit()
        except BaseException:
            self._finished[:0] = finished
            self._failed[:0] = failed
            self._dropped[:0] = dropped
            raise
        if renew or not self._in_hand:
            self._renewed = loop.time()
        if self._fresh and stale:
            log.info("took back %d updates a former run of %s had in hand", stale, self.worker)
        self._fresh = False
        return taken

    async def _handle(self, entry: InboxEntry, parsed: Any = None) -> None:
        """Hand one update to its channel; done when it returns, tried again when it raised."""
        try:
            handler = self.handlers[entry.platform]
            if entry.attempts > ATTEMPTS:
                log.error(
                    "%s update %s failed %d times: given up", entry.platform, entry.id, ATTEMPTS
                )
            else:
                await handler(entry.payload, parsed)
        except Exception as error:
            log.error(
                "%s update %s could not be handled (%s); trying again in %g s",
                entry.platform,
                entry.id,
                error,
                RETRY_AFTER.total_seconds(),
            )
            log.debug("%s update %s failed", entry.platform, entry.id, exc_info=error)
            self._failed.append(entry.id)
        except asyncio.CancelledError:
            self._dropped.append(entry.id)
            raise
        else:
            self._finished.append(entry.id)
        finally:
            del self._in_hand[entry.id]
            self.wake()
