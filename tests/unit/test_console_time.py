"""Where the console demo's ``:time`` goes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.console_input import time_target

NOW = datetime(2025, 11, 17, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội
HANOI = "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+3d", datetime(2025, 11, 20, 2, 0, tzinfo=UTC)),
        ("+2h30m", datetime(2025, 11, 17, 4, 30, tzinfo=UTC)),
        ("+1d6h", datetime(2025, 11, 18, 8, 0, tzinfo=UTC)),
        ("2025-11-19 17:00", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("19/11/2025 17:00", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("19/11 17:00", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("19-11-2025 17:00", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("2025-11-19T17:00", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("19/11/2025 17h00", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("19/11/2025 17h", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("  19/11/2025   17:00 ", datetime(2025, 11, 19, 10, 0, tzinfo=UTC)),
        ("1/12/2025 8:05", datetime(2025, 12, 1, 1, 5, tzinfo=UTC)),
        ("2025-11-10 17:00", datetime(2025, 11, 10, 10, 0, tzinfo=UTC)),  # past: the caller says
        ("17h", datetime(2025, 11, 17, 10, 0, tzinfo=UTC)),
        ("22:00", datetime(2025, 11, 17, 15, 0, tzinfo=UTC)),  # tonight
        ("08:00", datetime(2025, 11, 18, 1, 0, tzinfo=UTC)),  # tomorrow morning
    ],
)
def test_time_moves_by_an_offset_or_to_a_local_moment(text: str, expected: datetime) -> None:
    assert time_target(text, NOW, HANOI) == expected


def test_a_day_without_year_is_in_the_clock_s_year() -> None:
    leap = datetime(2028, 1, 10, 2, 0, tzinfo=UTC)
    assert time_target("29/02 10:00", leap, HANOI) == datetime(2028, 2, 29, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["+", "tomorrow", "2025-13-40 17:00", "+3x", "31/02/2025 10:00", "29/02 10:00", ""]
)
def test_anything_else_is_not_understood(text: str) -> None:
    assert time_target(text, NOW, HANOI) is None
