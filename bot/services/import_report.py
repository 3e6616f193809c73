"""What a bloc import reports: each change it made, or why it refused to make them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple


class Action(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"


class FieldChange(NamedTuple):
    """One field of a changed row, before and after, as typed values (None: no value).

    ``step``, ``max``, ``cap``: Decimal; ``at``: an aware datetime; ``tie_break``: TieBreak
    rules; ``awards``: Awards; ``remind``: timedeltas, longest first; ``role``: Role; ``kind``:
    GroupKind, CriterionKind or EventKind; ``closes_scoring``: bool; the others: str.
    """

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """One thing an import changed: ``criterion I.1 updated: max 25 -> 30``."""

    action: Action
    what: str  # bloc, agency, season, group, criterion, event, role
    code: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ClosingDeadline:
    """The deadline that closes scoring, when an import set or moved it into the past."""

    code: str
    title: str
    at: datetime


@dataclass(frozen=True)
class ImportReport:
    bloc_code: str
    year: int
    changes: tuple[Change, ...]
    closing_in_past: ClosingDeadline | None = None  # scoring is closed from the start


class RefusalReason(StrEnum):
    REMOVED_WITH_SCORES = "removed_with_scores"
    MAX_BELOW_SCORES = "max_below_scores"


@dataclass(frozen=True)
class Refusal:
    """Why an import would destroy scores: what, which, how many sheets."""

    reason: RefusalReason
    what: str  # agency, criterion
    code: str
    sheets: int = 0
    highest: Decimal | None = None


class ImportRefused(Exception):
    def __init__(self, refusals: Iterable[Refusal]) -> None:
        self.refusals = tuple(refusals)
        super().__init__("; ".join(f"{r.what} {r.code}: {r.reason}" for r in self.refusals))
