"""The composition root: builds the engine, the services, the router and the channels."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import build_router
from bot.handlers.context import Services
from bot.handlers.router import Router
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.jobs import PeriodicJob, forgetting_updates
from bot.scheduler.pacing import Limits
from bot.scheduler.sending import OutboxObserver, Senders
from bot.scheduler.wake import Wake, watch_commits
from bot.services.blocs import BlocService
from bot.services.enrolment import EnrolmentService
from bot.services.events import EventService
from bot.services.invites import InviteService
from bot.services.people import PeopleService
from bot.services.reach import Reach
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
    # Set when a transaction that enqueued outbox messages commits: wakes the dispatcher.
    outbox_signal: Wake = field(default_factory=Wake)
    # Where the bot can be in groups, as the channels find out at start-up.
    reach: Reach = field(default_factory=Reach)
    # Periodic jobs blocbot run schedules: jobs.append(PeriodicJob(name, seconds, coroutine_fn)).
    jobs: list[PeriodicJob] = field(default_factory=list)

    async def close(self) -> None:
        await self.engine.dispose()

    def dispatcher(
        self,
        senders: Senders,
        worker_id: str | None = None,
        observer: OutboxObserver | None = None,
    ) -> Dispatcher:
        """The outbox dispatcher of this process, sending through ``senders``."""
        settings = self.settings
        telegram = Limits(
            rate=settings.outbox_rate,
            chat_interval=settings.outbox_chat_interval,
            group_per_minute=settings.outbox_group_per_minute,
        )
        zalo = Limits(
            rate=settings.zalo_outbox_rate,
            chat_interval=settings.zalo_outbox_chat_interval,
            group_per_minute=settings.zalo_outbox_group_per_minute,
        )
        return Dispatcher(
            self.uow,
            self.clock,
            senders,
            {"telegram": telegram, "zalo": zalo},
            worker_id=worker_id or f"{socket.gethostname()}:{os.getpid()}"[:64],
            wake=self.outbox_signal,
            operators=settings.operator_ids(),
            locale=settings.locale,
            concurrency=settings.outbox_concurrency,
            lease=settings.outbox_lease,
            observer=observer,
        )


REMINDERS_EVERY = 30.0  # seconds between two looks at the calendar


def build(settings: Settings, clock: Clock | None = None) -> App:
    """Wire the application for ``settings``."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    outbox_signal = Wake()
    watch_commits(sessions, outbox_signal)
    uow = UnitOfWorkFactory(sessions, serial=is_sqlite(settings.database_url))
    reach = Reach()
    services = Services(
        people=PeopleService(uow, clock, settings.operator_ids(), settings.locale),
        enrolment=EnrolmentService(uow, clock),
        scoring=ScoringService(uow, clock),
        results=ResultsService(uow, clock, reach),
        reminders=ReminderService(uow, clock, reach),
        events=EventService(uow, clock, reach),
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
        outbox_signal=outbox_signal,
        reach=reach,
        jobs=[
            PeriodicJob("reminders", REMINDERS_EVERY, services.reminders.tick),
            forgetting_updates(uow, clock),
        ],
    )
