"""The outbox dispatcher with a frozen clock and a recording sender, on a SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, build
from bot.clock import FrozenClock
from bot.config import Settings
from bot.handlers.operator_text import given_up
from bot.i18n import current_locale
from bot.scheduler.dispatcher import Dispatcher, Tuning
from bot.scheduler.jobs import PeriodicJob, Scheduler
from bot.scheduler.pacing import Limits
from bot.scheduler.sending import (
    PARTS_SENT,
    SENT_IDS,
    Delivery,
    DeliveryResult,
    OutboxSender,
    Parcel,
    PartRecorder,
    SenderMap,
)
from bot.services.notices import GivenUp
from bot.storage.migrate import upgrade
from bot.storage.models import Contact, OutboxMessage
from bot.storage.repositories import NewMessage
from bot.timetext import quiet_until

START = datetime(2025, 11, 10, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
TELEGRAM = Limits(rate=25, chat_interval=1.0, group_per_minute=20)


@dataclass
class Call:
    at: datetime
    chat_id: str
    text: str
    payload: dict[str, Any]


class FakeSender:
    """Records every attempt; answers from a per-chat script, else SENT."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.calls: list[Call] = []
        self.script: dict[str, deque[DeliveryResult]] = defaultdict(deque)
        self.always: dict[str, DeliveryResult] = {}
        self.attempted = asyncio.Condition()

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        chat_id = parcel.chat_id
        self.calls.append(Call(self.clock.now(), chat_id, parcel.text, parcel.payload))
        async with self.attempted:
            self.attempted.notify_all()
        await asyncio.sleep(0)
        if self.script[chat_id]:
            return self.script[chat_id].popleft()
        return self.always.get(chat_id, DeliveryResult(Delivery.SENT))

    def to(self, chat_id: str) -> list[Call]:
        return [call for call in self.calls if call.chat_id == chat_id]

    async def sent_to(self, chat_id: str) -> None:
        """Wait until a message to ``chat_id`` was tried."""
        async with self.attempted:
            await self.attempted.wait_for(lambda: bool(self.to(chat_id)))


class PartSender:
    """Sends a text line by line, telling each line it sent (``part_sent``) as Telegram's
    sender does; the process can "die" after the ``die_after``-th line: no answer, no outcome."""

    def __init__(self, die_after: int | None = None) -> None:
        self.sent: list[str] = []
        self.die_after = die_after
        self.dead = asyncio.Event()

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        lines = parcel.text.split("\n")[int(parcel.payload.get(PARTS_SENT, 0)) :]
        for number, line in enumerate(lines):
            self.sent.append(line)
            await part_sent(f"m{len(self.sent)}", last=number == len(lines) - 1)
            if len(self.sent) == self.die_after:
                self.dead.set()
                await asyncio.Event().wait()
        return DeliveryResult(Delivery.SENT, parts=len(lines))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def app(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[App]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}"
    await upgrade(url)
    settings = Settings(database_url=url, operators="telegram:900", _env_file=None)  # type: ignore[call-arg]
    application = build(settings, clock)
    yield application
    await application.close()


@pytest.fixture
def sender(clock: FrozenClock) -> FakeSender:
    return FakeSender(clock)


@pytest.fixture
def dispatcher(app: App, clock: FrozenClock, sender: FakeSender) -> Dispatcher:
    return dispatcher_for(app, clock, sender)


def dispatcher_for(
    app: App,
    clock: FrozenClock,
    sender: OutboxSender,
    worker_id: str = "test",
    report: Callable[[GivenUp], str] = given_up,
) -> Dispatcher:
    """A dispatcher on the frozen clock: its waits move the clock instead of sleeping."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(microseconds=math.ceil(seconds * 1e6)))
        await asyncio.sleep(0)

    return Dispatcher(
        app.uow,
        clock,
        SenderMap({"telegram": sender}),
        {"telegram": TELEGRAM},
        worker_id=worker_id,
        wake=app.outbox_signal,
        operators=app.settings.operator_ids(),
        report=report,
        locale="en",
        sleep=sleep,
    )


async def crash_while_sending(dispatcher: Dispatcher, sender: PartSender) -> None:
    """Run a batch until the sender "dies", then stop it as a killed process stops: nothing
    after that point is recorded."""
    batch = asyncio.create_task(dispatcher.run_once())
    await asyncio.wait_for(sender.dead.wait(), 5)
    batch.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await batch


def message(chat_id: str, text: str = "hello", **fields: Any) -> NewMessage:
    fields.setdefault("due_at", START)
    return NewMessage(platform="telegram", chat_id=chat_id, text=text, **fields)


async def enqueue(app: App, *messages: NewMessage) -> int:
    async with app.uow() as unit:
        added = await unit.outbox.enqueue(messages, app.clock.now())
        await unit.commit()
    return added


async def drain(app: App, dispatcher: Dispatcher, clock: FrozenClock, until: float) -> None:
    """Run batches, moving the clock to the next due time, for ``until`` seconds."""
    end = START + timedelta(seconds=until)
    while clock.now() < end:
        if await dispatcher.run_once():
            continue
        async with app.uow() as unit:
            due = await unit.outbox.next_due()
        if due is None or due > end:
            break
        clock.set(max(due, clock.now() + timedelta(milliseconds=1)))


async def rows(app: App) -> list[OutboxMessage]:
    async with app.uow() as unit:
        found = await unit.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        loaded = list(found.scalars())
        unit.session.expunge_all()
        return loaded


def most_in_window(calls: list[Call], seconds: float) -> int:
    times = sorted(call.at.timestamp() for call in calls)
    start, most = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_no_chat_gets_two_within_a_second_and_no_group_over_20_a_minute(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    await enqueue(app, *(message("1001", f"private {n}") for n in range(5)))
    await enqueue(app, *(message("-100555", f"group {n}", chat_kind="group") for n in range(45)))
    await drain(app, dispatcher, clock, until=200)

    private = sender.to("1001")
    assert [call.text for call in private] == [f"private {n}" for n in range(5)]  # in order
    assert most_in_window(private, 0.999) == 1
    group = sender.to("-100555")
    assert len(group) == 45
    assert most_in_window(group, 59.999) == 20
    assert most_in_window(group, 0.999) == 1
    assert {row.status for row in await rows(app)} == {"sent"}


async def test_the_overall_rate_holds_across_chats(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    await enqueue(app, *(message(str(2000 + n)) for n in range(200)))
    await drain(app, dispatcher, clock, until=60)

    assert len(sender.calls) == 200
    assert most_in_window(sender.calls, 0.999) == 25
    assert (sender.calls[-1].at - START).total_seconds() < 200 / 25 + 1


async def test_a_flood_error_reschedules_only_that_chat(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    sender.script["1001"].append(DeliveryResult(Delivery.RETRY_AFTER, retry_after=5))
    await enqueue(app, message("1001", "first"), message("1002"), message("1003"))
    await enqueue(app, message("1001", "second", due_at=START + timedelta(seconds=2)))

    await dispatcher.run_once()
    assert {call.chat_id for call in sender.calls} == {"1001", "1002", "1003"}
    flooded = (await rows(app))[0]
    assert flooded.status == "pending" and flooded.attempts == 0
    assert timedelta(seconds=5) <= flooded.due_at - START < timedelta(seconds=6)

    await drain(app, dispatcher, clock, until=30)
    again = sender.to("1001")
    assert [call.text for call in again] == ["first", "first", "second"]
    assert again[1].at >= START + timedelta(seconds=5)
    assert again[2].at >= again[1].at + timedelta(seconds=1)
    assert {row.status for row in await rows(app)} == {"sent"}


async def test_transient_failures_back_off_then_fail_and_operators_are_told(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    sender.always["1001"] = DeliveryResult(Delivery.TRANSIENT, error="Bad Gateway")
    await enqueue(app, message("1001", "lost"))
    await drain(app, dispatcher, clock, until=600)

    attempts = sender.to("1001")
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert gaps == [2, 4, 8, 16, 32]
    failed, report = await rows(app)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 6, "Bad Gateway")
    assert report.dedupe_key == f"outbox-failed:{failed.id}:telegram:900"
    (told,) = sender.to("900")
    assert f"message {failed.id}" in told.text and "Bad Gateway" in told.text


async def test_the_operators_are_told_the_facts_in_the_words_of_the_presenter(
    app: App, clock: FrozenClock, sender: FakeSender
) -> None:
    told: list[tuple[GivenUp, str]] = []

    def report(facts: GivenUp) -> str:
        told.append((facts, current_locale()))
        return "lost one"

    dispatcher = dispatcher_for(app, clock, sender, report=report)
    sender.always["1001"] = DeliveryResult(Delivery.TRANSIENT, error="Bad Gateway")
    await enqueue(app, message("1001", "lost"))
    await drain(app, dispatcher, clock, until=600)

    failed, _report = await rows(app)
    assert told == [(GivenUp(failed.id, "telegram", "1001", 6, "Bad Gateway"), "en")]
    assert [call.text for call in sender.to("900")] == ["lost one"]


def test_operators_need_a_presenter_to_be_told(app: App, clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="presenter"):
        Dispatcher(app.uow, clock, SenderMap({}), {}, worker_id="t", operators=[("telegram", "9")])


async def test_a_failed_operator_report_is_not_reported_again(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    sender.always["1001"] = DeliveryResult(Delivery.TRANSIENT, error="timed out")
    sender.always["900"] = DeliveryResult(Delivery.TRANSIENT, error="timed out")
    await enqueue(app, message("1001"))
    await drain(app, dispatcher, clock, until=3600)
    assert [row.status for row in await rows(app)] == ["failed", "failed"]


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    async with app.uow() as unit:
        contact = Contact(
            platform="telegram", user_id="1001", display_name="Lan", created_at=START
        )
        unit.session.add(contact)
        await unit.commit()
        contact_id = contact.id
    sender.always["1001"] = DeliveryResult(Delivery.BLOCKED, error="403 blocked by the user")
    sender.always["-100555"] = DeliveryResult(Delivery.REJECTED, error="400 bad markup")
    await enqueue(app, message("1001", contact_id=contact_id))
    await enqueue(app, message("-100555", chat_kind="group"))
    clock.advance(timedelta(seconds=3))
    await drain(app, dispatcher, clock, until=60)

    blocked, rejected = await rows(app)
    assert (blocked.status, blocked.last_error) == ("failed", "403 blocked by the user")
    assert (rejected.status, rejected.last_error) == ("failed", "400 bad markup")
    assert len(sender.calls) == 2
    async with app.uow() as unit:
        again = await unit.contacts.by_id(contact_id)
        assert again is not None and again.unreachable_at is not None
        assert timedelta(seconds=3) <= again.unreachable_at - START < timedelta(seconds=4)


async def test_a_message_past_its_not_after_is_skipped_not_sent_late(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    await enqueue(
        app,
        message("1001", "late", not_after=START + timedelta(hours=1)),
        message("1002", "still fine", not_after=START + timedelta(hours=3)),
    )
    clock.advance(timedelta(hours=2))  # the bot was down
    await dispatcher.run_once()

    late, fine = await rows(app)
    assert (late.status, late.last_error) == ("skipped", "too late")
    assert fine.status == "sent"
    assert [call.text for call in sender.calls] == ["still fine"]


async def test_quiet_messages_wait_for_seven_in_the_morning_local_time(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    night = datetime(2025, 11, 10, 15, 30, tzinfo=UTC)  # 22:30 in Hà Nội
    morning = datetime(2025, 11, 11, 0, 0, tzinfo=UTC)  # 07:00 in Hà Nội
    clock.set(night)
    await enqueue(
        app,
        message("1001", "nudge", due_at=night, quiet=True, timezone="Asia/Ho_Chi_Minh"),
        message(
            "1002", "gone by morning", due_at=night, quiet=True, not_after=night.replace(hour=20)
        ),
        message("-100555", "group post", due_at=night, chat_kind="group"),
    )
    await dispatcher.run_once()

    nudge, gone, post = await rows(app)
    assert (nudge.status, nudge.due_at, nudge.attempts) == ("pending", morning, 0)
    assert (gone.status, gone.last_error) == ("skipped", "too late")
    assert post.status == "sent"

    clock.set(morning - timedelta(minutes=1))
    assert await dispatcher.run_once() == 0
    clock.set(morning)
    await dispatcher.run_once()
    assert [call.text for call in sender.calls] == ["group post", "nudge"]


def test_the_quiet_night_runs_from_21_to_7_local_time() -> None:
    zone = "Asia/Ho_Chi_Minh"
    at = datetime(2025, 11, 10, 0, 0, tzinfo=UTC)  # 07:00 local
    assert quiet_until(at, zone) is None
    assert quiet_until(at - timedelta(seconds=1), zone) == at
    assert quiet_until(at + timedelta(hours=14) - timedelta(seconds=1), zone) is None
    assert quiet_until(at + timedelta(hours=14), zone) == at + timedelta(days=1)


async def test_a_dedupe_key_enqueued_twice_makes_one_row(app: App) -> None:
    first = await enqueue(app, message("1001", dedupe_key="reminder:1:3d:1001"))
    second = await enqueue(app, message("1001", "again", dedupe_key="reminder:1:3d:1001"))
    assert (first, second) == (1, 0)
    async with app.uow() as unit:
        assert await unit.outbox.pending_count() == 1


async def test_a_crashed_claim_is_taken_again_once_its_lease_ran_out(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    await enqueue(app, message("1001"))
    async with app.uow() as unit:
        (claimed,) = await unit.outbox.claim(START, 10, "crashed", timedelta(seconds=30))
        await unit.commit()
    assert claimed.status == "sending" and claimed.claimed_by == "crashed"

    assert await dispatcher.run_once() == 0
    clock.advance(timedelta(seconds=31))
    assert await dispatcher.run_once() == 1
    (row,) = await rows(app)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "test")
    assert len(sender.calls) == 1


async def test_a_long_text_resumes_after_the_parts_already_sent(
    app: App, dispatcher: Dispatcher, clock: FrozenClock, sender: FakeSender
) -> None:
    sender.script["1001"].append(DeliveryResult(Delivery.TRANSIENT, error="timed out", parts=2))
    await enqueue(app, message("1001", "long"))
    await drain(app, dispatcher, clock, until=60)
    first, second = sender.to("1001")
    assert PARTS_SENT not in first.payload and second.payload[PARTS_SENT] == 2


async def test_a_send_recorded_before_a_crash_is_not_sent_again(
    app: App, clock: FrozenClock
) -> None:
    await enqueue(app, message("1001", "reminder"))
    sender = PartSender(die_after=1)
    await crash_while_sending(dispatcher_for(app, clock, sender, "crashed"), sender)

    clock.advance(timedelta(seconds=31))  # the crashed claim's lease ran out
    assert await dispatcher_for(app, clock, sender, "second").run_once() == 0
    assert sender.sent == ["reminder"]
    (row,) = await rows(app)
    assert (row.status, row.attempts, row.payload[SENT_IDS]) == ("sent", 1, ["m1"])


async def test_a_long_text_cut_short_by_a_crash_resumes_after_the_recorded_parts(
    app: App, clock: FrozenClock
) -> None:
    await enqueue(app, message("1001", "one\ntwo\nthree"))
    sender = PartSender(die_after=2)
    await crash_while_sending(dispatcher_for(app, clock, sender, "crashed"), sender)
    (cut,) = await rows(app)
    assert (cut.status, cut.payload[PARTS_SENT], cut.payload[SENT_IDS]) == (
        "sending",
        2,
        ["m1", "m2"],
    )

    clock.advance(timedelta(seconds=31))
    assert await dispatcher_for(app, clock, sender, "second").run_once() == 1
    assert sender.sent == ["one", "two", "three"]
    (row,) = await rows(app)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "second")
    assert row.payload[SENT_IDS] == ["m1", "m2", "m3"]


async def test_a_commit_that_enqueues_wakes_the_running_dispatcher(
    app: App, clock: FrozenClock, sender: FakeSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    idle = asyncio.Event()
    wait = app.outbox_signal.wait

    async def waiting(timeout: float) -> bool:
        idle.set()
        return await wait(timeout)

    monkeypatch.setattr(app.outbox_signal, "wait", waiting)
    dispatcher = Dispatcher(
        app.uow,
        clock,
        SenderMap({"telegram": sender}),
        {"telegram": TELEGRAM},
        worker_id="test",
        wake=app.outbox_signal,
        tuning=Tuning(tick=60),
    )
    running = asyncio.create_task(dispatcher.run())
    try:
        await asyncio.wait_for(idle.wait(), 5)  # nothing to send: waiting up to a tick (60 s)
        async with app.uow() as unit:  # rolled back: nothing to wake for
            await unit.outbox.enqueue([message("1000")], START)
        async with app.uow() as unit:  # committed: the dispatcher wakes
            await unit.outbox.enqueue([message("1001")], START)
            await unit.commit()
        await asyncio.wait_for(sender.sent_to("1001"), 5)  # long before the tick
        assert [call.chat_id for call in sender.calls] == ["1001"]
    finally:
        dispatcher.stop()
        await asyncio.wait_for(running, 5)


class SkippedRuns(logging.Handler):
    """Sees APScheduler refuse to start a job while its previous run is still going."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "maximum number of running instances" in record.getMessage():
            self.seen.set()


async def test_periodic_jobs_run_at_once_then_every_interval_never_overlapping() -> None:
    started: asyncio.Queue[int] = asyncio.Queue()
    release: asyncio.Queue[None] = asyncio.Queue()  # each run of "slow" ends on one of these
    running, most, finished, failures = 0, 0, 0, 0
    failed_twice, hourly_ran = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        nonlocal running, most, finished
        running += 1
        most = max(most, running)
        started.put_nowait(finished + running)
        try:
            await release.get()
            finished += 1
        finally:
            running -= 1

    async def broken() -> None:
        nonlocal failures
        failures += 1
        if failures == 2:
            failed_twice.set()
        raise RuntimeError("a job that fails keeps its schedule")

    async def hourly() -> None:
        hourly_ran.set()

    skipped = SkippedRuns()
    logging.getLogger("apscheduler").addHandler(skipped)
    jobs = Scheduler()
    jobs.add(PeriodicJob("slow", 0.05, slow))
    jobs.every(0.05, broken, "broken")
    jobs.every(3600, hourly, "hourly")
    jobs.start()
    try:
        await asyncio.wait_for(hourly_ran.wait(), 5)  # at once, not in an hour
        assert await asyncio.wait_for(started.get(), 5) == 1
        await asyncio.wait_for(skipped.seen.wait(), 5)  # due again while the first still runs
        assert running == 1
        release.put_nowait(None)
        assert await asyncio.wait_for(started.get(), 5) == 2  # the next interval's run
        await asyncio.wait_for(failed_twice.wait(), 5)

        stopping = asyncio.create_task(jobs.shutdown())
        await asyncio.sleep(0)  # shutdown is now waiting for the run in progress
        assert not stopping.done() and running == 1
        release.put_nowait(None)
        await asyncio.wait_for(stopping, 5)
    finally:
        logging.getLogger("apscheduler").removeHandler(skipped)
        await jobs.shutdown()
    assert (most, finished, running) == (1, 2, 0)  # the second run finished, not cancelled
    assert started.empty()
