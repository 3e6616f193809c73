"""The unit of work: one session, its repositories, and the only place that commits."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar, Token
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.repositories import (
    BlocRepository,
    ContactRepository,
    ConversationRepository,
    EnrolmentFailureRepository,
    GroupLinkRepository,
    InviteRepository,
    SeasonRepository,
    SheetRepository,
)


_turn: ContextVar[bool] = ContextVar("blocbot_uow_turn", default=False)


class UnitOfWork:
    """``async with uow:`` opens a transaction; leaving without ``commit()`` rolls it back."""

    session: AsyncSession
    blocs: BlocRepository
    seasons: SeasonRepository
    invites: InviteRepository
    contacts: ContactRepository
    groups: GroupLinkRepository
    sheets: SheetRepository
    conversations: ConversationRepository
    failures: EnrolmentFailureRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], serial: asyncio.Lock | None = None
    ) -> None:
        self._sessions = sessions
        self._serial = serial
        self._token: Token[bool] | None = None

    async def __aenter__(self) -> UnitOfWork:
        if self._serial is not None:
            if _turn.get():
                raise RuntimeError("a unit of work was opened inside another one")
            await self._serial.acquire()
            self._token = _turn.set(True)
        self.session = self._sessions()
        self.blocs = BlocRepository(self.session)
        self.seasons = SeasonRepository(self.session)
        self.invites = InviteRepository(self.session)
        self.contacts = ContactRepository(self.session)
        self.groups = GroupLinkRepository(self.session)
        self.sheets = SheetRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.failures = EnrolmentFailureRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
            if self._serial is not None:
                if self._token is not None:
                    _turn.reset(self._token)
                self._serial.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes a fresh UnitOfWork for each use case call.

    On SQLite one database file takes one writer at a time; units of work of this process take
    turns (``serial``) instead of meeting SQLITE_BUSY. Other processes wait on busy_timeout.
    Units of work never nest, so the turn is never awaited twice by one task.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, serial: bool = False
    ) -> None:
        self.sessions = sessions
        self._serial = asyncio.Lock() if serial else None

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self._serial)
