"""The health of a running bot: its database, each channel's last report, the outbox backlog
and which replica sends it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.scheduler.leadership import LeaderState
from bot.storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

MODES = ("polling", "webhook", "sending")
STALE_AFTER = 120.0  # seconds: a polling channel with no good poll for this long is stuck
DATABASE_TIMEOUT = 2.0  # seconds the database gets to answer the health check
REASON_LENGTH = 200  # characters of an error kept in the report


def one_line(error: BaseException | str) -> str:
    """The first line of an error's message (its type when it has none), shortened."""
    text = error if isinstance(error, str) else str(error) or type(error).__name__
    lines = text.strip().splitlines()
    line = lines[0].strip() if lines else ""
    return line[:REASON_LENGTH] or "unknown error"


@dataclass(frozen=True)
class ChannelState:
    """One channel as the health report shows it."""

    platform: str
    mode: str
    healthy: bool
    reason: str | None  # why it is not healthy
    last_ok_ago: float | None  # seconds since its last good report; None: none yet

    def to_json(self) -> dict[str, Any]:
        ago = None if self.last_ok_ago is None else round(self.last_ok_ago, 1)
        return {
            "platform": self.platform,
            "mode": self.mode,
            "healthy": self.healthy,
            "reason": self.reason,
            "last_ok_seconds_ago": ago,
        }


class ChannelHealth:
    """What a running channel last said about itself: ``ok()`` or ``failing(reason)``."""

    def __init__(
        self, platform: str, mode: str, stale_after: float, monotonic: Callable[[], float]
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"channel mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.platform = platform
        self.mode = mode
        self.stale_after = stale_after
        self._monotonic = monotonic
        self._last_ok: float | None = None
        self._failing: str | None = "not started"

    def ok(self) -> None:
        """A poll succeeded, the webhook was registered, an update came in, sending works."""
        self._last_ok = self._monotonic()
        self._failing = None

    def failing(self, reason: str) -> None:
        """Polling (or registering the webhook) failed, for ``reason``."""
        self._failing = one_line(reason)

    def state(self) -> ChannelState:
        """Healthy when the last report was good (and, when polling, recent)."""
        ago = None if self._last_ok is None else max(self._monotonic() - self._last_ok, 0.0)
        reason = self._failing
        if (
            reason is None
            and self.mode == "polling"
            and ago is not None
            and ago > self.stale_after
        ):
            reason = f"no successful poll for {ago:.0f} s"
        return ChannelState(self.platform, self.mode, reason is None, reason, ago)


@dataclass(frozen=True)
class HealthReport:
    """The database, the channels, and what waits in the outbox and in dialogs."""

    database_error: str | None  # None: the database answered
    channels: tuple[ChannelState, ...] = ()
    outbox_depth: dict[str, int] = field(default_factory=dict)  # waiting to go out, by platform
    outbox_failed: dict[str, int] = field(default_factory=dict)  # given up, by platform
    conversations_open: int | None = None  # None: the database did not answer
    leader: LeaderState | None = None  # None: no outbox runs here (not ``blocbot run``)
    inbox_depth: dict[str, int] = field(default_factory=dict)  # received, not answered yet

    @property
    def database_ok(self) -> bool:
        return self.database_error is None

    @property
    def healthy(self) -> bool:
        """The database answered and every channel is healthy."""
        return self.database_ok and all(channel.healthy for channel in self.channels)

    def to_json(self) -> dict[str, Any]:
        outbox: dict[str, Any] = {
            "pending": dict(self.outbox_depth),
            "failed": dict(self.outbox_failed),
        }
        if self.leader is not None:
            outbox.update(self.leader.to_json())
        return {
            "healthy": self.healthy,
            "database": {"ok": self.database_ok, "error": self.database_error},
            "channels": [channel.to_json() for channel in self.channels],
            "outbox": outbox,
            "inbox": {"waiting": dict(self.inbox_depth)},
            "conversations_open": self.conversations_open,
        }


class Health:
    """The channels' reports, a look at the database and, with ``leadership``, whether this
    replica sends the outbox, as one ``HealthReport``."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        stale_after: float = STALE_AFTER,
        database_timeout: float = DATABASE_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
        leadership: Callable[[], LeaderState] | None = None,
    ) -> None:
        self.uow = uow
        self.leadership = leadership
        self.stale_after = stale_after
        self.database_timeout = database_timeout
        self.monotonic = monotonic
        self._channels: dict[tuple[str, str], ChannelHealth] = {}
        self._database_error: str | None = None

    def channel(self, platform: str, mode: str) -> ChannelHealth:
        """The health of a running channel (the same one for the same platform and mode)."""
        key = (platform, mode)
        found = self._channels.get(key)
        if found is None:
            found = ChannelHealth(platform, mode, self.stale_after, self.monotonic)
            self._channels[key] = found
        return found

    async def report(self) -> HealthReport:
        """Ask the database (within ``database_timeout``) and collect each channel's state."""
        channels = tuple(channel.state() for channel in self._channels.values())
        leader = self.leadership() if self.leadership is not None else None
        try:
            async with asyncio.timeout(self.database_timeout):
                async with self.uow() as unit:
                    await unit.stats.ping()
                    depth = await unit.stats.outbox_depth()
                    failed = await unit.stats.outbox_failed()
                    conversations = await unit.stats.conversations_open()
                    inbox = await unit.stats.inbox_depth()
        except TimeoutError:
            reason = f"no answer in {self.database_timeout:g} s"
            return self._unreachable(channels, reason, leader)
        except Exception as error:
            return self._unreachable(channels, one_line(error), leader)
        if self._database_error is not None:
            log.info("health: the database answers again")
            self._database_error = None
        return HealthReport(None, channels, depth, failed, conversations, leader, inbox)

    def _unreachable(
        self, channels: tuple[ChannelState, ...], reason: str, leader: LeaderState | None
    ) -> HealthReport:
        if reason != self._database_error:  # once per new reason, not on every probe
            log.warning("health: the database does not answer: %s", reason)
        self._database_error = reason
        return HealthReport(reason, channels, leader=leader)
