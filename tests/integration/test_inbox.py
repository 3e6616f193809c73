"""The webhooks' inbox on SQLite and PostgreSQL: each chat's updates one at a time and in
order, a dead worker's claim taken over once its lease runs out, several replicas at once."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, build
from bot.channels.inbox import Inbox
from bot.clock import FrozenClock, SystemClock
from bot.config import Settings
from bot.scheduler.jobs import KEEP_INBOX
from bot.storage.models import InboxUpdate
from tests.conftest import backend

LEASE = timedelta(seconds=10)


async def receive(app: App, *updates: tuple[str, str]) -> list[bool]:
    """Store (chat, key) updates as a webhook would; whether each was new."""
    added = []
    for chat, key in updates:
        async with app.uow() as unit:
            added.append(
                await unit.inbox.add("telegram", chat, key, {"key": key}, app.clock.now())
            )
            await unit.commit()
    return added


async def claim(app: App, worker: str = "w1", done: tuple[int, ...] = ()) -> list[str]:
    """Mark ``done`` done and claim what may be taken: the keys claimed."""
    async with app.uow() as unit:
        await unit.inbox.done(list(done), app.clock.now())
        taken = await unit.inbox.claim(worker, app.clock.now(), LEASE, 10, ["telegram"])
        await unit.commit()
    return [entry.payload["key"] for entry in taken]


async def ids(app: App) -> dict[str, int]:
    async with app.uow() as unit:
        rows = await unit.session.execute(select(InboxUpdate.update_key, InboxUpdate.id))
    return {key: id for key, id in rows}


async def waiting(app: App) -> int:
    """Updates received and not done yet."""
    async with app.uow() as unit:
        return await unit.inbox.waiting()


async def test_a_chat_gives_its_next_update_only_once_the_one_before_is_done(
    app: App, clock: FrozenClock
) -> None:
    assert await receive(app, ("a", "1"), ("a", "2"), ("b", "3"), ("a", "4")) == [True] * 4
    assert await receive(app, ("a", "2")) == [False]  # delivered again: stored once

    assert await claim(app) == ["1", "3"]  # the oldest of each chat
    assert await claim(app, "w2") == []  # claimed, and "2" waits behind "1"
    key = await ids(app)
    assert await claim(app, "w2", done=(key["1"],)) == ["2"]
    assert await claim(app, "w2", done=(key["3"],)) == []  # b has nothing more; a's "2" is out
    assert await claim(app, done=(key["2"],)) == ["4"]
    async with app.uow() as unit:
        assert await unit.inbox.waiting() == 1


async def test_a_claim_nobody_renews_is_taken_over_once_its_lease_runs_out(
    app: App, clock: FrozenClock
) -> None:
    await receive(app, ("a", "1"), ("a", "2"))
    assert await claim(app, "dead") == ["1"]
    clock.advance(LEASE - timedelta(seconds=1))
    assert await claim(app, "alive") == []
    first = (await ids(app))["1"]
    async with app.uow() as unit:  # a live worker renews its lease: nobody else takes it
        await unit.inbox.renew([first], "dead", clock.now() + LEASE)
        await unit.commit()
    clock.advance(timedelta(seconds=2))
    assert await claim(app, "alive") == []
    clock.advance(LEASE)
    assert await claim(app, "alive") == ["1"]  # the same update, never the one behind it
    async with app.uow() as unit:
        row = await unit.session.get(InboxUpdate, first)
        assert row is not None and (row.claimed_by, row.attempts) == ("alive", 2)


async def test_handled_updates_are_forgotten_by_the_clean_up_job(
    app: App, clock: FrozenClock
) -> None:
    await receive(app, ("a", "old"), ("b", "waiting"))
    await claim(app)
    await claim(app, done=((await ids(app))["old"],))
    clock.advance(KEEP_INBOX + timedelta(minutes=1))
    await receive(app, ("a", "recent"))
    await claim(app, done=((await ids(app))["recent"],))

    (job,) = [job for job in app.jobs if job.name == "forget-updates"]
    await job.run()

    assert set(await ids(app)) == {"waiting", "recent"}


class Replica:
    """An Inbox with its own handler, standing for one ``blocbot run``."""

    def __init__(
        self,
        app: App,
        name: str,
        handle: Callable[[str, dict[str, Any]], Awaitable[None]],
        lease: float = 10.0,
    ) -> None:
        self.inbox = Inbox(app.uow, app.clock, name, lease=lease, concurrency=4, poll_every=0.05)

        async def handler(payload: dict[str, Any], _read: object = None) -> None:
            await handle(name, payload)

        self.inbox.handle("telegram", handler)


async def test_replicas_handle_every_chat_in_order_and_each_update_once(
    database_url: str, tmp_path: Any
) -> None:
    postgres = backend(database_url) == "postgresql"
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    apps = [build(settings, SystemClock()) for _ in range(3 if postgres else 1)]
    handled: dict[str, list[int]] = {}
    by: dict[str, set[str]] = {}
    rng = random.Random(7)
    watch = Watch()

    async def handle(name: str, payload: dict[str, Any]) -> None:
        chat, number = payload["chat"], payload["n"]
        await asyncio.sleep(rng.random() / 200)  # as long as a reply takes, about
        handled.setdefault(chat, []).append(number)
        by.setdefault(chat, set()).add(name)
        watch.notify()

    replicas = [Replica(app, f"r{n}", handle) for n, app in enumerate(apps)]
    chats, per_chat = 13, 8  # 13: each chat reaches a different replica update by update
    try:
        for replica in replicas:
            replica.inbox.start()
        for number in range(per_chat):  # as the platform delivers: round robin, chat by chat
            for chat in range(chats):
                replica = replicas[(number * chats + chat) % len(replicas)]
                payload = {"chat": str(chat), "n": number}
                key = f"{chat}-{number}"
                assert await replica.inbox.receive("telegram", str(chat), key, payload)
        await watch.until(lambda: sum(map(len, handled.values())) == chats * per_chat, 20)
    finally:
        for replica in replicas:
            await replica.inbox.stop()
        for app in apps:
            await app.close()
    assert handled == {str(chat): list(range(per_chat)) for chat in range(chats)}
    if postgres:
        assert any(len(names) > 1 for names in by.values())  # chats moved between replicas


async def test_a_killed_replicas_update_is_taken_over_and_a_failed_one_tried_again(
    app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.channels.inbox.RETRY_AFTER", timedelta(seconds=1))
    stuck = asyncio.Event()
    seen: list[tuple[str, str]] = []
    failures = {"b1": 1}
    watch = Watch()

    async def handle(name: str, payload: dict[str, Any]) -> None:
        key = payload["key"]
        seen.append((name, key))
        watch.notify()
        if name == "dying" and key == "a1":
            stuck.set()
            await asyncio.Event().wait()  # the process is gone: it never finishes
        if failures.get(key):
            failures[key] -= 1
            raise ConnectionError("the database went away")

    dying, alive = Replica(app, "dying", handle), Replica(app, "alive", handle)
    await receive(app, ("a", "a1"), ("a", "a2"))
    dying.inbox.start()
    await asyncio.wait_for(stuck.wait(), 5)
    crashed = dying.inbox._task  # dies without a word: no more renewals, nothing given back
    assert crashed is not None
    crashed.cancel()
    alive.inbox.start()
    try:
        await receive(app, ("b", "b1"))
        alive.inbox.wake()
        await watch.until(lambda: ("alive", "b1") in seen)
        assert ("alive", "a2") not in seen  # a1 is still claimed by the dead one
        clock.advance(timedelta(seconds=11))  # its lease runs out
        alive.inbox.wake()
        await watch.until(lambda: ("alive", "a2") in seen)
        clock.advance(timedelta(seconds=2))  # the failed one's pause is over, whenever it began
        alive.inbox.wake()
        await watch.until(lambda: seen.count(("alive", "b1")) == 2)
    finally:
        await alive.inbox.stop()
        for task in list(dying.inbox._in_hand.values()):
            task.cancel()
    took = [key for name, key in seen if name == "alive"]
    assert sorted(took) == ["a1", "a2", "b1", "b1"] and took.index("a1") < took.index("a2")
    assert await waiting(app) == 0


async def test_an_update_is_handled_by_the_replica_that_received_it_unless_its_chat_is_busy(
    app: App,
) -> None:
    """Taken on receipt, with the update as the channel read it; the next one of a chat whose
    update is still in hand waits for it, and is read from the table."""
    seen: list[tuple[str, object]] = []
    first_done = asyncio.Event()
    watch = Watch()
    inbox = Inbox(app.uow, app.clock, "r1", poll_every=60.0)

    async def handler(payload: dict[str, Any], read: object = None) -> None:
        seen.append((payload["key"], read))
        watch.notify()
        if payload["key"] == "a1":
            await first_done.wait()

    inbox.handle("telegram", handler)
    inbox.start()
    try:
        assert await inbox.receive("telegram", "w", "w0", {"key": "w0"}, "read w0")
        await watch.until(lambda: len(seen) == 1)
        assert seen[0] == ("w0", None)  # taken by a claim: the worker had not begun yet
        assert await inbox.receive("telegram", "a", "a1", {"key": "a1"}, "read a1")
        await watch.until(lambda: len(seen) == 2)
        assert seen[1] == ("a1", "read a1")
        assert await inbox.receive("telegram", "a", "a2", {"key": "a2"}, "read a2")
        assert not await inbox.receive("telegram", "a", "a2", {"key": "a2"}, "read a2")
        await asyncio.sleep(0)
        assert [key for key, _ in seen] == ["w0", "a1"]  # a2 waits behind a1
        first_done.set()
        await watch.until(lambda: len(seen) == 3)
    finally:
        await inbox.stop()
    assert seen[2] == ("a2", None)
    assert await waiting(app) == 0


class Watch:
    """Wakes a waiting test whenever a handler ran."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        self._changed.set()

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                self._changed.clear()
                await self._changed.wait()
