"""A scoring table shaped like the tw-thaibinh sample: groups I-VII, bonus B capped at 5, D."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.criteria import CriteriaGroup, Criterion, CriterionKind, GroupKind, ScoringTable


def _item(code: str, maximum: int, kind: CriterionKind = CriterionKind.SCORE) -> Criterion:
    return Criterion(code, f"Tiêu chí {code}", Decimal(maximum), kind)


@pytest.fixture
def table() -> ScoringTable:
    return ScoringTable(
        groups=(
            CriteriaGroup("I", "Nhiệm vụ chuyên môn", (_item("I.1", 25), _item("I.2", 10))),
            CriteriaGroup("II", "Cải cách hành chính", (_item("II.1", 8), _item("II.2", 7))),
            CriteriaGroup(
                "IV",
                "Tổ chức đảng, đoàn thể",
                (_item("IV.1", 5, CriterionKind.YESNO), _item("IV.2", 5)),
            ),
            CriteriaGroup(
                "B",
                "Điểm thưởng",
                (_item("B.1", 5, CriterionKind.BONUS), _item("B.2", 3, CriterionKind.BONUS)),
                kind=GroupKind.BONUS,
                cap=Decimal(5),
            ),
            CriteriaGroup(
                "D",
                "Điểm trừ",
                (
                    _item("D.1", 2, CriterionKind.DEDUCTION),
                    _item("D.2", 5, CriterionKind.DEDUCTION),
                ),
                kind=GroupKind.DEDUCTION,
            ),
        ),
        step=Decimal("0.5"),
    )
