"""Reading the console's input without blocking the event loop, a message at a time under a
prompt, and the moments ``:time`` names.

Works on a terminal, a pipe, a file, /dev/null or an in-memory stream.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import signal
import stat
import sys
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.typed import parse_clock, parse_local_datetime, parse_offsets

BURST = 0.015  # seconds: lines closer together than this arrived at once (a paste)
_T = TypeVar("_T")


class LineReader:
    """Lines of a text stream, read without blocking the event loop.

    A pipe or a terminal is watched by the loop; a file or an in-memory stream never blocks and
    is read directly.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._fd = _watchable(stream)
        encoding = getattr(stream, "encoding", None) or "utf-8"
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = ""
        self._ended = False
        self._ready: asyncio.Future[None] | None = None

    async def readline(self) -> str | None:
        """The next line without its line break, or None at the end of the input."""
        if self._fd is None:
            line = "" if self._ended else self.stream.readline()
            return line.rstrip("\r\n") if line else None
        while "\n" not in self._pending and not self._ended:
            chunk = await self._chunk()
            if chunk is None:  # this loop cannot watch it: read in place from now on
                self._fd = None
                line = self._pending + self.stream.readline()
                self._pending = ""
                return line.rstrip("\r\n") if line else None
            self._pending += self._decoder.decode(chunk, final=not chunk)
            self._ended = self._ended or not chunk
        if not self._pending:
            return None
        line, _newline, self._pending = self._pending.partition("\n")
        return line.rstrip("\r")

    async def lines_at_once(self, within: float = BURST) -> list[str] | None:
        """The next line and those that arrive with it (a paste), or None at the end.

        On a pipe or a terminal the lines already waiting, or following each other within
        ``within`` seconds, come together: a person types slower than that. Elsewhere (a file,
        an in-memory stream) one line at a time.
        """
        first = await self.readline()
        if first is None:
            return None
        lines = [first]
        while self._fd is not None and not self._ended:
            if "\n" in self._pending:
                line, _newline, self._pending = self._pending.partition("\n")
                lines.append(line.rstrip("\r"))
            elif await self._readable_within(within):
                chunk = os.read(self._fd, 65536)
                self._pending += self._decoder.decode(chunk, final=not chunk)
                self._ended = not chunk
            else:
                break
        return lines

    def end(self) -> None:
        """End the input early: the pending and every later read return None."""
        self._ended, self._pending = True, ""
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)

    async def _chunk(self) -> bytes | None:
        """What the descriptor has once it is readable; b"" at the end, None if not watchable."""
        readable = await self._readable(None)
        if readable is None:
            return None
        assert self._fd is not None
        return b"" if self._ended else os.read(self._fd, 65536)

    async def _readable_within(self, seconds: float) -> bool:
        """Whether the descriptor has something to read within ``seconds``."""
        return bool(await self._readable(seconds)) and not self._ended

    async def _readable(self, seconds: float | None) -> bool | None:
        """Wait until the descriptor is readable (True) or ``seconds`` pass (False); None when
        it cannot be watched."""
        assert self._fd is not None
        loop = asyncio.get_running_loop()
        self._ready = ready = loop.create_future()
        try:
            loop.add_reader(self._fd, _settle, ready)
        except (NotImplementedError, OSError):
            return None
        try:
            await asyncio.wait_for(ready, seconds)
        except TimeoutError:
            return False
        finally:
            loop.remove_reader(self._fd)
        return True


class Keyboard:
    """What the person types, a message at a time; on a terminal, under a prompt.

    On a terminal the lines pasted at once are one message, unless they hold console commands
    (``:…``): then they are taken a line at a time. A pipe or a file gives a line at a time.
    """

    def __init__(self, source: TextIO, out: TextIO, interactive: bool) -> None:
        self.reader = LineReader(source)
        self.out = out
        self.interactive = interactive
        self.prompt: str | None = None  # shown and waiting for a line
        self._backlog: deque[str] = deque()  # lines read at once, not yet taken

    async def message(self, prompt: str) -> str | None:
        """The next message, its lines stripped and blank ones left out; None at the end."""
        lines = await self._lines(prompt)
        if lines is None:
            return None
        if len(lines) > 1 and any(line.strip().startswith(":") for line in lines):
            self._backlog.extend(lines[1:])
            lines = lines[:1]
        return "\n".join(line.strip() for line in lines if line.strip())

    async def line(self, prompt: str) -> str | None:
        """The next line alone, or None at the end."""
        if self._backlog:
            return self._backlog.popleft()
        if not self.interactive:
            return await self.reader.readline()
        return await self._prompted(prompt, self.reader.readline)

    async def _lines(self, prompt: str) -> list[str] | None:
        """The next line; on a terminal, with the lines pasted along with it."""
        if self._backlog:
            return [self._backlog.popleft()]
        if not self.interactive:
            line = await self.reader.readline()
            return None if line is None else [line]
        return await self._prompted(prompt, self.reader.lines_at_once)

    async def _prompted(self, prompt: str, read: Callable[[], Awaitable[_T]]) -> _T:
        """Show ``prompt`` while reading (messages arriving meanwhile redraw it)."""
        self.out.write(prompt)
        self.out.flush()
        self.prompt = prompt
        try:
            got = await read()
        finally:
            self.prompt = None
        if got is None:
            self.out.write("\n")  # leave the terminal on a fresh line after Ctrl-D or Ctrl-C
        return got


def time_target(text: str, now: datetime, timezone: str) -> datetime | None:
    """Where ``:time`` goes, or None when ``text`` is not understood.

    ``+3d``, ``+2h30m``: that much later. ``19/11/2025 17:00``, ``2025-11-19 17:00``,
    ``19-11-2025 17:00``, ``19/11 17:00`` (this year): that local moment, returned even when it
    is past (the caller refuses it). ``22:00``: the next time the clock reads it. ``17h00`` and
    ``17h`` are 17:00.
    """
    text = text.strip()
    if text.startswith("+"):  # that much later
        offsets = parse_offsets(text[1:], joined=True)
        return now + sum(offsets, timedelta()) if offsets else None
    clock_time = parse_clock(text)
    if clock_time is not None:  # a time of day alone: the next time the clock reads it
        zone = ZoneInfo(timezone)
        local = now.astimezone(zone)
        moment = datetime.combine(local.date(), clock_time, zone)
        return (moment if moment > local else moment + timedelta(days=1)).astimezone(UTC)
    local_moment = parse_local_datetime(text, timezone, now)
    return None if local_moment is None else local_moment.astimezone(UTC)


def catch_interrupt(reader: LineReader) -> Callable[[], None]:
    """Ctrl-C ends the input like Ctrl-D (on a terminal); returns the undo."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, reader.end)
    except (NotImplementedError, RuntimeError, ValueError):
        return lambda: None

    def undo() -> None:
        loop.remove_signal_handler(signal.SIGINT)

    return undo


def mute(out: TextIO) -> None:
    """Send what is still to be written to stdout nowhere, so exiting stays quiet."""
    if out is sys.stdout:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _watchable(stream: TextIO) -> int | None:
    """The descriptor of a pipe, socket or terminal behind ``stream``, else None."""
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode):
        return fd
    return None
