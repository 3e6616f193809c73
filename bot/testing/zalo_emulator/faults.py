"""Trouble on purpose: error answers and dropped connections, planned per method."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from bot.testing.zalo_emulator.wire import ZaloError, error_for_code

ANY_METHOD = "*"


@dataclass(frozen=True)
class Fault:
    """One planned failure: an error envelope, an HTML error page, or no answer at all."""

    error_code: int = 0
    description: str | None = None
    html: bool = False
    drop: bool = False

    def error(self) -> ZaloError:
        """The error answer this fault gives."""
        return error_for_code(self.error_code, self.description)


class FaultPlan:
    """Failures queued per method (its exact, case-sensitive name, or "*" for any)."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = defaultdict(deque)

    def add(self, method: str, fault: Fault, count: int) -> None:
        """Make the next ``count`` calls of ``method`` fail this way."""
        self._queued[method].extend([fault] * count)

    def take(self, method: str) -> Fault | None:
        """The fault for this call, if one is planned."""
        for key in (method, ANY_METHOD):
            queued = self._queued.get(key)
            if queued:
                return queued.popleft()
        return None

    def clear(self) -> None:
        """Forget every planned failure."""
        self._queued.clear()
