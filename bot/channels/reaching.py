"""Reaching a platform: where it is, and the pauses between tries while it fails."""

from __future__ import annotations

from urllib.parse import urlsplit

FIRST_PAUSE = 1.0  # seconds before trying a platform again after a failure; doubles each time
LONGEST_PAUSE = 60.0  # the pause stops growing here


class Backoff:
    """Pauses between tries of something that fails: 1 s, doubling, at most 60 s."""

    def __init__(self, first: float = FIRST_PAUSE, longest: float = LONGEST_PAUSE) -> None:
        self.first = first
        self.longest = longest
        self.failures = 0

    def next(self) -> float:
        """The pause after one more failure."""
        pause = min(self.first * float(2**self.failures), self.longest)
        self.failures += 1
        return pause

    def reset(self) -> bool:
        """Forget the failures (it worked); True if there were any."""
        failed, self.failures = self.failures > 0, 0
        return failed


def address(base_url: str) -> str:
    """Where the Bot API is, for a person to read: ``api.telegram.org``."""
    return urlsplit(base_url).netloc or base_url
