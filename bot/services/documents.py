"""The season's papers (văn bản): what the minutes of the year-end meeting (biên bản) and the
proposal for awards (tờ trình) say, as data; ``bot.handlers.docx_papers`` lays them out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.clock import Clock
from bot.domain.ballots import BallotKind, Tally
from bot.domain.events import EventKind
from bot.services.progress import AgencyRef
from bot.services.results import ResultsService, StandingsView
from bot.services.scoring import NoSeason
from bot.storage.models import Ballot, Bloc, Event, Season
from bot.storage.uow import UnitOfWork


class UnknownMeeting(Exception):
    """The season has no meeting of that code (``codes``: the ones it has)."""

    def __init__(self, code: str, codes: tuple[str, ...]) -> None:
        super().__init__(code)
        self.code = code
        self.codes = codes


@dataclass(frozen=True)
class Attendee:
    """A member agency at the meeting: its role and its answer (None: not answered)."""

    agency: AgencyRef
    role: str  # head, deputy, member
    comes: bool | None
    names: str | None  # who comes, as the agency said


@dataclass(frozen=True)
class MeetingFacts:
    code: str
    title: str
    at: datetime
    place: str | None


@dataclass(frozen=True)
class BallotResult:
    """A closed secret ballot and its count."""

    id: int
    kind: BallotKind
    title: str
    closed_at: datetime
    counts: tuple[tuple[AgencyRef, int], ...]  # in the slate's order
    entitled: int
    voted: int
    blank: int
    valid: bool  # the quorum was met
    winners: tuple[AgencyRef, ...]
    tied: tuple[AgencyRef, ...]


@dataclass(frozen=True)
class Papers:
    """What both papers start from: the bloc, its season, the head and deputies, the
    standings (final once announced), the meeting (the one asked for, else the season's
    last) with who comes, and the closed ballots."""

    bloc_code: str
    bloc_name: str
    timezone: str
    year: int
    head: AgencyRef | None
    deputies: tuple[AgencyRef, ...]
    standings: StandingsView
    dated: datetime  # the paper's date: the meeting's, else when it was made
    meeting: MeetingFacts | None = None
    attendance: tuple[Attendee, ...] = ()  # every member agency, in the bloc's order
    ballots: tuple[BallotResult, ...] = ()  # closed ones, oldest first

    @property
    def final(self) -> bool:
        return self.standings.final


class DocumentService:
    """Reads what the minutes and the proposal for awards say; ``templates`` is the operator's
    folder of the papers' templates (BLOCBOT_TEMPLATES), None for the shipped ones."""

    def __init__(
        self,
        unit: UnitOfWork,
        clock: Clock,
        results: ResultsService,
        templates: Path | None = None,
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.results = results
        self.templates = templates

    async def minutes(
        self, bloc_id: int, year: int | None = None, meeting_code: str | None = None
    ) -> Papers:
        """The year-end meeting (``meeting_code``, else the season's last meeting) with who
        came, the ranking, the ballots' counts and the proposals."""
        bloc, season = await self._season(bloc_id, year)
        meetings = [
            e
            for e in await self.unit.seasons.events(season.id)
            if e.kind == EventKind.MEETING.value
        ]
        event = _meeting(meetings, meeting_code)
        papers = await self._papers(bloc, season, event.at if event else None)
        names = {m.agency.code: m.agency.name for m in season.members}
        ballots = [b for b in await self.unit.ballots.of_season(season.id) if b.result]
        results = tuple(_result(b, names) for b in sorted(ballots, key=lambda b: b.id))
        attendance: tuple[Attendee, ...] = ()
        if event is not None:
            answers = await self.unit.tracking.answers(event.id)
            order = {a.id: n for n, a in enumerate(bloc.agencies)}
            members = sorted(season.members, key=lambda m: order.get(m.agency_id, 0))
            attendance = tuple(
                Attendee(
                    AgencyRef(m.agency.code, m.agency.name),
                    m.role,
                    None if (row := answers.get(m.agency_id)) is None else row.answer == "yes",
                    row.attendees if row is not None else None,
                )
                for m in members
            )
        facts = None
        if event is not None:
            facts = MeetingFacts(event.code, event.title, event.at, event.place)
        return replace(papers, meeting=facts, attendance=attendance, ballots=results)

    async def proposal(self, bloc_id: int, year: int | None = None) -> Papers:
        """The standings' award lines, to propose to the province, dated today; with the
        last meeting and the ballots too, for a template that cites them."""
        return replace(await self.minutes(bloc_id, year), dated=self.clock.now())

    async def _season(self, bloc_id: int, year: int | None) -> tuple[Bloc, Season]:
        uow = self.unit
        bloc = await uow.blocs.by_id(bloc_id)
        found = await uow.blocs.get(bloc.code) if bloc is not None else None
        if year is None:
            season = await uow.seasons.latest(bloc_id)
        else:
            season = await uow.seasons.get(bloc_id, year)
        if found is None or season is None:
            raise NoSeason(bloc_id)
        return found, season

    async def _papers(self, bloc: Bloc, season: Season, dated: datetime | None) -> Papers:
        standings = await self.results.standings(bloc.id, season.year)
        roles: dict[str, list[AgencyRef]] = {"head": [], "deputy": []}
        for member in season.members:
            if member.role in roles:
                roles[member.role].append(AgencyRef(member.agency.code, member.agency.name))
        return Papers(
            bloc_code=bloc.code,
            bloc_name=bloc.name,
            timezone=bloc.timezone,
            year=season.year,
            head=roles["head"][0] if roles["head"] else None,
            deputies=tuple(roles["deputy"]),
            standings=standings,
            dated=dated or self.clock.now(),
        )


def _meeting(meetings: list[Event], code: str | None) -> Event | None:
    live = [e for e in meetings if e.cancelled_at is None]
    if code is None:
        return live[-1] if live else None
    found = next((e for e in live if e.code.casefold() == code.casefold()), None)
    if found is None:
        raise UnknownMeeting(code, tuple(e.code for e in live))
    return found


def _result(ballot: Ballot, names: dict[str, str]) -> BallotResult:
    tally = Tally.from_json(ballot.result or {})

    def ref(code: str) -> AgencyRef:
        return AgencyRef(code, names.get(code, code))

    return BallotResult(
        id=ballot.id,
        kind=BallotKind(ballot.kind),
        title=ballot.title,
        closed_at=ballot.closed_at or ballot.closes_at,
        counts=tuple((ref(code), n) for code, n in tally.counts),
        entitled=tally.entitled,
        voted=tally.voted,
        blank=tally.blank,
        valid=tally.valid,
        winners=tuple(ref(code) for code in tally.winners),
        tied=tuple(ref(code) for code in tally.tied),
    )
