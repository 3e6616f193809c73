"""The time left as a person says it, written when a message is queued and again when it is
sent; and when an outbox row may go, by the quiet time its payload carries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.domain.calendar import QuietTime
from bot.i18n import use_locale
from bot.timetext import BEFORE_EVENT, QUIET, left_until, resettle, send_at, settle, time_left

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
