"""The dispatcher: one Incoming in, the replies out; commands, dialogs and buttons routed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from bot.handlers.context import Context, Services
from bot.handlers.model import Incoming, IncomingKind, Replies
from bot.i18n import _, use_locale

log = logging.getLogger(__name__)

Handler = Callable[[Context, str], Awaitable[None]]


class Audience(StrEnum):
    """Who may use a command; /help lists only what the person may use."""

    ANYONE = "anyone"
    LINKED = "linked"  # linked to an agency
    LEADERS = "leaders"  # head, deputies, operators
    HEADS = "heads"  # head and operators


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    audience: Audience
    summary: str  # an N_() message id
    aliases: tuple[str, ...] = ()
    in_group: bool = True  # may be used in a group chat


class Router:
    """Routes each update to a command, the person's open dialog, or a button handler."""

    def __init__(self, services: Services, default_locale: str = "vi") -> None:
        self.services = services
        self.default_locale = default_locale
        self.commands: dict[str, Command] = {}
        self.ordered: list[Command] = []
        self.flows: dict[str, Handler] = {}
        self.buttons: dict[str, Handler] = {}
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    def command(self, command: Command) -> None:
        self.ordered.append(command)
        for name in (command.name, *command.aliases):
            self.commands[name] = command

    def flow(self, name: str, handler: Handler) -> None:
        """``handler`` reads free text while a person's dialog is in ``name``."""
        self.flows[name] = handler

    def button(self, prefix: str, handler: Handler) -> None:
        """``handler`` gets the payloads ``prefix:...`` of pressed buttons."""
        self.buttons[prefix] = handler

    def allowed(self, ctx: Context, command: Command) -> bool:
        if command.audience is Audience.ANYONE:
            return True
        bloc_id = ctx.bloc_id
        if command.audience is Audience.LINKED:
            return ctx.person.operator or ctx.link is not None
        if bloc_id is None:
            return ctx.person.operator
        if command.audience is Audience.LEADERS:
            return ctx.person.leads(bloc_id)
        return ctx.person.heads(bloc_id)

    def visible(self, ctx: Context) -> Iterator[Command]:
        """The commands this person may use here, in help order."""
        for command in self.ordered:
            if (command.in_group or not ctx.incoming.in_group) and self.allowed(ctx, command):
                yield command

    async def handle(self, incoming: Incoming) -> Replies:
        """Handle one update: at most once, in order within its chat."""
        async with self._chat_lock(incoming.platform, incoming.chat_id):
            return await self._handle(incoming)

    async def _handle(self, incoming: Incoming) -> Replies:
        replies = Replies()
        async with self.services.transaction() as transaction:
            opened = await self.services.people.open(
                platform=incoming.platform,
                update_id=incoming.update_id,
                chat_id=incoming.chat_id,
                user_id=incoming.sender.user_id,
                name=incoming.sender.display_name,
                language_code=incoming.sender.language_code,
                in_group=incoming.in_group,
            )
            if opened is None:
                return replies  # delivered before: already handled
            ctx = Context(
                incoming,
                opened.person,
                opened.conversation,
                opened.group,
                self.services,
                replies,
                self,
            )
            before = (ctx.conversation.flow, dict(ctx.conversation.data))
            locale = opened.group.bloc_locale if opened.group else opened.person.language
            with use_locale(locale):
                try:
                    await self._route(ctx)
                except Exception:
                    log.exception(
                        "failed to handle %s update %s", incoming.platform, incoming.update_id
                    )
                    await transaction.rollback()  # none of this update is kept
                    replies.messages.clear()
                    ctx.reply(
                        _(
                            "Sorry, something went wrong. What you entered before is saved; "
                            "please try again."
                        )
                    )
                    return replies
            if (ctx.conversation.flow, ctx.conversation.data) != before:
                await self.services.people.save(
                    incoming.platform, incoming.chat_id, incoming.sender.user_id, ctx.conversation
                )
        return replies

    async def _route(self, ctx: Context) -> None:
        incoming = ctx.incoming
        if incoming.kind is IncomingKind.EDITED:
            if not incoming.in_group:
                ctx.reply(
                    _(
                        "I do not read edited messages. Please send the corrected text "
                        "as a new message."
                    )
                )
            return
        if incoming.kind is IncomingKind.UNSUPPORTED:
            if not incoming.in_group:
                ctx.reply(_("I can only read text. Send /help to see what I can do."))
            return
        if incoming.kind is IncomingKind.BUTTON:
            await self._press(ctx, incoming.payload or "")
            return
        text = incoming.text.strip()
        if text.startswith("/"):
            await self._command(ctx, text)
            return
        menu = ctx.conversation.data.get("menu")
        if menu and text.isdigit() and 1 <= int(text) <= len(menu):
            await self._press(ctx, menu[int(text) - 1])
            return
        flow = self.flows.get(ctx.conversation.flow or "")
        if flow is not None:
            await flow(ctx, text)
        elif not incoming.in_group:
            ctx.reply(_("Send /help to see what I can do."))

    async def _command(self, ctx: Context, text: str) -> None:
        word, _sep, rest = text[1:].partition(" ")
        name, _at, target = word.partition("@")
        bot = ctx.incoming.bot_username
        if target and bot and target.lower() != bot.lower():
            return  # addressed to another bot in the group
        command = self.commands.get(name.lower())
        if command is None:
            if not ctx.incoming.in_group:
                ctx.reply(
                    _("Unknown command /{name}. Send /help to see the commands.").format(name=name)
                )
            return
        if ctx.incoming.in_group and not command.in_group:
            ctx.reply(_("Please use /{name} in a direct chat with me.").format(name=command.name))
            return
        if not self.allowed(ctx, command):
            if ctx.person.link is None and not ctx.person.operator:
                ctx.reply(
                    _(
                        "You are not linked to an agency yet. Send /start with the invite "
                        "code your bloc head gave you."
                    )
                )
            elif command.audience is Audience.HEADS:
                ctx.reply(
                    _("Only the bloc head or an operator can use /{name}.").format(
                        name=command.name
                    )
                )
            else:
                ctx.reply(
                    _("Only the bloc head, deputies or operators can use /{name}.").format(
                        name=command.name
                    )
                )
            return
        await command.handler(ctx, rest.strip())

    async def _press(self, ctx: Context, payload: str) -> None:
        prefix, _sep, _rest = payload.partition(":")
        handler = self.buttons.get(prefix)
        if handler is None:
            ctx.notice(_("This button has expired."))
            return
        await handler(ctx, payload)

    @asynccontextmanager
    async def _chat_lock(self, platform: str, chat_id: str) -> AsyncIterator[None]:
        key = (platform, chat_id)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
