"""When a bloc's calendar next has something new to do: the tick reads no bloc before then."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.domain.reminders import BlocCalendar, due, next_due
from tests.unit.domain.test_reminders import REPORT, SELF_SCORE, TONG_KET, at, calendar

STEP = timedelta(minutes=5)  # every offset and event of these calendars is on this grid


def keys(calendar: BlocCalendar, moment: datetime) -> set[str]:
    return {job.key for job in due(calendar, moment)}


def test_the_next_moment_is_the_next_offset_the_deadline_or_the_monday_digest() -> None:
    whole = calendar(SELF_SCORE, TONG_KET)

    assert next_due(whole, at("2021-11-10 09:00")) == at("2021-11-13 17:00")  # 7 days before
    assert next_due(whole, at("2021-11-13 17:00")) == at("2021-11-15 08:00")  # Monday's digest
    assert next_due(whole, at("2021-11-15 08:00")) == at("2021-11-17 17:00")  # 3 days before
    assert next_due(whole, at("2021-11-20 15:00")) == at("2021-11-20 17:00")  # the missing list
    assert next_due(whole, at("2021-11-20 17:00")) == at("2021-12-17 14:00")  # the meeting
    assert next_due(whole, at("2021-12-20 12:00")) is None  # nothing after the last reminder


def test_once_the_results_are_out_only_meetings_are_ahead() -> None:
    announced = calendar(SELF_SCORE, TONG_KET, announced=True)

    assert next_due(announced, at("2021-11-10 09:00")) == at("2021-12-17 14:00")


@pytest.mark.parametrize("announced", [False, True])
def test_until_the_next_moment_nothing_new_falls_due_and_then_something_does(
    announced: bool,
) -> None:
    bloc = calendar(SELF_SCORE, REPORT, TONG_KET, announced=announced)
    moment, end = at("2021-11-01 00:00"), at("2021-12-31 00:00")
    while moment < end:
        ahead = next_due(bloc, moment)
        now = keys(bloc, moment)
        step = moment + STEP
        while step < end and (ahead is None or step < ahead):
            assert keys(bloc, step) <= now, step  # the tick may skip the bloc until ``ahead``
            step += STEP
        if ahead is not None:
            assert keys(bloc, ahead) - now, ahead  # and there is something new then
        moment = step if ahead is None else ahead
