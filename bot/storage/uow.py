"""The unit of work: one session, its repositories, and the only place that commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.repositories import (
    BlocRepository,
    InviteRepository,
    SeasonRepository,
)


class UnitOfWork:
    """``async with uow:`` opens a transaction; leaving without ``commit()`` rolls it back."""

    session: AsyncSession
    blocs: BlocRepository
    seasons: SeasonRepository
    invites: InviteRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.blocs = BlocRepository(self.session)
        self.seasons = SeasonRepository(self.session)
        self.invites = InviteRepository(self.session)
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

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes a fresh UnitOfWork for each use case call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)
