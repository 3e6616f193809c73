"""What agencies do about the bloc's calendar: they mark a deadline that is not the score
sheet (a report, a plan) as sent, and answer a meeting (who will come); the head sees both
lists, marks for an agency or undoes a mark, and changes a meeting's place, which the group
and the agencies coming are told of. Every change goes into the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.clock import Clock
from bot.domain.audit import AuditFacts, AuditField
from bot.domain.events import EventKind
from bot.services.events import EventView
from bot.services.posts import (
    Draft,
    Reader,
    post_messages,
    quiet_message,
    quiet_payload,
    readers,
)
from bot.services.reach import Reach
from bot.services.scoring import NoSeason
from bot.storage.models import Agency, Bloc, Event, EventAttendance, EventCompletion
from bot.storage.uow import UnitOfWork

MAX_ATTENDEES = 500  # characters of "who will come"


class PlaceTexts(Protocol):
    """The post that tells a meeting's new place."""

    def place_changed(self, event: EventView, previous: str | None) -> str: ...


class TrackingProblem(StrEnum):
    NOT_FOUND = "not_found"  # no such deadline or meeting (or cancelled)
    SCORING = "scoring"  # the score-sheet deadline: its sheets say who has sent them
    PASSED = "passed"  # the meeting has begun: answers no longer change
    NO_AGENCY = "no_agency"  # not an agency of the season
    TOO_LONG = "too_long"  # who will come: too long


class TrackingRefused(Exception):
    def __init__(self, problem: TrackingProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class AgencyMark:
    """One agency in a list: whether it has sent the deadline's paper, or its answer."""

    code: str
    name: str
    at: datetime | None = None  # when it was marked or answered; None: not yet
    answer: bool | None = None  # a meeting: comes (True), does not (False), not answered
    attendees: str | None = None


@dataclass(frozen=True)
class Marks:
    """A deadline's or a meeting's list, agency by agency in the bloc's order."""

    event: EventView
    agencies: tuple[AgencyMark, ...]

    def done(self) -> list[AgencyMark]:
        return [a for a in self.agencies if a.at is not None]

    def missing(self) -> list[AgencyMark]:
        return [a for a in self.agencies if a.at is None]


@dataclass(frozen=True)
class MarkChange:
    """What a mark or an answer did: the agency's line before and after."""

    event: EventView
    before: AgencyMark
    after: AgencyMark


@dataclass(frozen=True)
class PlaceChange:
    event: EventView
    previous: str | None
    posts: int  # group posts and direct messages enqueued


class TrackingService:
    """Deadlines met and meeting answers, per agency; ``texts`` writes the place notice."""

    def __init__(
        self, unit: UnitOfWork, clock: Clock, texts: PlaceTexts, reach: Reach | None = None
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.texts = texts
        self.reach = reach or Reach()

    async def open_events(self, bloc_id: int, kind: EventKind) -> list[EventView]:
        """Deadlines that are not the score sheet's (passed ones too: a report may come
        late), or the meetings still to come."""
        bloc, season_id = await self._season(bloc_id)
        now = self.clock.now()
        found = []
        for event in await self.unit.seasons.events(season_id):
            if event.kind != kind.value or event.closes_scoring:
                continue
            if kind is EventKind.MEETING and event.at <= now:
                continue
            found.append(EventView.of(event, bloc.timezone))
        return found

    async def agencies(self, bloc_id: int) -> list[tuple[str, str]]:
        """(code, name) of the season's agencies, in the bloc's order."""
        _bloc, agencies = await self._agencies(bloc_id)
        return [(a.code, a.name) for a in agencies]

    async def completions(self, bloc_id: int, event_id: int) -> Marks:
        """Who has sent what the deadline asks for, and who has not."""
        bloc, event = await self._event(bloc_id, event_id, EventKind.DEADLINE)
        _bloc, agencies = await self._agencies(bloc_id)
        done = await self.unit.tracking.completions(event.id)
        lines = [_done_line(a, done.get(a.id)) for a in agencies]
        return Marks(EventView.of(event, bloc.timezone), tuple(lines))

    async def mark_done(
        self, bloc_id: int, event_id: int, agency_code: str, actor_id: int, *, undo: bool = False
    ) -> MarkChange:
        """Mark that the agency has sent it (again: nothing changes), or undo the mark."""
        bloc, event = await self._event(bloc_id, event_id, EventKind.DEADLINE)
        agency = await self._agency(bloc_id, agency_code)
        now = self.clock.now()
        row = (await self.unit.tracking.completions(event.id)).get(agency.id)
        before = _done_line(agency, row)
        if undo and row is not None:
            await self.unit.tracking.undo(event.id, agency.id)
            after = _done_line(agency, None)
        elif not undo and row is None:
            self.unit.tracking.add(
                EventCompletion(
                    event_id=event.id, agency_id=agency.id, done_at=now, marked_by_id=actor_id
                )
            )
            after = replace(before, at=now)
        else:
            return MarkChange(EventView.of(event, bloc.timezone), before, before)
        old, new = ("yes", None) if undo else (None, "yes")
        await self._audit(bloc, event, agency, actor_id, AuditField.DONE, old, new)
        return MarkChange(EventView.of(event, bloc.timezone), before, after)

    async def attendance(self, bloc_id: int, event_id: int) -> Marks:
        """Every agency's answer to the meeting: comes, does not, not answered; who comes."""
        bloc, event = await self._event(bloc_id, event_id, EventKind.MEETING)
        _bloc, agencies = await self._agencies(bloc_id)
        answers = await self.unit.tracking.answers(event.id)
        lines = [_answer_line(a, answers.get(a.id)) for a in agencies]
        return Marks(EventView.of(event, bloc.timezone), tuple(lines))

    async def answer(
        self,
        bloc_id: int,
        event_id: int,
        agency_code: str,
        actor_id: int,
        comes: bool,
        attendees: str | None = None,
    ) -> MarkChange:
        """The agency's answer to the meeting, until it begins; ``attendees`` None keeps who
        was named before when it still comes, "" names nobody."""
        bloc, event = await self._event(bloc_id, event_id, EventKind.MEETING)
        now = self.clock.now()
        if event.at <= now:
            raise TrackingRefused(TrackingProblem.PASSED)
        agency = await self._agency(bloc_id, agency_code)
        row = (await self.unit.tracking.answers(event.id)).get(agency.id)
        before = _answer_line(agency, row)
        if attendees is not None:
            attendees = " ".join(attendees.split()) or None
            if attendees is not None and len(attendees) > MAX_ATTENDEES:
                raise TrackingRefused(TrackingProblem.TOO_LONG)
        elif comes and row is not None and row.answer == "yes":
            attendees = row.attendees
        if not comes:
            attendees = None
        if row is None:
            row = EventAttendance(event_id=event.id, agency_id=agency.id, answer="no")
            self.unit.tracking.add(row)
        row.answer, row.attendees = ("yes" if comes else "no"), attendees
        row.answered_by_id, row.answered_at = actor_id, now
        after = _answer_line(agency, row)
        if (before.answer, before.attendees) != (after.answer, after.attendees):
            old, new = _said(before), _said(after)
            await self._audit(bloc, event, agency, actor_id, AuditField.ATTENDANCE, old, new)
        return MarkChange(EventView.of(event, bloc.timezone), before, after)

    async def move_place(
        self, bloc_id: int, event_id: int, place: str | None, actor_id: int
    ) -> PlaceChange:
        """Change where a meeting is; the group is told, and so is every contact of an
        agency that comes and is not told through the group already."""
        bloc, event = await self._event(bloc_id, event_id, EventKind.MEETING)
        now = self.clock.now()
        if event.at <= now:
            raise TrackingRefused(TrackingProblem.PASSED)
        place = " ".join((place or "").split()) or None
        previous = event.place
        view = EventView.of(event, bloc.timezone)
        if place == previous:
            return PlaceChange(view, previous, 0)
        event.place = place
        await self.unit.seasons.bump_version(event.season_id)
        facts = _facts(now, event, None, actor_id, AuditField.PLACE, previous, place)
        await self.unit.audit.append(bloc.id, [facts])
        view = EventView.of(event, bloc.timezone)
        draft = Draft(
            f"event:{event.id}:place:{now:%Y%m%dT%H%M%S}",
            lambda: self.texts.place_changed(view, previous),
            event.at,
            payload=quiet_payload(bloc, now, before_event=True),
        )
        targets = await readers(self.unit, bloc, self.reach)
        messages = post_messages(targets, bloc, draft, now)
        told = {r.contact_id for r in targets if r.contact_id is not None}
        coming = {
            agency_id
            for agency_id, row in (await self.unit.tracking.answers(event.id)).items()
            if row.answer == "yes"
        }
        for m in await self.unit.contacts.in_bloc(bloc.id):
            person = m.contact
            if m.agency_id in coming and m.contact_id not in told and not person.unreachable_at:
                language = person.language or bloc.locale
                reader = Reader(person.platform, person.user_id, language, m.contact_id)
                messages.append(quiet_message(reader, bloc, draft, now))
        return PlaceChange(view, previous, await self.unit.outbox.enqueue(messages, now))

    # -- reading

    async def _season(self, bloc_id: int) -> tuple[Bloc, int]:
        bloc = await self.unit.blocs.by_id(bloc_id)
        current = await self.unit.seasons.current(bloc_id)
        if bloc is None or current is None:
            raise NoSeason(bloc_id)
        return bloc, current[0]

    async def _event(self, bloc_id: int, event_id: int, kind: EventKind) -> tuple[Bloc, Event]:
        bloc, season_id = await self._season(bloc_id)
        event = await self.unit.seasons.event_in_bloc(bloc_id, event_id)
        if (
            event is None
            or event.cancelled_at is not None
            or event.season_id != season_id
            or event.kind != kind.value
        ):
            raise TrackingRefused(TrackingProblem.NOT_FOUND)
        if event.closes_scoring:
            raise TrackingRefused(TrackingProblem.SCORING)
        return bloc, event

    async def _agencies(self, bloc_id: int) -> tuple[Bloc, list[Agency]]:
        bloc = await self.unit.blocs.by_id(bloc_id)
        found = await self.unit.blocs.get(bloc.code) if bloc is not None else None
        if found is None:
            raise NoSeason(bloc_id)
        members = await self.unit.seasons.roles_in_latest(bloc_id)
        return found, [a for a in found.agencies if a.id in members]

    async def _agency(self, bloc_id: int, code: str) -> Agency:
        _bloc, agencies = await self._agencies(bloc_id)
        agency = next((a for a in agencies if a.code == code), None)
        if agency is None:
            raise TrackingRefused(TrackingProblem.NO_AGENCY)
        return agency

    async def _audit(
        self,
        bloc: Bloc,
        event: Event,
        agency: Agency,
        actor_id: int,
        field: AuditField,
        old: str | None,
        new: str | None,
    ) -> None:
        facts = _facts(self.clock.now(), event, agency, actor_id, field, old, new)
        await self.unit.audit.append(bloc.id, [facts])


def _facts(
    at: datetime,
    event: Event,
    agency: Agency | None,
    actor_id: int,
    field: AuditField,
    old: str | None,
    new: str | None,
) -> AuditFacts:
    return AuditFacts(
        at=at,
        field=field.value,
        old_value=old,
        new_value=new,
        actor_id=actor_id,
        season_id=event.season_id,
        agency_id=agency.id if agency is not None else None,
        subject=event.code,
    )


def _done_line(agency: Agency, row: EventCompletion | None) -> AgencyMark:
    return AgencyMark(agency.code, agency.name, row.done_at if row is not None else None)


def _answer_line(agency: Agency, row: EventAttendance | None) -> AgencyMark:
    if row is None:
        return AgencyMark(agency.code, agency.name)
    return AgencyMark(
        agency.code, agency.name, row.answered_at, row.answer == "yes", row.attendees
    )


def _said(line: AgencyMark) -> str | None:
    """An answer as the audit trail keeps it: ``yes: Hoa, Lan``, ``no``, or None."""
    if line.answer is None:
        return None
    if not line.answer:
        return "no"
    return f"yes: {line.attendees}" if line.attendees else "yes"
