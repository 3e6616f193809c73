"""The update queue: numbering, getUpdates long polling, redelivery and webhook delivery."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

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


@dataclass(frozen=True)
class WebhookTarget:
    """Where updates are POSTed instead of waiting for getUpdates."""

    url: str
    secret_token: str | None


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
        await self._stop_workers()
        self.webhook = target
        if target is None:
            while not self._outbox.empty():
                body = self._outbox.get_nowait()
                self._outbox.task_done()
                self._pending.append(_Pending(body["update_id"], body))
            self._arrived.set()
            return
        self._session = aiohttp.ClientSession()
        self._workers = [
            asyncio.create_task(self._post_updates(target)) for _ in range(connections)
        ]
        while self._pending:
            self._outbox.put_nowait(self._pending.popleft().body)

    async def _post_updates(self, target: WebhookTarget) -> None:
        assert self._session is not None
        headers = {}
        if target.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = target.secret_token
        while True:
            body = await self._outbox.get()
            try:
                async with self._session.post(target.url, json=body, headers=headers) as answer:
                    await answer.read()
                    if answer.status >= 300:
                        self._webhook_failed(f"Wrong response from the webhook: {answer.status}")
                    else:
                        self._stats.webhook_posts += 1
            except (aiohttp.ClientError, OSError) as exc:
                self._webhook_failed(f"Connection failed: {exc!r}")
            finally:
                self._outbox.task_done()

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

    async def _stop_workers(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
