"""The next season's calendar: the same local time a year on, titles with the new year."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.seasons import retitled, shifted

ZONE = "Asia/Ho_Chi_Minh"


def test_the_same_local_time_a_year_on() -> None:
    at = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội
    assert shifted(at, 1, ZONE) == datetime(2022, 11, 20, 10, 0, tzinfo=UTC)
    assert shifted(at, 3, ZONE) == datetime(2024, 11, 20, 10, 0, tzinfo=UTC)


def test_29_february_becomes_28_february() -> None:
    at = datetime(2024, 2, 29, 1, 0, tzinfo=UTC)  # 08:00 local
    assert shifted(at, 1, ZONE) == datetime(2025, 2, 28, 1, 0, tzinfo=UTC)


def test_the_midnight_side_of_utc_stays_on_the_local_day() -> None:
    at = datetime(2024, 2, 28, 18, 30, tzinfo=UTC)  # 29/02/2024 01:30 local
    assert shifted(at, 1, ZONE) == datetime(2025, 2, 27, 18, 30, tzinfo=UTC)  # 28/02 01:30


def test_titles_take_the_new_year() -> None:
    assert retitled("Hội nghị tổng kết năm 2021", 2021, 2022) == "Hội nghị tổng kết năm 2022"
    assert retitled("Quyết định 120211 năm 2021", 2021, 2022) == "Quyết định 120211 năm 2022"
