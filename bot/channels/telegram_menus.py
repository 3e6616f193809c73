"""Telegram's command menus, set per scope so each person sees only what they may use there.

- default scope (the direct chats of people not linked): the commands for anyone;
- every group chat: the commands for anyone that work in a group;
- the direct chat of a linked person (and of an operator): their commands, by their role, in
  their language;
- each linked person in the groups of their bloc: their commands there, in the bloc's language.

Default and group scopes come in Vietnamese (no language_code) and English ("en").

A person's menus are recorded once set (a digest per scope, per bot): setting everyone's menus
again (a new leader, a restart) sends only those that changed, or were set over a week ago.
The default and group scopes are always sent (four calls).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

from bot.handlers.router import Command, Router
from bot.i18n import _, use_locale
from bot.services.people import Person

log = logging.getLogger(__name__)

PLATFORM = "telegram"
LANGUAGES = (None, "en")  # None: every client without a list of its own language (Vietnamese)
SUMMARY_LENGTH = 256  # Telegram's limit on a command's description
RECORD_EVERY = 200  # menus set between two records of them

DEFAULT: dict[str, Any] = {"type": "default"}
ALL_GROUPS: dict[str, Any] = {"type": "all_group_chats"}


class SafeCall(Protocol):
    """A Bot API call, retried, that logs its failure and never raises: True once made."""

    def __call__(self, method: str, **params: Any) -> Awaitable[bool]: ...


class Directory(Protocol):
    """Who is linked where (bot.services.directory.Directory)."""

    async def person(self, platform: str, user_id: str) -> Person | None: ...

    async def linked(self, platform: str) -> list[Person]: ...

    async def group_chats(self, platform: str, bloc_id: int) -> list[str]: ...

    async def group_chats_by_bloc(self, platform: str) -> dict[int, list[str]]: ...

    async def published_menus(self, platform: str, bot: str) -> dict[str, str]: ...

    async def record_menus(self, platform: str, bot: str, digests: Mapping[str, str]) -> None: ...


class Menus:
    """Publishes the command menus; every call goes through ``call`` (retried, never raising)."""

    def __init__(
        self,
        router: Router,
        locale: str,
        call: SafeCall,
        directory: Directory | None = None,
    ) -> None:
        self.router = router
        self.locale = locale
        self.call = call
        self.directory = directory
        self.nobody = Person(0, PLATFORM, "", "", locale, operator=False)
        self.bot = ""  # the bot's id, once the channel knows it: what is recorded is per bot
        self._known: dict[str, str] = {}  # scope: digest of its menu, as recorded
        self._fresh: dict[str, str] = {}  # menus set and not recorded yet
        self.sent = self.unchanged = 0  # people's menus set and found set, since the start
        self._made: dict[
            tuple[str, tuple[tuple[str, str], ...]], tuple[list[dict[str, str]], str]
        ] = {}

    async def publish_general(self) -> None:
        """The menus of people not linked: direct chats and every group, in both languages."""
        for scope, in_group in ((DEFAULT, False), (ALL_GROUPS, True)):
            commands = self.router.commands_for(self.nobody, in_group)
            for language in LANGUAGES:
                await self._set(scope, commands, language or self.locale, language)

    async def publish_everyone(self) -> None:
        """The menus of every linked person, wherever they are, but those already set."""
        if self.directory is None:
            return
        sent, unchanged = self.sent, self.unchanged
        if self.bot:
            self._known = await self.directory.published_menus(PLATFORM, self.bot)
        try:
            groups = await self.directory.group_chats_by_bloc(PLATFORM)
            for person in await self.directory.linked(PLATFORM):
                await self.publish_person(person, groups)
        finally:
            self._known = {}
            await self._record()
        log.info(
            "telegram menus: %d set, %d already set", self.sent - sent, self.unchanged - unchanged
        )

    async def republish(self, user_id: str) -> None:
        """The menus of one person again, after their links changed."""
        if self.directory is None:
            return
        person = await self.directory.person(PLATFORM, user_id)
        if person is not None:
            await self.publish_person(person, {})
            await self._record()

    async def publish_person(self, person: Person, groups: dict[int, list[str]]) -> None:
        """A person's menu in their direct chat and in the groups of their blocs.

        ``groups`` caches the group chats of each bloc across calls.
        """
        if not person.user_id.isdigit():
            return  # not a Telegram user id
        chat = {"type": "chat", "chat_id": int(person.user_id)}
        commands = self.router.commands_for(person, False)
        await self._set(chat, commands, person.language, None, f"chat:{person.user_id}")
        if self.directory is None:
            return
        for link in person.links:
            if link.bloc_id not in groups:
                groups[link.bloc_id] = await self.directory.group_chats(PLATFORM, link.bloc_id)
            there = dataclasses.replace(person, links=(link,))
            commands = self.router.commands_for(there, True)
            for group in groups[link.bloc_id]:
                scope = {
                    "type": "chat_member",
                    "chat_id": int(group),
                    "user_id": int(person.user_id),
                }
                key = f"chat_member:{group}:{person.user_id}"
                await self._set(scope, commands, link.bloc_locale, None, key)

    async def _set(
        self,
        scope: dict[str, Any],
        commands: list[Command],
        locale: str,
        language_code: str | None,
        key: str | None = None,
    ) -> None:
        """Set a scope's menu; one with a ``key`` (a person's) only if it changed, recorded
        once set."""
        listed, digest = self._listed(commands, locale)
        if key is not None and self._known.get(key) == digest:
            self.unchanged += 1
            return
        done = await self.call(
            "setMyCommands", commands=listed, scope=scope, language_code=language_code
        )
        if key is not None and done:
            self.sent += 1
            self._fresh[key] = digest
            if len(self._fresh) >= RECORD_EVERY:
                await self._record()

    def _listed(self, commands: list[Command], locale: str) -> tuple[list[dict[str, str]], str]:
        """A menu as Telegram takes it, and its digest: made once for each list of commands
        and language (thousands of people share a few of them)."""
        key = (locale, tuple((c.name, c.summary) for c in commands))
        made = self._made.get(key)
        if made is None:
            with use_locale(locale):
                listed = [
                    {"command": c.name, "description": _(c.summary)[:SUMMARY_LENGTH]}
                    for c in commands
                ]
            made = self._made[key] = (listed, _digest(listed))
        return made

    async def _record(self) -> None:
        """Record the menus set since the last time (those not recorded are set again)."""
        fresh, self._fresh = self._fresh, {}
        if not fresh or self.directory is None or not self.bot:
            return
        try:
            await self.directory.record_menus(PLATFORM, self.bot, fresh)
        except Exception as error:
            count = len(fresh)
            log.warning("could not record %d menus set (%s): they will be set again", count, error)


def _digest(listed: list[dict[str, str]]) -> str:
    """What identifies a menu: its commands and their descriptions, in order."""
    text = json.dumps(listed, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
