"""How numbers, times and roles read in the current language."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from bot.domain.roles import Role
from bot.domain.scores import format_points
from bot.i18n import N_, _, current_locale
from bot.timetext import duration, when

__all__ = ["ROLE_NAMES", "duration", "excerpt", "points", "role_name", "when"]

ROLE_NAMES = {
    Role.HEAD: N_("bloc head (Trưởng khối)"),
    Role.DEPUTY: N_("deputy head (Phó khối)"),
    Role.MEMBER: N_("member agency"),
}


def points(value: Decimal) -> str:
    """``8,5`` in Vietnamese, ``8.5`` in English."""
    return format_points(value, current_locale())


def role_name(role: Role) -> str:
    return _(ROLE_NAMES[role])


# Dropped from an excerpt: control characters (NUL, escapes), format characters (bidi
# overrides, zero-width spaces) and lone surrogates, which no platform can send back.
_DROPPED = frozenset({"Cc", "Cf", "Cs"})
_JOINERS = frozenset({"\u200c", "\u200d"})  # format characters that emoji and scripts need


def excerpt(text: str, limit: int = 40) -> str:
    """What a person typed, fit to quote back: one line, no control characters, ``limit`` long.

    Whitespace runs become one space. A longer text is cut at a word boundary when one is in
    the second half, and ends with "…"; only the start of the text is read.
    """
    if limit < 1:
        raise ValueError(f"an excerpt needs room for at least one character, not {limit}")
    kept: list[str] = []
    pending_space = False
    for char in text:
        if char.isspace():
            pending_space = bool(kept)
        elif char in _JOINERS or unicodedata.category(char) not in _DROPPED:
            if pending_space:
                kept.append(" ")
                pending_space = False
            kept.append(char)
            if len(kept) > limit:
                break
    line = "".join(kept)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if line[limit - 1] != " " and cut.rfind(" ") >= limit // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + "…"


def fit_title(text: str, width: int) -> str:
    """A title whole if it fits in ``width`` characters, else cut after a whole word with "…";
    a title with no word break to cut at stays whole (never cut mid-word)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if cut[-1].isalnum() and text[width - 1].isalnum():  # in the middle of a word
        if " " not in cut.strip():
            return text
        cut = cut[: cut.rstrip().rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"
