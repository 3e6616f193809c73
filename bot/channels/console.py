"""The console channel: chat with the bot in a terminal (or through a pipe) as any contact.

Every line a person types becomes an ``Incoming`` on the platform ``console``, except the
meta-commands, which steer the console itself: ``:as CODE`` (be that agency's contact),
``:in group`` / ``:in dm``, ``:who``, ``:time`` (move the clock), ``:paste`` (several lines as
one message), ``:reset``, ``:help`` and ``:quit``. Lines pasted into a terminal at once are one
message too. Replies are printed under the prompt; what the bot sends to the group or to other
people is printed with a prefix, so one sees everything the bloc receives.
"""

from __future__ import annotations

import itertools
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO, TypeVar
from zoneinfo import ZoneInfo

from bot.channels.console_input import LineReader, catch_interrupt, mute, time_target
from bot.channels.hub import Hub
from bot.channels.text import render_options
from bot.clock import OffsetClock
from bot.handlers.formatting import role_name
from bot.handlers.model import ChatKind, Incoming, Outgoing, Sender
from bot.handlers.router import Router
from bot.i18n import N_, _, use_locale
from bot.scheduler.sending import Delivery, DeliveryResult, PartRecorder

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
_T = TypeVar("_T")
STEP = timedelta(hours=1)  # ``:time`` walks forward this much at a time, firing what is due
MORE = "… "  # the prompt of the next line of a ``:paste``
_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


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
    ) -> None:
        self.stage = stage
        self.start = start
        self.code = start  # the agency whose contact is typing
        self.in_group = False
        self.reset = reset
        self.source = source or sys.stdin
        self.out = out or sys.stdout
        self.interactive = self.source.isatty() if interactive is None else interactive
        self.reader = LineReader(self.source)
        self._backlog: deque[str] = deque()  # lines read at once, not yet taken
        self._updates = itertools.count(1)
        self._prompt: str | None = None  # shown and waiting for a line
        self.hub = hub or Hub()
        self.hub.register(PLATFORM, self)

    @property
    def sender(self) -> Sender:
        return self.stage.contacts[self.code]

    @property
    def chat_id(self) -> str:
        return self.stage.group_id if self.in_group else self.sender.user_id

    async def run(self) -> int:
        """Read lines until ``:quit`` or the end of the input; 0 when done."""
        stop = catch_interrupt(self.reader) if self.interactive else lambda: None
        try:
            while True:
                prompt = await self.prompt()
                lines = await self._read(prompt)
                if lines is None:
                    break
                text = self._message(lines)
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

    def _message(self, lines: list[str]) -> str:
        """What lines read at once say: a paste is one message, unless it holds console
        commands; then its lines are taken one at a time."""
        if len(lines) > 1 and any(line.strip().startswith(":") for line in lines):
            self._backlog.extend(lines[1:])
            lines = lines[:1]
        return "\n".join(line.strip() for line in lines if line.strip())

    async def say(self, text: str) -> None:
        """Send a message (one line or several) to the bot as the current person, here, and
        show what comes back."""
        chat_id = self.chat_id
        incoming = Incoming(
            platform=PLATFORM,
            update_id=str(next(self._updates)),
            chat_id=chat_id,
            chat_kind=ChatKind.GROUP if self.in_group else ChatKind.PRIVATE,
            sender=self.sender,
            text=text,
            chat_title=self.stage.group_title if self.in_group else "",
            bot_username=BOT_USERNAME,
        )
        replies = await self.stage.router.handle(incoming)
        if replies.notice:
            self.write(f"({replies.notice})")
        await self.hub.deliver(replies, incoming, self._reply)
        if self.stage.fire is not None:
            await self.stage.fire()  # what the update put in the outbox goes out now

    async def send(self, outgoing: Outgoing) -> None:
        """Show a message the bot sends on its own initiative (the hub's sender for console)."""
        if outgoing.chat_id is None:
            raise ValueError("a message sent on the bot's initiative needs a chat_id")
        if self._prompt is not None:
            self.out.write("\n")
        await self._show(outgoing, outgoing.chat_id)
        if self._prompt is not None:
            self.out.write(self._prompt)
            self.out.flush()

    async def deliver(
        self,
        chat_id: str,
        chat_kind: str,
        text: str,
        payload: dict[str, Any],
        part_sent: PartRecorder,
    ) -> DeliveryResult:
        """Show a message of the outbox (a reminder, a group post): the console never fails."""
        await self.send(Outgoing(text, platform=PLATFORM, chat_id=chat_id))
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
                await self._move_time(rest)
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
        person = await self.stage.router.services.people.person(PLATFORM, self.sender.user_id)
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

    def _here(self) -> str:
        if self.in_group:
            return _("Here: the group {title}.").format(title=self.stage.group_title)
        return _("Here: a direct chat with the bot.")

    def help_text(self) -> str:
        """The console commands."""
        codes = ", ".join(self.stage.contacts)
        rows = [
            (":as CODE", _("be the contact of agency CODE ({codes})").format(codes=codes)),
            (
                ":as head",
                _("be the contact of the bloc head ({code})").format(code=self.stage.head),
            ),
            (":in group", _("speak in the bloc's group chat")),
            (":in dm", _("speak in your direct chat with the bot")),
            (":who", _("who and where you are")),
            (":time +3d", _("move the clock forward and see what the bot sends meanwhile")),
            (f":time {self._example_day()} 17:00", _("move the clock to a local date and time")),
            (":paste", _("send several lines as one message: type them, then an empty line")),
            (":reset", _("recreate the demo database and start over")),
            (":quit", _("leave (Ctrl-D does too)")),
        ]
        width = max(len(command) for command, _text in rows)
        lines = [_("Console commands (not sent to the bot):")]
        lines += [f"  {command.ljust(width)}  {text}" for command, text in rows]
        lines.append(_("Everything else goes to the bot: send /help to see its commands."))
        lines.append(_("Lines pasted at once are sent as one message."))
        return "\n".join(lines)

    def _example_day(self) -> str:
        """Tomorrow on the demo's clock, ``20/11/2025``: a date ``:time`` accepts now."""
        now = self.stage.clock.now() if self.stage.clock else datetime.now().astimezone()
        return (now.astimezone(ZoneInfo(self.stage.timezone)) + timedelta(days=1)).strftime(
            "%d/%m/%Y"
        )

    async def prompt(self) -> str:
        """``thue › `` in a direct chat, ``nhóm · nhnn › `` in the group."""
        if not self.in_group:
            return f"{self.code} › "
        with use_locale(await self.language()):
            return f"{_('group')} · {self.code} › "

    async def language(self) -> str:
        """The language of the person at the keyboard."""
        person = await self.stage.router.services.people.person(PLATFORM, self.sender.user_id)
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

    async def _move_time(self, text: str) -> None:
        """Move the demo clock forward, an hour at a time, sending what becomes due."""
        clock, fire = self.stage.clock, self.stage.fire
        if clock is None or fire is None:
            self.write(_("The clock cannot be moved here."))
            return
        if text:
            target = time_target(text, clock.now(), self.stage.timezone)
            if target is None:
                self.write(
                    _("Write :time +3d, :time +2h30m, :time 22:00 or :time {day} 17:00.").format(
                        day=self._example_day()
                    )
                )
                return
            if target < clock.now():
                self.write(
                    _("The clock only moves forward: it is {now} already.").format(
                        now=self._local(clock.now()).strftime("%d/%m/%Y %H:%M")
                    )
                )
                return
            while clock.now() < target:
                clock.advance(min(STEP, target - clock.now()))
                await fire()
        local = self._local(clock.now())
        self.write(
            _("Now: {weekday} {time}").format(
                weekday=_(_WEEKDAYS[local.weekday()]), time=local.strftime("%d/%m/%Y %H:%M")
            )
        )

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.stage.timezone))

    async def _paste(self, first: str) -> str:
        """The lines that follow, up to an empty one or the end of the input, as one text."""
        lines = [first] if first else []
        if self.interactive:
            self.write(_("Type or paste the lines; an empty line sends them."))
        while True:
            line = await self._read_line(MORE)
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
        with use_locale(await self.language()):
            self.write(_("The demo database was recreated; everything starts over."))
            await self.who()

    async def _reply(self, message: Outgoing) -> None:
        await self._show(message, self.chat_id)

    async def _show(self, message: Outgoing, chat_id: str) -> None:
        text = render_options(message)
        if chat_id == self.chat_id:
            self.write(text)
            return
        if chat_id == self.stage.group_id:
            with use_locale(await self.language()):
                header = f"[{_('group')} · {self.stage.group_title}]"
        else:
            agency = next(
                (code for code, s in self.stage.contacts.items() if s.user_id == chat_id), chat_id
            )
            header = f"[→ {agency}]"
        self.write(header)
        self.write("\n".join(f"  {line}" for line in text.splitlines()))

    async def _read(self, prompt: str) -> list[str] | None:
        """The next line; on a terminal, with the lines pasted along with it."""
        if self._backlog:
            return [self._backlog.popleft()]
        if not self.interactive:
            line = await self.reader.readline()
            return None if line is None else [line]
        return await self._prompted(prompt, self.reader.lines_at_once)

    async def _read_line(self, prompt: str) -> str | None:
        if self._backlog:
            return self._backlog.popleft()
        if not self.interactive:
            return await self.reader.readline()
        return await self._prompted(prompt, self.reader.readline)

    async def _prompted(self, prompt: str, read: Callable[[], Awaitable[_T]]) -> _T:
        """Show ``prompt`` while reading (messages arriving meanwhile redraw it)."""
        self.out.write(prompt)
        self.out.flush()
        self._prompt = prompt
        try:
            got = await read()
        finally:
            self._prompt = None
        if got is None:
            self.out.write("\n")  # leave the terminal on a fresh line after Ctrl-D or Ctrl-C
        return got
