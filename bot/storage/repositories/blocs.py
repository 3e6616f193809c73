"""Blocs, seasons and invite codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CompoundSelect, bindparam, func, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.storage.models import (
    Agency,
    AuditEntry,
    Bloc,
    CriteriaGroupRow,
    CriterionRow,
    Event,
    Invite,
    Membership,
    ScheduleMark,
    ScoreEntry,
    ScoreSheet,
    Season,
    SeasonMember,
)
from bot.storage.repositories.schedule import ScheduleRepository

_HAS_VALUE = or_(
    ScoreEntry.self_value.is_not(None),
    ScoreEntry.reviewed_value.is_not(None),
    ScoreEntry.final_value.is_not(None),
)


@dataclass(frozen=True)
class BlocSummary:
    """One line of ``blocbot bloc list``."""

    code: str
    name: str
    season_year: int | None
    agencies: int
    contacts: int
    submitted: int


_SEASON_LOADS = (
    selectinload(Season.groups).selectinload(CriteriaGroupRow.items),
    selectinload(Season.criteria).selectinload(CriterionRow.group),
    selectinload(Season.members).selectinload(SeasonMember.agency),
    selectinload(Season.events),
)


# What the progress of a season reads: its criteria, members with their agencies, events.
_PROGRESS_LOADS = (
    selectinload(Season.criteria),
    selectinload(Season.members).joinedload(SeasonMember.agency),
    selectinload(Season.events),
)


_CURRENT = (
    select(Season.id, Season.version, Season.announced_at)
    .where(Season.bloc_id == bindparam("bloc_id"))
    .order_by(Season.year.desc())
    .limit(1)
)


class BlocRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> Bloc | None:
        """The bloc with its agencies, or None."""
        query = select(Bloc).where(Bloc.code == code).options(selectinload(Bloc.agencies))
        return (await self.session.scalars(query)).one_or_none()

    async def by_id(self, bloc_id: int) -> Bloc | None:
        return await self.session.get(Bloc, bloc_id)

    async def with_agencies(self, bloc_id: int) -> Bloc | None:
        """The bloc with its agencies, or None."""
        query = select(Bloc).where(Bloc.id == bloc_id).options(selectinload(Bloc.agencies))
        return (await self.session.scalars(query)).one_or_none()

    def add(self, bloc: Bloc) -> None:
        self.session.add(bloc)

    async def ids(self) -> list[int]:
        """The id of every bloc."""
        return list((await self.session.scalars(select(Bloc.id).order_by(Bloc.id))).all())

    async def choices(self) -> list[tuple[int, str, str]]:
        """(id, code, name) of every bloc, by code, in one query."""
        rows = await self.session.execute(select(Bloc.id, Bloc.code, Bloc.name))
        return sorted(((id, code, name) for id, code, name in rows), key=lambda row: row[1])

    async def summaries(self) -> list[BlocSummary]:
        """Every bloc with its latest season and how far it is: five queries, however many
        blocs there are."""
        session = self.session
        blocs = (
            await session.execute(select(Bloc.id, Bloc.code, Bloc.name).order_by(Bloc.code))
        ).all()
        years = dict(
            (
                await session.execute(
                    select(Season.bloc_id, func.max(Season.year)).group_by(Season.bloc_id)
                )
            ).all()
        )
        agencies = dict(
            (
                await session.execute(
                    select(Agency.bloc_id, func.count()).group_by(Agency.bloc_id)
                )
            ).all()
        )
        contacts = dict(
            (
                await session.execute(
                    select(Membership.bloc_id, func.count()).group_by(Membership.bloc_id)
                )
            ).all()
        )
        submitted = {
            (bloc_id, year): count
            for bloc_id, year, count in await session.execute(
                select(Season.bloc_id, Season.year, func.count())
                .join(ScoreSheet, ScoreSheet.season_id == Season.id)
                .where(ScoreSheet.status != "draft")
                .group_by(Season.bloc_id, Season.year)
            )
        }
        found = []
        for id, code, name in blocs:
            year = years.get(id)
            done = submitted.get((id, year), 0) if year is not None else 0
            found.append(
                BlocSummary(code, name, year, agencies.get(id, 0), contacts.get(id, 0), done)
            )
        return found

    async def scored_sheets_by_agency(self, bloc_id: int) -> dict[int, int]:
        """Agency id -> how many of its sheets hold a score or a score history."""
        in_bloc = ScoreSheet.season_id.in_(select(Season.id).where(Season.bloc_id == bloc_id))
        with_values = (
            select(ScoreSheet.agency_id, ScoreSheet.id)
            .join(ScoreEntry, ScoreEntry.sheet_id == ScoreSheet.id)
            .where(in_bloc, _HAS_VALUE)
        )
        audited = (
            select(ScoreSheet.agency_id, ScoreSheet.id)
            .join(AuditEntry, AuditEntry.sheet_id == ScoreSheet.id)
            .where(in_bloc)
        )
        return await _count_pairs(self.session, union(with_values, audited))


class SeasonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, bloc_id: int, year: int) -> Season | None:
        """A season with its table, members and events loaded."""
        query = (
            select(Season)
            .where(Season.bloc_id == bloc_id, Season.year == year)
            .options(*_SEASON_LOADS)
        )
        return (await self.session.scalars(query)).one_or_none()

    async def latest_year(self, bloc_id: int) -> int | None:
        return await self.session.scalar(
            select(func.max(Season.year)).where(Season.bloc_id == bloc_id)
        )

    async def years(self, bloc_id: int) -> list[int]:
        """The years of the bloc's seasons, oldest first."""
        query = select(Season.year).where(Season.bloc_id == bloc_id).order_by(Season.year)
        return list((await self.session.scalars(query)).all())

    def add(self, season: Season) -> None:
        self.session.add(season)

    async def roles_in_latest(self, bloc_id: int) -> dict[int, str]:
        """Agency id -> role (head, deputy, member) in the bloc's latest season."""
        latest = select(func.max(Season.year)).where(Season.bloc_id == bloc_id).scalar_subquery()
        rows = await self.session.execute(
            select(SeasonMember.agency_id, SeasonMember.role)
            .join(Season, Season.id == SeasonMember.season_id)
            .where(Season.bloc_id == bloc_id, Season.year == latest)
        )
        return {agency_id: role for agency_id, role in rows}

    async def current(self, bloc_id: int) -> tuple[int, int, datetime | None] | None:
        """(id, version, announced_at) of the bloc's latest season: one cheap query."""
        row = (await self.session.execute(_CURRENT, {"bloc_id": bloc_id})).first()
        return (row[0], row[1], row[2]) if row else None

    async def by_id(self, season_id: int) -> Season | None:
        """A season loaded like ``get``."""
        query = select(Season).where(Season.id == season_id).options(*_SEASON_LOADS)
        return (await self.session.scalars(query)).one_or_none()

    async def latest(self, bloc_id: int) -> Season | None:
        """The bloc's current (latest) season, loaded like ``get``."""
        year = await self.latest_year(bloc_id)
        return await self.get(bloc_id, year) if year is not None else None

    async def latest_for_progress(self, bloc_id: int) -> Season | None:
        """The bloc's latest season with what its progress reads (not its table's groups):
        four queries, all of this one bloc."""
        query = (
            select(Season)
            .where(Season.bloc_id == bloc_id)
            .order_by(Season.year.desc())
            .limit(1)
            .options(*_PROGRESS_LOADS)
        )
        return (await self.session.scalars(query)).first()

    async def lock(self, season_id: int) -> tuple[datetime | None, datetime | None]:
        """Hold the season row until commit; its ``provisional_at`` and ``announced_at`` as
        committed now."""
        query = (
            select(Season.provisional_at, Season.announced_at)
            .where(Season.id == season_id)
            .with_for_update()
        )
        provisional_at, announced_at = (await self.session.execute(query)).one()
        return provisional_at, announced_at

    async def events(self, season_id: int, *, cancelled: bool = False) -> list[Event]:
        """The season's events by time; cancelled ones only when asked for."""
        query = select(Event).where(Event.season_id == season_id).order_by(Event.at, Event.id)
        if not cancelled:
            query = query.where(Event.cancelled_at.is_(None))
        return list((await self.session.scalars(query)).all())

    async def event_in_bloc(self, bloc_id: int, event_id: int) -> Event | None:
        """An event of one of the bloc's seasons, read afresh and held until commit."""
        query = (
            select(Event)
            .join(Season, Season.id == Event.season_id)
            .where(Event.id == event_id, Season.bloc_id == bloc_id)
            .with_for_update(of=Event)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).one_or_none()

    async def bump_version(self, season_id: int) -> None:
        """Tell readers that cache the season (its deadline, its table) to read it again, and
        the reminders job to read its calendar at the next tick."""
        bloc_id = await self.session.scalar(
            update(Season)
            .where(Season.id == season_id)
            .values(version=Season.version + 1)
            .returning(Season.bloc_id)
        )
        if bloc_id is not None:
            await ScheduleRepository(self.session).look_again(bloc_id)

    async def marked(self, keys: Sequence[str]) -> set[str]:
        """Which of these schedule marks (a reminder fired, a digest posted) exist."""
        if not keys:
            return set()
        query = select(ScheduleMark.key).where(ScheduleMark.key.in_(keys))
        return set((await self.session.scalars(query)).all())

    async def scored_sheets_by_criterion(self, season_id: int) -> dict[int, int]:
        """Criterion id -> how many sheets hold a score or a score history for it."""
        with_values = (
            select(ScoreEntry.criterion_id, ScoreEntry.sheet_id)
            .join(ScoreSheet, ScoreSheet.id == ScoreEntry.sheet_id)
            .where(ScoreSheet.season_id == season_id, _HAS_VALUE)
        )
        audited = (
            select(AuditEntry.criterion_id, AuditEntry.sheet_id)
            .join(ScoreSheet, ScoreSheet.id == AuditEntry.sheet_id)
            .where(ScoreSheet.season_id == season_id, AuditEntry.criterion_id.is_not(None))
        )
        return await _count_pairs(self.session, union(with_values, audited))

    async def highest_values_by_criterion(self, season_id: int) -> dict[int, Decimal]:
        """Criterion id -> the highest value any sheet gives it (self, reviewed or final)."""
        rows = await self.session.execute(
            select(
                ScoreEntry.criterion_id,
                ScoreEntry.self_value,
                ScoreEntry.reviewed_value,
                ScoreEntry.final_value,
            )
            .join(ScoreSheet, ScoreSheet.id == ScoreEntry.sheet_id)
            .where(ScoreSheet.season_id == season_id, _HAS_VALUE)
        )
        highest: dict[int, Decimal] = {}
        for criterion_id, *values in rows:
            for value in values:
                if value is not None and value > highest.get(criterion_id, value - 1):
                    highest[criterion_id] = value
        return highest


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active(self, bloc_id: int, now: datetime) -> Sequence[Invite]:
        """Codes of the bloc that can still be used."""
        query = (
            select(Invite)
            .where(
                Invite.bloc_id == bloc_id,
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
                Invite.uses < Invite.max_uses,
            )
            .options(selectinload(Invite.agency))
            .order_by(Invite.id)
        )
        return (await self.session.scalars(query)).all()

    async def revoke_all(self, bloc_id: int, now: datetime) -> None:
        rows = await self.session.scalars(
            select(Invite).where(Invite.bloc_id == bloc_id, Invite.revoked_at.is_(None))
        )
        for invite in rows:
            invite.revoked_at = now

    async def find(self, code: str) -> Invite | None:
        query = select(Invite).where(Invite.code == code).options(selectinload(Invite.agency))
        return (await self.session.scalars(query)).one_or_none()

    def add(self, invite: Invite) -> None:
        self.session.add(invite)


async def _count_pairs(
    session: AsyncSession, pairs: CompoundSelect[tuple[int, int]]
) -> dict[int, int]:
    """Count the distinct (key, sheet) pairs of ``pairs`` per key."""
    sub = pairs.subquery()
    key, sheet = sub.c
    rows = await session.execute(select(key, func.count(sheet)).group_by(key))
    return {row[0]: row[1] for row in rows}
