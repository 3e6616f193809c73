"""Each chat's turn: the updates of one chat are handled one at a time, in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ChatTurns:
    """A FIFO lock per (platform, chat), kept only while someone waits for it or holds it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, platform: str, chat_id: str) -> AsyncIterator[None]:
        """Wait for the chat's earlier updates; enter in arrival order (the lock is FIFO).

        A channel enters before its first ``await`` for an update and stays in while the
        router handles it and the replies go, so replies come out in the order people wrote.
        """
        key = (platform, chat_id)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
