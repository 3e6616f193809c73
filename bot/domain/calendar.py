"""When a bloc's messages may go out (pure rules).

A bloc rests (giờ nghỉ) every night between two local times (21:00-07:00 unless its file says
otherwise), on the weekdays it names (none unless its file says so) and on its holidays. A
message that falls in the rest waits for the next moment out of it; a reminder that would
then arrive after its event goes at once instead: late at night beats after the event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = "21:00-07:00"
_HOURS = re.compile(r"([01]?\d|2[0-3])[:h]([0-5]\d)\s*-\s*([01]?\d|2[0-3])[:h]([0-5]\d)")
_SEARCH_DAYS = 800  # holidays and rest days are looked through this far ahead, no further


def parse_hours(text: str) -> tuple[time, time]:
    """``21:00-07:00`` (or ``21h00-07h00``) as two times; raises ValueError."""
    match = _HOURS.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    start = time(int(match[1]), int(match[2]))
    end = time(int(match[3]), int(match[4]))
    if start == end:
        raise ValueError(text)
    return start, end


@dataclass(frozen=True)
class QuietTime:
    """When a bloc's messages wait: a window every night, whole weekdays and holidays."""

    start: time | None = time(21)  # None: no nightly window
    end: time | None = time(7)
    days: frozenset[int] = frozenset()  # weekdays, 0 = Monday
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, hours: str, days: Iterable[str] = (), holidays: Iterable[str] = ()) -> QuietTime:
        """From the stored text: ``21:00-07:00`` ("" for none), ``sat``, ``2025-09-02``."""
        start, end = parse_hours(hours) if hours else (None, None)
        return cls(
            start,
            end,
            frozenset(WEEKDAYS.index(day) for day in days),
            frozenset(date.fromisoformat(day) for day in holidays),
        )

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any] | None) -> QuietTime:
        """What ``payload()`` wrote; the default rest (21:00-07:00) when there is nothing."""
        if not payload:
            return cls()
        return cls.of(
            str(payload.get("hours", "")), payload.get("days", ()), payload.get("holidays", ())
        )

    @property
    def hours(self) -> str:
        """``21:00-07:00``, or "" without a nightly window."""
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def day_names(self) -> list[str]:
        return [WEEKDAYS[day] for day in sorted(self.days)]

    def payload(self, since: date | None = None) -> dict[str, Any]:
        """Plain data to carry on an outbox row; holidays before ``since`` are left out."""
        return {
            "hours": self.hours,
            "days": self.day_names,
            "holidays": [d.isoformat() for d in sorted(self.holidays) if not since or d >= since],
        }

    def is_quiet(self, local: datetime) -> bool:
        """Whether ``local`` (a time in the bloc's zone) is in the rest."""
        return self._day_off(local.date()) or self._night(local.time())

    def next_allowed(self, local: datetime) -> datetime | None:
        """The first moment from ``local`` on (itself included) out of the rest, in the same
        zone; None when the rest lasts longer than the days looked through."""
        moment = local
        for _step in range(3 * _SEARCH_DAYS):
            if self._day_off(moment.date()):
                moment = datetime.combine(moment.date() + timedelta(days=1), time(), local.tzinfo)
            elif self._night(moment.time()):
                assert self.start is not None and self.end is not None
                day = moment.date()
                if self.start > self.end and moment.time() >= self.start:
                    day += timedelta(days=1)  # the night runs past midnight
                moment = datetime.combine(day, self.end, local.tzinfo)
            else:
                return moment
        return None

    def send_at(
        self, now: datetime, not_after: datetime | None, *, before_event: bool
    ) -> datetime | None:
        """When a message due ``now`` (in the bloc's zone) goes out: ``now``, the next moment
        out of the rest, or None when it must not go at all.

        ``not_after`` is the moment past which the message is not worth sending (for a
        reminder, its event). When the rest lasts until then, a message ``before_event`` goes
        at once, anything else (a digest, a list) is dropped.
        """
        allowed = self.next_allowed(now)
        if allowed == now:
            return now
        if allowed is not None and (not_after is None or allowed < not_after):
            return allowed
        return now if before_event or not_after is None else None

    def waits_until(
        self, now: datetime, not_after: datetime | None, *, before_event: bool
    ) -> datetime | None:
        """When a message due ``now`` (in the bloc's zone) goes out if it waits out the rest;
        None when it goes at once (or not at all)."""
        goes = self.send_at(now, not_after, before_event=before_event)
        return goes if goes is not None and goes > now else None

    def _day_off(self, day: date) -> bool:
        return day.weekday() in self.days or day in self.holidays

    def _night(self, moment: time) -> bool:
        if self.start is None or self.end is None:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end
