"""The console channel: chat with the bot in a terminal (or through a pipe) as any contact.

Every line a person types becomes an ``Incoming`` on the platform ``console``, except the
meta-commands, which steer the console itself: ``:as CODE`` (be that agency's contact),
``:in group`` / ``:in dm``, ``:who``, ``:time`` (move the clock), ``:paste`` (several lines as
one message), ``:on zalo`` / ``:on telegram`` / ``:on console`` (show replies as that platform
renders them), ``:press`` (a button, as on Telegram), ``:reset``, ``:help`` and ``:quit``. Lines
pasted into a terminal at once are one message too. Replies are printed under the prompt; what
the bot sends to the group or to other people is printed with a prefix, so one sees everything
the bloc receives. A file the bot sends is saved in a folder (``exports/``), its path shown.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from bot.channels.attachments import from_payload
from bot.channels.console_files import EXPORTS, saved_line, with_files
from bot.channels.console_help import help_text, look_changed, look_now
from bot.channels.console_input import Keyboard, catch_interrupt, mute
from bot.channels.console_render import SEPARATOR, Look, Press, Screen
from bot.channels.console_time import example_day, move_time
from bot.channels.hub import Hub
from bot.clock import OffsetClock
from bot.handlers.formatting import role_name
from bot.handlers.model import ChatKind, Incoming, IncomingKind, Outgoing, Sender
from bot.handlers.router import Router
from bot.i18n import _, use_locale
from bot.scheduler.sending import Delivery, DeliveryResult, Parcel, PartRecorder
from bot.storage.files import DEFAULT_FOLDER, FileStore, FolderStore

PLATFORM = "console"
BOT_USERNAME = "blocbot"
HEAD = "head"  # ``:as head``: the contact of the head agency


@dataclass(frozen=True)
class Stage:
    """What the console plays on: the bot, the people one can be, and the bloc's group."""

    router: Router
    contacts: Mapping[str, Sender]  # agency code -> that agency's console contact
    head: str  # agency code of the bloc head
    group_id: str
    group_title: str
    timezone: str = "Asia/Ho_Chi_Minh"
    clock: OffsetClock | None = None  # ``:time`` moves it
    fire: Callable[[], Awaitable[object]] | None = None  # send what became due


Reset = Callable[[], Awaitable[Stage]]
MORE = "… "  # the prompt of the next line of a ``:paste``


class ConsoleChannel:
    """The console adapter: one person at a time types, the bot answers in the terminal.

    It registers with ``hub`` as the channel of the console platform: replies for other chats
    (the group, other people) come back through ``send`` and are shown with a prefix.
    """

    platform = PLATFORM

    def __init__(
        self,
        stage: Stage,
        *,
        start: str,
        reset: Reset | None = None,
        source: TextIO | None = None,
        out: TextIO | None = None,
        interactive: bool | None = None,
        hub: Hub | None = None,
        files: FileStore | None = None,
        exports: Path = EXPORTS,
    ) -> None:
        self.stage = stage
        self.start = start
        self.code = start  # the agency whose contact is typing
        self.in_group = False
        self.reset = reset
        self.source = source or sys.stdin
        self.out = out or sys.stdout
        self.interactive = self.source.isatty() if interactive is None else interactive
        self.keyboard = Keyboard(self.source, self.out, self.interactive)
        self._updates = itertools.count(1)
        self.screen = Screen()  # how replies look: ``:on`` changes it
        self._bubbled = False  # the bot spoke since the last line: its next message is set apart
        self.hub = hub or Hub()
        self.hub.register(PLATFORM, self)
        self.files = files or FolderStore(DEFAULT_FOLDER)  # the files of outbox messages
        self.exports = exports  # where the files the bot sends are saved

    @property
    def sender(self) -> Sender:
        return self.stage.contacts[self.code]

    @property
    def chat_id(self) -> str:
        return self.stage.group_id if self.in_group else self.sender.user_id

    async def run(self) -> int:
        """Read lines until ``:quit`` or the end of the input; 0 when done."""
        stop = catch_interrupt(self.keyboard.reader) if self.interactive else lambda: None
        try:
            while True:
                prompt = await self.prompt()
                text = await self.keyboard.message(prompt)
                if text is None:
                    break
                self._bubbled = False
                if not text:
                    continue
                if not self.interactive:
                    self.write(f"{prompt}{text}")
                if text.startswith(":"):
                    if not await self.meta(text):
                        break
                else:
                    await self.say(text)
                self.write("")
        except BrokenPipeError:  # the reader of the output went away (| head): nothing to say
            mute(self.out)
        finally:
            stop()
        return 0

    async def say(self, text: str) -> None:
        """Send a message (one line or several) to the bot as the current person, here, and
        show what comes back."""
        await self._send(self._incoming(text=text))

    async def press(self, which: str) -> None:
        """Press a button of a message shown here (by its number or label), as on Telegram."""
        if self.screen.look is not Look.TELEGRAM:
            self.write(
                _("Buttons can be pressed only after :on telegram; here, type the number or word.")
            )
            return
        found = self.screen.press(self.chat_id, which)
        if not isinstance(found, Press):
            self.write(found)
            return
        update_id = str(next(self._updates))
        await self._send(
            self._incoming(
                update_id,
                kind=IncomingKind.BUTTON,
                payload=found.button.payload,
                callback_id=f"callback-{update_id}",
                message_id=found.message_id,
            )
        )

    def _incoming(self, update_id: str | None = None, **fields: Any) -> Incoming:
        """An update from the person at the keyboard, here."""
        return Incoming(
            platform=PLATFORM,
            update_id=update_id or str(next(self._updates)),
            chat_id=self.chat_id,
            chat_kind=ChatKind.GROUP if self.in_group else ChatKind.PRIVATE,
            sender=self.sender,
            chat_title=self.stage.group_title if self.in_group else "",
            bot_username=BOT_USERNAME,
            buttons_shown=self.screen.look is Look.TELEGRAM,
            **fields,
        )

    async def _send(self, incoming: Incoming) -> None:
        """Hand ``incoming`` to the bot and show what comes back, wherever it goes."""
        replies = await self.stage.router.handle(incoming)
        if replies.notice:
            self.write(f"({replies.notice})")
        await self.hub.send_replies(replies, incoming, partial(self._reply, incoming))
        if self.stage.fire is not None:
            await self.stage.fire()  # what the update put in the outbox goes out now

    async def send(self, outgoing: Outgoing) -> None:
        """Show a message the bot sends on its own initiative (the hub's sender for console)."""
        if outgoing.chat_id is None:
            raise ValueError("a message sent on the bot's initiative needs a chat_id")
        prompt = self.keyboard.prompt
        if prompt is not None:
            self.out.write("\n")
            self._bubbled = False  # the prompt stands between the last message and this one
        await self._show(outgoing, outgoing.chat_id)
        if prompt is not None:
            self.out.write(prompt)
            self.out.flush()

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        """Show a message of the outbox (a reminder, a group post): the console never fails."""
        try:
            files = from_payload(parcel.payload)
        except ValueError as error:
            return DeliveryResult(Delivery.REJECTED, error=f"bad attachment: {error}")
        await self.send(
            Outgoing(parcel.text, platform=PLATFORM, chat_id=parcel.chat_id, attachments=files)
        )
        return DeliveryResult(Delivery.SENT)

    async def meta(self, line: str) -> bool:
        """Carry out a console command; False to stop."""
        word, _space, rest = line[1:].partition(" ")
        word, rest = word.lower(), rest.strip()
        with use_locale(await self.language()):
            if word in ("quit", "exit", "q"):
                return False
            if word == "as":
                await self._act_as(rest)
            elif word == "in":
                await self._go_in(rest)
            elif word == "who":
                await self.who()
            elif word == "reset":
                await self._start_over()
            elif word == "time":
                stage = self.stage
                self.write(await move_time(stage.clock, stage.fire, stage.timezone, rest))
            elif word == "on":
                self._look_as(rest)
            elif word == "press":
                await self.press(rest)
            elif word == "paste":
                text = await self._paste(rest)
                if text:
                    await self.say(text)
            elif word == "help":
                self.write(self.help_text())
            else:
                self.write(
                    _("Unknown console command {command}. Send :help to see them.").format(
                        command=f":{word}"
                    )
                )
        return True

    async def who(self) -> None:
        """Say who and where the person at the keyboard is."""
        person = await self.stage.router.person(PLATFORM, self.sender.user_id)
        link = person.link if person else None
        name = person.name if person else self.sender.display_name
        if link is None:
            self.write(_("You are {name}, not linked to an agency.").format(name=name))
        else:
            self.write(
                _("You are the contact officer of {agency} ({code}), {role}.").format(
                    agency=link.agency_name, code=link.agency_code, role=role_name(link.role)
                )
            )
        self.write(self._here())
        if self.screen.look is not Look.CONSOLE:
            self.write(look_now(self.screen.look))

    def _look_as(self, name: str) -> None:
        """Show replies from now on as the platform ``name`` renders them (``:on``)."""
        try:
            self.screen.look = Look(name.lower())
        except ValueError:
            self.write(_("Write :on zalo, :on telegram or :on console."))
            return
        self.write(look_changed(self.screen.look))

    def _here(self) -> str:
        if self.in_group:
            return _("Here: the group {title}.").format(title=self.stage.group_title)
        return _("Here: a direct chat with the bot.")

    def help_text(self) -> str:
        """The console commands."""
        stage = self.stage
        day = example_day(stage.clock, stage.timezone)
        return help_text(stage.contacts, stage.head, day, self.screen.look)

    async def prompt(self) -> str:
        """``thue › `` in a direct chat, ``nhóm · nhnn › `` in the group; ``Zalo · thue › ``
        when replies look as on Zalo."""
        look = self.screen.look
        platform = "" if look is Look.CONSOLE else f"{look.platform_name} · "
        if not self.in_group:
            return f"{platform}{self.code} › "
        with use_locale(await self.language()):
            group = _("group")
            return f"{platform}{group} · {self.code} › "

    async def language(self) -> str:
        """The language of the person at the keyboard."""
        person = await self.stage.router.person(PLATFORM, self.sender.user_id)
        return person.language if person else self.stage.router.default_locale

    def write(self, text: str) -> None:
        self.out.write(f"{text}\n")
        self.out.flush()

    async def _act_as(self, who: str) -> None:
        code = self.stage.head if who.lower() == HEAD else who.lower()
        if code not in self.stage.contacts:
            codes = ", ".join(self.stage.contacts)
            self.write(
                _("Unknown agency {code}. Choose one of: {codes}, or head.").format(
                    code=who or "?", codes=codes
                )
            )
            return
        self.code = code
        with use_locale(await self.language()):
            await self.who()

    async def _go_in(self, where: str) -> None:
        if where.lower() in ("group", "nhom", "nhóm"):
            self.in_group = True
        elif where.lower() in ("dm", "private", "rieng", "riêng"):
            self.in_group = False
        else:
            self.write(_("Use :in group or :in dm."))
            return
        self.write(self._here())

    async def _paste(self, first: str) -> str:
        """The lines that follow, up to an empty one or the end of the input, as one text."""
        lines = [first] if first else []
        if self.interactive:
            self.write(_("Type or paste the lines; an empty line sends them."))
        while True:
            line = await self.keyboard.line(MORE)
            if line is None or not line.strip():
                break
            if not self.interactive:
                self.write(f"{MORE}{line.strip()}")
            lines.append(line.strip())
        return "\n".join(lines)

    async def _start_over(self) -> None:
        if self.reset is None:
            self.write(_("Starting over is not available here."))
            return
        self.stage = await self.reset()
        self.code, self.in_group = self.start, False
        self.screen.forget()  # the messages shown so far, and their buttons, are gone
        with use_locale(await self.language()):
            self.write(_("The demo database was recreated; everything starts over."))
            await self.who()

    async def _reply(self, incoming: Incoming, message: Outgoing) -> None:
        """Show a reply in the chat of ``incoming``; ``edit`` replaces the message of its
        button where the look has edits (Telegram)."""
        edited = incoming.message_id if message.edit else None
        await self._show(message, incoming.chat_id, edited)

    async def _show(self, message: Outgoing, chat_id: str, edited: str | None = None) -> None:
        """Show ``message`` as the messages it arrives as: here as they are, in another chat
        under a header; on a platform's look each message apart."""
        bubbles = self.screen.bubbles(message, chat_id, edited)
        if message.attachments:
            with use_locale(await self.language()):
                saved = [
                    await saved_line(file, self.files, self.exports)
                    for file in message.attachments
                ]
            bubbles = with_files(bubbles, saved, self.screen.bubbles_apart)
        if chat_id == self.chat_id:
            for bubble in bubbles:
                if self._bubbled:
                    self.write(SEPARATOR)
                if bubble.edits:
                    with use_locale(await self.language()):
                        self.write(_("(replaces the earlier message)"))
                self.write(bubble.text)
                self._bubbled = self.screen.bubbles_apart
            return
        self._bubbled = self.screen.bubbles_apart
        if chat_id == self.stage.group_id:
            with use_locale(await self.language()):
                group = _("group")
                header = f"[{group} · {self.stage.group_title}]"
        else:
            agency = next(
                (code for code, s in self.stage.contacts.items() if s.user_id == chat_id), chat_id
            )
            header = f"[→ {agency}]"
        for bubble in bubbles:
            self.write(header)
            self.write("\n".join(f"  {line}" for line in bubble.text.splitlines()))
