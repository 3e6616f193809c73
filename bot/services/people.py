"""People in the chat: who they are, which agency they speak for, where their dialog stands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.roles import Link as Link  # re-exported
from bot.domain.roles import Role as Role  # re-exported
from bot.i18n import normalize_locale
from bot.storage.models import Bloc, Contact
from bot.storage.uow import UnitOfWork

SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per contact


@dataclass(frozen=True)
class Person:
    """Who sent an update, with their links and rights."""

    contact_id: int
    platform: str
    user_id: str
    name: str
    language: str
    operator: bool
    links: tuple[Link, ...] = ()
    chosen: GroupBloc | None = None  # the bloc an operator chose with /bloc

    @property
    def link(self) -> Link | None:
        """The link used for commands in a direct chat: the most recent one."""
        return self.links[0] if self.links else None

    def link_in(self, bloc_id: int) -> Link | None:
        return next((link for link in self.links if link.bloc_id == bloc_id), None)

    def leads(self, bloc_id: int) -> bool:
        """Head, deputy or operator of this bloc: sees standings, links groups."""
        link = self.link_in(bloc_id)
        return self.operator or (link is not None and link.role in (Role.HEAD, Role.DEPUTY))

    def heads(self, bloc_id: int) -> bool:
        """Head or operator of this bloc: announces results."""
        link = self.link_in(bloc_id)
        return self.operator or (link is not None and link.role is Role.HEAD)


@dataclass(frozen=True)
class GroupBloc:
    """The bloc a group chat is linked to."""

    bloc_id: int
    bloc_code: str
    bloc_name: str
    bloc_locale: str


@dataclass
class Conversation:
    """Where a person's dialog stands in one chat; saved after each update."""

    flow: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def start(self, flow: str, **data: Any) -> None:
        self.flow, self.data = flow, dict(data)

    def end(self) -> None:
        self.flow, self.data = None, {}


@dataclass(frozen=True)
class Opened:
    """A fresh update, ready to handle."""

    person: Person
    conversation: Conversation
    group: GroupBloc | None


class PeopleService:
    """Identifies people and keeps their dialog state."""

    def __init__(
        self,
        unit: UnitOfWork,
        clock: Clock,
        operators: frozenset[tuple[str, str]] = frozenset(),
        default_locale: str = "vi",
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.operators = operators
        self.default_locale = default_locale

    async def open(
        self,
        *,
        platform: str,
        update_id: str,
        chat_id: str,
        user_id: str,
        name: str,
        language_code: str | None,
        in_group: bool,
    ) -> Opened | None:
        """Claim an update and load its person and dialog; None if it was handled before."""
        now = self.clock.now()
        uow = self.unit
        claimed, found = await uow.contacts.claim_with_dialog(
            platform, update_id, now, user_id, chat_id
        )
        if not claimed:
            return None
        links: list[Link] | None = None
        if found is None:  # someone new (whose dialog may outlive a contact forgotten)
            saved = await uow.conversations.state(platform, chat_id, user_id)
            state = (saved.state, saved.data) if saved is not None else None
            contact = Contact(
                platform=platform,
                user_id=user_id,
                display_name=name,
                created_at=now,
                last_seen_at=now,
                language=normalize_locale(language_code, self.default_locale),
            )
            uow.contacts.add(contact)
            await uow.session.flush()
        else:
            contact, state, links = found.contact, found.dialog, found.links
            if name and contact.display_name != name:
                contact.display_name = name
        if contact.last_seen_at is None or now - contact.last_seen_at >= SEEN_EVERY:
            contact.last_seen_at = now
        if contact.unreachable_at is not None:
            contact.unreachable_at = None  # they wrote to us: reachable again
        person = await self._person(uow, contact, links)
        group = await self._group(uow, platform, chat_id) if in_group else None
        conversation = Conversation(state[0], dict(state[1])) if state else Conversation()
        if conversation.flow == "":
            conversation.flow = None
        return Opened(person, conversation, group)

    async def save(
        self, platform: str, chat_id: str, user_id: str, conversation: Conversation
    ) -> None:
        """Store the dialog state (an ended dialog is stored empty)."""
        uow = self.unit
        await uow.conversations.put(
            platform,
            chat_id,
            user_id,
            conversation.flow or "",
            dict(conversation.data),
            self.clock.now(),
        )

    async def person(self, platform: str, user_id: str) -> Person | None:
        """A known person, freshly loaded (after a change to their links or language)."""
        uow = self.unit
        contact = await uow.contacts.get(platform, user_id)
        return await self._person(uow, contact) if contact else None

    async def linked(self, contact_ids: Sequence[int]) -> list[Person]:
        """These contacts as people, those linked to an agency, read in one query (and one
        more for each operator among them)."""
        uow = self.unit
        found = await uow.contacts.with_links(contact_ids)
        return [await self._person(uow, contact, links) for contact, links in found]

    async def set_language(self, contact_id: int, language: str) -> None:
        uow = self.unit
        contact = await uow.contacts.by_id(contact_id)
        if contact is not None:
            contact.language = normalize_locale(language)

    async def _person(
        self, uow: UnitOfWork, contact: Contact, links: list[Link] | None = None
    ) -> Person:
        """Who ``contact`` is, with their links (read now unless given)."""
        if links is None:
            links = await uow.contacts.links(contact.id)
        operator = (contact.platform, contact.user_id) in self.operators
        return Person(
            contact_id=contact.id,
            platform=contact.platform,
            user_id=contact.user_id,
            name=contact.display_name,
            language=contact.language or self.default_locale,
            operator=operator,
            links=tuple(links),
            chosen=await _bloc(uow, contact.chosen_bloc_id) if operator else None,
        )

    async def _group(self, uow: UnitOfWork, platform: str, chat_id: str) -> GroupBloc | None:
        link = await uow.groups.for_chat(platform, chat_id)
        return await _bloc(uow, link.bloc_id if link else None)


async def _bloc(uow: UnitOfWork, bloc_id: int | None) -> GroupBloc | None:
    bloc = await uow.session.get(Bloc, bloc_id) if bloc_id is not None else None
    return GroupBloc(bloc.id, bloc.code, bloc.name, bloc.locale) if bloc else None
