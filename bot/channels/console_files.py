"""Files in the console: each one the bot sends is saved in a folder, and its path is shown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.channels.attachments import content
from bot.channels.console_render import Bubble
from bot.handlers.model import Attachment
from bot.i18n import _
from bot.storage.files import FileStore

EXPORTS = Path("exports")  # in the working folder of the demo


async def save(attachment: Attachment, files: FileStore, folder: Path) -> Path:
    """Write the attachment to ``folder`` under its name; ``name-2.ext`` when another file has
    that name, the same file again when it has the same bytes."""
    data = await content(attachment, files)
    return await asyncio.to_thread(_written, data, Path(attachment.filename), folder)


def _written(data: bytes, name: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path, number = folder / name, 1
    while path.exists() and (not path.is_file() or path.read_bytes() != data):
        number += 1
        path = folder / f"{name.stem}-{number}{name.suffix}"
    if not path.exists():
        path.write_bytes(data)
    return path


async def saved_line(attachment: Attachment, files: FileStore, folder: Path) -> str:
    """``📎 bang-diem.xlsx: saved as exports/bang-diem.xlsx``, or why it could not be."""
    try:
        path = await save(attachment, files, folder)
    except OSError as error:
        return _("📎 {name}: could not be saved ({reason})").format(
            name=attachment.filename, reason=error.strerror or error
        )
    return _("📎 {name}: saved as {path}").format(name=attachment.filename, path=path)


def with_files(bubbles: list[Bubble], saved: list[str], apart: bool) -> list[Bubble]:
    """The bubbles of a message followed by the lines of its saved files: under its text in
    the console's look, each a message of its own on a platform's (``apart``)."""
    bubbles = [bubble for bubble in bubbles if bubble.text]
    if apart or not bubbles:
        return [*bubbles, *(Bubble(line) for line in saved)]
    last = bubbles[-1]
    return [*bubbles[:-1], Bubble("\n".join([last.text, *saved]), last.edits)]
