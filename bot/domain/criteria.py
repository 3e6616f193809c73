"""The scoring table (thang điểm): content groups (nhóm nội dung) and their criteria (tiêu chí)."""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class GroupKind(StrEnum):
    """How a group's points count toward the total."""

    SCORE = "score"
    BONUS = "bonus"  # điểm thưởng: adds, the group's sum capped by ``cap``
    DEDUCTION = "deduction"  # điểm trừ: subtracts


class CriterionKind(StrEnum):
    """How a criterion is answered: any value 0..max, or yes/no (full marks or zero)."""

    SCORE = "score"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    YESNO = "yesno"  # đạt / không đạt


@dataclass(frozen=True)
class Criterion:
    """One criterion (tiêu chí) with its maximum; its sign comes from its group."""

    code: str
    title: str
    max: Decimal
    kind: CriterionKind = CriterionKind.SCORE

    @property
    def is_yesno(self) -> bool:
        return self.kind is CriterionKind.YESNO


@dataclass(frozen=True)
class CriteriaGroup:
    """A content group (nhóm nội dung) of criteria."""

    code: str
    title: str
    items: tuple[Criterion, ...]
    kind: GroupKind = GroupKind.SCORE
    cap: Decimal | None = None  # only for bonus groups


@dataclass(frozen=True)
class ScoringTable:
    """The whole table of a season, in the order of the bloc file, with its score step."""

    groups: tuple[CriteriaGroup, ...]
    step: Decimal = Decimal("0.5")
    _index: dict[str, tuple[CriteriaGroup, Criterion]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index = {
            item.code.casefold(): (group, item) for group in self.groups for item in group.items
        }
        object.__setattr__(self, "_index", index)

    def criteria(self) -> Iterator[Criterion]:
        """Every criterion, in table order."""
        for group in self.groups:
            yield from group.items

    def next_without(self, done: Container[str], after: str | None = None) -> Criterion | None:
        """The first criterion whose code is not in ``done`` after ``after`` (wrapping round
        to the top), or None when every one is."""
        items = list(self.criteria())
        codes = [item.code for item in items]
        start = codes.index(after) + 1 if after in codes else 0
        return next((c for c in items[start:] + items[:start] if c.code not in done), None)

    def find(self, code: str) -> Criterion | None:
        """The criterion with this code (case-insensitive), or None."""
        found = self._index.get(code.strip().casefold())
        return found[1] if found else None

    def group_of(self, code: str) -> CriteriaGroup:
        """The group that holds the criterion ``code``; KeyError if there is none."""
        return self._index[code.strip().casefold()][0]

    def group(self, code: str) -> CriteriaGroup | None:
        """The group with this code (case-insensitive), or None."""
        wanted = code.strip().casefold()
        return next((g for g in self.groups if g.code.casefold() == wanted), None)

    def base_max(self) -> Decimal:
        """The highest total reachable without bonus (usually 100)."""
        return sum(
            (item.max for g in self.groups if g.kind is GroupKind.SCORE for item in g.items),
            Decimal(0),
        )
