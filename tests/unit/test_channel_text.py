"""Splitting long texts and writing buttons out for channels without them."""

from __future__ import annotations

import pytest

from bot.channels.text import (
    TELEGRAM_LIMIT,
    ZALO_LIMIT,
    render_options,
    split_text,
    utf16_units,
)
from bot.handlers.model import Button, Outgoing


def test_limits() -> None:
    assert (TELEGRAM_LIMIT, ZALO_LIMIT) == (4096, 2000)


def test_short_text_is_one_chunk() -> None:
    assert split_text("Bảng điểm\nI.1 28", 100) == ["Bảng điểm\nI.1 28"]


def test_empty_or_blank_text_gives_nothing() -> None:
    assert split_text("", 10) == []
    assert split_text("\n\n  \n", 10) == []


def test_splits_at_line_boundaries() -> None:
    lines = [f"dòng {n:02d}" for n in range(10)]  # 7 characters each
    chunks = split_text("\n".join(lines), 23)  # three lines and two newlines fit
    assert chunks == ["\n".join(lines[i : i + 3]) for i in (0, 3, 6)] + [lines[9]]
    assert "\n".join(chunks) == "\n".join(lines)


def test_a_line_of_exactly_the_limit_fits() -> None:
    assert split_text("a" * 10 + "\n" + "b" * 10, 10) == ["a" * 10, "b" * 10]


def test_long_line_splits_at_a_space() -> None:
    line = "một hai ba bốn năm sáu"
    chunks = split_text(line, 10)
    assert chunks == ["một hai ba", "bốn năm", "sáu"]
    assert all(len(chunk) <= 10 for chunk in chunks)


def test_long_word_splits_hard() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_no_chunk_is_blank_and_none_is_too_long() -> None:
    text = "tiêu đề\n\n\n" + ("lời " * 30) + "\n\n" + "y" * 33 + "\n\n\n\nhết"
    chunks = split_text(text, 16)
    assert chunks and all(chunk.strip() for chunk in chunks)
    assert all(len(chunk) <= 16 for chunk in chunks)
    assert not any(chunk.startswith("\n") or chunk.endswith("\n") for chunk in chunks)


def test_a_long_table_splits_without_losing_a_line() -> None:
    text = "\n".join(f"{n}. Cơ quan số {n}: {n * 3},5 điểm" for n in range(300))
    chunks = split_text(text, TELEGRAM_LIMIT)
    assert len(chunks) == 3
    assert "\n".join(chunks) == text


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_text("x", 1)


def test_text_without_buttons_is_unchanged() -> None:
    assert render_options(Outgoing("Xin chào")) == "Xin chào"


def test_menu_becomes_numbered_lines() -> None:
    outgoing = Outgoing(
        "Chọn tiêu chí:",
        ((Button("I.1 Chuyên môn", "sheet:I.1"), Button("I.2 Cải cách", "sheet:I.2")),),
        menu=True,
    )
    assert render_options(outgoing) == "Chọn tiêu chí:\n1. I.1 Chuyên môn\n2. I.2 Cải cách"


def test_buttons_become_one_line_of_keywords() -> None:
    outgoing = Outgoing(
        "Nộp bảng điểm?",
        (
            (Button("Nộp", "sheet:submit", "/submit"), Button("Sửa", "sheet:edit", "/edit")),
            (Button("Không có từ khóa", "sheet:x"),),
        ),
    )
    assert render_options(outgoing) == "Nộp bảng điểm?\n(type: /submit · /edit)"


def test_buttons_without_keywords_add_nothing() -> None:
    outgoing = Outgoing("Đã lưu.", ((Button("OK", "ok"),),))
    assert render_options(outgoing) == "Đã lưu."


def test_zalo_counts_an_emoji_as_two() -> None:
    assert utf16_units("Chúc mừng 🎉") == 12
    text = "\n".join(["🏆 " + "x" * 7] * 5)  # 10 units a line, 9 characters
    chunks = split_text(text, 21, utf16_units)  # two lines and one newline fit
    assert [utf16_units(chunk) for chunk in chunks] == [21, 21, 10]
    assert "\n".join(chunks) == text


def test_a_long_line_of_emoji_is_never_cut_inside_one() -> None:
    chunks = split_text("🎉" * 15, 10, utf16_units)
    assert chunks == ["🎉" * 5, "🎉" * 5, "🎉" * 5]
