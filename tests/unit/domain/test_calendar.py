"""The bloc's quiet time: pure rules."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import QuietTime, parse_hours

HN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKEND = QuietTime(days=frozenset({5, 6}))  # the default nights, and Saturday and Sunday


def at(text: str) -> datetime:
    """A local time in Hà Nội: ``2025-11-14 22:00`` (a Friday)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=HN)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        ("2025-11-14 20:59", False),
        ("2025-11-14 21:00", True),
        ("2025-11-15 03:00", True),
        ("2025-11-15 06:59", True),
        ("2025-11-15 07:00", False),  # a Saturday: weekends are not quiet unless the file says
    ],
)
def test_the_default_quiet_time_is_the_night_from_21_to_7(moment: str, quiet: bool) -> None:
    assert QuietTime().is_quiet(at(moment)) is quiet


def test_quiet_days_and_holidays_are_quiet_all_day() -> None:
    rules = QuietTime(days=frozenset({6}), holidays=frozenset({date(2025, 9, 2)}))

    assert rules.is_quiet(at("2025-11-16 12:00"))  # Sunday
    assert rules.is_quiet(at("2025-09-02 10:00"))  # Quốc khánh
    assert not rules.is_quiet(at("2025-09-03 10:00"))


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        ("2025-11-13 22:00", "2025-11-14 07:00"),  # Thursday night: Friday morning
        ("2025-11-14 22:00", "2025-11-17 07:00"),  # Friday night: over the weekend to Monday
        ("2025-11-15 10:00", "2025-11-17 07:00"),  # Saturday
        ("2025-11-17 06:00", "2025-11-17 07:00"),
        ("2025-11-17 10:00", "2025-11-17 10:00"),  # allowed already: itself
    ],
)
def test_the_next_allowed_moment_skips_nights_and_weekends(now: str, allowed: str) -> None:
    assert WEEKEND.next_allowed(at(now)) == at(allowed)


def test_a_holiday_after_a_weekend_moves_further() -> None:
    rules = QuietTime(days=frozenset({5, 6}), holidays=frozenset({date(2025, 11, 17)}))

    assert rules.next_allowed(at("2025-11-14 21:30")) == at("2025-11-18 07:00")


def test_a_daytime_window_and_no_night() -> None:
    lunch = QuietTime(time(11, 30), time(13, 30))
    assert lunch.next_allowed(at("2025-11-14 12:00")) == at("2025-11-14 13:30")
    assert not lunch.is_quiet(at("2025-11-14 23:00"))
    assert not QuietTime(None, None).is_quiet(at("2025-11-14 23:00"))


def test_a_reminder_moves_to_the_next_allowed_moment_before_its_event() -> None:
    event = at("2025-11-17 09:00")  # Monday morning meeting

    send = WEEKEND.send_at(at("2025-11-16 09:00"), event, before_event=True)  # 1 day before

    assert send == at("2025-11-17 07:00")


def test_a_reminder_with_no_allowed_moment_before_its_event_goes_at_once() -> None:
    event = at("2025-11-15 06:30")  # before 07:00 on a night with no allowed moment left
    now = at("2025-11-15 04:30")

    assert QuietTime().send_at(now, event, before_event=True) == now


def test_other_messages_are_dropped_when_the_quiet_time_outlasts_them() -> None:
    now = at("2025-11-17 08:00")  # a digest on a holiday Monday, worth sending that day only
    holiday = QuietTime(holidays=frozenset({date(2025, 11, 17)}))

    assert holiday.send_at(now, at("2025-11-17 23:59"), before_event=False) is None
    assert holiday.send_at(now, None, before_event=False) == at("2025-11-18 07:00")


def test_quiet_time_goes_through_the_outbox_payload_and_back() -> None:
    rules = QuietTime.of("22:30-06:00", ["sat", "sun"], ["2025-09-01", "2025-09-02"])

    payload = rules.payload(since=date(2025, 9, 2))

    assert payload == {"hours": "22:30-06:00", "days": ["sat", "sun"], "holidays": ["2025-09-02"]}
    assert QuietTime.from_payload(payload).holidays == frozenset({date(2025, 9, 2)})
    assert QuietTime.from_payload(None) == QuietTime()
    assert QuietTime.of("").hours == ""


@pytest.mark.parametrize("text", ["21-07", "25:00-07:00", "21:00-21:00", "21:00"])
def test_hours_that_are_not_a_span_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(text)
