"""Prometheus metrics of one running bot: updates, replies, the outbox, reminders, channels.

Each ``Metrics`` keeps its own registry, so a process (or a test) can build as many as it likes.
Counters move as things happen; the gauges are set from a health report before each scrape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.scheduler.dispatcher import GAVE_UP
from bot.scheduler.sending import Delivery

REPLY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)  # seconds


class UpdateOutcome(StrEnum):
    """How the bot dealt with one incoming update."""

    HANDLED = "handled"
    DUPLICATE = "duplicate"  # a second delivery of an update already processed
    FAILED = "failed"
    UNSUPPORTED = "unsupported"  # a kind of update the bot does not read
    IGNORED = "ignored"  # read, but nothing to answer


_RETRIED = frozenset({Delivery.TRANSIENT.value, Delivery.RETRY_AFTER.value})
_FAILED = frozenset({Delivery.BLOCKED.value, Delivery.REJECTED.value, GAVE_UP})


class Metrics:
    """The bot's metrics over a registry of their own; also the dispatcher's outbox observer."""

    def __init__(self, platforms: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._updates = Counter(
            "blocbot_updates",
            "Incoming updates by how they were dealt with.",
            ["platform", "outcome"],
            registry=registry,
        )
        self._reply_seconds = Histogram(
            "blocbot_reply_seconds",
            "Seconds from receiving an update to having answered it.",
            ["platform"],
            buckets=REPLY_BUCKETS,
            registry=registry,
        )
        self._refused = Counter(
            "blocbot_webhook_refused",
            "Webhook requests refused for a wrong secret.",
            ["platform"],
            registry=registry,
        )
        self._sent = self._outbox_counter("sent", "Outbox messages sent.")
        self._retried = self._outbox_counter(
            "retried", "Outbox attempts to try again (network, 5xx, flood limit)."
        )
        self._rate_limited = self._outbox_counter(
            "rate_limited", "Outbox attempts refused by the platform's flood limit (429)."
        )
        self._failed = self._outbox_counter(
            "failed", "Outbox messages never to be sent (blocked, rejected, given up)."
        )
        self._reminders = Counter(
            "blocbot_reminders_fired", "Reminders the scheduler fired.", registry=registry
        )
        self._depth = Gauge(
            "blocbot_outbox_depth",
            "Outbox messages waiting to go out, due or not.",
            ["platform"],
            registry=registry,
        )
        self._inbox = Gauge(
            "blocbot_inbox_depth",
            "Updates received by webhook and not answered yet (by any replica).",
            ["platform"],
            registry=registry,
        )
        self._conversations = Gauge(
            "blocbot_conversations_in_progress",
            "Conversations with a dialog open.",
            registry=registry,
        )
        self._channel_up = Gauge(
            "blocbot_channel_up",
            "1 when the channel's last report was good, else 0.",
            ["platform", "mode"],
            registry=registry,
        )
        self._database_up = Gauge(
            "blocbot_database_up",
            "1 when the database answered the health check.",
            registry=registry,
        )
        self._leader = Gauge(
            "blocbot_outbox_leader",
            "1 when this replica leads (sends the outbox and runs the periodic jobs), else 0.",
            registry=registry,
        )
        for platform in platforms:
            self._start_at_zero(platform)

    def update(self, platform: str, outcome: str, seconds: float | None = None) -> None:
        """Count an incoming update; ``seconds``: how long answering it took."""
        self._updates.labels(platform, outcome).inc()
        if seconds is not None:
            self._reply_seconds.labels(platform).observe(seconds)

    def webhook_refused(self, platform: str) -> None:
        """Count a webhook request that came with a wrong secret."""
        self._refused.labels(platform).inc()

    def delivered(self, platform: str, outcome: str, parts: int) -> None:
        """Count one finished outbox attempt (``OutboxObserver``)."""
        if outcome == Delivery.SENT.value:
            self._sent.labels(platform).inc()
        elif outcome in _RETRIED:
            self._retried.labels(platform).inc()
            if outcome == Delivery.RETRY_AFTER.value:
                self._rate_limited.labels(platform).inc()
        elif outcome in _FAILED:
            self._failed.labels(platform).inc()

    def reminders_fired(self, count: int) -> None:
        """Count reminders the scheduler fired."""
        if count > 0:
            self._reminders.inc(count)

    def snapshot(
        self,
        *,
        database_up: bool,
        outbox_depth: Mapping[str, int] | None,
        conversations_in_progress: int | None,
        channels: Iterable[tuple[str, str, bool]],
        leader: bool | None = None,
        inbox_depth: Mapping[str, int] | None = None,
    ) -> None:
        """Set the gauges; ``None`` (the database did not answer) leaves a gauge unset."""
        self._database_up.set(1 if database_up else 0)
        if leader is not None:
            self._leader.set(1 if leader else 0)
        self._depth.clear()
        if outbox_depth is not None:
            for platform, count in outbox_depth.items():
                self._depth.labels(platform).set(count)
        if conversations_in_progress is not None:
            self._conversations.set(conversations_in_progress)
        if inbox_depth is not None:
            self._inbox.clear()
            for platform, count in inbox_depth.items():
                self._inbox.labels(platform).set(count)
        self._channel_up.clear()
        for platform, mode, up in channels:
            self._channel_up.labels(platform, mode).set(1 if up else 0)
            if outbox_depth is not None and platform not in outbox_depth:
                self._depth.labels(platform).set(0)

    def render(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _outbox_counter(self, name: str, documentation: str) -> Counter:
        return Counter(
            f"blocbot_outbox_{name}", documentation, ["platform"], registry=self.registry
        )

    def _start_at_zero(self, platform: str) -> None:
        """Create a platform's counters at 0, so their rates exist before the first event."""
        for outcome in UpdateOutcome:
            self._updates.labels(platform, outcome.value)
        for counter in (
            self._refused,
            self._sent,
            self._retried,
            self._rate_limited,
            self._failed,
        ):
            counter.labels(platform)
