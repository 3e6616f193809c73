"""The composition root: builds the engine, the services, the router and the channels.

Every use case runs in a unit of work that its owner opens and commits once: the router for an
update (``App.work``, handed to the handlers), the reminders job for each due bloc's tick
(``App.remind``), a command of the command line for what it does. ``App.services``,
``App.blocs``, ``App.invites`` and ``App.history`` are for owners that make one call at a time
(the command line, the demo's set-up, tests): each call there is a unit of work of its own,
committed when it returns.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import (
    ballot_text,
    build_router,
    correction_text,
    event_text,
    operator_text,
    reminder_text,
    rendering,
    review_text,
    season_text,
    tracking_text,
)
from bot.handlers.router import Router
from bot.handlers.sheet_admin_text import unlocked_notice
from bot.scheduler.dispatcher import Dispatcher, Tuning
from bot.scheduler.jobs import PeriodicJob, forgetting_updates
from bot.scheduler.leadership import Leadership
from bot.scheduler.pacing import Limits
from bot.scheduler.sending import OutboxObserver, Senders
from bot.scheduler.wake import Wake, watch_commits
from bot.services.ballots import BallotService
from bot.services.blocs import BlocService
from bot.services.corrections import CorrectionService
from bot.services.directory import Directory
from bot.services.documents import DocumentService
from bot.services.enrolment import EnrolmentService
from bot.services.events import EventService
from bot.services.evidence import EvidenceService
from bot.services.exports import ExportService
from bot.services.history import HistoryService
from bot.services.invites import InviteService
from bot.services.members import MemberService
from bot.services.people import PeopleService
from bot.services.reach import Reach
from bot.services.reminders import ReminderService
from bot.services.results import ResultsService
from bot.services.review import ReviewService
from bot.services.scoring import ScoringService, SeasonShape
from bot.services.seasons import SeasonService
from bot.services.sheet_admin import SheetAdminService
from bot.services.tracking import TrackingService
from bot.storage.db import (
    autocommit,
    create_engine,
    is_sqlite,
    refresh_statistics,
    session_factory,
)
from bot.storage.files import FileStore, file_store
from bot.storage.locks import SessionLock
from bot.storage.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:  # what only ``blocbot run`` needs is loaded by ``running()``
    from bot.app.running import Running

log = logging.getLogger(__name__)

T = TypeVar("T")
REMINDERS_EVERY = 30.0  # seconds between two looks at the calendar
CALENDAR_PAUSE = 1.0  # after each bloc, the calendar job waits this many times what it took


@dataclass
class Work:
    """One unit of work and every use case bound to it; its owner commits it once."""

    unit: UnitOfWork
    people: PeopleService
    enrolment: EnrolmentService
    scoring: ScoringService
    results: ResultsService
    reminders: ReminderService
    events: EventService
    review: ReviewService
    ballots: BallotService
    corrections: CorrectionService
    blocs: BlocService
    invites: InviteService
    history: HistoryService
    sheet_admin: SheetAdminService
    members: MemberService
    tracking: TrackingService
    evidence: EvidenceService
    seasons: SeasonService
    exports: ExportService
    documents: DocumentService

    async def commit(self) -> None:
        await self.unit.commit()

    async def rollback(self) -> None:
        await self.unit.rollback()


class OneCall(Generic[T]):
    """A use case whose every call is a unit of work of its own, committed when it returns."""

    def __init__(self, app: App, pick: Callable[[Work], T]) -> None:
        self._app = app
        self._pick = pick

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            async with self._app.work() as work:
                result = await getattr(self._pick(work), name)(*args, **kwargs)
                await work.commit()
                return result

        return call


class OneCallServices:
    """``App.services``: each use case, one call at a time (see OneCall)."""

    def __init__(self, app: App) -> None:
        self.people = OneCall(app, lambda work: work.people)
        self.enrolment = OneCall(app, lambda work: work.enrolment)
        self.scoring = OneCall(app, lambda work: work.scoring)
        self.results = OneCall(app, lambda work: work.results)
        self.reminders = OneCall(app, lambda work: work.reminders)
        self.events = OneCall(app, lambda work: work.events)
        self.sheet_admin = OneCall(app, lambda work: work.sheet_admin)
        self.members = OneCall(app, lambda work: work.members)
        self.tracking = OneCall(app, lambda work: work.tracking)
        self.review = OneCall(app, lambda work: work.review)
        self.evidence = OneCall(app, lambda work: work.evidence)
        self.ballots = OneCall(app, lambda work: work.ballots)
        self.corrections = OneCall(app, lambda work: work.corrections)
        self.exports = OneCall(app, lambda work: work.exports)
        self.documents = OneCall(app, lambda work: work.documents)


@dataclass
class App:
    """Everything a command needs, wired once."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    # Set when a transaction that enqueued outbox messages commits: wakes the dispatcher.
    outbox_signal: Wake = field(default_factory=Wake)
    # Where the bot can be in groups, as the channels find out at start-up.
    reach: Reach = field(default_factory=Reach)
    # Periodic jobs blocbot run schedules: jobs.append(PeriodicJob(name, seconds, coroutine_fn)).
    jobs: list[PeriodicJob] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.shapes: dict[int, SeasonShape] = {}  # the scoring tables read, by season
        self.files: FileStore = file_store(self.settings)  # the one store every user shares
        self.services = OneCallServices(self)
        self.blocs: OneCall[BlocService] = OneCall(self, lambda work: work.blocs)
        self.invites: OneCall[InviteService] = OneCall(self, lambda work: work.invites)
        self.history: OneCall[HistoryService] = OneCall(self, lambda work: work.history)
        self.seasons: OneCall[SeasonService] = OneCall(self, lambda work: work.seasons)
        self.jobs[:0] = [
            PeriodicJob("reminders", REMINDERS_EVERY, self.remind),
            PeriodicJob("ballots", REMINDERS_EVERY, self.close_ballots),
            forgetting_updates(self.uow, self.clock),
        ]

    @cached_property
    def router(self) -> Router:
        """Every command and dialog, routed (built when first asked for: a command of the
        command line that answers nobody does not load them)."""
        return build_router(self.work, self.settings.locale)

    async def refresh_statistics(self) -> None:
        """After a bulk write: the database's planner learns the tables as they are now (a
        failure only logged: what was written stands, and autovacuum gets to it later)."""
        try:
            await refresh_statistics(self.engine)
        except Exception as error:
            log.warning("could not refresh the database's statistics (%s)", error)

    async def close(self) -> None:
        await self.files.close()
        await self.engine.dispose()

    @asynccontextmanager
    async def work(self) -> AsyncIterator[Work]:
        """A unit of work with the use cases bound to it; what is not committed is dropped."""
        async with self.uow() as unit:
            yield self.bind(unit)

    def bind(self, unit: UnitOfWork) -> Work:
        """Every use case, working in ``unit``."""
        settings, clock, reach = self.settings, self.clock, self.reach
        results = ResultsService(unit, clock, reach, self.files)
        scoring = ScoringService(unit, clock, self.shapes)
        return Work(
            unit=unit,
            people=PeopleService(unit, clock, settings.operator_ids(), settings.locale),
            enrolment=EnrolmentService(unit, clock),
            scoring=scoring,
            results=results,
            reminders=ReminderService(unit, clock, results, reach, reminder_text),
            events=EventService(unit, clock, event_text, reach),
            review=ReviewService(unit, clock, review_text),
            ballots=BallotService(unit, clock, results, ballot_text, reach),
            corrections=CorrectionService(unit, clock, results, correction_text),
            blocs=BlocService(unit, clock),
            invites=InviteService(unit, clock),
            history=HistoryService(unit),
            sheet_admin=SheetAdminService(unit, clock, unlocked_notice),
            members=MemberService(unit, clock),
            tracking=TrackingService(unit, clock, tracking_text, reach),
            evidence=EvidenceService(unit, clock, scoring, self.shapes, self.files),
            seasons=SeasonService(unit, clock, season_text, reach),
            exports=ExportService(unit, clock, results),
            documents=DocumentService(unit, clock, results, settings.templates),
        )

    def running(self) -> Running:
        """What ``blocbot run`` starts: channels, web server, outbox dispatcher and jobs."""
        from bot.app.running import running

        return running(self)

    @property
    def replica(self) -> str:
        """This process's name among the replicas: BLOCBOT_REPLICA_NAME, else HOST:PID."""
        return self.settings.replica_name or f"{socket.gethostname()}:{os.getpid()}"[:64]

    def leadership(self) -> Leadership:
        """Whether this replica sends the outbox and runs the jobs: on PostgreSQL the one that
        holds the leader's lock, on SQLite always."""
        url, replica = self.settings.database_url, self.replica
        return Leadership(None if is_sqlite(url) else SessionLock(url, replica), replica)

    def directory(self) -> Directory:
        """Who is linked where: the command menus a channel sets read it."""
        return Directory(self.uow, lambda unit: self.bind(unit).people, self.clock)

    async def remind(self) -> int:
        """Put what became due in the blocs' calendars in the outbox; how many messages were
        added. Only the blocs whose calendar is due are read, each in a unit of work of its
        own (a bloc that fails waits for the next tick), and after each the job leaves the
        event loop to the others as long as the bloc took: a tick with every bloc to do holds
        up a reply no longer than one bloc takes, and the outbox keeps sending meanwhile."""
        started = time.perf_counter()
        async with self.work() as work:
            blocs = await work.reminders.due()
        added, longest = 0, 0.0
        for bloc_id in blocs:
            begun = time.perf_counter()
            try:
                async with self.work() as work:
                    added += await work.reminders.tick(bloc_id)
                    await work.commit()
            except Exception:
                log.exception("reminders of bloc %s failed; the next tick tries again", bloc_id)
            took = time.perf_counter() - begun
            longest = max(longest, took)
            await asyncio.sleep(took * CALENDAR_PAUSE)  # replies and the outbox go first
        spent = time.perf_counter() - started
        if blocs:
            log.log(
                logging.INFO if added or spent >= 1 else logging.DEBUG,
                "calendar: %d blocs read, %d messages queued in %.2f s (longest bloc %.0f ms)",
                len(blocs),
                added,
                spent,
                longest * 1000,
            )
        return added

    async def close_ballots(self) -> int:
        """Close every ballot whose time has come, each in a unit of work of its own that
        holds the ballot's row, so a restart or a second process never closes one twice."""
        async with self.work() as work:
            due = await work.ballots.due()
        closed = 0
        for ballot_id in due:
            try:
                async with self.work() as work:
                    closed += await work.ballots.close_due(ballot_id) is not None
                    await work.commit()
            except Exception:
                log.exception("closing ballot %s failed; the next tick tries again", ballot_id)
            await asyncio.sleep(0)  # let replies through
        return closed

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
            worker_id=worker_id or self.replica,
            wake=self.outbox_signal,
            operators=settings.operator_ids(),
            report=operator_text.given_up,
            locale=settings.locale,
            tuning=Tuning(concurrency=settings.outbox_concurrency, lease=settings.outbox_lease),
            observer=observer,
        )


def build(settings: Settings, clock: Clock | None = None) -> App:
    """Wire the application for ``settings``."""
    clock = clock or SystemClock()
    rendering.set_niceness(settings.render_niceness)
    engine = create_engine(settings.database_url, settings.database_pool)
    sessions = session_factory(engine)
    outbox_signal = Wake()
    watch_commits(sessions, outbox_signal)
    sqlite = is_sqlite(settings.database_url)
    single = None if sqlite else session_factory(autocommit(engine))
    return App(
        settings=settings,
        clock=clock,
        engine=engine,
        uow=UnitOfWorkFactory(sessions, serial=sqlite, single=single),
        outbox_signal=outbox_signal,
    )
