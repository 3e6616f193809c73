"""What the bot says when it refuses a typed score, and how it quotes what was typed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.domain.criteria import CriteriaGroup, Criterion, CriterionKind, GroupKind, ScoringTable
from bot.domain.scores import ScoreError, parse_score
from bot.handlers.formatting import excerpt
from bot.handlers.sheet_text import how_to_answer, problem
from bot.i18n import use_locale
from bot.services.scoring import SheetStatus, SheetView

TASK = Criterion("I.1", "Hoàn thành các chỉ tiêu, nhiệm vụ chuyên môn năm", Decimal(25))
SMALL = Criterion("I.3", "Ứng dụng công nghệ thông tin", Decimal("0.5"))
PARTY = Criterion("IV.1", "Tổ chức đảng", Decimal(5), CriterionKind.YESNO)
LATE = Criterion("D.1", "Gửi báo cáo chậm", Decimal(2), CriterionKind.DEDUCTION)
GROUPS = (
    CriteriaGroup("I", "Nhiệm vụ chuyên môn", (TASK, SMALL)),
    CriteriaGroup("IV", "Tổ chức đảng, đoàn thể", (PARTY,)),
    CriteriaGroup("D", "Điểm trừ", (LATE,), kind=GroupKind.DEDUCTION),
)


def refusal(typed: str, criterion: Criterion, locale: str, step: str = "0.5") -> str:
    with pytest.raises(ScoreError) as refused:
        parse_score(typed, criterion, Decimal(step))
    with use_locale(locale):
        return problem(refused.value)


def sheet(step: str) -> SheetView:
    return SheetView(
        bloc_id=1,
        season_year=2021,
        agency_id=1,
        table=ScoringTable(GROUPS, Decimal(step)),
        values={},
        notes={},
        status=SheetStatus.DRAFT,
        submitted_at=None,
        deadline=None,
        closed=None,
        as_of=datetime(2021, 11, 10, tzinfo=UTC),
    )


# Quoting what was typed


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        ("  8,5  ", "8,5"),
        ("tám\n\tphẩy   năm", "tám phẩy năm"),
        ("8\x00,5\x1b[31m", "8,5[31m"),
        ("\u202e5,8", "5,8"),  # a right-to-left override would turn the reply around
        ("x\u200by", "xy"),
        ("👩\u200d💻 ok", "👩\u200d💻 ok"),
        ("", ""),
    ],
)
def test_an_excerpt_is_one_clean_line(typed: str, quoted: str) -> None:
    assert excerpt(typed) == quoted


def test_a_long_text_is_cut_at_a_word_with_an_ellipsis() -> None:
    typed = "Sở Tài chính tỉnh Thái Bình xin gửi điểm tự chấm là hai mươi tám điểm " * 50

    quoted = excerpt(typed)

    assert quoted == "Sở Tài chính tỉnh Thái Bình xin gửi…"
    assert len(quoted) <= 40


def test_one_long_word_is_cut_where_the_limit_is() -> None:
    assert excerpt("9" * 3000, 10) == "999999999…"
    assert excerpt("abcdef ghijklmnop", 10) == "abcdef…"
    assert excerpt("abc " + "d" * 30, 10) == "abc ddddd…"  # no word ends in the second half


def test_an_excerpt_needs_room_for_one_character() -> None:
    assert excerpt("abc", 1) == "…"
    with pytest.raises(ValueError):
        excerpt("abc", 0)


# The refusals


@pytest.mark.parametrize(
    ("typed", "locale", "says"),
    [
        ("1.000", "vi", "“1.000” có thể hiểu là 1 hoặc 1000. Hãy gửi 1 hoặc 1000, không dùng dấu "
                        "phân cách hàng nghìn."),
        ("1.000", "en", "'1.000' could mean 1 or 1000. Send 1 or 1000 instead, without a "
                        "thousands separator."),
        ("8,500", "vi", "“8,500” có thể hiểu là 8,5 hoặc 8500. Hãy gửi 8,5 hoặc 8500, không dùng "
                        "dấu phân cách hàng nghìn."),
        ("1" * 30, "vi", "111111111111111111111111111111 vượt quá điểm tối đa của I.1 (25 điểm)."),
        ("1" * 30, "en", "111111111111111111111111111111 is above the maximum of I.1, which is "
                         "25."),
        ("9" * 10_000, "vi", "9" * 39 + "… vượt quá điểm tối đa của I.1 (25 điểm)."),
        ("26", "vi", "26 vượt quá điểm tối đa của I.1 (25 điểm)."),
        ("²", "vi", "“²” không phải là số. Với I.1, hãy gửi điểm từ 0 đến 25, ví dụ 24,5."),
        ("²", "en", "'²' is not a number. For I.1 send a score from 0 to 25, like 24.5."),
        (" x" * 1500, "vi", "“" + "x " * 19 + "x…” không phải là số. Với I.1, hãy gửi điểm từ 0 "
                            "đến 25, ví dụ 24,5."),
        ("8,3", "vi", "8,3 không phải bội số của 0,5: điểm được chấm theo bước 0,5."),
    ],
)  # fmt: skip
def test_a_refusal_says_what_is_wrong_in_the_persons_language(
    typed: str, locale: str, says: str
) -> None:
    assert refusal(typed, TASK, locale) == says


def test_the_example_in_a_refusal_is_a_score_the_criterion_takes() -> None:
    # I.3 is worth 0,5: "like 8 or 8,5" would be two scores it refuses.
    assert refusal("abc", SMALL, "en") == (
        "'abc' is not a number. For I.3 send a score from 0 to 0.5, like 0."
    )
    assert refusal("abc", TASK, "en", step="1").endswith("like 24.")


@pytest.mark.parametrize("typed", ["1", "maybe"])
def test_a_yesno_refusal_names_the_answers_with_vietnamese_quotes(typed: str) -> None:
    assert refusal(typed, PARTY, "vi") == (
        "IV.1 trả lời có hoặc không: gửi “có” (5 điểm) hoặc “không” (0 điểm)."
    )


# How to answer


@pytest.mark.parametrize(
    ("criterion", "step", "example"),
    [(TASK, "0.5", "24,5"), (TASK, "1", "24"), (SMALL, "0.5", "0"), (SMALL, "1", "0")],
)
def test_the_example_of_how_to_answer_is_accepted(
    criterion: Criterion, step: str, example: str
) -> None:
    with use_locale("vi"):
        text = how_to_answer(GROUPS[0], criterion, sheet(step))

    assert text == f"Gửi điểm từ 0 đến {criterion.max.normalize():f}".replace(".", ",") + (
        f", ví dụ {example}."
    )
    assert parse_score(example, criterion, Decimal(step)) == Decimal(example.replace(",", "."))


def test_how_to_answer_a_yesno_and_a_deduction() -> None:
    with use_locale("vi"):
        yesno = how_to_answer(GROUPS[1], PARTY, sheet("0.5"))
        deduction = how_to_answer(GROUPS[2], LATE, sheet("0.5"))

    assert yesno == "Trả lời có (đạt, 5 điểm) hoặc không (không đạt, 0 điểm)."
    assert deduction == "Gửi số điểm bị trừ, từ 0 đến 2."
