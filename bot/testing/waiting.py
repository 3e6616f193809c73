"""Waiting for what a bot sends, shared by the project's Bot API emulators."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

M = TypeVar("M")


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` at most ``seconds``; True when it was set."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True


def unseen(
    messages: Sequence[M], cursor: int, keep: Callable[[M], bool], count: int | None
) -> tuple[list[M], int] | None:
    """The messages from ``cursor`` on that ``keep`` accepts.

    With a ``count``: the first ``count`` of them and the cursor just past the last, or None
    while there are fewer. Without: all of them, and the cursor where it was.
    """
    found: list[M] = []
    for index in range(cursor, len(messages)):
        if keep(messages[index]):
            found.append(messages[index])
            if count is not None and len(found) == count:
                return found, index + 1
    return (found, cursor) if count is None else None
