"""The outbox dispatcher: sends due messages within each platform's limits, exactly once.

A batch is claimed in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
replicas never claim the same row). Rows that must not go now are given back at once: too
late ones are skipped, quiet ones wait for the morning, those whose chat is not ready are due
again when it is, so other chats keep flowing. The rest are sent concurrently at the overall
rate. Each part the platform takes is committed before the sender goes on (``part_sent``), and
each outcome as soon as the platform answers, so a claim retaken after a crash sends only what
was not recorded: at most the ``concurrency`` parts in flight (taken by the platform, not yet
committed) can go out twice. A send starts within half the lease of its claim and is given up
after the other half, so a live claim never expires.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.clock import Clock
from bot.scheduler.commits import SentRecorder
from bot.scheduler.pacing import Limits, Pacer
from bot.scheduler.reports import REPORT, OperatorReports
from bot.scheduler.sending import (
    PARTS_SENT,
    SENT_IDS,
    Delivery,
    DeliveryResult,
    OutboxObserver,
    OutboxSender,
    Parcel,
    Senders,
)
from bot.scheduler.wake import Wake
from bot.services.notices import GivenUp
from bot.storage.repositories.outbox import ClaimedMessage
from bot.storage.uow import UnitOfWork, UnitOfWorkFactory
from bot.timetext import resettle, send_at

log = logging.getLogger(__name__)

TOO_LATE = "too late"
GAVE_UP = "failed"  # what the observer is told of an attempt after which a message is given up
BACKOFF = 2.0  # seconds before the second attempt after a transient failure; doubles
LONGEST_BACKOFF = 300.0
NO_SENDER_WAIT = 60.0  # a message whose platform stopped running tries again after this
HORIZON = 1.0  # a rate-limited platform claims what it can send in this many seconds
EPSILON = 1e-6  # seconds: a shorter wait is rounding (timestamps are floats of ~1.7e9)


@dataclass(frozen=True)
class Tuning:
    """How much the dispatcher does at once, and how patiently."""

    concurrency: int = 16  # sends in flight at once
    lease: float = 30.0  # seconds a claim is held: half to start a send, half to finish it
    batch: int = 256  # rows claimed at most at once
    max_attempts: int = 6  # a message that failed transiently this often is given up
    tick: float = 1.0  # seconds between two looks at the outbox, at most


@dataclass
class _Send:
    row: ClaimedMessage
    sender: OutboxSender
    pacer: Pacer
    parts: int = 0  # parts this attempt got out, as the sender told (``part_sent``)
    ids: list[str] = field(default_factory=list)  # the platform's ids of those parts
    recorded: int = 0  # of those parts, how many are committed
    recorded_sent: bool = False  # the row is committed as sent

    def progress(self) -> dict[str, Any]:
        """The row's payload with the parts sent so far, by earlier attempts and this one."""
        payload = dict(self.row.payload or {})
        payload[PARTS_SENT] = int(payload.get(PARTS_SENT, 0)) + self.parts
        payload[SENT_IDS] = [*payload.get(SENT_IDS, ()), *self.ids]
        return payload


class Dispatcher:
    """Drains the outbox through the running senders, within each platform's ``limits``; tells
    the ``operators`` of a message given up in the words of ``report`` (called in ``locale``)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        senders: Senders,
        limits: Mapping[str, Limits],
        *,
        worker_id: str,
        wake: Wake | None = None,
        operators: Collection[tuple[str, str]] = (),
        report: Callable[[GivenUp], str] | None = None,
        locale: str = "vi",
        tuning: Tuning = Tuning(),
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        observer: OutboxObserver | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.senders = senders
        self.limits = dict(limits)
        self.worker_id = worker_id
        self.wake = wake or Wake()
        if operators and report is None:
            raise ValueError("operators are told in the words of a report presenter: pass one")
        self.reports: OperatorReports | None = None
        if operators and report is not None:
            self.reports = OperatorReports(operators, report, locale)
        self.tuning = tuning
        self.sleep = sleep
        self.observer = observer
        self._pacers: dict[str, Pacer] = {}
        self._slots = asyncio.Semaphore(max(1, tuning.concurrency))
        self._sent = SentRecorder(uow, clock)
        self._stopping = False

    # -- the loop -----------------------------------------------------------------------------

    async def run(self, pause: float = 0.0) -> None:
        """Send batches until ``stop()``; between them wait for new rows, a due time or a tick.
        The first waits ``pause`` seconds."""
        self._stopping = False
        if pause:
            await asyncio.sleep(pause)
        while not self._stopping:
            self.wake.clear()  # before claiming: a commit from now on wakes the wait below
            try:
                if await self.run_once():
                    continue
                delay = await self._until_next_due()
            except Exception:
                log.exception("outbox: dispatching failed; trying again")
                delay = self.tuning.tick
            if not self._stopping:
                await self.wake.wait(delay)

    def stop(self) -> None:
        """Finish the sends in flight, give the rest of the batch back, and leave ``run()``."""
        self._stopping = True
        self.wake.set()

    async def run_once(self) -> int:
        """Claim the due messages and send them; how many were claimed."""
        platforms = self.senders.sending_platforms()
        if not platforms:
            return 0
        claimed_at = self.clock.now()
        async with self.uow() as unit:
            rows = await unit.outbox.claim(
                claimed_at,
                self._claim_size(platforms),
                self.worker_id,
                timedelta(seconds=self.tuning.lease),
                platforms,
            )
            await unit.commit()
        if rows:
            await self._send_all(await self._sort_out(rows), claimed_at)
        return len(rows)

    # -- deciding ----------------------------------------------------------------------------

    async def _sort_out(self, rows: list[ClaimedMessage]) -> list[_Send]:
        """Skip or give back what must not go now (in one transaction); the rest, to send."""
        now = self.clock.now()
        stamp = now.timestamp()
        sends: list[_Send] = []
        later: list[tuple[int, datetime]] = []
        skipped: list[ClaimedMessage] = []
        booked: Counter[tuple[str, str]] = Counter()
        for row in rows:
            if row.not_after is not None and now > row.not_after:
                skipped.append(row)
                continue
            goes = send_at(now, row.timezone, row.quiet, row.not_after, row.payload)
            if goes is None:  # the bloc's quiet time lasts until it is no longer worth sending
                skipped.append(row)
                continue
            if goes > now:  # the bloc's quiet time (its payload says which): wait for its end
                later.append((row.id, goes))
                continue
            if not (row.payload or {}).get(PARTS_SENT):  # a text half sent keeps its words
                text = resettle(row.text, row.payload, now)  # the time left, as of now
                row = replace(row, text=text)
            sender = self.senders.sender(row.platform)
            if sender is None:
                later.append((row.id, now + timedelta(seconds=NO_SENDER_WAIT)))
                continue
            pacer = self._pacer(row.platform)
            group = row.chat_kind == "group"
            key = (row.platform, row.chat_id)
            ready = pacer.chat_ready_at(row.chat_id, group, stamp)
            if ready <= stamp and not booked[key]:
                sends.append(_Send(row, sender, pacer))
            else:
                wait = ready - stamp + booked[key] * pacer.limits.spacing(group)
                later.append((row.id, now + timedelta(seconds=wait)))
            booked[key] += 1
        if later or skipped:
            async with self.uow() as unit:
                await unit.outbox.release_all(later)
                for row in skipped:
                    await unit.outbox.skipped(row.id, TOO_LATE)
                await unit.commit()
            for row in skipped:
                log.info("outbox %d to %s skipped: %s", row.id, _to(row), TOO_LATE)
        return sends

    # -- sending -----------------------------------------------------------------------------

    async def _send_all(self, sends: list[_Send], claimed_at: datetime) -> None:
        """Send at the overall rate, ``concurrency`` at a time; give back what cannot start in
        time (half the lease gone) or when stopping."""
        deadline = claimed_at.timestamp() + self.tuning.lease / 2
        async with asyncio.TaskGroup() as tasks:
            for index, send in enumerate(sends):
                await self._slots.acquire()
                stamp = self._stamp()
                wait = send.pacer.overall_wait(stamp)
                while wait > EPSILON and not self._stopping and stamp < deadline:
                    await self.sleep(wait)
                    stamp = self._stamp()
                    wait = send.pacer.overall_wait(stamp)
                if self._stopping or stamp >= deadline:
                    self._slots.release()
                    await self._give_back(sends[index:])
                    break
                send.pacer.start(send.row.chat_id, stamp)
                tasks.create_task(self._send(send))

    async def _send(self, send: _Send) -> None:
        """One attempt at one message; its outcome is committed before the slot is freed."""
        row = send.row
        try:
            delivered = 0
            try:
                result = await self._attempt(send)
                delivered = result.delivered
            finally:
                send.pacer.finish(row.chat_id, row.chat_kind == "group", self._stamp(), delivered)
            try:
                await self._record(send, result)
            except Exception:
                log.exception("outbox %d: could not record %s", row.id, result.outcome.value)
            self._observe(send, result)
        finally:
            self._slots.release()

    async def _attempt(self, send: _Send) -> DeliveryResult:
        row = send.row
        try:
            async with asyncio.timeout(self.tuning.lease / 2):
                parcel = Parcel(row.chat_id, row.chat_kind, row.text, dict(row.payload or {}))
                return await send.sender.deliver(parcel, partial(self._part_sent, send))
        except TimeoutError:
            return DeliveryResult(Delivery.TRANSIENT, error="no answer in time")
        except Exception as error:
            log.exception("outbox %d: the %s sender failed", row.id, row.platform)
            return DeliveryResult(Delivery.TRANSIENT, error=repr(error))

    async def _part_sent(self, send: _Send, message_id: str | None, *, last: bool) -> None:
        """Commit that the platform took one more part (``last``: the message is sent), before
        the sender goes on: a claim retaken after a crash skips it, or is not sent again."""
        send.parts += 1
        if message_id is not None:
            send.ids.append(message_id)
        try:
            if last:
                await self._sent.sent(send.row.id, send.progress())
                send.recorded_sent = True
            else:
                await self._sent.progress(send.row.id, send.progress())
            send.recorded = send.parts
        except Exception:
            log.exception("outbox %d: could not record a part sent", send.row.id)

    async def _give_back(self, sends: list[_Send]) -> None:
        """Return claimed rows unsent, due as they were, their attempt not counted."""
        async with self.uow() as unit:
            await unit.outbox.release_all([(send.row.id, send.row.due_at) for send in sends])
            await unit.commit()

    # -- outcomes ----------------------------------------------------------------------------

    async def _record(self, send: _Send, result: DeliveryResult) -> None:
        row = send.row
        if send.recorded_sent:  # the sender told its last part: recorded then
            return
        if result.outcome is Delivery.SENT:
            await self._sent.sent(row.id, send.progress() if send.parts else None)
            return
        now = self.clock.now()
        async with self.uow() as unit:
            outbox = unit.outbox
            error = result.error or result.outcome.value
            if result.outcome is Delivery.RETRY_AFTER:
                wait = max(result.retry_after or 1.0, 0.0)
                send.pacer.pause(row.chat_id, now.timestamp() + wait)
                due = now + timedelta(seconds=wait)
                await outbox.release(row.id, due, f"flood limit: retry after {wait:g} s")
                await self._keep_progress(unit, send, result)
                log.info("outbox %d to %s: flood limit, again in %g s", row.id, _to(row), wait)
            elif result.outcome is Delivery.TRANSIENT and row.attempts < self.tuning.max_attempts:
                backoff = min(BACKOFF * 2 ** (row.attempts - 1), LONGEST_BACKOFF)
                await outbox.retry(row.id, now + timedelta(seconds=backoff), error)
                await self._keep_progress(unit, send, result)
                log.warning(
                    "outbox %d to %s failed (%s); attempt %d, next in %g s",
                    row.id,
                    _to(row),
                    error,
                    row.attempts,
                    backoff,
                )
            else:
                await outbox.failed(row.id, error)
                if result.outcome is Delivery.BLOCKED:
                    if row.chat_kind == "private" and row.contact_id is not None:
                        await outbox.mark_unreachable(row.contact_id, now)
                elif result.outcome is Delivery.TRANSIENT:
                    await self._report(unit, row, error, now)
                log.warning(
                    "outbox %d to %s %s: %s", row.id, _to(row), result.outcome.value, error
                )
            await unit.commit()

    @staticmethod
    async def _keep_progress(unit: UnitOfWork, send: _Send, result: DeliveryResult) -> None:
        """Remember the parts of a long text that went out and are not recorded yet (a sender
        that does not tell each part), so the next attempt skips them."""
        send.parts = max(send.parts, result.delivered)
        if send.parts > send.recorded:
            await unit.outbox.set_payload(send.row.id, send.progress())

    async def _report(
        self, unit: UnitOfWork, row: ClaimedMessage, error: str, now: datetime
    ) -> None:
        """Tell every operator, in a direct message, which message was given up and why."""
        if self.reports is None or (row.payload or {}).get("kind") == REPORT:
            return
        given_up = GivenUp(row.id, row.platform, row.chat_id, row.attempts, error)
        await unit.outbox.enqueue(self.reports.messages(given_up, now), now)

    def _observe(self, send: _Send, result: DeliveryResult) -> None:
        """Tell the observer how the attempt ended; a failing observer is only logged."""
        if self.observer is None:
            return
        row, outcome = send.row, result.outcome.value
        if send.recorded_sent:
            outcome = Delivery.SENT.value
        elif result.outcome is Delivery.TRANSIENT and row.attempts >= self.tuning.max_attempts:
            outcome = GAVE_UP
        try:
            self.observer.delivered(row.platform, outcome, max(send.parts, result.delivered))
        except Exception:
            log.exception("outbox %d: the observer failed", row.id)

    # -- helpers -----------------------------------------------------------------------------

    def _pacer(self, platform: str) -> Pacer:
        pacer = self._pacers.get(platform)
        if pacer is None:
            pacer = self._pacers[platform] = Pacer(self.limits.get(platform, Limits()))
        return pacer

    def _claim_size(self, platforms: Collection[str]) -> int:
        """As many rows as the platforms can take soon: a rate-limited one, about a second's."""
        size = 0
        for platform in platforms:
            rate = self.limits.get(platform, Limits()).rate
            if rate <= 0:
                return self.tuning.batch
            size += math.ceil(rate * HORIZON)
        return max(1, min(self.tuning.batch, size))

    def _stamp(self) -> float:
        return self.clock.now().timestamp()

    async def _until_next_due(self) -> float:
        """Seconds until the next message falls due (at most a tick)."""
        async with self.uow() as unit:
            due = await unit.outbox.next_due(self.senders.sending_platforms())
        if due is None:
            return self.tuning.tick
        return min(self.tuning.tick, max((due - self.clock.now()).total_seconds(), 0.0))


def _to(row: ClaimedMessage) -> str:
    """``telegram:12345``: where a message goes, for the log."""
    return f"{row.platform}:{row.chat_id}"
