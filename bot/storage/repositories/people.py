"""Contacts, their links to agencies, and the group chats linked to blocs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.storage.models import Agency, Contact, EnrolmentFailure, GroupLink, Membership


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, platform: str, user_id: str) -> Contact | None:
        query = select(Contact).where(Contact.platform == platform, Contact.user_id == user_id)
        return (await self.session.scalars(query)).one_or_none()

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
