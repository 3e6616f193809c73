"""A season's scoring rules beyond the table: tie-breaks and the awards the bloc proposes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TieBreakKind(StrEnum):
    """What decides between agencies with the same total."""

    GROUP = "group"  # higher subtotal of a named group first
    DEDUCTIONS = "deductions"  # fewer deduction points first
    SUBMITTED_AT = "submitted_at"  # earlier submission first


@dataclass(frozen=True)
class TieBreak:
    """One tie-break rule, as written in the bloc file (``group:I``, ``deductions``...)."""

    kind: TieBreakKind
    group_code: str | None = None

    def __str__(self) -> str:
        return f"group:{self.group_code}" if self.kind is TieBreakKind.GROUP else self.kind.value


def parse_tie_break(text: str) -> TieBreak:
    """Read one tie-break rule; ValueError names what is accepted."""
    word = text.strip()
    if word.startswith("group:") and word[len("group:") :].strip():
        return TieBreak(TieBreakKind.GROUP, word[len("group:") :].strip())
    if word in (TieBreakKind.DEDUCTIONS.value, TieBreakKind.SUBMITTED_AT.value):
        return TieBreak(TieBreakKind(word))
    raise ValueError(f"unknown tie-break {text!r}: use group:<code>, deductions or submitted_at")


@dataclass(frozen=True)
class Award:
    """An award the bloc proposes (Cờ thi đua, Bằng khen) and how many agencies receive it."""

    title: str
    count: int
