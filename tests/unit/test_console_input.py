"""The console's input: lines that arrive at once (a paste) come together, typed ones alone."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import Iterator

import pytest

from bot.channels.console_input import LineReader


@pytest.fixture
def pipe() -> Iterator[tuple[io.TextIOWrapper, int]]:
    read_end, write_end = os.pipe()
    source = open(read_end, encoding="utf-8")  # noqa: SIM115 - closed below
    yield source, write_end
    source.close()
    with contextlib.suppress(OSError):  # closed by the test already
        os.close(write_end)


async def test_lines_written_at_once_come_together(pipe: tuple[io.TextIOWrapper, int]) -> None:
    source, write_end = pipe
    reader = LineReader(source)
    os.write(write_end, "I.1 24,5\nI.2 9\nIV.1 có\nno end".encode())

    first = await reader.lines_at_once()
    os.close(write_end)
    rest = await reader.lines_at_once()

    assert first == ["I.1 24,5", "I.2 9", "IV.1 có"]
    assert rest == ["no end"]  # the unfinished line, once the input ends
    assert await reader.lines_at_once() is None


async def test_lines_typed_apart_come_one_by_one(pipe: tuple[io.TextIOWrapper, int]) -> None:
    source, write_end = pipe
    reader = LineReader(source)

    async def type_slowly() -> None:
        for line in ("/score\n", "24,5\n"):
            os.write(write_end, line.encode())
            await asyncio.sleep(0.2)  # a person types far slower than a paste arrives
        os.close(write_end)

    typing = asyncio.create_task(type_slowly())
    got = [await reader.lines_at_once(), await reader.lines_at_once()]
    await typing

    assert got == [["/score"], ["24,5"]]
    assert await reader.lines_at_once() is None


async def test_a_file_or_a_string_is_read_line_by_line() -> None:
    reader = LineReader(io.StringIO("a\nb\n"))

    assert [await reader.lines_at_once(), await reader.lines_at_once()] == [["a"], ["b"]]
    assert await reader.lines_at_once() is None
