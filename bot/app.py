"""The composition root: builds the engine, the services, the router and the channels."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import build_router
from bot.handlers.context import Services
from bot.handlers.router import Router
from bot.services.blocs import BlocService
from bot.services.enrolment import EnrolmentService
from bot.services.events import EventService
from bot.services.invites import InviteService
from bot.services.people import PeopleService
from bot.services.reminders import ReminderService
from bot.services.results import ResultsService
from bot.services.scoring import ScoringService
from bot.storage.db import create_engine, is_sqlite, session_factory
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
    services: Services
    router: Router

    async def close(self) -> None:
        await self.engine.dispose()


def build(settings: Settings, clock: Clock | None = None) -> App:
    """Wire the application for ``settings``."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    uow = UnitOfWorkFactory(session_factory(engine), serial=is_sqlite(settings.database_url))
    services = Services(
        people=PeopleService(uow, clock, settings.operator_ids(), settings.locale),
        enrolment=EnrolmentService(uow, clock),
        scoring=ScoringService(uow, clock),
        results=ResultsService(uow, clock),
        reminders=ReminderService(uow, clock),
        events=EventService(uow, clock),
        transaction=uow.transaction,
    )
    return App(
        settings=settings,
        clock=clock,
        engine=engine,
        uow=uow,
        blocs=BlocService(uow, clock),
        invites=InviteService(uow, clock),
        services=services,
        router=build_router(services, settings.locale),
    )
