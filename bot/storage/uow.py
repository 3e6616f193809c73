"""The unit of work: one session, its repositories, and the only place that commits.

Its owner opens it (``async with factory() as unit:``), hands it to the services, and commits
it once (``await unit.commit()``); leaving without committing rolls everything back. The owner
of an update's unit of work is the router; of a tick's, the job; of a command's, the command
line. A service never commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import deferred
from bot.storage.repositories import (
    AuditRepository,
    BallotRepository,
    BlocRepository,
    ContactRepository,
    ConversationRepository,
    EnrolmentFailureRepository,
    EvidenceRepository,
    GroupLinkRepository,
    InboxRepository,
    InviteRepository,
    MenuRepository,
    OutboxRepository,
    ScheduleRepository,
    SeasonRepository,
    SheetRepository,
    StatsRepository,
    TrackingRepository,
)
from bot.storage.repositories.sheets import SELF_SCORE


class UnitOfWork:
    """A session with its repositories; leaving without ``commit()`` rolls back."""

    audit: AuditRepository
    ballots: BallotRepository
    blocs: BlocRepository
    seasons: SeasonRepository
    invites: InviteRepository
    contacts: ContactRepository
    groups: GroupLinkRepository
    sheets: SheetRepository
    conversations: ConversationRepository
    failures: EnrolmentFailureRepository
    outbox: OutboxRepository
    schedule: ScheduleRepository
    stats: StatsRepository
    tracking: TrackingRepository
    evidence: EvidenceRepository
    inbox: InboxRepository
    menus: MenuRepository

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.audit = AuditRepository(session)
        self.ballots = BallotRepository(session)
        self.blocs = BlocRepository(session)
        self.seasons = SeasonRepository(session)
        self.invites = InviteRepository(session)
        self.contacts = ContactRepository(session)
        self.groups = GroupLinkRepository(session)
        self.sheets = SheetRepository(session)
        self.conversations = ConversationRepository(session)
        self.failures = EnrolmentFailureRepository(session)
        self.outbox = OutboxRepository(session)
        self.schedule = ScheduleRepository(session)
        self.stats = StatsRepository(session)
        self.tracking = TrackingRepository(session)
        self.evidence = EvidenceRepository(session)
        self.inbox = InboxRepository(session)
        self.menus = MenuRepository(session)

    async def commit(self) -> None:
        """Keep everything done in this unit of work: its audit entries are placed last, and
        on PostgreSQL the last of them carries the update's dialog write and its deferred
        self-score (two round trips less for every answer)."""
        dialogs = self.conversations.take_pending()
        one = dialogs[0] if len(dialogs) == 1 else None
        writes = deferred.take(self.session)
        score = writes[0][1] if len(writes) == 1 and writes[0][0] is SELF_SCORE else None
        carried = await self.audit.write_pending(one, score)  # both, or neither
        if not carried or one is None:
            await self.conversations.write_pending(dialogs)
        if not carried or score is None:
            for statement, values in writes:
                await self.session.execute(statement, values)
        await self.session.commit()

    async def rollback(self) -> None:
        """Drop everything done since the last commit; the unit of work can go on."""
        self.audit.drop_pending()
        self.conversations.drop_pending()
        deferred.drop(self.session)
        await self.session.rollback()


_holding: ContextVar[bool] = ContextVar("blocbot_turn", default=False)


class UnitOfWorkFactory:
    """Makes units of work and transaction scopes.

    On SQLite one database file takes one writer at a time; this process's transactions take
    turns (``serial``) instead of meeting SQLITE_BUSY. Other processes wait on busy_timeout.
    ``single`` makes the sessions of ``each_statement()`` (PostgreSQL: autocommit).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        serial: bool = False,
        single: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessions = sessions
        self._serial = asyncio.Lock() if serial else None
        self._single = single

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        """A fresh unit of work; what its owner did not commit is rolled back at the end."""
        await self.take_turn()
        session = self.sessions()
        try:
            yield UnitOfWork(session)
        finally:
            try:
                await session.rollback()
            finally:
                await session.close()
                self.end_turn()

    @asynccontextmanager
    async def each_statement(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work whose every statement is a transaction of its own, kept as soon as
        it returns: no BEGIN and COMMIT round trips, for work that is a few statements each
        complete in itself (the inbox's). Without ``single`` (SQLite) an ordinary one."""
        if self._single is None:
            async with self() as unit:
                yield unit
            return
        session = self._single()
        try:
            yield UnitOfWork(session)
        finally:
            await session.close()

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
