"""The router: one Incoming in, the replies out; commands, dialogs and buttons routed."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.handlers.context import Begin, Context
from bot.handlers.formatting import excerpt
from bot.handlers.incoming_text import cleaned, numberish
from bot.handlers.model import Incoming, IncomingKind, Replies
from bot.handlers.turns import ChatTurns
from bot.i18n import _, use_locale
from bot.services.people import Conversation, Person

log = logging.getLogger(__name__)

Handler = Callable[[Context, str], Awaitable[None]]
# Looks at a file sent in a direct chat with no dialog that takes files open: True if taken.
StrayFile = Callable[[Context], Awaitable[bool]]

# Typed-in state a failed update must not leave behind: a question waiting for free text.
PENDING_KEYS = ("awaiting",)


class Audience(StrEnum):
    """Who may use a command; /help lists only what the person may use."""

    ANYONE = "anyone"
    LINKED = "linked"  # linked to an agency
    LEADERS = "leaders"  # head, deputies, operators
    HEADS = "heads"  # head and operators
    OPERATORS = "operators"  # operators only


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    audience: Audience
    summary: str  # an N_() message id
    aliases: tuple[str, ...] = ()
    in_group: bool = True  # may be used in a group chat
    unlinked_only: bool = False  # listed in /help only for people not linked yet
    listed_for: Audience | None = None  # who sees it in /help, if not all who may use it


class Router:
    """Routes each update to a command, the person's open dialog, or a button handler."""

    def __init__(self, begin: Begin, default_locale: str = "vi") -> None:
        self.begin = begin
        self.default_locale = default_locale
        self.commands: dict[str, Command] = {}
        self.ordered: list[Command] = []
        self.flows: dict[str, Handler] = {}
        self.off_menu: dict[str, Handler] = {}
        self.on_cancel: dict[str, Callable[[Context], str]] = {}
        self.media: dict[str, Handler] = {}
        self.buttons: dict[str, Handler] = {}
        self.uploads: dict[str, Handler] = {}
        self.stray_files: list[StrayFile] = []
        self.free_text: Handler | None = None
        self.turns = ChatTurns()

    def command(self, command: Command) -> None:
        self.ordered.append(command)
        for name in (command.name, *command.aliases):
            self.commands[name] = command

    def flow(
        self,
        name: str,
        handler: Handler,
        off_menu: Handler | None = None,
        on_cancel: Callable[[Context], str] | None = None,
        media: Handler | None = None,
    ) -> None:
        """``handler`` reads free text while a person's dialog is in ``name``.

        ``off_menu`` answers a number typed while a menu is the question but is not one of its
        choices (or cannot be, where the options are buttons without numbers). ``on_cancel``
        says what /cancel keeps and what it drops of the dialog. ``media`` gets the files and
        the messages the bot cannot read sent in a direct chat while the dialog is open.
        """
        self.flows[name] = handler
        if media is not None:
            self.media[name] = media
        if off_menu is not None:
            self.off_menu[name] = off_menu
        if on_cancel is not None:
            self.on_cancel[name] = on_cancel

    def cancelled(self, ctx: Context) -> str | None:
        """What leaving the person's dialog keeps and drops, if its flow says."""
        describe = self.on_cancel.get(ctx.conversation.flow or "")
        return describe(ctx) if describe is not None else None

    def button(self, prefix: str, handler: Handler) -> None:
        """``handler`` gets the payloads ``prefix:...`` of pressed buttons."""
        self.buttons[prefix] = handler

    def upload(self, purpose: str, handler: Handler) -> None:
        """``handler`` gets the files sent through the upload pages of ``purpose`` (their
        payload ``purpose:...``), whatever dialog is open."""
        self.uploads[purpose] = handler

    def stray_file(self, handler: StrayFile) -> None:
        """``handler`` may take a file sent in a direct chat while no dialog that takes files
        is open; when none does, the person is told the bot reads text."""
        self.stray_files.append(handler)

    def fallback(self, handler: Handler) -> None:
        """``handler`` reads free text in a direct chat while no dialog is open.

        Without one, such text gets a pointer to /help.
        """
        self.free_text = handler

    def allowed(self, ctx: Context, command: Command, audience: Audience | None = None) -> bool:
        audience = audience or command.audience
        if audience is Audience.ANYONE:
            return True
        if audience is Audience.OPERATORS:
            return ctx.person.operator
        bloc_id = ctx.bloc_id
        if audience is Audience.LINKED:
            return ctx.person.operator or ctx.link is not None
        if bloc_id is None:
            return ctx.person.operator
        if audience is Audience.LEADERS:
            return ctx.person.leads(bloc_id)
        return ctx.person.heads(bloc_id)

    def visible(self, ctx: Context) -> Iterator[Command]:
        """The commands this person may use here, in help order."""
        link = ctx.link  # their link in the bloc of this chat, first
        here = dataclasses.replace(ctx.person, links=(link,) if link else ())
        linked = ctx.person.link is not None
        for command in self.commands_for(here, ctx.incoming.in_group):
            if not (command.unlinked_only and linked):
                yield command

    def commands_for(self, person: Person, in_group: bool) -> list[Command]:
        """The commands ``person`` sees listed in a direct chat (or a group) of the bloc of
        their first link, in help order: what /help and the command menu show them."""
        link = person.link
        found = []
        for command in self.ordered:
            if (command.unlinked_only and link is not None) or (in_group and not command.in_group):
                continue
            audience = command.listed_for or command.audience
            if audience is Audience.ANYONE:
                allowed = True
            elif audience is Audience.OPERATORS:
                allowed = person.operator
            elif audience is Audience.LINKED:
                allowed = person.operator or link is not None
            elif link is None:
                allowed = person.operator
            elif audience is Audience.LEADERS:
                allowed = person.leads(link.bloc_id)
            else:
                allowed = person.heads(link.bloc_id)
            if allowed:
                found.append(command)
        return found

    async def person(self, platform: str, user_id: str) -> Person | None:
        """Who a platform user is now (for a channel that shows it), read in a unit of work
        of its own."""
        async with self.begin() as work:
            return await work.people.person(platform, user_id)

    def turn(self, platform: str, chat_id: str) -> AbstractAsyncContextManager[None]:
        """The chat's turn: a channel that also sends the replies holds it throughout."""
        return self.turns.turn(platform, chat_id)

    async def handle(self, incoming: Incoming) -> Replies:
        """Handle one update in its chat's turn: at most once, in order within its chat."""
        async with self.turn(incoming.platform, incoming.chat_id):
            return await self.handle_in_turn(incoming)

    async def handle_in_turn(self, incoming: Incoming) -> Replies:
        """Handle one update, for a caller that holds the chat's turn (``turn()``)."""
        return await self._handle(cleaned(incoming))

    async def _handle(self, incoming: Incoming) -> Replies:
        """Handle one update in one unit of work, committed once at the end."""
        replies = Replies()
        async with self.begin() as work:
            opened = await work.people.open(
                platform=incoming.platform,
                update_id=incoming.update_id,
                chat_id=incoming.chat_id,
                user_id=incoming.sender.user_id,
                name=incoming.sender.display_name,
                language_code=incoming.sender.language_code,
                in_group=incoming.in_group,
            )
            if opened is None:
                replies.outcome = "duplicate"
                return replies  # delivered before: already handled
            ctx = Context(
                incoming, opened.person, opened.conversation, opened.group, work, replies, self
            )
            before = (ctx.conversation.flow, dict(ctx.conversation.data))
            locale = opened.group.bloc_locale if opened.group else opened.person.language
            with use_locale(locale):
                try:
                    await self._route(ctx)
                except Exception as error:
                    await work.rollback()  # none of this update is kept
                    self._failed(ctx, error)
                    kept = _without_pending(before)
                    if kept.data != before[1]:
                        # The question the failed message answered goes with it: what comes
                        # next is not read as the answer to a question whose answer was lost.
                        await self._save(ctx, kept)
                else:
                    if (ctx.conversation.flow, ctx.conversation.data) != before:
                        await self._save(ctx, ctx.conversation)
            await work.commit()
        await self._later(incoming, replies)
        return replies

    @staticmethod
    async def _later(incoming: Incoming, replies: Replies) -> None:
        """What the update left for after its commit; each failure in one line."""
        jobs, replies.later = replies.later, []
        for job in jobs:
            try:
                await job()
            except Exception as error:
                log.error(
                    "the work after %s update %s failed: %s: %s",
                    incoming.platform,
                    incoming.update_id,
                    type(error).__name__,
                    excerpt(str(error), 200),
                )
                log.debug("the traceback of update %s", incoming.update_id, exc_info=error)

    @staticmethod
    def _failed(ctx: Context, error: Exception) -> None:
        """Say in one line what failed (the traceback at debug), and sorry to the person."""
        incoming, replies = ctx.incoming, ctx.replies
        log.error(
            "failed to handle %s update %s: %s: %s",
            incoming.platform,
            incoming.update_id,
            type(error).__name__,
            excerpt(str(error), 200),
        )
        log.debug("the traceback of update %s", incoming.update_id, exc_info=error)
        replies.messages.clear()
        replies.later.clear()
        replies.notice = None
        replies.outcome = "failed"
        ctx.reply(
            _(
                "Sorry, something went wrong: your last message was not saved. "
                "What you entered before is kept; please send it again."
            )
        )

    @staticmethod
    async def _save(ctx: Context, conversation: Conversation) -> None:
        incoming = ctx.incoming
        await ctx.services.people.save(
            incoming.platform, incoming.chat_id, incoming.sender.user_id, conversation
        )

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
        if incoming.kind is IncomingKind.UPLOAD:
            await self._upload(ctx, incoming.payload or "")
            return
        if incoming.kind in (IncomingKind.FILE, IncomingKind.UNSUPPORTED):
            media = self.media.get(ctx.conversation.flow or "")
            if media is not None and not incoming.in_group:
                await media(ctx, incoming.text.strip())
            elif not incoming.in_group and not await self._stray(ctx):
                ctx.reply(_("I can only read text. Send /help to see what I can do."))
            return
        if incoming.kind is IncomingKind.WITHHELD:
            if not incoming.in_group:
                ctx.tell(
                    _(
                        "Your message reached me without its content, so I could not read it. "
                        "If it was meant for me, please write it as text."
                    )
                )
            return
        if incoming.kind is IncomingKind.BUTTON:
            await self._press(ctx, incoming.payload or "")
            return
        text = incoming.text.strip()
        if text.startswith("/"):
            await self._command(ctx, text)
            return
        menu = ctx.conversation.data.get("menu")
        if menu and numberish(text) and not incoming.reply_payloads:
            # A menu is the question: a number is one of its choices where the choices are
            # numbered, and never a value meant for something else. (A reply to one of the
            # bot's messages says itself what it answers: its flow reads it.)
            choice = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else 0
            if not incoming.buttons_shown and 1 <= choice <= len(menu):
                await self._press(ctx, menu[choice - 1])
                return
            off_menu = self.off_menu.get(ctx.conversation.flow or "")
            if off_menu is not None:
                await off_menu(ctx, text)
            elif incoming.buttons_shown:
                ctx.tell(_("Please answer with one of the buttons above."))
            elif len(menu) == 1:
                ctx.tell(_("Please answer 1 to choose the option above, or send a command."))
            else:
                ctx.tell(
                    _("Please answer with a number from 1 to {count}.").format(count=len(menu))
                )
            return
        flow = self.flows.get(ctx.conversation.flow or "")
        if flow is not None:
            await flow(ctx, text)
        elif incoming.in_group:
            return
        elif self.free_text is not None:
            await self.free_text(ctx, text)
        else:
            ctx.reply(_("Send /help to see what I can do."))

    async def _command(self, ctx: Context, text: str) -> None:
        word, _sep, rest = text[1:].partition(" ")
        name, _at, target = word.partition("@")
        bot = ctx.incoming.bot_username
        if target and bot and target.lower() != bot.lower():
            if not ctx.incoming.in_group:
                ctx.reply(
                    _("/{name} is addressed to @{target}, not to me (@{bot}).").format(
                        name=excerpt(name, 20), target=excerpt(target, 32), bot=bot
                    )
                )
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
            if command.audience is Audience.OPERATORS:
                ctx.reply(_("Only an operator can use /{name}.").format(name=command.name))
            elif ctx.person.link is None and not ctx.person.operator:
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
        unchosen = ctx.person.operator and ctx.bloc_id is None and not ctx.incoming.in_group
        if unchosen and command.audience is not Audience.ANYONE:
            # An operator of no agency, in a direct chat: no bloc to act on until they choose.
            ctx.reply(_("Choose the bloc to act on first: /bloc CODE (/bloc lists them)."))
            return
        await command.handler(ctx, rest.strip())
        chosen = ctx.chosen_bloc
        if chosen is not None and command.audience is not Audience.ANYONE:
            ctx.headline(_("Bloc {code}:").format(code=chosen.bloc_code))

    async def _upload(self, ctx: Context, payload: str) -> None:
        purpose, _sep, _rest = payload.partition(":")
        handler = self.uploads.get(purpose)
        if handler is None or ctx.incoming.in_group:
            ctx.reply(_("This upload link is not valid."))
            return
        await handler(ctx, payload)

    async def _stray(self, ctx: Context) -> bool:
        """Whether a handler took a file sent outside a dialog that takes files."""
        if ctx.incoming.file is None:
            return False
        for handler in self.stray_files:
            if await handler(ctx):
                return True
        return False

    async def _press(self, ctx: Context, payload: str) -> None:
        prefix, _sep, _rest = payload.partition(":")
        handler = self.buttons.get(prefix)
        if handler is None:
            ctx.notice(_("This button has expired."))
            return
        await handler(ctx, payload)


def _without_pending(before: tuple[str | None, dict[str, Any]]) -> Conversation:
    flow, data = before
    return Conversation(flow, {k: v for k, v in data.items() if k not in PENDING_KEYS})
