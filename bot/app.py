"""The composition root: builds the engine, the services and (later) the channels."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services.blocs import BlocService
from bot.services.invites import InviteService
from bot.storage.db import create_engine, session_factory
from bot.storage.uow import UnitOfWorkFactory


@dataclass
class App:
    """Everything a command needs, wired once."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    blocs: BlocService
    invites: InviteService

    async def close(self) -> None:
        await self.engine.dispose()


def build(settings: Settings, clock: Clock | None = None) -> App:
    """Wire the application for ``settings``."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    uow = UnitOfWorkFactory(session_factory(engine))
    return App(
        settings=settings,
        clock=clock,
        engine=engine,
        uow=uow,
        blocs=BlocService(uow, clock),
        invites=InviteService(uow, clock),
    )
