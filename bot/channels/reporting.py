"""What a channel reports while it runs: its health, and what became of each update."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """Counts what the channels see, for /metrics."""

    def update(self, platform: str, outcome: str, seconds: float | None = None) -> None:
        """One update: handled, duplicate, failed, unsupported or ignored, and how long it
        took from its arrival to its replies."""

    def webhook_refused(self, platform: str) -> None:
        """A webhook request without the right secret."""


class State(Protocol):
    """The channel's health, for /healthz."""

    def ok(self) -> None: ...

    def failing(self, reason: str) -> None: ...


class Reach(Protocol):
    """Where group posts can go: told whether the platform's bot can be in groups."""

    def groups(self, platform: str, possible: bool) -> None: ...
