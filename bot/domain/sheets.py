"""Totals of a score sheet (bảng chấm điểm): group subtotals, bonus, deductions and the total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from bot.domain.criteria import Criterion, GroupKind, ScoringTable
from bot.domain.scores import plain


@dataclass(frozen=True)
class SheetTotals:
    """What one sheet adds up to (tổng điểm).

    ``groups`` holds each group's subtotal by group code, as a positive amount: a score group's
    sum, a bonus group's sum capped at its cap, a deduction group's points deducted.
    """

    groups: Mapping[str, Decimal] = field(hash=False)
    base: Decimal
    bonus: Decimal
    bonus_uncapped: Decimal
    deductions: Decimal
    total: Decimal

    @property
    def bonus_capped(self) -> bool:
        """True when the cap cut some bonus points."""
        return self.bonus < self.bonus_uncapped


def total(table: ScoringTable, values: Mapping[str, Decimal]) -> SheetTotals:
    """Add up a sheet whose values are keyed by criterion code; a missing value counts as 0.

    Raises KeyError for a code that is not exactly one of the table's.
    """
    known = {item.code for item in table.criteria()}
    unknown = sorted(code for code in values if code not in known)
    if unknown:
        raise KeyError(f"not in the scoring table: {', '.join(unknown)}")

    groups: dict[str, Decimal] = {}
    base = bonus = bonus_uncapped = deductions = Decimal(0)
    for group in table.groups:
        subtotal = sum((values.get(item.code, Decimal(0)) for item in group.items), Decimal(0))
        match group.kind:
            case GroupKind.SCORE:
                base += subtotal
            case GroupKind.BONUS:
                bonus_uncapped += subtotal
                if group.cap is not None:
                    subtotal = min(subtotal, group.cap)
                bonus += subtotal
            case GroupKind.DEDUCTION:
                deductions += subtotal
        groups[group.code] = plain(subtotal)

    return SheetTotals(
        groups=MappingProxyType(groups),
        base=plain(base),
        bonus=plain(bonus),
        bonus_uncapped=plain(bonus_uncapped),
        deductions=plain(deductions),
        total=plain(base + bonus - deductions),
    )


def missing(table: ScoringTable, values: Mapping[str, Decimal]) -> tuple[Criterion, ...]:
    """The criteria that have no value yet, in table order."""
    return tuple(item for item in table.criteria() if item.code not in values)
