"""Text shaping shared by every channel: splitting long texts and showing buttons as text."""

from __future__ import annotations

from collections.abc import Callable

from bot.handlers.model import Button, Outgoing
from bot.i18n import _, current_locale, use_locale

TELEGRAM_LIMIT = 4096  # characters in one Telegram message
ZALO_LIMIT = 2000  # UTF-16 units in one Zalo message (an emoji counts two)

Measure = Callable[[str], int]


def utf16_units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as Zalo counts it: an emoji is two."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def split_text(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` (as ``measure`` counts), at line
    boundaries.

    A line longer than the limit is cut at its last space that fits, else anywhere (never
    inside a character). Blank chunks are never produced, so an empty text gives no message.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _fit(line, limit, measure):
            added = measure(piece) + (1 if current else 0)
            if current and size + added > limit:
                chunks.append("\n".join(current))
                current, size, added = [], 0, measure(piece)
            current.append(piece)
            size += added
    chunks.append("\n".join(current))
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _fit(line: str, limit: int, measure: Measure) -> list[str]:
    """One line as pieces of at most ``limit``, cut at spaces where possible."""
    pieces = []
    while measure(line) > limit:
        end = _longest_prefix(line, limit, measure)
        cut = line.rfind(" ", 0, end + 1)
        if cut > 0:
            pieces.append(line[:cut])
            line = line[cut + 1 :]
        else:
            pieces.append(line[:end])
            line = line[end:]
    pieces.append(line)
    return pieces


def _longest_prefix(line: str, limit: int, measure: Measure) -> int:
    """How many characters of ``line`` fit in ``limit`` (at least one)."""
    if measure is len:
        return limit
    low, high = 1, len(line)
    while low < high:  # the longest prefix that fits, by bisection
        middle = (low + high + 1) // 2
        if measure(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def render_options(outgoing: Outgoing) -> str:
    """The message text with its buttons written out, for channels without buttons.

    A menu becomes numbered lines (``1. label``) answered with the number; other buttons become
    one line naming what to type instead: ``(type: back · skip · note)``.
    """
    buttons = outgoing.rows()
    if not buttons:
        return outgoing.text
    with use_locale(outgoing.locale or current_locale()):
        return _written_out(outgoing, buttons)


def _written_out(outgoing: Outgoing, buttons: list[Button]) -> str:
    if outgoing.menu:
        options = [f"{number}. {button.label}" for number, button in enumerate(buttons, 1)]
        return "\n".join([outgoing.text, *options])
    keywords = [button.keyword for button in buttons if button.keyword]
    if not keywords:
        return outgoing.text
    return outgoing.text + "\n" + _("(type: {words})").format(words=" · ".join(keywords))
