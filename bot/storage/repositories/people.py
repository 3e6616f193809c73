"""Contacts, their links to agencies, and the group chats linked to blocs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.domain.roles import Link, Role
from bot.storage.models import (
    Agency,
    Bloc,
    Contact,
    ConversationState,
    EnrolmentFailure,
    GroupLink,
    Membership,
    ProcessedUpdate,
    Season,
    SeasonMember,
)
from bot.storage.repositories.conversations import ConversationRepository

_THE_CONTACT = and_(
    Contact.platform == bindparam("platform"), Contact.user_id == bindparam("user_id")
)
_CONTACT = select(Contact).where(_THE_CONTACT)
_LATEST_SEASON = (
    select(Season.id)
    .where(Season.bloc_id == Membership.bloc_id)
    .order_by(Season.year.desc())
    .limit(1)
    .correlate(Membership)
    .scalar_subquery()
)
_LINK_COLUMNS = (
    Membership.bloc_id,
    Bloc.code,
    Bloc.name,
    Bloc.locale,
    Bloc.timezone,
    Membership.agency_id,
    Agency.code,
    Agency.name,
    SeasonMember.role,
)
_ROLE = (SeasonMember.agency_id == Membership.agency_id) & (
    SeasonMember.season_id == _LATEST_SEASON
)
_NEWEST_FIRST = (Membership.linked_at.desc(), Membership.id.desc())


def _link_joins(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """``query`` (which selects from memberships) joined to what ``_LINK_COLUMNS`` read."""
    return (
        query.join(Agency, Agency.id == Membership.agency_id)
        .join(Bloc, Bloc.id == Membership.bloc_id)
        .outerjoin(SeasonMember, _ROLE)
    )


_LINKS = (
    _link_joins(select(*_LINK_COLUMNS))
    .where(Membership.contact_id == bindparam("contact_id"))
    .order_by(*_NEWEST_FIRST)
)
# Several contacts with their links: a row per link, each contact's newest first.
_WITH_LINKS = (
    _link_joins(
        select(Contact, *_LINK_COLUMNS).join(Membership, Membership.contact_id == Contact.id)
    )
    .where(Contact.id.in_(bindparam("ids", expanding=True)))
    .order_by(Contact.id, *_NEWEST_FIRST)
)


def _with_dialog_and_links(query: Select[Any]) -> Select[Any]:
    """``query`` (which selects from a contact) joined to the contact's dialog state in one
    chat and its links: a row per link (one without any), newest first."""
    return (
        query.add_columns(ConversationState.state, ConversationState.data, *_LINK_COLUMNS)
        .outerjoin(
            ConversationState,
            and_(
                ConversationState.platform == Contact.platform,
                ConversationState.user_id == Contact.user_id,
                ConversationState.chat_id == bindparam("chat_id"),
            ),
        )
        .outerjoin(Membership, Membership.contact_id == Contact.id)
        .outerjoin(Agency, Agency.id == Membership.agency_id)
        .outerjoin(Bloc, Bloc.id == Membership.bloc_id)
        .outerjoin(SeasonMember, _ROLE)
        .order_by(*_NEWEST_FIRST)
    )


# The contact, its dialog state in one chat and its links, in one query.
_WITH_DIALOG = _with_dialog_and_links(select(Contact).where(_THE_CONTACT))

# PostgreSQL: the update's claim and the same read in one statement. The claim is a
# data-modifying CTE (run once, whether or not anything reads it); the one row of its count
# leads the outer joins, so a person not known yet still gets a row saying whether the update
# was new.
_CLAIM = (
    pg_insert(ProcessedUpdate)
    .values(
        platform=bindparam("platform"),
        update_id=bindparam("update_id"),
        processed_at=bindparam("now"),
    )
    .on_conflict_do_nothing()
    .returning(literal_column("1"))
    .cte("claim")
)
_CLAIMED = select(func.count().label("claimed")).select_from(_CLAIM).subquery("claimed")
_CLAIM_WITH_DIALOG = _with_dialog_and_links(
    select(_CLAIMED.c.claimed, Contact).select_from(_CLAIMED).outerjoin(Contact, _THE_CONTACT)
)


@dataclass(frozen=True)
class Known:
    """A contact as an update finds it: its dialog (state, data) in the chat, if any, and its
    links, newest first."""

    contact: Contact
    dialog: tuple[str, dict[str, Any]] | None
    links: list[Link]


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, platform: str, user_id: str) -> Contact | None:
        params = {"platform": platform, "user_id": user_id}
        return (await self.session.scalars(_CONTACT, params)).one_or_none()

    async def with_dialog(self, platform: str, user_id: str, chat_id: str) -> Known | None:
        """The contact with its dialog in ``chat_id`` and its links, in one query; None for
        someone not known yet."""
        params = {"platform": platform, "user_id": user_id, "chat_id": chat_id}
        rows = (await self.session.execute(_WITH_DIALOG, params)).all()
        return _known(rows) if rows else None

    async def claim_with_dialog(
        self, platform: str, update_id: str, now: datetime, user_id: str, chat_id: str
    ) -> tuple[bool, Known | None]:
        """Record the update as processed and read its contact as ``with_dialog`` does: (False,
        None) when the update was handled before. One statement on PostgreSQL, two on SQLite
        (whose CTEs cannot write)."""
        if self.session.get_bind().dialect.name != "postgresql":
            if not await ConversationRepository(self.session).claim_update(
                platform, update_id, now
            ):
                return False, None
            return True, await self.with_dialog(platform, user_id, chat_id)
        params = {
            "platform": platform,
            "update_id": update_id,
            "now": now,
            "user_id": user_id,
            "chat_id": chat_id,
        }
        rows = (await self.session.execute(_CLAIM_WITH_DIALOG, params)).all()
        if not rows[0][0]:
            return False, None
        if rows[0][1] is None:
            return True, None
        return True, _known([row[1:] for row in rows])

    async def by_id(self, contact_id: int) -> Contact | None:
        return await self.session.get(Contact, contact_id)

    def add(self, contact: Contact) -> None:
        self.session.add(contact)

    async def memberships(self, contact_id: int) -> list[Membership]:
        """The contact's links, newest first, with agency and bloc loaded."""
        query = (
            select(Membership)
            .where(Membership.contact_id == contact_id)
            .options(selectinload(Membership.agency).selectinload(Agency.bloc))
            .order_by(Membership.linked_at.desc(), Membership.id.desc())
        )
        return list((await self.session.scalars(query)).all())

    async def in_bloc(self, bloc_id: int) -> list[Membership]:
        """Every link of a bloc, with contact and agency loaded."""
        query = (
            select(Membership)
            .where(Membership.bloc_id == bloc_id)
            .options(selectinload(Membership.contact), selectinload(Membership.agency))
            .order_by(Membership.agency_id, Membership.id)
        )
        return list((await self.session.scalars(query)).all())

    async def linked_ids(self, platform: str) -> list[int]:
        """The ids of the platform's contacts linked to an agency, in order, in one query."""
        query = (
            select(Contact.id)
            .join(Membership, Membership.contact_id == Contact.id)
            .where(Contact.platform == platform)
            .distinct()
            .order_by(Contact.id)
        )
        return list((await self.session.scalars(query)).all())

    async def with_links(self, contact_ids: Sequence[int]) -> list[tuple[Contact, list[Link]]]:
        """These contacts, those linked to an agency, each with its links (newest first), in
        one query."""
        if not contact_ids:
            return []
        found: dict[int, tuple[Contact, list[Link]]] = {}
        for row in await self.session.execute(_WITH_LINKS, {"ids": list(contact_ids)}):
            contact = row[0]
            found.setdefault(contact.id, (contact, []))[1].append(_link(row[1:]))
        return list(found.values())

    async def links(self, contact_id: int) -> list[Link]:
        """The contact's links with agency, bloc and role in the bloc's latest season, newest
        first, in one query."""
        rows = await self.session.execute(_LINKS, {"contact_id": contact_id})
        return [_link(row) for row in rows]

    def link(self, membership: Membership) -> None:
        self.session.add(membership)


class GroupLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_chat(self, platform: str, chat_id: str) -> GroupLink | None:
        query = select(GroupLink).where(
            GroupLink.platform == platform, GroupLink.chat_id == chat_id
        )
        return (await self.session.scalars(query)).one_or_none()

    async def for_bloc(self, bloc_id: int) -> list[GroupLink]:
        query = select(GroupLink).where(GroupLink.bloc_id == bloc_id).order_by(GroupLink.id)
        return list((await self.session.scalars(query)).all())

    async def for_platform(self, platform: str) -> list[GroupLink]:
        """Every group chat of the platform linked to a bloc, in one query."""
        query = select(GroupLink).where(GroupLink.platform == platform).order_by(GroupLink.id)
        return list((await self.session.scalars(query)).all())

    def add(self, link: GroupLink) -> None:
        self.session.add(link)


class EnrolmentFailureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recent(self, platform: str, user_id: str, since: datetime) -> list[datetime]:
        """When this person typed a wrong code since ``since``, oldest first."""
        query = (
            select(EnrolmentFailure.at)
            .where(
                EnrolmentFailure.platform == platform,
                EnrolmentFailure.user_id == user_id,
                EnrolmentFailure.at >= since,
            )
            .order_by(EnrolmentFailure.at)
        )
        return list((await self.session.scalars(query)).all())

    def add(self, platform: str, user_id: str, at: datetime) -> None:
        self.session.add(EnrolmentFailure(platform=platform, user_id=user_id, at=at))


def _known(rows: Sequence[Sequence[Any]]) -> Known:
    """The contact of rows of (contact, state, data, *link columns), one row per link."""
    contact, state, data = rows[0][:3]
    links = [_link(row[3:]) for row in rows if row[3] is not None]
    return Known(contact, (state, data or {}) if state is not None else None, links)


def _link(row: Sequence[Any]) -> Link:
    """A link from the columns of ``_LINK_COLUMNS``."""
    bloc_id, code, name, locale, timezone, agency_id, agency_code, agency_name, role = row
    return Link(
        bloc_id, code, name, locale, timezone, agency_id, agency_code, agency_name,
        Role(role or Role.MEMBER),
    )  # fmt: skip
