"""Text shaping shared by every channel: splitting long texts and showing buttons as text."""

from __future__ import annotations

from bot.handlers.model import Outgoing
from bot.i18n import _

TELEGRAM_LIMIT = 4096  # characters in one Telegram message
ZALO_LIMIT = 2000  # characters in one Zalo message


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters, at line boundaries.

    A line longer than the limit is cut at its last space that fits, else anywhere. Blank
    chunks are never produced, so an empty text gives no message at all.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _fit(line, limit):
            added = len(piece) + (1 if current else 0)
            if current and size + added > limit:
                chunks.append("\n".join(current))
                current, size, added = [], 0, len(piece)
            current.append(piece)
            size += added
    chunks.append("\n".join(current))
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _fit(line: str, limit: int) -> list[str]:
    """One line as pieces of at most ``limit`` characters, cut at spaces where possible."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut > 0:
            pieces.append(line[:cut])
            line = line[cut + 1 :]
        else:
            pieces.append(line[:limit])
            line = line[limit:]
    pieces.append(line)
    return pieces


def render_options(outgoing: Outgoing) -> str:
    """The message text with its buttons written out, for channels without buttons.

    A menu becomes numbered lines (``1. label``) answered with the number; other buttons become
    one line naming what to type instead: ``(type: back · skip · note)``.
    """
    buttons = outgoing.rows()
    if not buttons:
        return outgoing.text
    if outgoing.menu:
        options = [f"{number}. {button.label}" for number, button in enumerate(buttons, 1)]
        return "\n".join([outgoing.text, *options])
    keywords = [button.keyword for button in buttons if button.keyword]
    if not keywords:
        return outgoing.text
    return outgoing.text + "\n" + _("(type: {words})").format(words=" · ".join(keywords))
