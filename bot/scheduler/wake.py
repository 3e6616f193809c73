"""Waking the dispatcher the moment a transaction that enqueued messages commits."""

from __future__ import annotations

import asyncio

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.storage.repositories.outbox import OUTBOX_DIRTY


class Wake:
    """A flag the dispatcher sleeps on between batches; set when new messages are committed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    async def wait(self, timeout: float) -> bool:
        """Wait until set or ``timeout`` seconds passed; True when it was set."""
        if self._event.is_set():
            return True
        try:
            await asyncio.wait_for(self._event.wait(), max(timeout, 0.0))
        except TimeoutError:
            return False
        return True


def watch_commits(sessions: async_sessionmaker[AsyncSession], wake: Wake) -> None:
    """Make ``sessions`` set ``wake`` whenever one of them commits enqueued outbox rows.

    The repository flags the session (``session.info[OUTBOX_DIRTY]``) when it adds rows; the
    flag is read on the session's ``after_commit`` (a rolled back flag at worst wakes the
    dispatcher for nothing). The listener is on a Session subclass of these sessions only, so
    other engines in the process are left alone.
    """
    base: type[Session] = sessions.kw.get("sync_session_class") or Session
    watched = type("OutboxWatchedSession", (base,), {})
    sessions.configure(sync_session_class=watched)

    def committed(session: Session) -> None:
        if session.info.pop(OUTBOX_DIRTY, False):
            wake.set()

    event.listen(watched, "after_commit", committed)
