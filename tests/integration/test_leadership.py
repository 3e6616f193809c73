"""One sender of the outbox at a time: the leader's lock on PostgreSQL, its hand-over when the
leader's connection dies, what /healthz and /metrics say, and the jobs several replicas may run
at once during a hand-over (the calendar still reminds once)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.app import App, build
from bot.blocfile import load_bloc_file
from bot.clock import FrozenClock
from bot.scheduler.leadership import Leadership
from bot.storage.db import create_engine
from bot.storage.locks import SessionLock
from bot.storage.models import Contact, Membership, OutboxMessage
from bot.web.health import Health
from bot.web.metrics import Metrics
from tests.conftest import SAMPLE, backend, settings_for

QUICK = {"retry": 0.1, "check": 0.1, "timeout": 2.0}  # seconds: a test's patience
TAKEOVER = 5.0  # seconds a stand-by may take to lead once the leader's connection is gone


class Duty:
    """Records when it is started and stopped, as the runner's dispatcher and jobs would be."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.running = False

    async def start(self) -> None:
        self.events.append("start")
        self.running = True

    async def stop(self) -> None:
        self.events.append("stop")
        self.running = False


class Replica:
    """A contender for the lead: its leadership, its duty and its running loop."""

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.leadership = Leadership(SessionLock(url, name), name, **QUICK)
        self.duty = Duty()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> Replica:
        self.task = asyncio.create_task(self.leadership.run(self.duty))
        return self

    async def stop(self) -> None:
        self.leadership.stop()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)


async def until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Wait until ``condition()``; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def postgres(database_url: str) -> str:
    if backend(database_url) != "postgresql":
        pytest.skip("a session lock between replicas is PostgreSQL's")
    return database_url


@pytest.fixture
async def replicas(postgres: str) -> AsyncIterator[list[Replica]]:
    """Two contenders on the same database; the first is given a head start."""
    first = Replica(postgres, "replica-1").start()
    await until(lambda: first.leadership.leading, TAKEOVER, "the first replica leads")
    second = Replica(postgres, "replica-2").start()
    await until(lambda: second.leadership.led_by == "replica-1", TAKEOVER, "it is seen leading")
    yield [first, second]
    await asyncio.gather(first.stop(), second.stop())


async def terminate(url: str, pid: int | None) -> None:
    """End a server process as an administrator (or a crash of the connection) would."""
    assert pid is not None
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await engine.dispose()


def gauge(metrics: Metrics, name: str) -> float | None:
    body, _ = metrics.render()
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name:
                return sample.value
    return None


async def shown(app: App, replica: Replica) -> tuple[dict[str, object], float | None]:
    """What /healthz says of the outbox, and the leader gauge /metrics shows, for a replica."""
    health = Health(app.uow, leadership=replica.leadership.state)
    report = await health.report()
    metrics = Metrics()
    metrics.snapshot(
        database_up=report.database_ok,
        outbox_depth=report.outbox_depth,
        conversations_in_progress=report.conversations_open,
        channels=[],
        leader=report.leader.leading if report.leader else None,
    )
    return report.to_json()["outbox"], gauge(metrics, "blocbot_outbox_leader")


async def test_only_one_of_two_replicas_leads(app: App, replicas: list[Replica]) -> None:
    first, second = replicas

    assert (first.duty.events, second.duty.events) == (["start"], [])
    empty = {"pending": {}, "failed": {}}
    leads = {"leader": True, "replica": "replica-1", "led_by": "replica-1"}
    stands_by = {"leader": False, "replica": "replica-2", "led_by": "replica-1"}
    assert await shown(app, first) == ({**empty, **leads}, 1.0)
    assert await shown(app, second) == ({**empty, **stands_by}, 0.0)


async def test_the_other_leads_within_seconds_when_the_leaders_connection_dies(
    app: App, postgres: str, replicas: list[Replica]
) -> None:
    first, second = replicas

    await terminate(postgres, first.leadership.lock.backend_pid)  # type: ignore[union-attr]
    took = await until(lambda: second.leadership.leading, TAKEOVER, "the second takes over")
    print(f"the stand-by led {took:.2f} s after the leader's connection was ended")

    # The old leader saw its connection fail: it stopped its duty and stands by.
    await until(lambda: first.duty.events == ["start", "stop"], TAKEOVER, "the first stops")
    assert not first.leadership.leading and second.duty.events == ["start"]
    await until(lambda: first.leadership.led_by == "replica-2", TAKEOVER, "who leads is seen")
    assert (await shown(app, first))[1] == 0.0
    assert (await shown(app, second))[1] == 1.0
    outbox, _gauge = await shown(app, first)
    assert (outbox["leader"], outbox["led_by"]) == (False, "replica-2")


async def test_a_leader_that_stops_hands_over_at_once(replicas: list[Replica]) -> None:
    first, second = replicas

    await first.stop()

    assert first.duty.events == ["start", "stop"] and not first.leadership.leading
    took = await until(lambda: second.leadership.leading, TAKEOVER, "the second takes over")
    assert took < 1.0  # its next try (0.1-0.15 s) finds the lock free


async def test_a_replica_that_cannot_reach_the_database_stands_by(
    postgres: str, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = make_url(postgres).set(port=1).render_as_string(hide_password=False)
    lonely = Replica(unreachable, "replica-x").start()
    try:
        said = "replica replica-x cannot ask the database who leads"
        await until(lambda: said in caplog.text, TAKEOVER, "it says why it cannot lead")
        assert not lonely.leadership.leading and lonely.duty.events == []
        assert lonely.leadership.state().led_by is None
    finally:
        await lonely.stop()


async def test_on_sqlite_the_one_process_always_leads(database_url: str) -> None:
    if backend(database_url) != "sqlite":
        pytest.skip("SQLite's process is alone")
    leadership = Leadership(None, "solo", **QUICK)
    duty = Duty()
    task = asyncio.create_task(leadership.run(duty))
    await until(lambda: leadership.leading, 1.0, "it leads")
    assert leadership.state().to_json() == {"leader": True, "replica": "solo", "led_by": "solo"}
    leadership.stop()
    await asyncio.wait_for(task, 5)
    assert duty.events == ["start", "stop"]


# -- the jobs during a hand-over ------------------------------------------------------------------

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OFFSETS = ("2021-11-13 17:00", "2021-11-17 17:00", "2021-11-19 17:00", "2021-11-20 15:00")


async def with_contacts(app: App) -> int:
    """The sample bloc with one linked contact per agency; none has submitted."""
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    now = app.clock.now()
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        for n, agency in enumerate(bloc.agencies):
            contact = Contact(platform="telegram", user_id=str(7000 + n), created_at=now)
            uow.contacts.add(contact)
            await uow.session.flush()
            uow.contacts.link(
                Membership(
                    contact_id=contact.id, bloc_id=bloc.id, agency_id=agency.id, linked_at=now
                )
            )
        await uow.commit()
        return len(bloc.agencies)


async def test_two_replicas_ticking_the_calendar_at_once_queue_each_reminder_once(
    app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    agencies = await with_contacts(app)
    other = build(settings_for(database_url, tmp_path), clock)  # another engine: a replica
    try:
        for moment in OFFSETS:
            clock.set(datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE))
            added = await asyncio.gather(app.remind(), other.remind(), app.remind())
            # each contact: the reminder, and the group's post (the bloc has no group)
            assert sorted(added) == [0, 0, 2 * agencies], moment
    finally:
        await other.close()

    async with app.uow() as uow:
        rows = (
            await uow.session.execute(
                select(OutboxMessage.chat_id, func.count())
                .group_by(OutboxMessage.chat_id)
                .order_by(OutboxMessage.chat_id)
            )
        ).all()
    # at each offset, once, to each contact
    assert [count for _chat, count in rows] == [2 * len(OFFSETS)] * agencies


async def test_a_second_tick_just_after_a_hand_over_adds_nothing(
    app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    await with_contacts(app)
    clock.set(datetime(2021, 11, 13, 17, 0, tzinfo=ZONE))
    assert await app.remind() > 0
    clock.advance(timedelta(seconds=5))
    successor = build(settings_for(database_url, tmp_path), clock)
    try:
        assert await successor.remind() == 0
    finally:
        await successor.close()
