"""What people type, read one way: words, numbers, reminder offsets, local dates and times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.typed import (
    fold,
    is_date_time,
    parse_clock,
    parse_local_datetime,
    parse_number,
    parse_offset,
    parse_offsets,
    read_number,
)

ZONE = "Asia/Ho_Chi_Minh"
HN = ZoneInfo(ZONE)
NOW = datetime(2025, 11, 17, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Chưa  ĐẠT ", "chua dat"),
        ("Mặc định", "mac dinh"),
        ("Bỏ qua", "bo qua"),
        ("7 Ngày", "7 ngay"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_drops_case_diacritics_and_extra_spaces(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert fold(text, caseless=True) == expected


def test_caseless_folding_goes_further_than_lower_case() -> None:
    assert fold("Straße") == "straße"
    assert fold("Straße", caseless=True) == "strasse"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8,5", Decimal("8.5")),
        ("8.5", Decimal("8.5")),
        (" 8,5 ", Decimal("8.5")),
        ("28", Decimal(28)),
        ("8,50", Decimal("8.5")),
        (",5", Decimal("0.5")),
        ("-2", Decimal(-2)),
        ("−2", Decimal(-2)),
        ("-0", Decimal(0)),
        ("８，５", Decimal("8.5")),
        ("0,750", Decimal("0.75")),
    ],
)
def test_numbers_with_a_comma_or_a_point(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "-", ",", "8,5,1", "1 000", "1e3", "nan", "inf", "²", "①", "tám", "8đ"]
)
def test_what_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_a_number_read_two_ways_is_no_number_but_both_readings_are_known() -> None:
    assert parse_number("1.000") is None
    assert read_number("1.000") == (Decimal(1), Decimal(1000))
    assert read_number("8,5") == (Decimal("8.5"),)
    assert read_number("junk") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("7 ngày", timedelta(days=7)),
        ("7 ngay", timedelta(days=7)),
        ("2 giờ", timedelta(hours=2)),
        ("2 gio", timedelta(hours=2)),
        ("2 tiếng", timedelta(hours=2)),
        ("30 phút", timedelta(minutes=30)),
        ("30p", timedelta(minutes=30)),
        ("2 hours", timedelta(hours=2)),
        ("1 tuần", timedelta(days=7)),
        ("7D", timedelta(days=7)),
    ],
)
def test_one_offset_in_english_or_vietnamese(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["7x", "d7", "7", "²d", "7 ngày 2", "bảy ngày", ""])
def test_what_is_not_an_offset(text: str) -> None:
    assert parse_offset(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "7d 2h 30m",
        "7d, 2h, 30m",
        "7 ngày, 2 giờ, 30 phút",
        "7 ngay 2 gio 30 phut",
        "7 ngày và 2 giờ và 30 phút",
        "7 days and 2 hours and 30 minutes",
    ],
)
def test_several_offsets_in_one_message(text: str) -> None:
    assert parse_offsets(text) == [timedelta(days=7), timedelta(hours=2), timedelta(minutes=30)]


@pytest.mark.parametrize("text", ["7d3d", "7d x", "7 ngày, hai giờ", "①d", "", "junk"])
def test_a_message_with_something_else_is_not_offsets(text: str) -> None:
    assert parse_offsets(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h30m", [timedelta(hours=2), timedelta(minutes=30)]),
        ("1d6h", [timedelta(days=1), timedelta(hours=6)]),
        ("3d", [timedelta(days=3)]),
        ("2 giờ 30 phút", [timedelta(hours=2), timedelta(minutes=30)]),
    ],
)
def test_offsets_joined_into_one_span(text: str, expected: list[timedelta]) -> None:
    assert parse_offsets(text, joined=True) == expected


@pytest.mark.parametrize("text", ["", "3x", "3d, 2h", "d"])
def test_what_is_not_one_span(text: str) -> None:
    assert parse_offsets(text, joined=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:00", time(17)),
        ("17h00", time(17)),
        ("17h", time(17)),
        ("8:05", time(8, 5)),
        ("25:00", None),
        ("17:60", None),
        ("17", None),
        ("", None),
        ("noon", None),
        ("20/11/2025 17:00", None),
    ],
)
def test_a_time_of_day(text: str, expected: time | None) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20/11/2025 17:00",
        "20-11-2025 17:00",
        "2025-11-20 17:00",
        "2025-11-20T17:00",
        "20/11/2025 17h00",
        "20/11/2025 17H",
        "  20/11/2025   17:00 ",
        "20/11 17:00",
    ],
)
def test_the_forms_of_a_local_date_and_time(text: str) -> None:
    assert parse_local_datetime(text, ZONE, NOW) == datetime(2025, 11, 20, 17, 0, tzinfo=HN)


def test_a_date_and_time_without_a_zone_is_naive() -> None:
    assert parse_local_datetime("2025-11-20 17:00", None) == datetime(2025, 11, 20, 17, 0)


def test_a_day_without_a_year_needs_a_now() -> None:
    assert parse_local_datetime("20/11 17:00", ZONE) is None
    assert is_date_time("20/11 17:00")


def test_a_day_without_a_year_is_in_now_s_year_or_the_next_to_come() -> None:
    past = datetime(2025, 1, 5, 8, 30, tzinfo=HN)
    assert parse_local_datetime("5/1 8h30", ZONE, NOW) == past
    upcoming = parse_local_datetime("5/1 8h30", ZONE, NOW, upcoming=True)
    assert upcoming == past.replace(year=2026)


@pytest.mark.parametrize(
    "text", ["31/02/2025 10:00", "29/02/2025 10:00", "20/11/2025 25:00", "2025-13-40 17:00"]
)
def test_a_day_or_time_that_does_not_exist(text: str) -> None:
    assert parse_local_datetime(text, ZONE, NOW) is None
    assert is_date_time(text)


@pytest.mark.parametrize("text", ["", "junk", "tomorrow", "20/11/2025", "17:00", "20/11/25 17:00"])
def test_what_is_not_a_date_and_time(text: str) -> None:
    assert parse_local_datetime(text, ZONE, NOW) is None
    assert not is_date_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-20 17:00", datetime(2025, 11, 20, 17, 0)),
        (" 2025-11-20  17:00 ", datetime(2025, 11, 20, 17, 0)),
        ("20/11/2025 17:00", None),
        ("2025-11-20 17h", None),
        ("2025-11-20", None),
        ("2025-02-31 17:00", None),
    ],
)
def test_the_bloc_file_s_one_form(text: str, expected: datetime | None) -> None:
    assert parse_local_datetime(text, None, iso=True) == expected
