"""The time left as a person says it, written when a message is queued and again when it is
sent; and when an outbox row may go, by the quiet time its payload carries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.domain.calendar import QuietTime
from bot.i18n import use_locale
from bot.timetext import (
    BEFORE_EVENT,
    QUIET,
    duration,
    left_until,
    resettle,
    send_at,
    settle,
    time_left,
    when,
)

HN = ZoneInfo("Asia/Ho_Chi_Minh")
ZONE = "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(days=7), "7 days"),
        (timedelta(days=6, hours=23), "7 days"),
        (timedelta(days=6, hours=23, minutes=59, seconds=30), "7 days"),
        (timedelta(days=3, hours=2), "3 days"),
        (timedelta(days=1), "1 day"),
        (timedelta(hours=23, minutes=50), "1 day"),
        (timedelta(hours=15), "15 hours"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=1, minutes=59), "2 hours"),
        (timedelta(minutes=59, seconds=40), "1 hour"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(seconds=20), "less than a minute"),
    ],
)
def test_the_time_left_is_said_in_one_unit_rounded(left: timedelta, said: str) -> None:
    assert time_left(left) == said


def test_the_time_left_in_vietnamese() -> None:
    with use_locale("vi"):
        assert time_left(timedelta(days=6, hours=23)) == "7 ngày"
        assert time_left(timedelta(hours=2)) == "2 giờ"
        assert time_left(timedelta(minutes=30)) == "30 phút"


def test_a_long_time_left_is_said_in_days_with_its_digits_together() -> None:
    assert time_left(timedelta(days=14)) == "14 days"  # not "2 weeks"
    assert time_left(timedelta(days=1500)) == "1500 days"
    with use_locale("vi"):
        assert time_left(timedelta(days=1500)) == "1500 ngày"


@pytest.mark.parametrize(
    ("delta", "en", "vi"),
    [
        (timedelta(days=3, hours=4, minutes=5), "3 days 4 hours", "3 ngày 4 giờ"),
        (timedelta(hours=2, minutes=5), "2 hours 5 minutes", "2 giờ 5 phút"),
        (timedelta(minutes=12, seconds=59), "12 minutes", "12 phút"),
        (timedelta(days=1), "1 day", "1 ngày"),
        (timedelta(seconds=59), "less than a minute", "chưa tới một phút"),
        (timedelta(minutes=-5), "less than a minute", "chưa tới một phút"),
    ],
)
def test_a_duration_says_days_hours_and_minutes(delta: timedelta, en: str, vi: str) -> None:
    with use_locale("en"):
        assert duration(delta) == en
    with use_locale("vi"):
        assert duration(delta) == vi


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_a_moment_is_written_day_first_in_the_bloc_time_zone(locale: str) -> None:
    with use_locale(locale):
        assert when(datetime(2025, 11, 20, 10, 0, tzinfo=UTC), ZONE) == "20/11/2025 17:00"
        assert when(datetime(2025, 3, 30, 1, 5, tzinfo=UTC), "Europe/Berlin") == "30/03/2025 03:05"
        assert when(datetime(2025, 12, 31, 17, 0, tzinfo=UTC), ZONE) == "01/01/2026 00:00"


def test_a_queued_text_says_the_time_left_again_when_it_is_sent() -> None:
    clock = FrozenClock(datetime(2025, 11, 19, 15, 0, tzinfo=UTC))  # 22:00 in Hà Nội
    due = datetime(2025, 11, 20, 22, 0, tzinfo=HN)
    with use_locale("vi"):
        text, payload = settle(f"Hạn {{time}} “{{x}}” (còn {left_until(due)}).", clock.now())
    assert text == "Hạn {time} “{x}” (còn 1 ngày)."

    clock.advance(timedelta(hours=9))  # held overnight, sent at 07:00

    assert resettle(text, payload, clock.now()) == "Hạn {time} “{x}” (còn 15 giờ)."
    assert resettle(text, {}, clock.now()) == text  # a row written before: as it was queued
    assert resettle(text, {"left": {"spans": [["x", 1, "y"]]}}, clock.now()) == text


def test_several_times_left_in_one_text_are_each_said_again() -> None:
    now = datetime(2025, 11, 10, 3, 0, tzinfo=UTC)
    first, second = now + timedelta(days=3), now + timedelta(hours=5)
    text, payload = settle(f"{left_until(first)} / {left_until(second)}.", now)
    assert text == "3 days / 5 hours."

    later = now + timedelta(hours=3)

    assert resettle(text, payload, later) == "3 days / 2 hours."


def test_a_text_without_a_time_left_is_left_alone() -> None:
    assert settle("Nhắc việc", datetime(2025, 1, 1, tzinfo=UTC)) == ("Nhắc việc", {})


def test_an_outbox_row_waits_for_the_end_of_the_quiet_time_it_carries() -> None:
    friday_night = datetime(2025, 11, 14, 22, 0, tzinfo=HN)
    weekend = {QUIET: QuietTime(days=frozenset({5, 6})).payload()}
    monday = datetime(2025, 11, 17, 7, 0, tzinfo=HN)

    assert send_at(friday_night, ZONE, True, None, weekend) == monday
    assert send_at(friday_night, ZONE, True, None, {}) == friday_night + timedelta(hours=9)
    assert send_at(friday_night, ZONE, False, None, weekend) == friday_night
    sunday_noon = datetime(2025, 11, 16, 12, 0, tzinfo=HN)
    assert send_at(friday_night, ZONE, True, sunday_noon, weekend) is None
    reminder = {**weekend, BEFORE_EVENT: True}
    assert send_at(friday_night, ZONE, True, sunday_noon, reminder) == friday_night
