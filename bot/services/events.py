"""The bloc's calendar: deadlines (hạn nộp) and meetings (hội nghị) set, moved or cancelled
in chat. Every change tells the bloc's group through the outbox, and its pending reminders
are cancelled, so a reminder of an old time never goes out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.blocfile import DEADLINE_REMIND, MEETING_REMIND, EventKind
from bot.clock import Clock
from bot.domain.calendar import QuietTime
from bot.services.notices import CalendarTexts
from bot.services.posts import Draft, post_messages, quiet_of, quiet_payload, readers
from bot.services.reach import Reach
from bot.services.scoring import NoSeason
from bot.storage.models import Bloc, Event
from bot.storage.uow import UnitOfWork

DEFAULT_OFFSETS: dict[EventKind, tuple[timedelta, ...]] = {
    EventKind.DEADLINE: DEADLINE_REMIND,
    EventKind.MEETING: MEETING_REMIND,
}
MAX_OFFSET = timedelta(days=366)
MAX_TITLE = 300


@dataclass(frozen=True)
class EventView:
    """A deadline or a meeting as the chat shows it."""

    id: int
    kind: EventKind
    code: str
    title: str
    at: datetime
    place: str | None
    remind: tuple[timedelta, ...]  # before ``at``, farthest first
    closes_scoring: bool
    source: str  # file, chat
    version: int
    timezone: str  # the bloc's

    @classmethod
    def of(cls, event: Event, timezone: str) -> EventView:
        return cls(
            id=event.id,
            kind=EventKind(event.kind),
            code=event.code,
            title=event.title,
            at=event.at,
            place=event.place,
            remind=tuple(timedelta(seconds=s) for s in sorted(event.remind, reverse=True)),
            closes_scoring=event.closes_scoring,
            source=event.source,
            version=event.version,
            timezone=timezone,
        )


@dataclass(frozen=True)
class Calendar:
    """The current season's events of a bloc (cancelled ones left out), by time."""

    bloc_id: int
    bloc_name: str
    timezone: str
    season_year: int
    announced: bool
    events: tuple[EventView, ...]
    as_of: datetime  # when it was read
    short_name: str = ""  # what messages call the bloc: its short name, or else its name
    quiet: QuietTime = field(default_factory=QuietTime)  # when the bloc's messages wait

    @property
    def scoring_deadline(self) -> EventView | None:
        """The deadline that closes self-scoring, if any."""
        return next((event for event in self.events if event.closes_scoring), None)

    def upcoming(self, kind: EventKind | None = None) -> list[EventView]:
        return [e for e in self.events if e.at > self.as_of and (kind is None or e.kind is kind)]

    def movable(self, kind: EventKind) -> list[EventView]:
        """What the head may move or cancel: upcoming events, and a passed scoring deadline
        while the results are not out (to extend it)."""
        events = self.upcoming(kind)
        closing = self.scoring_deadline
        if (
            kind is EventKind.DEADLINE
            and closing is not None
            and closing.at <= self.as_of
            and not self.announced
        ):
            events.insert(0, closing)
        return events


class EventProblem(StrEnum):
    IN_PAST = "in_past"  # the time has passed
    NOT_FOUND = "not_found"  # no such event in the bloc (or cancelled already)
    BAD_OFFSET = "bad_offset"  # a reminder offset <= 0 or beyond a year
    NO_TITLE = "no_title"


class EventRefused(Exception):
    def __init__(self, problem: EventProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class EventChange:
    """What a change did: the event as it is now, its time before, and the group posts."""

    event: EventView
    previous_at: datetime | None  # for a move
    posts: int  # group posts enqueued


class EventService:
    """Creates, moves and cancels a bloc's deadlines and meetings; ``texts`` writes the posts
    that tell the group."""

    def __init__(
        self, unit: UnitOfWork, clock: Clock, texts: CalendarTexts, reach: Reach | None = None
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.texts = texts
        self.reach = reach or Reach()

    async def calendar(self, bloc_id: int) -> Calendar:
        uow = self.unit
        bloc, season_id, year, announced = await _current(uow, bloc_id)
        events = await uow.seasons.events(season_id)
        return Calendar(
            bloc_id=bloc.id,
            bloc_name=bloc.name,
            timezone=bloc.timezone,
            season_year=year,
            announced=announced,
            events=tuple(EventView.of(event, bloc.timezone) for event in events),
            as_of=self.clock.now(),
            short_name=called(bloc),
            quiet=quiet_of(bloc),
        )

    async def create(
        self,
        bloc_id: int,
        contact_id: int,
        kind: EventKind,
        title: str,
        at: datetime,
        place: str | None = None,
        remind_offsets: Sequence[timedelta] | None = None,
        *,
        closes_scoring: bool | None = None,
    ) -> EventChange:
        """Add an event to the current season (source "chat") and tell the group.

        ``remind_offsets`` None: the defaults of the kind. ``closes_scoring`` None: a deadline
        closes self-scoring when no other deadline of the season does.
        """
        now = self.clock.now()
        title = " ".join(title.split())
        if not title or len(title) > MAX_TITLE:
            raise EventRefused(EventProblem.NO_TITLE)
        if at <= now:
            raise EventRefused(EventProblem.IN_PAST)
        offsets = _offsets(kind, remind_offsets)
        uow = self.unit
        bloc, season_id, _year, _announced = await _current(uow, bloc_id)
        existing = await uow.seasons.events(season_id, cancelled=True)
        if closes_scoring is None:
            closes_scoring = kind is EventKind.DEADLINE and not any(
                e.closes_scoring and e.cancelled_at is None for e in existing
            )
        event = Event(
            season_id=season_id,
            kind=kind.value,
            code=_code(kind, at, bloc.timezone, {e.code for e in existing}),
            title=title,
            at=at,
            place=(place or "").strip() or None,
            remind=offsets,
            closes_scoring=closes_scoring,
            source="chat",
            version=1,
        )
        uow.session.add(event)
        await uow.session.flush()
        await uow.seasons.bump_version(season_id)
        view = EventView.of(event, bloc.timezone)
        post = _post(view, "created", lambda: self.texts.event_created(view))
        posts = await _tell(uow, bloc, post, now, self.reach)
        return EventChange(view, None, posts)

    async def move(self, bloc_id: int, event_id: int, at: datetime) -> EventChange:
        """Move an event: its pending reminders are cancelled and it reminds again at its
        offsets before the new time."""
        now = self.clock.now()
        if at <= now:
            raise EventRefused(EventProblem.IN_PAST)
        uow = self.unit
        bloc = await _bloc(uow, bloc_id)
        event = await uow.seasons.event_in_bloc(bloc_id, event_id)
        if event is None or event.cancelled_at is not None:
            raise EventRefused(EventProblem.NOT_FOUND)
        previous = event.at
        event.at = at
        event.version += 1
        await uow.outbox.cancel_for_event(event.id)
        await uow.seasons.bump_version(event.season_id)
        view = EventView.of(event, bloc.timezone)
        posts = await _tell(
            uow,
            bloc,
            _post(view, "moved", lambda: self.texts.event_moved(view, previous)),
            now,
            self.reach,
        )
        return EventChange(view, previous, posts)

    async def cancel(self, bloc_id: int, event_id: int) -> EventChange:
        """Cancel an event and its pending reminders."""
        now = self.clock.now()
        uow = self.unit
        bloc = await _bloc(uow, bloc_id)
        event = await uow.seasons.event_in_bloc(bloc_id, event_id)
        if event is None or event.cancelled_at is not None:
            raise EventRefused(EventProblem.NOT_FOUND)
        event.cancelled_at = now
        await uow.outbox.cancel_for_event(event.id)
        await uow.seasons.bump_version(event.season_id)
        view = EventView.of(event, bloc.timezone)
        posts = 0
        if view.at > now:
            posts = await _tell(
                uow,
                bloc,
                _post(view, "cancelled", lambda: self.texts.event_cancelled(view)),
                now,
                self.reach,
            )
        return EventChange(view, None, posts)


def _post(view: EventView, what: str, make: Callable[[], str]) -> Draft:
    """A group post about ``view``, written in each reader's language."""
    return Draft(f"event:{view.id}:v{view.version}:{what}", make, view.at)


async def _tell(uow: UnitOfWork, bloc: Bloc, post: Draft, now: datetime, reach: Reach) -> int:
    """Enqueue ``post`` for the bloc's group (its groups, or each contact where none is)."""
    post = replace(post, payload=quiet_payload(bloc, now, before_event=True))
    messages = post_messages(await readers(uow, bloc, reach), bloc, post, now)
    return await uow.outbox.enqueue(messages, now)


def called(bloc: Bloc) -> str:
    """What messages call the bloc: its short name, or else its name."""
    return bloc.short_name or bloc.name


async def _bloc(uow: UnitOfWork, bloc_id: int) -> Bloc:
    bloc = await uow.blocs.by_id(bloc_id)
    if bloc is None:
        raise NoSeason(bloc_id)
    return bloc


async def _current(uow: UnitOfWork, bloc_id: int) -> tuple[Bloc, int, int, bool]:
    """The bloc, its current season's id and year, and whether its results are out."""
    bloc = await _bloc(uow, bloc_id)
    current = await uow.seasons.current(bloc_id)
    year = await uow.seasons.latest_year(bloc_id)
    if current is None or year is None:
        raise NoSeason(bloc_id)
    season_id, _version, announced_at = current
    return bloc, season_id, year, announced_at is not None


def _offsets(kind: EventKind, given: Sequence[timedelta] | None) -> list[int]:
    """Reminder offsets in seconds, farthest first, without repeats."""
    offsets = DEFAULT_OFFSETS[kind] if given is None else given
    seconds = sorted({int(offset.total_seconds()) for offset in offsets}, reverse=True)
    if any(s <= 0 or s > MAX_OFFSET.total_seconds() for s in seconds):
        raise EventRefused(EventProblem.BAD_OFFSET)
    return seconds


def _code(kind: EventKind, at: datetime, timezone: str, taken: set[str]) -> str:
    """A code unique in the season: ``meeting-20251220-1400``, then ``-2``, ``-3``."""
    base = f"{kind.value}-{at.astimezone(ZoneInfo(timezone)):%Y%m%d-%H%M}"
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code
