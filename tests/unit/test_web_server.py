"""Metrics and the web server (/healthz, /metrics, webhook routes) on a SQLite file."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App, build
from bot.config import Settings, parse_listen
from bot.storage.migrate import upgrade
from bot.web.health import Health
from bot.web.metrics import Metrics
from bot.web.server import WebServer


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the rendered metrics by (name, sorted labels)."""
    body, _ = metrics.render()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return samples(metrics).get((name, tuple(sorted(labels.items()))))


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"
    await upgrade(url)
    application = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    yield application
    await application.close()


@pytest.fixture
def moment() -> Clock:
    return Clock()


@pytest.fixture
def health(app: App, moment: Clock) -> Health:
    return Health(app.uow, monotonic=moment)


@pytest.fixture
async def server(health: Health) -> AsyncIterator[WebServer]:
    web_server = WebServer("127.0.0.1:0", health, Metrics(["telegram"]))

    async def hook(request: web.Request) -> web.Response:
        return web.json_response({"got": await request.json()})

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("the handler broke\nsecond line")

    web_server.route("POST", "/webhook/telegram", hook)
    web_server.route("GET", "/broken", broken)
    await web_server.start()
    yield web_server
    await web_server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def url(server: WebServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


# -- Metrics ----------------------------------------------------------------------------------


def test_counters_move_and_render_names_them() -> None:
    metrics = Metrics()
    metrics.update("telegram", "handled", 0.2)
    metrics.update("telegram", "handled", 0.03)
    metrics.update("zalo", "duplicate")
    metrics.webhook_refused("telegram")
    for outcome in ("sent", "sent", "retry_after", "transient", "blocked", "rejected", "failed"):
        metrics.delivered("telegram", outcome, 1)
    metrics.reminders_fired(3)

    assert value(metrics, "blocbot_updates_total", platform="telegram", outcome="handled") == 2
    assert value(metrics, "blocbot_updates_total", platform="zalo", outcome="duplicate") == 1
    assert value(metrics, "blocbot_reply_seconds_count", platform="telegram") == 2
    assert value(metrics, "blocbot_reply_seconds_bucket", platform="telegram", le="0.05") == 1
    assert value(metrics, "blocbot_reply_seconds_count", platform="zalo") is None
    assert value(metrics, "blocbot_webhook_refused_total", platform="telegram") == 1
    assert value(metrics, "blocbot_outbox_sent_total", platform="telegram") == 2
    assert value(metrics, "blocbot_outbox_retried_total", platform="telegram") == 2
    assert value(metrics, "blocbot_outbox_rate_limited_total", platform="telegram") == 1
    assert value(metrics, "blocbot_outbox_failed_total", platform="telegram") == 3
    assert value(metrics, "blocbot_reminders_fired_total") == 3
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    for name in (
        "blocbot_outbox_depth",
        "blocbot_conversations_in_progress",
        "blocbot_channel_up",
    ):
        assert name.encode() in body


def test_known_platforms_start_at_zero_and_registries_are_separate() -> None:
    first, second = Metrics(["telegram"]), Metrics()
    first.delivered("telegram", "sent", 1)
    assert value(first, "blocbot_updates_total", platform="telegram", outcome="failed") == 0
    assert value(first, "blocbot_outbox_sent_total", platform="telegram") == 1
    assert value(second, "blocbot_outbox_sent_total", platform="telegram") is None


def test_the_snapshot_sets_the_gauges() -> None:
    metrics = Metrics()
    metrics.snapshot(
        database_up=True,
        outbox_depth={"zalo": 4},
        conversations_in_progress=2,
        channels=[("telegram", "polling", True), ("zalo", "webhook", False)],
    )
    assert value(metrics, "blocbot_outbox_depth", platform="zalo") == 4
    assert value(metrics, "blocbot_outbox_depth", platform="telegram") == 0
    assert value(metrics, "blocbot_conversations_in_progress") == 2
    assert value(metrics, "blocbot_channel_up", platform="telegram", mode="polling") == 1
    assert value(metrics, "blocbot_channel_up", platform="zalo", mode="webhook") == 0
    assert value(metrics, "blocbot_database_up") == 1

    metrics.snapshot(
        database_up=False, outbox_depth=None, conversations_in_progress=None, channels=[]
    )
    assert value(metrics, "blocbot_outbox_depth", platform="zalo") is None
    assert value(metrics, "blocbot_channel_up", platform="telegram", mode="polling") is None
    assert value(metrics, "blocbot_database_up") == 0


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        (":8080", (None, 8080)),
        ("0.0.0.0:9000", ("0.0.0.0", 9000)),
        ("[::1]:8080", ("::1", 8080)),
        ("8080", (None, 8080)),
    ],
)
def test_listen_addresses(listen: str, expected: tuple[str | None, int]) -> None:
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["localhost", "127.0.0.1:", "host:99999", ""])
def test_a_bad_listen_address_is_refused(listen: str) -> None:
    with pytest.raises(ValueError, match="listen address"):
        parse_listen(listen)


# -- WebServer --------------------------------------------------------------------------------


async def test_healthz_is_200_when_healthy(
    server: WebServer, health: Health, http: aiohttp.ClientSession
) -> None:
    assert server.port > 0
    health.channel("telegram", "polling").ok()
    async with http.get(url(server, "/healthz")) as response:
        assert response.status == 200
        report = await response.json()
    assert report["healthy"] is True
    assert report["database"] == {"ok": True, "error": None}
    assert report["channels"][0]["platform"] == "telegram"
    assert report["outbox"] == {"pending": {}, "failed": {}}
    assert report["conversations_open"] == 0


async def test_healthz_is_503_with_a_failing_or_stale_channel(
    server: WebServer, health: Health, moment: Clock, http: aiohttp.ClientSession
) -> None:
    polling = health.channel("telegram", "polling")
    polling.ok()
    health.channel("zalo", "webhook").failing("Connection refused\nat line 3")
    async with http.get(url(server, "/healthz")) as response:
        assert response.status == 503
        report = await response.json()
    assert report["healthy"] is False
    zalo = report["channels"][1]
    assert (zalo["healthy"], zalo["reason"]) == (False, "Connection refused")

    health.channel("zalo", "webhook").ok()
    moment.now += 121  # no poll for that long: stuck; a webhook channel may just be quiet
    async with http.get(url(server, "/healthz")) as response:
        assert response.status == 503
        telegram, zalo = (await response.json())["channels"]
    assert telegram["healthy"] is False and "no successful poll" in telegram["reason"]
    assert zalo["healthy"] is True
    polling.ok()
    async with http.get(url(server, "/healthz")) as response:
        assert response.status == 200


async def test_a_channel_that_never_reported_is_not_healthy(health: Health) -> None:
    report = await health.report()
    assert report.healthy
    health.channel("telegram", "sending")
    report = await health.report()
    assert not report.healthy
    assert report.channels[0].reason == "not started"
    assert health.channel("telegram", "sending") is health.channel("telegram", "sending")
    with pytest.raises(ValueError, match="mode"):
        health.channel("telegram", "carrier pigeon")


async def test_metrics_answers_the_text_format_with_fresh_gauges(
    server: WebServer, health: Health, http: aiohttp.ClientSession
) -> None:
    health.channel("telegram", "polling").ok()
    server.metrics.update("telegram", "handled", 0.1)
    async with http.get(url(server, "/metrics")) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    assert 'blocbot_updates_total{outcome="handled",platform="telegram"} 1.0' in text
    assert 'blocbot_channel_up{mode="polling",platform="telegram"} 1.0' in text
    assert 'blocbot_outbox_depth{platform="telegram"} 0.0' in text
    assert "blocbot_database_up 1.0" in text


async def test_an_added_route_works_and_an_unknown_path_is_404(
    server: WebServer, http: aiohttp.ClientSession
) -> None:
    async with http.post(url(server, "/webhook/telegram"), json={"update_id": 1}) as response:
        assert response.status == 200
        assert await response.json() == {"got": {"update_id": 1}}
    async with http.get(url(server, "/nowhere")) as response:
        assert response.status == 404
    async with http.get(url(server, "/webhook/telegram")) as response:
        assert response.status == 405
    with pytest.raises(RuntimeError, match="before"):
        server.route("POST", "/late", lambda request: web.Response())  # type: ignore[arg-type,return-value]


async def test_a_failing_handler_answers_500_with_one_log_line(
    server: WebServer, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with http.get(url(server, "/broken")) as response:
        assert response.status == 500
        body = await response.text()
    assert "Traceback" not in body and "broke" not in body
    errors = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert [record.getMessage() for record in errors] == ["GET /broken failed: the handler broke"]
    assert errors[0].exc_info is None


async def test_requests_are_not_logged_at_info(
    server: WebServer, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with http.get(url(server, "/healthz")) as response:
        await response.read()
    assert [record for record in caplog.records if record.name.startswith("aiohttp")] == []
    assert [record for record in caplog.records if record.name == "bot.web.access"] == []


async def test_a_database_that_cannot_be_opened_is_unhealthy(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'blocbot.db'}"
    nowhere = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        report = await Health(nowhere.uow).report()
    finally:
        await nowhere.close()
    assert not report.healthy
    assert report.database_error is not None and "unable to open" in report.database_error
    assert "\n" not in report.database_error
    assert report.to_json()["conversations_open"] is None


async def test_a_database_that_does_not_answer_in_time_is_unhealthy(app: App) -> None:
    holding, done = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.uow():  # SQLite: this process's units of work take turns
            holding.set()
            await done.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    try:
        report = await Health(app.uow, database_timeout=0.2).report()
    finally:
        done.set()
        await holder
    assert report.database_error == "no answer in 0.2 s"
    assert (await Health(app.uow).report()).healthy
