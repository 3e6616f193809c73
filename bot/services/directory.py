"""Who is linked where on a platform: what a channel needs to set each person's command menu."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import timedelta

from bot.clock import Clock, SystemClock
from bot.services.people import PeopleService, Person
from bot.storage.uow import UnitOfWork, UnitOfWorkFactory

BATCH = 200  # people read in one query, in a unit of work of its own
# A menu set longer ago than this is set again even if unchanged: one changed outside the bot
# (another deployment of the same bot, a client that lost it) is mended within a week.
MENU_KEPT = timedelta(days=7)


class Directory:
    """The linked people of a platform and the group chats of their blocs, and the menus the
    channel last set (a unit of work for each question; only ``record_menus`` commits)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        people: Callable[[UnitOfWork], PeopleService],
        clock: Clock | None = None,
    ) -> None:
        self.uow = uow
        self.people = people
        self.clock = clock or SystemClock()

    async def person(self, platform: str, user_id: str) -> Person | None:
        """A person as they stand now; an operator who never wrote is one too."""
        async with self.uow() as unit:
            return await self._person(self.people(unit), platform, user_id)

    @staticmethod
    async def _person(people: PeopleService, platform: str, user_id: str) -> Person | None:
        person = await people.person(platform, user_id)
        if person is None and (platform, user_id) in people.operators:
            return Person(0, platform, user_id, "", people.default_locale, operator=True)
        return person

    async def linked(self, platform: str) -> list[Person]:
        """Everyone of the platform linked to an agency, and its operators: read ``BATCH`` at a
        time, each batch in one query and a unit of work of its own, replies going first in
        between."""
        async with self.uow() as unit:
            operators = {user for where, user in self.people(unit).operators if where == platform}
            contact_ids = await unit.contacts.linked_ids(platform)
        found: list[Person] = []
        for start in range(0, len(contact_ids), BATCH):
            async with self.uow() as unit:
                found += await self.people(unit).linked(contact_ids[start : start + BATCH])
            await asyncio.sleep(0)
        others = sorted(operators - {person.user_id for person in found})
        if others:
            async with self.uow() as unit:
                people = self.people(unit)
                for user in others:
                    operator = await self._person(people, platform, user)
                    if operator is not None:
                        found.append(operator)
        return found

    async def group_chats(self, platform: str, bloc_id: int) -> list[str]:
        """The chat ids of the bloc's groups on the platform."""
        async with self.uow() as uow:
            links = await uow.groups.for_bloc(bloc_id)
            return [link.chat_id for link in links if link.platform == platform]

    async def group_chats_by_bloc(self, platform: str) -> dict[int, list[str]]:
        """The chat ids of every bloc's groups on the platform, in one query."""
        async with self.uow() as uow:
            chats: dict[int, list[str]] = {}
            for link in await uow.groups.for_platform(platform):
                chats.setdefault(link.bloc_id, []).append(link.chat_id)
            return chats

    async def published_menus(self, platform: str, bot: str) -> dict[str, str]:
        """The digest of each menu scope the bot set in the last ``MENU_KEPT``, by scope."""
        async with self.uow() as uow:
            return await uow.menus.published(platform, bot, self.clock.now() - MENU_KEPT)

    async def record_menus(self, platform: str, bot: str, digests: Mapping[str, str]) -> None:
        """The bot has just set these scopes' menus (scope: digest)."""
        async with self.uow() as uow:
            await uow.menus.record(platform, bot, digests, self.clock.now())
            await uow.commit()
