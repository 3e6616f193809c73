"""The health report and the metrics on SQLite and PostgreSQL: counts, the outbox observer."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.app import App
from bot.clock import FrozenClock
from bot.scheduler.dispatcher import GAVE_UP, Dispatcher, Tuning
from bot.scheduler.pacing import Limits
from bot.scheduler.sending import Delivery, DeliveryResult, Parcel, PartRecorder, SenderMap
from bot.storage.repositories import NewMessage
from bot.web.health import Health
from bot.web.metrics import Metrics


class ScriptedSender:
    """Answers each chat from its script, then SENT."""

    def __init__(self, script: dict[str, list[DeliveryResult]]) -> None:
        self.script: dict[str, deque[DeliveryResult]] = defaultdict(deque)
        for chat_id, results in script.items():
            self.script[chat_id].extend(results)

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        if self.script[parcel.chat_id]:
            return self.script[parcel.chat_id].popleft()
        return DeliveryResult(Delivery.SENT)


class Observed:
    """Records what the dispatcher tells its observer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def delivered(self, platform: str, outcome: str, parts: int) -> None:
        self.calls.append((platform, outcome, parts))


async def enqueue(app: App, *messages: tuple[str, str, float]) -> None:
    """Messages (platform, chat id, due in seconds)."""
    now = app.clock.now()
    async with app.uow() as unit:
        await unit.outbox.enqueue(
            [
                NewMessage(platform, chat_id, f"to {chat_id}", now + timedelta(seconds=due_in))
                for platform, chat_id, due_in in messages
            ],
            now,
        )
        await unit.commit()


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    body, _ = metrics.render()
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


async def test_stats_count_the_backlog_failures_and_open_dialogs(app: App) -> None:
    now = app.clock.now()
    await enqueue(
        app,
        ("telegram", "due", 0),
        ("telegram", "later", 3600),
        ("zalo", "due", 0),
        ("telegram", "gone", -5),
        ("telegram", "done", -5),
    )
    async with app.uow() as unit:
        stats = unit.stats
        assert await stats.outbox_depth() == {"telegram": 4, "zalo": 1}
        rows = await unit.outbox.claim(now, 10, "w1", timedelta(seconds=30), ["telegram"])
        by_chat = {row.chat_id: row for row in rows}
        await unit.outbox.failed(by_chat["gone"].id, "400 bad request")
        await unit.outbox.sent(by_chat["done"].id, now)
        for user, state in (("1", "score"), ("2", ""), ("3", "vote")):
            await unit.conversations.put("telegram", user, user, state, {}, now)
        await unit.commit()
    async with app.uow() as unit:
        await unit.stats.ping()
        # "due" is claimed (sending), "later" is not due yet: both still wait to go out
        assert await unit.stats.outbox_depth() == {"telegram": 2, "zalo": 1}
        assert await unit.stats.outbox_failed() == {"telegram": 1}
        assert await unit.stats.conversations_open() == 2


async def test_the_health_report_of_a_database_and_its_channels(app: App) -> None:
    health = Health(app.uow, monotonic=lambda: 5.0)
    health.channel("telegram", "polling").ok()
    await enqueue(app, ("telegram", "a", 0), ("zalo", "b", 60))
    async with app.uow() as unit:
        await unit.conversations.put("zalo", "c", "u", "score", {"at": "I.1"}, app.clock.now())
        await unit.commit()

    report = await health.report()
    assert report.healthy
    assert report.to_json() == {
        "healthy": True,
        "database": {"ok": True, "error": None},
        "channels": [
            {
                "platform": "telegram",
                "mode": "polling",
                "healthy": True,
                "reason": None,
                "last_ok_seconds_ago": 0.0,
            }
        ],
        "outbox": {"pending": {"telegram": 1, "zalo": 1}, "failed": {}},
        "inbox": {"waiting": {}},
        "conversations_open": 1,
    }
    health.channel("zalo", "webhook").failing("setWebhook: 401 Unauthorized")
    report = await health.report()
    assert not report.healthy and report.database_ok
    assert report.to_json()["channels"][1]["reason"] == "setWebhook: 401 Unauthorized"


async def test_the_dispatcher_tells_its_observer_each_attempt(
    app: App, clock: FrozenClock
) -> None:
    sender = ScriptedSender(
        {
            "flood": [DeliveryResult(Delivery.RETRY_AFTER, retry_after=1.0)],
            "down": [DeliveryResult(Delivery.TRANSIENT, error="502")] * 2,
            "blocked": [DeliveryResult(Delivery.BLOCKED)],
            "long": [DeliveryResult(Delivery.SENT, parts=3)],
        }
    )
    observed = Observed()
    dispatcher = Dispatcher(
        app.uow,
        clock,
        SenderMap({"telegram": sender}),
        {"telegram": Limits()},
        worker_id="w1",
        tuning=Tuning(max_attempts=2),
        observer=observed,
    )
    for chat in ("ok", "flood", "down", "blocked", "long"):
        await enqueue(app, ("telegram", chat, 0))
    assert await dispatcher.run_once() == 5
    assert sorted(observed.calls) == [
        ("telegram", "blocked", 0),
        ("telegram", "retry_after", 0),
        ("telegram", "sent", 1),
        ("telegram", "sent", 3),
        ("telegram", "transient", 0),
    ]

    observed.calls.clear()
    clock.advance(timedelta(seconds=10))
    assert await dispatcher.run_once() == 2
    assert sorted(observed.calls) == [("telegram", GAVE_UP, 0), ("telegram", "sent", 1)]
    async with app.uow() as unit:
        assert await unit.stats.outbox_depth() == {}
        assert await unit.stats.outbox_failed() == {"telegram": 2}  # blocked, down


async def test_metrics_observe_the_dispatcher_and_a_health_snapshot(
    app: App, clock: FrozenClock
) -> None:
    metrics = Metrics(["telegram"])
    sender = ScriptedSender({"flood": [DeliveryResult(Delivery.RETRY_AFTER, retry_after=1.0)]})
    dispatcher = Dispatcher(
        app.uow,
        clock,
        SenderMap({"telegram": sender}),
        {"telegram": Limits()},
        worker_id="w1",
        observer=metrics,
    )
    await enqueue(app, ("telegram", "ok", 0), ("telegram", "flood", 0), ("zalo", "z", 0))
    assert await dispatcher.run_once() == 2
    assert value(metrics, "blocbot_outbox_sent_total", platform="telegram") == 1
    assert value(metrics, "blocbot_outbox_retried_total", platform="telegram") == 1
    assert value(metrics, "blocbot_outbox_rate_limited_total", platform="telegram") == 1
    assert value(metrics, "blocbot_outbox_failed_total", platform="telegram") == 0

    health = Health(app.uow)
    health.channel("telegram", "polling").ok()
    report = await health.report()
    metrics.snapshot(
        database_up=report.database_ok,
        outbox_depth=report.outbox_depth,
        conversations_in_progress=report.conversations_open,
        channels=[(state.platform, state.mode, state.healthy) for state in report.channels],
    )
    assert value(metrics, "blocbot_outbox_depth", platform="telegram") == 1  # flood, again soon
    assert value(metrics, "blocbot_outbox_depth", platform="zalo") == 1
    assert value(metrics, "blocbot_conversations_in_progress") == 0
    assert value(metrics, "blocbot_channel_up", platform="telegram", mode="polling") == 1


async def test_the_inbox_waiting_to_be_answered_is_in_the_report_and_the_metrics(
    app: App,
) -> None:
    now = app.clock.now()
    async with app.uow() as unit:
        for platform, chat, key in (
            ("telegram", "1", "10"),
            ("telegram", "2", "11"),
            ("zalo", "3", "e1"),
        ):
            assert await unit.inbox.add(platform, chat, key, {"update_id": key}, now)
        await unit.commit()
    async with app.uow() as unit:
        [first, *_] = await unit.inbox.claim("r1", now, timedelta(seconds=30), 10, ["telegram"])
        await unit.inbox.done([first.id], now)
        await unit.commit()

    report = await Health(app.uow).report()
    assert report.to_json()["inbox"] == {"waiting": {"telegram": 1, "zalo": 1}}
    metrics = Metrics(["telegram"])
    metrics.snapshot(
        database_up=True,
        outbox_depth={},
        conversations_in_progress=0,
        channels=[],
        inbox_depth=report.inbox_depth,
    )
    assert value(metrics, "blocbot_inbox_depth", platform="telegram") == 1
    assert value(metrics, "blocbot_inbox_depth", platform="zalo") == 1
