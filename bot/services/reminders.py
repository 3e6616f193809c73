"""Reminders (nhắc việc): before every deadline and meeting, the list of missing sheets to the
head, the Monday progress digest, and the head's nudge (/remind). All go through the outbox.

``tick()`` runs every half minute in every process, for the blocs whose calendar is due (the
calendar_due table: set by each tick from ``next_due``, and by every change to the calendar).
What is due is the rule of ``bot.domain.reminders``; a schedule mark records each job that ran,
so a reminder fires once whatever the number of processes, and the offsets that rule silences
after downtime are marked and never go out late. What the messages say is the injected
``ReminderTexts``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from bot.clock import Clock
from bot.domain.events import EventKind
from bot.domain.reminders import BlocCalendar, CalendarEvent, Job, JobKind, due, next_due
from bot.services.events import EventView, called
from bot.services.notices import ReminderTexts
from bot.services.posts import (
    Draft,
    Reader,
    post_messages,
    quiet_message,
    quiet_of,
    quiet_payload,
    readers,
)
from bot.services.reach import Reach
from bot.services.results import AgencyProgress, Progress, ProgressView, ResultsService
from bot.storage.models import Bloc, Membership
from bot.storage.repositories import NewMessage
from bot.storage.uow import UnitOfWork
from bot.timetext import zone_of

log = logging.getLogger(__name__)

RECHECK = timedelta(hours=6)  # a bloc's calendar is read at least this often


class NudgeReason(StrEnum):
    ANNOUNCED = "announced"  # the results are out
    CLOSED = "closed"  # the deadline that closes scoring has passed


class NudgeRefused(Exception):
    def __init__(
        self, reason: NudgeReason, deadline: datetime | None = None, timezone: str = ""
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.deadline = deadline
        self.timezone = timezone  # the bloc's


@dataclass(frozen=True)
class Nudge:
    """What /remind sent."""

    agencies: tuple[str, ...]  # the agencies that have not submitted
    people: int  # direct messages to their contacts
    groups: int  # posts to the bloc's groups
    unreachable: int  # contacts left out: they blocked the bot
    without_contact: tuple[str, ...]  # late agencies nobody is linked to
    waiting: bool  # quiet time in the bloc: the messages wait until ``waits_until``
    repeated: bool  # the same nudge went out this very minute: nothing was sent again
    waits_until: datetime | None = None  # when the messages go out, if not now
    timezone: str = ""  # the bloc's


@dataclass(frozen=True)
class _Person:
    """A contact officer as a recipient."""

    contact_id: int
    platform: str
    user_id: str
    language: str
    agency_id: int
    agency_code: str
    unreachable: bool


@dataclass
class _Bloc:
    """One bloc while its jobs are turned into messages; reads what it needs once."""

    uow: UnitOfWork
    bloc: Bloc
    now: datetime
    results: ResultsService
    view: ProgressView | None = None
    _people: list[_Person] | None = field(default=None, repr=False)
    reach: Reach = field(default_factory=Reach)
    _readers: list[Reader] | None = field(default=None, repr=False)
    _links: list[Membership] | None = field(default=None, repr=False)

    async def links(self) -> list[Membership]:
        """The bloc's contacts and their agencies, read once."""
        if self._links is None:
            self._links = await self.uow.contacts.in_bloc(self.bloc.id)
        return self._links

    async def progress(self) -> ProgressView:
        if self.view is None:
            self.view = await self.results.progress(self.bloc.id, await self.links())
        return self.view

    async def people(self) -> list[_Person]:
        if self._people is None:
            self._people = [
                _Person(
                    contact_id=m.contact_id,
                    platform=m.contact.platform,
                    user_id=m.contact.user_id,
                    language=m.contact.language or self.bloc.locale,
                    agency_id=m.agency_id,
                    agency_code=m.agency.code,
                    unreachable=m.contact.unreachable_at is not None,
                )
                for m in await self.links()
            ]
        return self._people

    async def posts(
        self,
        key: str,
        make: Callable[[], str],
        *,
        not_after: datetime | None,
        event_id: int | None = None,
        skip: tuple[str, str] | None = None,
        before_event: bool = False,
    ) -> list[NewMessage]:
        """A post for the bloc's group (to its groups but ``skip``, or to each contact where
        no group carries it), that waits out the bloc's quiet time (``before_event``: rather
        late than never)."""
        if self._readers is None:
            self._readers = await readers(
                self.uow, self.bloc, self.reach, links=await self.links()
            )
        targets = [r for r in self._readers if (r.platform, r.chat_id) != skip]
        payload = quiet_payload(self.bloc, self.now, before_event=before_event)
        draft = Draft(key, make, not_after, event_id, payload)
        return post_messages(targets, self.bloc, draft, self.now)

    def direct(
        self,
        person: _Person,
        key: str,
        make: Callable[[], str],
        *,
        not_after: datetime | None,
        event_id: int | None = None,
        before_event: bool = False,
    ) -> NewMessage:
        """A direct message in the person's language that waits out the bloc's quiet time."""
        reader = Reader(person.platform, person.user_id, person.language, person.contact_id)
        payload = quiet_payload(self.bloc, self.now, before_event=before_event)
        return quiet_message(
            reader, self.bloc, Draft(key, make, not_after, event_id, payload), self.now
        )


class ReminderService:
    """Turns the calendar into reminders, digests and nudges in the outbox, in the words of
    ``texts``."""

    def __init__(
        self,
        unit: UnitOfWork,
        clock: Clock,
        results: ResultsService,
        reach: Reach,
        texts: ReminderTexts,
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.results = results
        self.reach = reach
        self.texts = texts

    async def due(self) -> list[int]:
        """The blocs whose calendar is due now: a tick reads them, one unit of work each, and
        no other bloc."""
        return await self.unit.schedule.due(self.clock.now())

    async def nudge(
        self, bloc_id: int, contact_id: int, *, skip: tuple[str, str] | None = None
    ) -> Nudge:
        """Remind every contact of every agency that has not submitted, now (in the bloc's
        quiet time the messages wait for its end), and tell the groups but ``skip`` (platform,
        chat id).

        Raises NoSeason, or NudgeRefused once the results are out or the deadline has passed.
        """
        now = self.clock.now()
        view = await self.results.progress(bloc_id)
        if view.announced:
            raise NudgeRefused(NudgeReason.ANNOUNCED)
        if view.deadline is not None and now >= view.deadline:
            raise NudgeRefused(NudgeReason.CLOSED, view.deadline, view.timezone)
        late = _late(view)
        uow = self.unit
        bloc = await uow.blocs.by_id(bloc_id)
        current = await uow.seasons.current(bloc_id)
        assert bloc is not None and current is not None
        closing = next((e for e in await uow.seasons.events(current[0]) if e.closes_scoring), None)
        state = _Bloc(uow, bloc, now, self.results, view, reach=self.reach)
        key = f"nudge:{bloc_id}:{now:%Y%m%dT%H%M}"
        event_id = closing.id if closing else None
        recipients = [p for p in await state.people() if p.agency_code in late]
        reachable = [p for p in recipients if not p.unreachable]
        messages = [
            state.direct(
                person,
                key,
                partial(self.texts.nudge, view, late[person.agency_code]),
                not_after=view.deadline,
                event_id=event_id,
                before_event=True,
            )
            for person in reachable
        ]
        posts: list[NewMessage] = []
        if late:
            posts = await state.posts(
                key,
                lambda: self.texts.nudge_post(view, list(late.values())),
                not_after=view.deadline,
                event_id=event_id,
                skip=skip,
                before_event=True,
            )
        added = await uow.outbox.enqueue([*messages, *posts], now)
        log.info("contact %s nudged %d agencies of bloc %s", contact_id, len(late), bloc_id)
        linked = {person.agency_code for person in recipients}
        local = now.astimezone(zone_of(bloc.timezone))
        waits_until = quiet_of(bloc).waits_until(local, view.deadline, before_event=True)
        return Nudge(
            agencies=tuple(line.agency.name for line in late.values()),
            people=len(messages),
            groups=sum(1 for post in posts if post.chat_kind == "group"),
            unreachable=len(recipients) - len(reachable),
            without_contact=tuple(
                line.agency.name for code, line in late.items() if code not in linked
            ),
            waiting=waits_until is not None,
            repeated=bool(messages or posts) and added == 0,
            waits_until=waits_until,
            timezone=bloc.timezone,
        )

    async def tick(self, bloc_id: int) -> int:
        """Enqueue what became due in the bloc, if it is still due, and set when its calendar
        is next due; returns how many messages were added."""
        now = self.clock.now()
        uow = self.unit
        if not await uow.schedule.take(bloc_id, now):
            return 0  # read meanwhile, by this process or another
        bloc = await uow.blocs.by_id(bloc_id)
        current = await uow.seasons.current(bloc_id)
        if bloc is None or current is None:
            if bloc is not None:
                await uow.schedule.plan(bloc_id, None)  # a new season says so
            return 0
        season_id, _version, announced_at = current
        views = [EventView.of(e, bloc.timezone) for e in await uow.seasons.events(season_id)]
        calendar = _calendar(bloc_id, bloc.timezone, views, announced_at is not None)
        jobs = due(calendar, now)
        await uow.schedule.plan(bloc_id, _next_look(calendar, now))
        if not jobs:
            return 0
        marked = await uow.seasons.marked([k for job in jobs for k in (job.key, *job.silenced)])
        state = _Bloc(uow, bloc, now, self.results, reach=self.reach)
        by_id = {view.id: view for view in views}
        messages: list[NewMessage] = []
        for job in jobs:
            for key in job.silenced:
                if key not in marked:
                    await uow.outbox.mark(key, now)
            if job.key in marked or not await uow.outbox.mark(job.key, now):
                continue  # done before, here or by another process
            event = by_id[job.event.id] if job.event is not None else None
            messages += await self._messages(state, job, event)
        added = await uow.outbox.enqueue(messages, now)
        return added

    async def _messages(self, state: _Bloc, job: Job, event: EventView | None) -> list[NewMessage]:
        if job.kind is JobKind.DIGEST:
            view = await state.progress()
            name = called(state.bloc)
            return await state.posts(
                job.key, lambda: self.texts.digest(view, name), not_after=job.not_after
            )
        assert event is not None and job.event is not None
        if job.kind is JobKind.MISSING:
            return await self._missing(state, job, event)
        if job.event.closes_scoring_deadline:
            return await self._scoring_reminders(state, job, event)
        # A deadline that is not the score sheet's: the agencies that sent it are not reminded.
        done: set[int] = set()
        if event.kind is EventKind.DEADLINE:
            done = await state.uow.tracking.done_contacts(event.id)
        messages = await state.posts(
            job.key,
            lambda: self.texts.reminder(event),
            not_after=event.at,
            event_id=event.id,
            before_event=True,
        )
        messages = [m for m in messages if m.contact_id is None or m.contact_id not in done]
        for person in await state.people():
            if not person.unreachable and person.contact_id not in done:
                messages.append(
                    state.direct(
                        person,
                        job.key,
                        lambda: self.texts.reminder(event),
                        not_after=event.at,
                        event_id=event.id,
                        before_event=True,
                    )
                )
        return messages

    async def _scoring_reminders(
        self, state: _Bloc, job: Job, event: EventView
    ) -> list[NewMessage]:
        """The group and the contacts of the agencies that have not submitted."""
        view = await state.progress()
        late = _late(view)
        if not late:
            return []
        messages = await state.posts(
            job.key,
            lambda: self.texts.scoring_post(event, view),
            not_after=event.at,
            event_id=event.id,
            before_event=True,
        )
        for person in await state.people():
            line = late.get(person.agency_code)
            if line is not None and not person.unreachable:
                messages.append(
                    state.direct(
                        person,
                        job.key,
                        partial(self.texts.scoring_reminder, event, line),
                        not_after=event.at,
                        event_id=event.id,
                        before_event=True,
                    )
                )
        return messages

    async def _missing(self, state: _Bloc, job: Job, event: EventView) -> list[NewMessage]:
        """The head agency's contacts get the agencies that missed the deadline."""
        late = list(_late(await state.progress()).values())
        if not late:
            return []
        roles = await state.uow.seasons.roles_in_latest(state.bloc.id)
        return [
            state.direct(
                person,
                job.key,
                lambda: self.texts.missing_list(event, late),
                not_after=job.not_after,
                event_id=event.id,
            )
            for person in await state.people()
            if roles.get(person.agency_id) == "head" and not person.unreachable
        ]


def _late(view: ProgressView) -> dict[str, AgencyProgress]:
    """Agency code -> progress line of the agencies that have not submitted."""
    return {
        line.agency.code: line for line in view.agencies if line.status is not Progress.SUBMITTED
    }


def _next_look(calendar: BlocCalendar, now: datetime) -> datetime:
    """When a tick reads the bloc's calendar again: when something falls due in it, and at the
    latest ``RECHECK`` from now (spread over an hour between blocs), in case it changed in a
    way that did not say so (an operator's SQL)."""
    latest = now + RECHECK + timedelta(seconds=calendar.bloc_id % 3600)
    ahead = next_due(calendar, now)
    return latest if ahead is None else min(ahead, latest)


def _calendar(
    bloc_id: int, timezone: str, views: Sequence[EventView], announced: bool
) -> BlocCalendar:
    """The bloc's calendar as the reminder rule reads it."""
    events = tuple(
        CalendarEvent(
            id=view.id,
            kind=view.kind,
            at=view.at,
            remind=view.remind,
            closes_scoring=view.closes_scoring,
            version=view.version,
        )
        for view in views
    )
    return BlocCalendar(bloc_id, timezone, events, announced)
