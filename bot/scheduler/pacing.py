"""A platform's sending limits as this process keeps them: overall, per chat, per group.

Times are seconds (POSIX timestamps from the injected clock). A chat's pace is measured from
the moment the platform answered the previous send, so two messages never reach the platform
closer together than the interval, however long the first one travelled.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

_PRUNE_EVERY = 4096  # finished sends between two clean-ups of idle chats
SPREAD = 0.8  # sends are at least this share of 1/rate apart: no burst of a second's worth


@dataclass(frozen=True)
class Limits:
    """How fast one platform may be sent to; 0 switches a limit off."""

    rate: float = 0.0  # messages per second in all
    chat_interval: float = 0.0  # seconds between two messages to one chat
    group_per_minute: int = 0  # messages per minute to one group

    def spacing(self, group: bool) -> float:
        """The shortest steady gap between two messages to one chat."""
        gap = self.chat_interval
        if group and self.group_per_minute:
            gap = max(gap, 60.0 / self.group_per_minute)
        return gap


class Window:
    """A sliding window: at most ``limit`` events in any ``span`` seconds."""

    __slots__ = ("events", "limit", "span")

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.events: deque[float] = deque()

    def ready_at(self, now: float) -> float:
        """When one more event fits (``now`` or earlier when it fits now)."""
        events = self.events
        while events and events[0] <= now - self.span:
            events.popleft()
        if len(events) < self.limit:
            return now
        return events[len(events) - self.limit] + self.span

    def add(self, at: float, count: int = 1) -> None:
        self.events.extend([at] * count)


@dataclass
class _Chat:
    busy: bool = False  # a send to it is in flight
    last: float = -math.inf  # when the platform answered its latest send
    paused_until: float = -math.inf  # a flood error said to wait until then
    window: Window | None = None  # groups: messages in the last minute


class Pacer:
    """One platform's limits, for the sends of this process."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._overall = Window(math.ceil(limits.rate), 1.0) if limits.rate > 0 else None
        self._gap = SPREAD / limits.rate if limits.rate > 0 else 0.0
        self._last_start = -math.inf
        self._chats: dict[str, _Chat] = {}
        self._finished = 0

    def chat_ready_at(self, chat_id: str, group: bool, now: float) -> float:
        """When the chat may take its next message (``now`` when it may now)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return now
        if chat.busy:
            return now + max(self.limits.spacing(group), 0.001)
        ready = max(now, chat.last + self.limits.chat_interval, chat.paused_until)
        if chat.window is not None:
            ready = max(ready, chat.window.ready_at(now))
        return ready

    def overall_wait(self, now: float) -> float:
        """Seconds until the platform-wide rate admits one more send.

        At most ``rate`` sends start in any second, spread out rather than in one burst, so
        the platform (which counts them on arrival) never sees more, whatever the latency.
        """
        if self._overall is None:
            return 0.0
        return max(self._overall.ready_at(now), self._last_start + self._gap) - now

    def start(self, chat_id: str, now: float) -> None:
        """A send to the chat begins: it counts toward the overall rate, the chat is busy."""
        if self._overall is not None:
            self._overall.add(now)
            self._last_start = now
        self._chat(chat_id).busy = True

    def finish(self, chat_id: str, group: bool, now: float, parts: int) -> None:
        """The platform answered; ``parts`` messages reached the chat."""
        chat = self._chat(chat_id)
        chat.busy = False
        if parts:
            chat.last = now
            if group and self.limits.group_per_minute:
                if chat.window is None:
                    chat.window = Window(self.limits.group_per_minute, 60.0)
                chat.window.add(now, parts)
        self._finished += 1
        if self._finished % _PRUNE_EVERY == 0:
            self._prune(now)

    def pause(self, chat_id: str, until: float) -> None:
        """Send nothing more to the chat before ``until`` (a flood error's retry_after)."""
        chat = self._chat(chat_id)
        chat.paused_until = max(chat.paused_until, until)

    def _chat(self, chat_id: str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
        return chat

    def _prune(self, now: float) -> None:
        """Forget chats that no limit holds back any more."""
        idle = [
            chat_id
            for chat_id, chat in self._chats.items()
            if not chat.busy
            and chat.paused_until < now
            and chat.last + max(self.limits.chat_interval, 60.0) < now
        ]
        for chat_id in idle:
            del self._chats[chat_id]
