"""Adding up a score sheet: subtotals, capped bonus, deductions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.criteria import ScoringTable
from bot.domain.sheets import missing, total


def points(**by_code: str) -> dict[str, Decimal]:
    """Sheet values from keyword arguments: ``I_1="20"`` is criterion ``I.1``."""
    return {code.replace("_", "."): Decimal(value) for code, value in by_code.items()}


def test_a_full_sheet_adds_up_by_group(table: ScoringTable) -> None:
    values = points(
        I_1="24.5", I_2="9", II_1="8", II_2="6.5", IV_1="5", IV_2="4.5", B_1="2", B_2="1", D_1="1"
    )

    totals = total(table, values)

    assert dict(totals.groups) == {
        "I": Decimal("33.5"),
        "II": Decimal("14.5"),
        "IV": Decimal("9.5"),
        "B": Decimal(3),
        "D": Decimal(1),
    }
    assert totals.base == Decimal("57.5")
    assert totals.bonus == Decimal(3)
    assert totals.deductions == Decimal(1)
    assert totals.total == Decimal("59.5")


def test_bonus_above_its_cap_counts_only_up_to_the_cap(table: ScoringTable) -> None:
    totals = total(table, points(I_1="20", B_1="5", B_2="3"))

    assert totals.bonus_uncapped == Decimal(8)
    assert totals.bonus == Decimal(5)
    assert totals.groups["B"] == Decimal(5)
    assert totals.bonus_capped
    assert totals.total == Decimal(25)


def test_bonus_within_its_cap_counts_in_full(table: ScoringTable) -> None:
    totals = total(table, points(I_1="20", B_1="2", B_2="3"))

    assert totals.bonus == totals.bonus_uncapped == Decimal(5)
    assert not totals.bonus_capped
    assert totals.total == Decimal(25)


def test_deductions_are_subtracted_and_reported_as_a_positive_amount(table: ScoringTable) -> None:
    totals = total(table, points(I_1="20", II_1="8", D_1="1.5", D_2="5"))

    assert totals.deductions == Decimal("6.5")
    assert totals.groups["D"] == Decimal("6.5")
    assert totals.total == Decimal("21.5")


def test_deductions_can_take_the_total_below_zero(table: ScoringTable) -> None:
    assert total(table, points(I_1="1", D_2="5")).total == Decimal(-4)


def test_yesno_criterion_counts_its_full_marks_in_its_group(table: ScoringTable) -> None:
    totals = total(table, points(IV_1="5"))

    assert totals.groups["IV"] == Decimal(5)
    assert totals.base == totals.total == Decimal(5)


def test_missing_values_count_as_zero(table: ScoringTable) -> None:
    totals = total(table, points(I_1="20"))

    assert totals.groups["II"] == Decimal(0)
    assert totals.total == Decimal(20)


def test_an_empty_sheet_totals_zero_with_every_group_listed(table: ScoringTable) -> None:
    totals = total(table, {})

    assert list(totals.groups) == ["I", "II", "IV", "B", "D"]
    assert totals.total == Decimal(0)


def test_totals_are_plain_numbers(table: ScoringTable) -> None:
    totals = total(table, points(I_1="20.5", I_2="9.5", II_1="8.00"))

    assert str(totals.groups["I"]) == "30"
    assert str(totals.total) == "38"


def test_an_unknown_criterion_code_is_an_error(table: ScoringTable) -> None:
    with pytest.raises(KeyError, match=r"IX\.9"):
        total(table, points(I_1="20", IX_9="1"))


def test_criterion_codes_must_match_the_table_exactly(table: ScoringTable) -> None:
    with pytest.raises(KeyError, match=r"i\.1"):
        total(table, {"i.1": Decimal(20)})


def test_the_same_sheet_gives_equal_totals(table: ScoringTable) -> None:
    values = points(I_1="20", B_1="1")

    assert total(table, values) == total(table, dict(values))
    assert hash(total(table, values)) == hash(total(table, dict(values)))


def test_missing_lists_the_criteria_without_a_value_in_table_order(table: ScoringTable) -> None:
    values = points(I_1="20", II_2="7", IV_1="5", B_1="0", D_2="0")

    assert [item.code for item in missing(table, values)] == ["I.2", "II.1", "IV.2", "B.2", "D.1"]


def test_a_zero_is_a_value_not_a_missing_one(table: ScoringTable) -> None:
    values = {item.code: Decimal(0) for item in table.criteria()}

    assert missing(table, values) == ()
