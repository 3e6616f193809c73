"""Playing the people by hand: type lines as someone in a chat, see what the bot sends."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import AsyncIterator
from typing import TextIO

from bot.testing.zalo_emulator.emulator import DEFAULT_TOKEN, ZaloEmulator
from bot.testing.zalo_emulator.people import DEFAULT_STICKER, ZaloGroup
from bot.testing.zalo_emulator.records import ChatState, JoinRefused, ZaloMessage

GROUP_ID = "a0b1c2d3e4f5a6b7c8d9"
HELP = """\
Type a line to send it as the current person in the current chat. Meta-commands:
  :as NAME            write as NAME from now on (a new person the first time)
  :in group           write in the group (the bot only sees messages that @mention it)
  :in private         write in your private chat with the bot
  :image URL [TEXT]   send a photo by URL, with an optional caption
  :sticker [ID]       send a sticker
  :voice URL          send a voice note (.aac)
  :unsupported        a message whose content Zalo strips (protected sender)
  :transcript         the conversation in the current chat
  :help               this text
  :quit               stop
A line starting with "::" is sent as text without its first ":"."""


class Console:
    """A person at the keyboard, acting as people in the emulated Zalo."""

    def __init__(self, zl: ZaloEmulator, out: TextIO, first_person: str = "Lan") -> None:
        self.zl = zl
        self.out = out
        self.person = zl.user(name=first_person)
        self.group: ZaloGroup | None = None
        self.in_group = False
        zl.listeners.append(self.show)

    def say(self, text: str) -> None:
        """Print a line and flush it."""
        print(text, file=self.out, flush=True)

    def show(self, message: ZaloMessage, chat: ChatState) -> None:
        """Print what the bot just sent, with its chat and a separator."""
        where = f"{chat.name} ({'group' if chat.is_group else 'private'})"
        if message.kind == "action":
            self.say(f"  · bot: {message.action}… in {where}")
            return
        lost = "" if message.delivered else "  (answered ok, never delivered)"
        self.say(f"──── bot → {where}{lost} " + "─" * 20)
        self.say(message.describe())

    @property
    def prompt(self) -> str:
        """Who writes where, for the line before the input."""
        where = self.group.name if self.in_group and self.group else "private"
        return f"[{self.person.name} @ {where}]"

    async def handle(self, line: str) -> bool:
        """Act on one input line; False once the person asked to quit."""
        text = line.strip()
        if not text:
            return True
        try:
            if text.startswith("::") or not text.startswith(":"):
                await self.person.send(text.removeprefix(":"), group=self._where())
                return True
            command, _, rest = text[1:].partition(" ")
            return await self._command(command.lower(), rest.strip())
        except (ValueError, AssertionError, JoinRefused) as error:
            self.say(f"! {error}")
            return True

    async def _command(self, command: str, rest: str) -> bool:
        zl, where = self.zl, self._where()
        if command in ("quit", "q", "exit"):
            return False
        if command == "as" and rest:
            self.person = zl.user(name=rest)
            if self.group is not None:
                zl.add_member(self.group, self.person)
            self.say(f"(now writing as {self.person.name}, id {self.person.id})")
        elif command == "in" and rest in ("group", "private"):
            self.in_group = rest == "group"
            if self.in_group:
                self._enter_group()
            self.say(f"(now writing in {self.prompt})")
        elif command == "image" and rest:
            url, _, caption = rest.partition(" ")
            await self.person.send_image(url, caption=caption or None, group=where)
        elif command == "sticker":
            await self.person.send_sticker(rest or DEFAULT_STICKER, group=where)
        elif command == "voice" and rest:
            await self.person.send_voice(rest, group=where)
        elif command == "unsupported":
            await self.person.send_unsupported(group=where)
        elif command == "transcript":
            self.say(zl.transcript(where or self.person))
        else:
            self.say(HELP)
        return True

    def _where(self) -> ZaloGroup | None:
        return self.group if self.in_group else None

    def _enter_group(self) -> None:
        zl = self.zl
        if self.group is None:
            self.group = zl.group(GROUP_ID, "Khối thi đua (thử)")
        zl.add_member(self.group, self.person)
        state = zl.chat(self.group)
        if state is not None and not state.bot_present:
            try:
                zl.add_bot(self.group)
            except JoinRefused:
                self.say("(the bot cannot join groups: nothing said here reaches it)")
                return
        self.say(f"(hint: the bot only sees group messages that start with @{zl.bot_name})")


async def read_lines(stream: TextIO) -> AsyncIterator[str]:
    """Lines of a stream, read by a helper thread so the event loop never blocks."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def hand(line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is reading
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def pump() -> None:
        try:
            for line in iter(stream.readline, ""):
                hand(line.rstrip("\r\n"))
        finally:
            hand(None)

    threading.Thread(target=pump, daemon=True, name="zalo-console-input").start()
    while (line := await queue.get()) is not None:
        yield line


async def serve(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
    """Run the emulator with a console on ``stdin`` until :quit, Ctrl-C or end of a terminal."""
    emulator = ZaloEmulator(
        bot_name=args.bot_name, can_join_groups=not args.no_groups, host=args.host, port=args.port
    )
    async with emulator as zl:
        zl.longest_poll = args.longest_poll
        console = Console(zl, out, args.name)
        console.say(f"BLOCBOT_ZALO_BASE_URL={zl.api_url} BLOCBOT_ZALO_TOKEN={args.token}")
        console.say(HELP)
        console.say(f"(writing as {console.prompt})")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        typing = asyncio.create_task(_type(console, stdin, stop))
        await stop.wait()
        typing.cancel()
        await asyncio.gather(typing, return_exceptions=True)


async def _type(console: Console, stdin: TextIO, stop: asyncio.Event) -> None:
    async for line in read_lines(stdin):
        if not await console.handle(line):
            stop.set()
            return
    if stdin.isatty():
        stop.set()
    else:
        console.say("(input ended; still serving the bot until Ctrl-C)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of ``python -m bot.testing.zalo_emulator``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.testing.zalo_emulator", description="A local Zalo Bot API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--bot-name", default="Bot Khối thi đua")
    parser.add_argument("--no-groups", action="store_true", help="can_join_groups: false")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the token to print")
    parser.add_argument("--name", default="Lan", help="the first person you write as")
    parser.add_argument("--longest-poll", type=float, default=30.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until stopped."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv), sys.stdin, sys.stdout))
