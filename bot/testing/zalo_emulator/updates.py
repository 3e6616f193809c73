"""The update queue: getUpdates long polling (no offset) and webhook delivery with retries.

Webhook POSTs go out one at a time by default. ``feed.concurrency = N`` posts up to N at once,
each chat's updates still one after another in the order people wrote them (as a service with
many delivery workers would), so that a benchmark measures the bot and not this queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from bot.testing.zalo_emulator.records import Delivery
from bot.testing.zalo_emulator.wire import JSON, ZaloError

if TYPE_CHECKING:
    from bot.testing.zalo_emulator.world import World

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_ACTIVE = ZaloError(
    409, "Conflict: a webhook is active; call deleteWebhook before using getUpdates"
)


@dataclass(frozen=True)
class WebhookTarget:
    """Where updates are POSTed instead of waiting for getUpdates."""

    url: str
    secret_token: str


@dataclass(eq=False)
class _Outgoing:
    update: JSON
    duplicate: bool = False
    replay: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)


def _chat_of(update: JSON) -> str | None:
    """The chat an update belongs to (None for one without a chat, such as a malformed one)."""
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return chat_id if isinstance(chat_id, str) else None


def _ids(update: JSON) -> tuple[str | None, str | None]:
    message = update.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    event_name = update.get("event_name")
    return (
        message_id if isinstance(message_id, str) else None,
        event_name if isinstance(event_name, str) else None,
    )


class UpdateFeed:
    """Hands updates to the bot: one getUpdates takes them for good, or workers POST them.

    ``concurrency`` webhook POSTs may be in flight at once (1 by default), never two of one
    chat: a chat's next update waits until its earlier one was answered (or given up).
    """

    def __init__(self, world: World) -> None:
        self._world = world
        self._queue: deque[JSON] = deque()
        self._arrived = asyncio.Event()
        self._by_message_id: dict[str, JSON] = {}
        self._outbox: asyncio.Queue[_Outgoing] = asyncio.Queue()
        self._workers: set[asyncio.Task[None]] = set()
        # A chat being posted to, and its updates that wait for the one in flight.
        self._lanes: dict[str | None, deque[_Outgoing]] = {}
        self.concurrency = 1  # webhook POSTs in flight at once, never two of one chat
        self._session: aiohttp.ClientSession | None = None
        self._duplicates = 0
        self._closed = False
        self.webhook: WebhookTarget | None = None
        self.webhook_updated_at = 0
        self.deliveries: list[Delivery] = []

    @property
    def queued(self) -> int:
        """Updates waiting for getUpdates."""
        return len(self._queue)

    def publish(self, update: JSON) -> None:
        """A new update: queue it for getUpdates, or for the webhook."""
        message_id, _ = _ids(update)
        if message_id is not None:
            self._by_message_id[message_id] = update
        self._world.stats.updates += 1
        duplicate = self._duplicates > 0
        if duplicate:
            self._duplicates -= 1
        self._hand_over(_Outgoing(update, duplicate=duplicate))

    def duplicate_next(self, count: int) -> None:
        """Hand the next ``count`` updates over twice."""
        self._duplicates += count

    def update(self, message_id: str) -> JSON:
        """An earlier update by its message_id."""
        found = self._by_message_id.get(message_id)
        if found is None:
            raise KeyError(f"no update with message_id {message_id!r}")
        return found

    async def replay(self, message_id: str) -> None:
        """Hand an earlier update over again; with a webhook, wait until it was posted."""
        entry = _Outgoing(self.update(message_id), replay=True)
        self._world.stats.replayed += 1
        self._hand_over(entry)
        if self.webhook is not None:
            await entry.done.wait()

    def _hand_over(self, entry: _Outgoing) -> None:
        if self.webhook is not None:
            self._start_workers()
            self._outbox.put_nowait(entry)
            return
        self._queue.append(entry.update)
        if entry.duplicate:
            self._queue.append(entry.update)
        self._wake()

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    # -- getUpdates --------------------------------------------------------------------------

    async def take(self, wait: float, limit: int, alive: Callable[[], bool]) -> list[JSON]:
        """Up to ``limit`` queued updates, waiting up to ``wait`` seconds for the first one.

        Whatever is returned is gone from the queue. A poll whose client went away takes
        nothing; a webhook set meanwhile makes the poll answer 409.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if self.webhook is not None:
                raise WEBHOOK_ACTIVE
            if not alive():
                return []
            if self._queue:
                batch = [self._queue.popleft() for _ in range(min(limit, len(self._queue)))]
                self._world.stats.handed_out += len(batch)
                return batch
            remaining = deadline - loop.time()
            if self._closed or remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return []

    # -- webhook -----------------------------------------------------------------------------

    def set_webhook(self, target: WebhookTarget | None, updated_at: int) -> None:
        """Post updates to ``target`` from now on (None: back to getUpdates)."""
        self.webhook = target
        self.webhook_updated_at = updated_at
        if target is not None:
            while self._queue:
                self._hand_over(_Outgoing(self._queue.popleft()))
        self._wake()  # a waiting getUpdates answers 409 now

    def _start_workers(self) -> None:
        self._workers = {worker for worker in self._workers if not worker.done()}
        while len(self._workers) < max(1, self.concurrency):
            self._workers.add(asyncio.create_task(self._deliver_all(), name="zalo-webhook"))

    async def _deliver_all(self) -> None:
        """Post what the queue holds; a chat another worker posts to waits for that worker."""
        while True:
            entry = await self._outbox.get()
            chat = _chat_of(entry.update)
            lane = self._lanes.get(chat)
            if lane is not None:  # that worker posts it after the chat's earlier ones
                lane.append(entry)
                continue
            lane = self._lanes[chat] = deque()
            try:
                await self._deliver_one(entry)
                while lane:
                    await self._deliver_one(lane.popleft())
            finally:
                del self._lanes[chat]

    async def _deliver_one(self, entry: _Outgoing) -> None:
        try:
            await self._deliver(entry)
        except Exception:
            log.exception("webhook delivery crashed")
        finally:
            entry.done.set()
            self._outbox.task_done()

    async def _deliver(self, entry: _Outgoing) -> None:
        target = self.webhook
        if target is None:  # deleteWebhook came first: getUpdates gets it
            self._hand_over(entry)
            return
        world = self._world
        for attempt in range(1, world.webhook_retries + 2):
            if attempt > 1:
                await asyncio.sleep(world.webhook_pause)
            if await self._attempt(target, entry, attempt):
                if entry.duplicate:
                    await self._attempt(target, entry, 1, duplicate=True)
                return
        world.stats.webhook_lost += 1
        log.warning("webhook gave up on update %s", _ids(entry.update)[0])

    async def _attempt(
        self, target: WebhookTarget, entry: _Outgoing, attempt: int, duplicate: bool = False
    ) -> bool:
        world = self._world
        body = entry.update
        if world.webhook_body == "wrapped":
            body = {"ok": True, "result": entry.update}
        message_id, event_name = _ids(entry.update)
        status: int | None = None
        error: str | None = None
        try:
            status = await self._post(target.url, body, target.secret_token)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = repr(exc)
        delivery = Delivery(
            message_id, event_name, attempt, status, error, duplicate, entry.replay
        )
        self.deliveries.append(delivery)
        if delivery.ok:
            world.stats.webhook_posts += 1
        else:
            world.stats.webhook_failures += 1
        world.changed(None)
        return delivery.ok

    async def post(self, body: JSON, secret: str | None, url: str | None = None) -> int:
        """POST ``body`` to the webhook (or ``url``) with this secret; return the HTTP status."""
        where = url or (self.webhook.url if self.webhook else None)
        if where is None:
            raise AssertionError("no webhook is set: pass url=")
        return await self._post(where, body, secret)

    async def _post(self, url: str, body: JSON, secret: str | None) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        data = json.dumps(body, ensure_ascii=False).encode()
        timeout = aiohttp.ClientTimeout(total=self._world.webhook_timeout)
        async with self._session.post(url, data=data, headers=headers, timeout=timeout) as answer:
            await answer.read()
            return answer.status

    async def drain(self) -> None:
        """Wait until nothing is pending webhook delivery."""
        await self._outbox.join()

    async def close(self) -> None:
        """Release waiting polls, stop webhook delivery, close the client session."""
        self._closed = True
        self._wake()
        workers, self._workers = self._workers, set()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._lanes.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
