"""When a sheet is open or closed, and how far an agency's sheet is: pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.sheets import Closed, Progress, SheetStatus, progress_of, why_closed

DEADLINE = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)
BEFORE, AFTER = DEADLINE - timedelta(minutes=1), DEADLINE + timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "closed"),
    [
        (SheetStatus.DRAFT, None),
        (SheetStatus.SUBMITTED, Closed.SUBMITTED),  # reopen it first
        (SheetStatus.LOCKED, Closed.LOCKED),
    ],
)
def test_before_the_deadline_only_a_draft_is_open(
    status: SheetStatus, closed: Closed | None
) -> None:
    assert why_closed(status, announced_at=None, deadline=DEADLINE, now=BEFORE) is closed


@pytest.mark.parametrize("status", list(SheetStatus))
def test_the_deadline_closes_every_sheet_from_its_very_moment(status: SheetStatus) -> None:
    for now in (DEADLINE, AFTER):
        assert why_closed(status, announced_at=None, deadline=DEADLINE, now=now) is Closed.DEADLINE


@pytest.mark.parametrize("status", list(SheetStatus))
def test_announced_results_lock_every_sheet_even_before_the_deadline(status: SheetStatus) -> None:
    closed = why_closed(status, announced_at=BEFORE, deadline=DEADLINE, now=BEFORE)

    assert closed is Closed.LOCKED


def test_without_a_deadline_a_draft_stays_open() -> None:
    far = DEADLINE + timedelta(days=365)

    assert why_closed(SheetStatus.DRAFT, announced_at=None, deadline=None, now=far) is None
    assert why_closed(SheetStatus.SUBMITTED, announced_at=None, deadline=None, now=far) is (
        Closed.SUBMITTED
    )


@pytest.mark.parametrize(
    ("submitted_at", "answered", "progress"),
    [
        (None, 0, Progress.NOT_STARTED),
        (None, 3, Progress.DRAFT),  # started, not submitted (or reopened)
        (DEADLINE, 12, Progress.SUBMITTED),
        (DEADLINE, 0, Progress.SUBMITTED),  # the table changed under it: still sent
    ],
)
def test_an_agencys_progress(
    submitted_at: datetime | None, answered: int, progress: Progress
) -> None:
    assert progress_of(submitted_at, answered) is progress


def test_the_stored_values_stay_what_the_database_holds() -> None:
    assert [status.value for status in SheetStatus] == ["draft", "submitted", "locked"]
    assert [p.value for p in Progress] == ["submitted", "draft", "not_started"]
