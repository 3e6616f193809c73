"""Trouble on purpose: injected failures and Telegram's flood limits."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.testing.telegram_emulator.wire import (
    ApiError,
    Params,
    error_for_status,
    too_many_requests,
)

ANY_METHOD = "*"


@dataclass(frozen=True)
class Fault:
    """One planned failure: an error answer, or a connection closed without an answer."""

    status: int = 0
    retry_after: int = 3
    description: str | None = None
    drop: bool = False

    def error(self) -> ApiError:
        """The error answer this fault gives."""
        return error_for_status(self.status, self.retry_after, self.description)


class FaultPlan:
    """Failures queued per method (lower-cased name, or "*" for any method)."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = defaultdict(deque)

    def add(self, method: str, fault: Fault, count: int) -> None:
        """Make the next ``count`` calls of ``method`` fail this way."""
        self._queued[method.lower()].extend([fault] * count)

    def take(self, method: str, params: Params | None = None) -> Fault | None:
        """The fault for this call, if one is planned (``params``: the call's, when known)."""
        for key in (method.lower(), ANY_METHOD):
            queued = self._queued.get(key)
            if queued:
                return queued.popleft()
        return None

    def clear(self) -> None:
        """Forget every planned failure."""
        self._queued.clear()


class _Window:
    """Timestamps of the sends admitted in the last ``span`` seconds."""

    __slots__ = ("limit", "sent", "span")

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.sent: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 when it fits now)."""
        sent = self.sent
        while sent and sent[0] <= now - self.span:
            sent.popleft()
        if len(sent) < self.limit:
            return 0.0
        return sent[len(sent) - self.limit] + self.span - now


class FloodLimits:
    """Telegram's limits on sending: per chat per second, per group per minute, overall.

    Each limit is a sliding window; a send that would exceed one is refused with a 429 whose
    retry_after says when it would fit, and refused sends do not count.
    """

    def __init__(
        self,
        per_chat_per_sec: int = 1,
        per_group_per_min: int = 20,
        global_per_sec: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_chat_per_sec = per_chat_per_sec
        self.per_group_per_min = per_group_per_min
        self.global_per_sec = global_per_sec
        self._clock = clock
        self._overall = _Window(global_per_sec, 1.0)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}

    def admit(self, chat_id: int, is_group: bool) -> None:
        """Count a send to this chat, or raise the 429 Telegram would give."""
        now = self._clock()
        windows = [self._overall, self._window(self._chats, chat_id, self.per_chat_per_sec, 1.0)]
        if is_group:
            windows.append(self._window(self._groups, chat_id, self.per_group_per_min, 60.0))
        wait = max(window.wait(now) for window in windows)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for window in windows:
            window.sent.append(now)

    @staticmethod
    def _window(windows: dict[int, _Window], chat_id: int, limit: int, span: float) -> _Window:
        window = windows.get(chat_id)
        if window is None:
            window = windows[chat_id] = _Window(limit, span)
        return window
