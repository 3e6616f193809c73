"""Reading the console's input line by line without blocking the event loop.

Works on a terminal, a pipe, a file, /dev/null or an in-memory stream.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import stat
from typing import TextIO


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

    def end(self) -> None:
        """End the input early: the pending and every later read return None."""
        self._ended, self._pending = True, ""
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)

    async def _chunk(self) -> bytes | None:
        """What the descriptor has once it is readable; b"" at the end, None if not watchable."""
        assert self._fd is not None
        loop = asyncio.get_running_loop()
        self._ready = ready = loop.create_future()
        try:
            loop.add_reader(self._fd, _settle, ready)
        except (NotImplementedError, OSError):
            return None
        try:
            await ready
        finally:
            loop.remove_reader(self._fd)
        return b"" if self._ended else os.read(self._fd, 65536)


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
