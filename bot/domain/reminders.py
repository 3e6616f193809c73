"""When reminders (nhắc việc) fall due in a bloc's calendar: pure rules on plain values.

Before an event each of its offsets falls due once; after downtime only the latest offset that
passed goes out, the earlier ones are silenced (marked done, never sent late). Once the deadline
that closes scoring has passed, the head's list of missing sheets is worth sending for a week;
until that deadline, every Monday morning brings the progress digest. Nothing of the scoring
deadline is due once the results are out. ``next_due`` says when a calendar next has something
new to do, so a tick reads only the blocs whose time has come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.events import EventKind

DIGEST_AT = time(8)  # Monday, local time
DIGEST_UNTIL = time(23, 59)  # the digest is not worth sending after this, the same day
MISSING_FOR = timedelta(days=7)  # the missing list is worth sending this long after the deadline


@dataclass(frozen=True)
class CalendarEvent:
    """A deadline or a meeting as the reminders read it."""

    id: int
    kind: EventKind
    at: datetime
    remind: tuple[timedelta, ...] = ()  # before ``at``
    closes_scoring: bool = False
    version: int = 1  # a move makes a new version, which reminds afresh

    @property
    def closes_scoring_deadline(self) -> bool:
        """The deadline of the self-score sheets (its reminders go to the late agencies)."""
        return self.kind is EventKind.DEADLINE and self.closes_scoring


@dataclass(frozen=True)
class BlocCalendar:
    """A bloc's current season as the reminders read it: its events and its local time."""

    bloc_id: int
    timezone: str
    events: tuple[CalendarEvent, ...]
    announced: bool = False  # the season's results are out

    @property
    def closing(self) -> CalendarEvent | None:
        """The event that closes self-scoring, if any."""
        return next((event for event in self.events if event.closes_scoring), None)


class JobKind(StrEnum):
    REMIND = "remind"  # an event's reminder: to the group and its readers
    MISSING = "missing"  # the agencies that missed the scoring deadline: to the head
    DIGEST = "digest"  # the Monday progress: to the group


@dataclass(frozen=True)
class Job:
    """Something due in a bloc: ``key`` marks it done; ``silenced`` are marked, never run."""

    key: str
    kind: JobKind
    event: CalendarEvent | None = None
    silenced: tuple[str, ...] = ()
    not_after: datetime | None = None


def due(calendar: BlocCalendar, now: datetime) -> list[Job]:
    """The jobs of a bloc that are due at ``now``, whether or not they already ran."""
    announced = calendar.announced
    jobs = []
    for event in calendar.events:
        scoring = event.closes_scoring_deadline
        if now < event.at:
            if scoring and announced:
                continue  # the results are out: no sheet is missing any more
            offsets = sorted(offset for offset in event.remind if event.at - offset <= now)
            if offsets:
                keys = [remind_key(event, offset) for offset in offsets]
                jobs.append(Job(keys[0], JobKind.REMIND, event, tuple(keys[1:])))
        elif scoring and not announced and now < event.at + MISSING_FOR:
            key = f"missing:{event.id}:v{event.version}"
            jobs.append(Job(key, JobKind.MISSING, event, not_after=event.at + MISSING_FOR))
    digest = _digest(calendar, now)
    if digest is not None:
        jobs.append(digest)
    return jobs


def _digest(calendar: BlocCalendar, now: datetime) -> Job | None:
    """The Monday progress digest, from 08:00 local time while self-scoring is open."""
    closing = calendar.closing
    if closing is None or closing.at <= now or calendar.announced:
        return None
    zone = ZoneInfo(calendar.timezone)
    local = now.astimezone(zone)
    if local.weekday() != 0 or local.time() < DIGEST_AT:
        return None
    year, week, _day = local.isocalendar()
    end = datetime.combine(local.date(), DIGEST_UNTIL, zone)
    return Job(f"digest:{calendar.bloc_id}:{year}-W{week:02d}", JobKind.DIGEST, not_after=end)


def next_due(calendar: BlocCalendar, now: datetime) -> datetime | None:
    """The first moment after ``now`` at which a job falls due that is not due at ``now``
    (None: none will): an offset still ahead, the scoring deadline (its list of missing
    sheets), or the next Monday's digest. Until then ``due`` gives the jobs it gives at ``now``
    or fewer."""
    announced = calendar.announced
    moments = []
    for event in calendar.events:
        if now >= event.at or (event.closes_scoring_deadline and announced):
            continue
        moments += [event.at - offset for offset in event.remind if event.at - offset > now]
        if event.closes_scoring_deadline:
            moments.append(event.at)
    digest = _next_digest(calendar, now)
    if digest is not None:
        moments.append(digest)
    return min(moments, default=None)


def _next_digest(calendar: BlocCalendar, now: datetime) -> datetime | None:
    """The next Monday 08:00 after ``now``, local time, while self-scoring is still open then."""
    closing = calendar.closing
    if closing is None or calendar.announced:
        return None
    zone = ZoneInfo(calendar.timezone)
    day = now.astimezone(zone).date()
    monday = day + timedelta(days=-day.weekday() % 7)
    moment = datetime.combine(monday, DIGEST_AT, zone)
    if moment <= now:
        moment = datetime.combine(monday + timedelta(days=7), DIGEST_AT, zone)
    return moment if moment < closing.at else None


def remind_key(event: CalendarEvent, offset: timedelta) -> str:
    """What marks one reminder of one version of an event done."""
    return f"remind:{event.id}:v{event.version}:{int(offset.total_seconds())}"
