"""The bloc's contacts (cán bộ đầu mối) as its head sees them, and the bloc an operator acts on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Member:
    """One contact linked to one agency of the bloc; ``number`` is how /members names it."""

    number: int
    membership_id: int
    contact_id: int
    name: str
    platform: str
    user_id: str
    language: str | None
    linked_at: datetime
    last_seen_at: datetime | None
    unreachable_at: datetime | None


@dataclass(frozen=True)
class AgencyMembers:
    code: str
    name: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Roster:
    """Every agency of the bloc in its order, with its contacts (numbered across the bloc)."""

    bloc_code: str
    bloc_name: str
    timezone: str
    agencies: tuple[AgencyMembers, ...]

    @property
    def members(self) -> list[Member]:
        return [member for agency in self.agencies for member in agency.members]

    def number(self, number: int) -> tuple[AgencyMembers, Member] | None:
        for agency in self.agencies:
            for member in agency.members:
                if member.number == number:
                    return agency, member
        return None


@dataclass(frozen=True)
class BlocChoice:
    """A bloc an operator can choose to act on."""

    bloc_id: int
    code: str
    name: str


class MemberService:
    """Lists and unlinks the bloc's contacts; remembers the bloc an operator acts on."""

    def __init__(self, unit: UnitOfWork, clock: Clock) -> None:
        self.unit = unit
        self.clock = clock

    async def roster(self, bloc_id: int) -> Roster:
        """The bloc's agencies and who is linked to each, oldest link first."""
        uow = self.unit
        found = await uow.blocs.by_id(bloc_id)
        bloc = await uow.blocs.get(found.code) if found else None
        if bloc is None:
            raise LookupError(bloc_id)
        links = await uow.contacts.in_bloc(bloc_id)
        links.sort(key=lambda m: (m.linked_at, m.id))
        agencies, number = [], 0
        for agency in bloc.agencies:
            members = []
            for link in (m for m in links if m.agency_id == agency.id):
                number += 1
                contact = link.contact
                members.append(
                    Member(
                        number,
                        link.id,
                        contact.id,
                        contact.display_name,
                        contact.platform,
                        contact.user_id,
                        contact.language,
                        link.linked_at,
                        contact.last_seen_at,
                        contact.unreachable_at,
                    )
                )
            agencies.append(AgencyMembers(agency.code, agency.name, tuple(members)))
        return Roster(bloc.code, bloc.name, bloc.timezone, tuple(agencies))

    async def unlink(self, bloc_id: int, membership_id: int) -> bool:
        """Delete one link of the bloc (the contact stays); False if it is gone already."""
        uow = self.unit
        for link in await uow.contacts.in_bloc(bloc_id):
            if link.id == membership_id:
                await uow.session.delete(link)
                await uow.session.flush()
                return True
        return False

    async def blocs(self) -> list[BlocChoice]:
        """Every bloc, by code."""
        return [BlocChoice(*row) for row in await self.unit.blocs.choices()]

    async def choose(self, contact_id: int, bloc_code: str) -> BlocChoice | None:
        """Remember the bloc the contact (an operator) acts on; None if no bloc has the code."""
        uow = self.unit
        bloc = await uow.blocs.get(bloc_code.strip().lower())
        contact = await uow.contacts.by_id(contact_id)
        if bloc is None or contact is None:
            return None
        contact.chosen_bloc_id = bloc.id
        return BlocChoice(bloc.id, bloc.code, bloc.name)
