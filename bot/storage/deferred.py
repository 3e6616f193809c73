"""Writes a unit of work sends late: with its last statement when that one can carry them, else
before anything else it sends.

A write nothing reads back in the meantime need not cost a round trip of its own: the
repository hands it to ``defer``, and the statement that ends the unit of work takes it
(``take``) into a CTE of its own. Should the session send any other statement first, the
deferred writes go just before it (``DeferringSession``), so no read ever misses them; the
commit sends what no statement carried.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

_KEY = "blocbot.deferred"
Deferred = tuple[Executable, dict[str, Any]]


class DeferringSession(Session):
    """A session that sends the writes deferred on it before any other statement."""


def defer(session: AsyncSession, statement: Executable, values: dict[str, Any]) -> None:
    """Send ``statement`` with ``values`` later, in order with the other deferred writes."""
    session.info.setdefault(_KEY, []).append((statement, values))


def take(session: AsyncSession) -> list[Deferred]:
    """The writes deferred and not sent yet; they are the caller's to send now."""
    taken: list[Deferred] = session.info.pop(_KEY, [])
    return taken


def drop(session: AsyncSession) -> None:
    """Forget the deferred writes (the unit of work rolled back)."""
    session.info.pop(_KEY, None)


@event.listens_for(DeferringSession, "do_orm_execute")
def _deferred_first(state: ORMExecuteState) -> None:
    pending = state.session.info.pop(_KEY, None)
    for statement, values in pending or ():
        state.session.execute(statement, values)
