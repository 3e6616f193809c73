"""Two `blocbot run` replicas on one PostgreSQL: one leads and sends the outbox, the other stands
by and sends nothing; the leader is SIGKILLed halfway through a wave of reminders and the other
takes over within seconds; every message goes out once, and the two together never send faster
than Telegram allows (the emulator enforces its limits and counts every 429)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import App
from bot.storage.models import OutboxMessage
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator
from tests.conftest import backend
from tests.e2e.test_dispatcher_telegram import (
    enqueue,
    eventually,
    people,
    received,
    settled,
    statuses,
)

COUNT = 120  # reminders, one to each person
RATE = 20  # messages per second each replica allows itself: two senders would pass 30
TAKEOVER = 5.0  # seconds from the leader's death to the stand-by leading, at most
KILL_AFTER = 40  # messages delivered before the leader is killed


def replica(
    tg: TelegramEmulator, url: str, folder: Path, name: str, **settings: str
) -> BotProcess:
    """`blocbot run` named ``name``, sending one message at a time (so a kill can catch at most
    one between Telegram taking it and the outbox recording it) and retaking a dead claim
    after 3 s."""
    return BotProcess.against(
        tg,
        url,
        folder / name,
        replica_name=name,
        outbox_rate=str(RATE),
        outbox_concurrency="1",
        outbox_lease="3",
        **settings,
    )


async def page(bot: BotProcess, path: str) -> str:
    """What the replica's web server answers at ``path`` (200 expected)."""
    async with aiohttp.ClientSession() as http, http.get(bot.web_url + path) as response:
        body = await response.text()
        assert response.status == 200, body
        return body


async def outbox_of(bot: BotProcess) -> dict[str, object]:
    """The outbox part of the replica's /healthz."""
    return dict(json.loads(await page(bot, "/healthz"))["outbox"])


async def leader_gauge(bot: BotProcess) -> str:
    """The line of /metrics that says whether the replica leads."""
    lines = (await page(bot, "/metrics")).splitlines()
    return next(line for line in lines if line.startswith("blocbot_outbox_leader "))


def busiest_second(tg: TelegramEmulator, users: list[FakeUser]) -> int:
    """The most messages to ``users`` Telegram took within any one second."""
    times = sorted(message.at for user in users for message in tg.messages(user))
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_the_stand_by_takes_over_a_killed_leader_and_the_pair_keeps_the_limits(
    tg: TelegramEmulator, live: App, database_url: str, tmp_path: Path
) -> None:
    if backend(database_url) != "postgresql":
        pytest.skip("replicas share a PostgreSQL database")
    tg.enforce_limits()  # Telegram's: 30 messages a second in all, 1 a second to a chat
    users = people(tg, COUNT)
    polling = replica(tg, database_url, tmp_path, "a")
    sending = replica(tg, database_url, tmp_path, "b", telegram_polling="false")
    began = time.monotonic()
    async with polling, sending:
        polling.start()
        sending.start()
        await asyncio.gather(polling.wait_running(), sending.wait_running())
        await eventually(
            lambda: "leads:" in polling.log + sending.log, TAKEOVER, "one replica leads"
        )
        leader, stand_by = (polling, sending) if "leads:" in polling.log else (sending, polling)
        first, second = ("a", "b") if leader is polling else ("b", "a")
        await stand_by.wait_log(f"replica {second} stands by: {first} sends the outbox")
        assert await outbox_of(leader) == {
            "pending": {},
            "failed": {},
            "leader": True,
            "replica": first,
            "led_by": first,
        }
        shown = await outbox_of(stand_by)
        assert (shown["leader"], shown["replica"], shown["led_by"]) == (False, second, first)
        assert await leader_gauge(leader) == "blocbot_outbox_leader 1.0"
        assert await leader_gauge(stand_by) == "blocbot_outbox_leader 0.0"

        started = time.monotonic() - began
        await enqueue(live, users)
        await eventually(lambda: sum(received(tg, users)) >= KILL_AFTER, 15, "a first part")
        killed, killed_at = time.monotonic(), datetime.now(UTC)
        await leader.kill()
        at_kill = sum(received(tg, users))
        assert at_kill < COUNT, "the wave ended before the kill"

        await stand_by.wait_log(f"replica {second} leads:", timeout=TAKEOVER)
        took = time.monotonic() - killed
        await eventually(lambda: all(received(tg, users)), 30, "everyone got the reminder")
        await settled(live, {"sent": COUNT})
        done = time.monotonic() - killed
        shown = await outbox_of(stand_by)
        assert (shown["leader"], shown["led_by"]) == (True, second)
        assert await stand_by.stop() == 0

    counts = received(tg, users)
    busiest = busiest_second(tg, users)
    print(
        f"both running in {started:.1f} s; killed after {at_kill} messages; the stand-by led "
        f"{took:.2f} s later and was done {done:.1f} s after the kill; sent twice: "
        f"{sum(counts) - COUNT}; busiest second: {busiest} messages; "
        f"429s: {tg.stats.rate_limited}"
    )
    assert await statuses(live) == {"sent": COUNT}
    assert min(counts) == 1, "a message was lost"
    assert sum(counts) - COUNT <= 1, "more than the one message in flight was sent twice"
    assert tg.stats.rate_limited == 0, "the replicas together sent faster than Telegram allows"
    assert busiest <= 30
    async with live.uow() as unit:
        query = select(OutboxMessage.claimed_by, OutboxMessage.sent_at)
        rows = (await unit.session.execute(query)).all()
    by_second = [sent_at for claimed_by, sent_at in rows if claimed_by == second]
    assert by_second, "the new leader sent nothing"
    assert all(sent_at is not None and sent_at >= killed_at for sent_at in by_second), (
        "the stand-by sent while the other led"
    )
    assert {claimed_by for claimed_by, _sent_at in rows} == {first, second}
