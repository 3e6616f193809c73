"""The unit of work: one session, its repositories, and the only place that commits.

A use case opens ``async with uow() as u:`` and calls ``u.commit()``. Inside a transaction
scope (``async with factory.transaction():``, one per incoming update) every unit of work
shares the scope's session: its ``commit()`` only flushes, and the scope commits once at the
end (or rolls back everything), so an update's changes are kept together or not at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.repositories import (
    BlocRepository,
    ContactRepository,
    ConversationRepository,
    EnrolmentFailureRepository,
    GroupLinkRepository,
    InviteRepository,
    OutboxRepository,
    SeasonRepository,
    SheetRepository,
    StatsRepository,
)


class UnitOfWork:
    """A session with its repositories; leaving without ``commit()`` rolls back."""

    blocs: BlocRepository
    seasons: SeasonRepository
    invites: InviteRepository
    contacts: ContactRepository
    groups: GroupLinkRepository
    sheets: SheetRepository
    conversations: ConversationRepository
    failures: EnrolmentFailureRepository
    outbox: OutboxRepository
    stats: StatsRepository

    def __init__(self, session: AsyncSession, *, scoped: bool = False) -> None:
        self.session = session
        self.scoped = scoped  # part of a transaction scope: commit() flushes
        self.blocs = BlocRepository(session)
        self.seasons = SeasonRepository(session)
        self.invites = InviteRepository(session)
        self.contacts = ContactRepository(session)
        self.groups = GroupLinkRepository(session)
        self.sheets = SheetRepository(session)
        self.conversations = ConversationRepository(session)
        self.failures = EnrolmentFailureRepository(session)
        self.outbox = OutboxRepository(session)
        self.stats = StatsRepository(session)

    async def commit(self) -> None:
        if self.scoped:
            await self.session.flush()
        else:
            await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class Transaction:
    """A transaction scope's handle: ``rollback()`` drops everything done in it."""

    def __init__(self, unit: UnitOfWork) -> None:
        self.unit = unit
        self.rolled_back = False

    async def rollback(self) -> None:
        await self.unit.session.rollback()
        self.rolled_back = True


_scope: ContextVar[UnitOfWork | None] = ContextVar("blocbot_transaction", default=None)
_holding: ContextVar[bool] = ContextVar("blocbot_turn", default=False)


class _Use:
    """``async with``: a fresh unit of work, or the current scope's."""

    def __init__(self, factory: UnitOfWorkFactory) -> None:
        self.factory = factory
        self.unit: UnitOfWork | None = None
        self.session: AsyncSession | None = None

    async def __aenter__(self) -> UnitOfWork:
        scoped = _scope.get()
        if scoped is not None:
            return scoped
        await self.factory.take_turn()
        self.session = self.factory.sessions()
        self.unit = UnitOfWork(self.session)
        return self.unit

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.session is None:
            return  # the scope decides
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
            self.factory.end_turn()


class UnitOfWorkFactory:
    """Makes units of work and transaction scopes.

    On SQLite one database file takes one writer at a time; this process's transactions take
    turns (``serial``) instead of meeting SQLITE_BUSY. Other processes wait on busy_timeout.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, serial: bool = False
    ) -> None:
        self.sessions = sessions
        self._serial = asyncio.Lock() if serial else None

    def __call__(self) -> _Use:
        return _Use(self)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One transaction for everything inside; committed at the end unless rolled back."""
        if _scope.get() is not None:
            raise RuntimeError("transaction scopes do not nest")
        await self.take_turn()
        session = self.sessions()
        unit = UnitOfWork(session, scoped=True)
        token = _scope.set(unit)
        handle = Transaction(unit)
        try:
            yield handle
            if not handle.rolled_back:
                await session.commit()
        finally:
            _scope.reset(token)
            try:
                await session.rollback()
            finally:
                await session.close()
                self.end_turn()

    async def take_turn(self) -> None:
        if self._serial is None:
            return
        if _holding.get():
            raise RuntimeError("a unit of work was opened inside another one")
        await self._serial.acquire()
        _holding.set(True)

    def end_turn(self) -> None:
        if self._serial is not None:
            _holding.set(False)
            self._serial.release()
