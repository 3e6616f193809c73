"""The update queue: numbering, getUpdates long polling, redelivery and webhook delivery.

Webhook delivery is Telegram's: up to ``connections`` POSTs at once, never two of one chat (a
chat's next update waits until its earlier one was taken), and a POST that fails (not 2xx, or
no answer) is made again until it is taken.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import aiohttp

from bot.testing.telegram_emulator.records import EmulatorStats
from bot.testing.telegram_emulator.wire import JSON, ApiError

log = logging.getLogger(__name__)

# What Telegram sends when the bot did not choose: everything but these.
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(eq=False)
class _Pending:
    update_id: int
    body: JSON
    redelivery: bool = False
    sent: bool = False


def _chat_of(body: JSON) -> object:
    """The chat an update belongs to: Telegram posts one chat's updates one at a time. An
    update without a chat is a lane of its own."""
    for value in body.values():
        if not isinstance(value, dict):
            continue
        message = value.get("message")
        chat = value.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
        if isinstance(chat, dict) and chat.get("id") is not None:
            return ("chat", chat["id"])
    return ("update", body.get("update_id"))


@dataclass(frozen=True)
class WebhookTarget:
    """Where updates are POSTed instead of waiting for getUpdates: each POST to the next of
    ``urls`` in turn, as a load balancer in front of several replicas would."""

    urls: tuple[str, ...]
    secret_token: str | None
    _turn: Iterator[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_turn", itertools.cycle(self.urls))

    def next_url(self) -> str:
        return next(self._turn)


class UpdateFeed:
    """Numbers updates and hands them to the bot, by long polling or by webhook."""

    def __init__(self, stats: EmulatorStats, first_update_id: int = 1) -> None:
        self._stats = stats
        self._next_id = first_update_id
        self._by_id: dict[int, JSON] = {}
        self._pending: deque[_Pending] = deque()
        self._arrived = asyncio.Event()
        self._poll_generation = 0
        self._closed = False
        self.allowed: frozenset[str] | None = None
        self.webhook: WebhookTarget | None = None
        self.webhook_errors: list[str] = []
        self._outbox: asyncio.Queue[JSON] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None
        # A chat being posted to, and its updates that wait for the one in flight.
        self._lanes: dict[object, deque[JSON]] = {}
        self.retry_pause = 1.0  # seconds before the second retry of a failed POST; doubles
        self.longest_pause = 60.0
        self.attempts = 100  # POSTs of one update before it is dropped
        self.post_timeout = 60.0  # seconds a POST may take before it counts as failed

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed by the bot."""
        return len(self._pending)

    def publish(self, kind: str, payload: JSON) -> int:
        """Create an update of this kind (message, callback_query, ...); return its update_id."""
        update_id = self._next_id
        self._next_id += 1
        body = {"update_id": update_id, kind: payload}
        self._by_id[update_id] = body
        self._stats.updates += 1
        if self.allowed is None and kind in _OPT_IN_TYPES:
            return update_id
        if self.allowed is not None and kind not in self.allowed:
            return update_id
        self._hand_over(_Pending(update_id, body))
        return update_id

    def publish_raw(self, body: JSON) -> int:
        """Queue ``body`` exactly as given (a malformed update too): update_id is set only when
        missing; return it."""
        given = body.get("update_id")
        if isinstance(given, int) and not isinstance(given, bool):
            update_id = given
            self._next_id = max(self._next_id, given + 1)
        else:
            update_id = self._next_id
            self._next_id += 1
            if "update_id" not in body:
                body = {"update_id": update_id, **body}
        self._by_id[update_id] = body
        self._stats.updates += 1
        self._hand_over(_Pending(update_id, body))
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an update once more, with the same update_id."""
        body = self._by_id.get(update_id)
        if body is None:
            raise KeyError(f"no update {update_id}; the last one is {self._next_id - 1}")
        self._stats.redelivered += 1
        self._hand_over(_Pending(update_id, body, redelivery=True))

    def get(self, update_id: int) -> JSON:
        """The update with this id, as it was first delivered."""
        return self._by_id[update_id]

    def _hand_over(self, entry: _Pending) -> None:
        if self.webhook is not None:
            self._outbox.put_nowait(entry.body)
        else:
            self._pending.append(entry)
            self._arrived.set()

    def drop_pending(self) -> None:
        """Forget every unconfirmed update (deleteWebhook / setWebhook drop_pending_updates)."""
        self._pending.clear()

    async def get_updates(
        self, offset: int | None, limit: int, wait: float, allowed: list[str] | None
    ) -> list[JSON]:
        """Answer getUpdates: confirm by offset, then return at once or wait for an update."""
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.wake_pollers()  # an older poll still waiting answers 409, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._take(limit)
            remaining = deadline - loop.time()
            if batch or self._closed or remaining <= 0:
                return batch
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return []

    def _confirm(self, offset: int | None) -> None:
        pending = self._pending
        if not offset:
            return
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
            return
        while pending and pending[0].update_id < offset:
            if pending[0].redelivery and not pending[0].sent:
                break
            pending.popleft()

    def _take(self, limit: int) -> list[JSON]:
        batch: list[JSON] = []
        for entry in self._pending:
            if len(batch) >= limit or (entry.redelivery and batch):
                break
            entry.sent = True
            batch.append(entry.body)
            if entry.redelivery:
                # Alone in its batch: the bot's next offset (its id + 1) confirms just this one.
                break
        return batch

    def wake_pollers(self) -> None:
        """Let a waiting getUpdates re-check (used for conflicts and shutdown)."""
        self._arrived.set()

    async def deliver_to(self, target: WebhookTarget | None, connections: int) -> None:
        """Switch to webhook delivery (or back to getUpdates with None)."""
        unsent = await self._stop_workers()
        self.webhook = target
        if target is None:
            self._pending.extend(_Pending(body["update_id"], body) for body in unsent)
            self._arrived.set()
            return
        self._session = aiohttp.ClientSession()
        self._workers = [
            asyncio.create_task(self._post_updates(target)) for _ in range(connections)
        ]
        while self._pending:
            self._outbox.put_nowait(self._pending.popleft().body)
        for body in unsent:
            self._outbox.put_nowait(body)

    async def _post_updates(self, target: WebhookTarget) -> None:
        """Post what the queue holds; a chat another connection posts to waits for it."""
        while True:
            body = await self._outbox.get()
            chat = _chat_of(body)
            lane = self._lanes.get(chat)
            if lane is not None:  # that connection posts it after the chat's earlier ones
                lane.append(body)
                continue
            lane = self._lanes[chat] = deque([body])
            try:
                while lane:
                    await self._post_until_taken(target, lane[0])
                    lane.popleft()
                    self._outbox.task_done()
            finally:
                if not lane:
                    del self._lanes[chat]

    async def _post_until_taken(self, target: WebhookTarget, body: JSON) -> None:
        """POST one update until the bot answers 2xx, as Telegram does: again at once after
        the first failure, then after pauses that double (``retry_pause``, at most
        ``longest_pause``); after ``attempts`` tries it is dropped."""
        assert self._session is not None
        headers = {}
        if target.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = target.secret_token
        pause = self.retry_pause
        timeout = aiohttp.ClientTimeout(total=self.post_timeout)
        for attempt in range(1, self.attempts + 1):
            try:
                async with self._session.post(
                    target.next_url(), json=body, headers=headers, timeout=timeout
                ) as answer:
                    await answer.read()
                    if answer.status < 300:
                        self._stats.webhook_posts += 1
                        return
                    self._webhook_failed(f"Wrong response from the webhook: {answer.status}")
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                self._webhook_failed(f"Connection failed: {exc!r}")
            if attempt > 1:
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.longest_pause)
        log.warning("webhook delivery of update %s given up", body.get("update_id"))

    def _webhook_failed(self, error: str) -> None:
        self._stats.webhook_failures += 1
        self.webhook_errors.append(error)
        log.warning("webhook delivery failed: %s", error)

    async def drain(self) -> None:
        """Wait until every update queued for the webhook was posted."""
        await self._outbox.join()

    async def close(self) -> None:
        """Release waiting pollers and stop webhook delivery."""
        self._closed = True
        self.wake_pollers()
        await self._stop_workers()

    async def _stop_workers(self) -> list[JSON]:
        """Stop posting; the updates not posted yet, oldest first."""
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
        unsent = [body for lane in self._lanes.values() for body in lane]
        self._lanes.clear()
        while not self._outbox.empty():
            unsent.append(self._outbox.get_nowait())
        for _ in unsent:
            self._outbox.task_done()
        return sorted(unsent, key=lambda body: int(body.get("update_id") or 0))
