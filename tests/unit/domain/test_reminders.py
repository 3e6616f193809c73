"""When reminders, the missing list and the Monday digest fall due: pure rules, no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import QuietTime
from bot.domain.events import EventKind
from bot.domain.reminders import (
    MISSING_FOR,
    BlocCalendar,
    CalendarEvent,
    Job,
    JobKind,
    due,
    remind_key,
)

HN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def at(text: str) -> datetime:
    """A local time in Hà Nội: ``2021-11-15 08:00`` (a Monday)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=HN)


SELF_SCORE = CalendarEvent(
    1, EventKind.DEADLINE, at("2021-11-20 17:00"), (7 * DAY, 3 * DAY, DAY, 2 * HOUR), True
)
REPORT = CalendarEvent(2, EventKind.DEADLINE, at("2021-11-25 17:00"), (DAY,))
TONG_KET = CalendarEvent(3, EventKind.MEETING, at("2021-12-20 14:00"), (3 * DAY, DAY, 2 * HOUR))


def calendar(*events: CalendarEvent, announced: bool = False) -> BlocCalendar:
    return BlocCalendar(7, "Asia/Ho_Chi_Minh", events or (SELF_SCORE, TONG_KET), announced)


def kinds(jobs: list[Job]) -> list[tuple[JobKind, int | None]]:
    return [(job.kind, job.event.id if job.event else None) for job in jobs]


def test_nothing_is_due_before_the_farthest_offset() -> None:
    assert due(calendar(SELF_SCORE), at("2021-11-13 16:59")) == []


def test_each_offset_falls_due_with_a_key_of_its_own() -> None:
    (job,) = due(calendar(SELF_SCORE), at("2021-11-17 17:00"))

    assert job == Job(
        f"remind:1:v1:{3 * 86400}", JobKind.REMIND, SELF_SCORE, ("remind:1:v1:604800",)
    )


def test_after_downtime_only_the_latest_offset_runs_the_earlier_are_silenced() -> None:
    (job,) = due(calendar(SELF_SCORE), at("2021-11-19 18:30"))

    assert job.key == "remind:1:v1:86400"
    assert set(job.silenced) == {"remind:1:v1:604800", "remind:1:v1:259200"}


def test_a_moved_event_reminds_under_its_new_version() -> None:
    moved = CalendarEvent(3, EventKind.MEETING, at("2021-12-21 14:00"), (DAY,), version=2)

    assert remind_key(moved, DAY) == "remind:3:v2:86400"
    assert [job.key for job in due(calendar(moved), at("2021-12-20 14:00"))] == [
        "remind:3:v2:86400"
    ]


def test_nothing_is_reminded_once_the_event_has_passed() -> None:
    assert due(calendar(TONG_KET), at("2021-12-20 14:00")) == []
    assert due(calendar(REPORT), at("2021-11-25 17:00")) == []  # and no missing list


def test_the_missing_list_is_due_for_a_week_after_the_scoring_deadline() -> None:
    (job,) = due(calendar(SELF_SCORE), at("2021-11-20 17:00"))

    assert (job.key, job.kind, job.event) == ("missing:1:v1", JobKind.MISSING, SELF_SCORE)
    assert job.not_after == SELF_SCORE.at + MISSING_FOR
    assert kinds(due(calendar(SELF_SCORE), at("2021-11-27 16:59"))) == [(JobKind.MISSING, 1)]
    assert due(calendar(SELF_SCORE), at("2021-11-27 17:00")) == []


def test_once_the_results_are_out_the_scoring_deadline_is_silent_and_meetings_are_not() -> None:
    assert due(calendar(announced=True), at("2021-11-19 17:00")) == []
    assert due(calendar(announced=True), at("2021-11-20 17:00")) == []
    meeting = due(calendar(announced=True), at("2021-12-17 14:00"))
    assert kinds(meeting) == [(JobKind.REMIND, 3)]


def test_the_digest_goes_on_monday_from_eight_until_the_end_of_the_day() -> None:
    assert kinds(due(calendar(SELF_SCORE), at("2021-11-15 07:59"))) == [(JobKind.REMIND, 1)]

    jobs = due(calendar(SELF_SCORE), at("2021-11-15 08:00"))

    assert kinds(jobs) == [(JobKind.REMIND, 1), (JobKind.DIGEST, None)]
    digest = jobs[-1]
    assert digest.key == "digest:7:2021-W46" and digest.not_after == at("2021-11-15 23:59")
    assert kinds(due(calendar(SELF_SCORE), at("2021-11-16 08:00")))[-1][0] is JobKind.REMIND


def test_the_digest_reads_the_blocs_local_monday() -> None:
    monday = datetime(
        2021, 11, 15, 1, 0, tzinfo=ZoneInfo("UTC")
    )  # 08:00 in Hà Nội, 02:00 in Paris
    assert kinds(due(calendar(SELF_SCORE), monday))[-1] == (JobKind.DIGEST, None)
    elsewhere = BlocCalendar(7, "Europe/Paris", (SELF_SCORE,))
    assert [job.kind for job in due(elsewhere, monday)] == [JobKind.REMIND]


def test_no_digest_once_scoring_has_closed_or_the_results_are_out_or_without_a_deadline() -> None:
    assert due(calendar(SELF_SCORE), at("2021-11-22 08:00"))[-1].kind is JobKind.MISSING
    assert due(calendar(SELF_SCORE, announced=True), at("2021-11-15 08:00")) == []
    assert due(calendar(REPORT), at("2021-11-15 08:00")) == []


def test_a_message_waits_out_the_night_unless_it_would_arrive_after_its_event() -> None:
    night = QuietTime()
    meeting = at("2021-11-12 06:30")

    assert night.waits_until(at("2021-11-11 22:00"), None, before_event=True) == at(
        "2021-11-12 07:00"
    )
    assert night.waits_until(at("2021-11-12 04:30"), meeting, before_event=True) is None
    assert night.waits_until(at("2021-11-11 20:00"), meeting, before_event=True) is None
