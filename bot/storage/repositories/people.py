"""Contacts, their links to agencies, and the group chats linked to blocs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
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
    Season,
    SeasonMember,
)

_CONTACT = select(Contact).where(
    Contact.platform == bindparam("platform"), Contact.user_id == bindparam("user_id")
)
# The contact and its dialog state in one chat, in one query.
_CONTACT_AND_STATE = (
    select(Contact, ConversationState.state, ConversationState.data)
    .outerjoin(
        ConversationState,
        and_(
            ConversationState.platform == Contact.platform,
            ConversationState.user_id == Contact.user_id,
            ConversationState.chat_id == bindparam("chat_id"),
        ),
    )
    .where(Contact.platform == bindparam("platform"), Contact.user_id == bindparam("user_id"))
)
_LATEST_SEASON = (
    select(Season.id)
    .where(Season.bloc_id == Membership.bloc_id)
    .order_by(Season.year.desc())
    .limit(1)
    .correlate(Membership)
    .scalar_subquery()
)
_LINKS = (
    select(
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
    .join(Agency, Agency.id == Membership.agency_id)
    .join(Bloc, Bloc.id == Membership.bloc_id)
    .outerjoin(
        SeasonMember,
        (SeasonMember.agency_id == Membership.agency_id)
        & (SeasonMember.season_id == _LATEST_SEASON),
    )
    .where(Membership.contact_id == bindparam("contact_id"))
    .order_by(Membership.linked_at.desc(), Membership.id.desc())
)


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, platform: str, user_id: str) -> Contact | None:
        params = {"platform": platform, "user_id": user_id}
        return (await self.session.scalars(_CONTACT, params)).one_or_none()

    async def with_state(
        self, platform: str, user_id: str, chat_id: str
    ) -> tuple[Contact, tuple[str, dict[str, Any]] | None] | None:
        """The contact and its dialog (state, data) in ``chat_id``, if it has one there; None
        for someone not known yet."""
        params = {"platform": platform, "user_id": user_id, "chat_id": chat_id}
        found = (await self.session.execute(_CONTACT_AND_STATE, params)).first()
        if found is None:
            return None
        contact, state, data = found
        return contact, (state, data or {}) if state is not None else None

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

    async def links(self, contact_id: int) -> list[Link]:
        """The contact's links with agency, bloc and role in the bloc's latest season, newest
        first, in one query."""
        rows = await self.session.execute(_LINKS, {"contact_id": contact_id})
        return [Link(*row[:-1], role=Role(row[-1] or Role.MEMBER)) for row in rows]

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
