"""The next season (năm thi đua mới): the last season's table, awards, rules and calendar a
year on, with the head and deputies the bloc elected by secret ballot (or the operator gave).

The agencies and their contacts' links belong to the bloc, not to a season, so they carry
over as they are; the old seasons stay, readable by their year. What the post that tells the
bloc says is the injected ``SeasonTexts``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.clock import Clock
from bot.domain.audit import AuditFacts, AuditField
from bot.domain.ballots import BallotKind, Tally
from bot.domain.seasons import retitled, shifted
from bot.services.posts import Draft, post_messages, readers
from bot.services.progress import AgencyRef
from bot.services.reach import Reach
from bot.storage.models import (
    Agency,
    Bloc,
    CriteriaGroupRow,
    CriterionRow,
    Event,
    Season,
    SeasonMember,
)
from bot.storage.uow import UnitOfWork


class Refusal(StrEnum):
    """Why a new season cannot be made."""

    UNKNOWN_BLOC = "unknown_bloc"
    NO_SEASON = "no_season"  # the bloc has no season to copy
    NOT_AFTER = "not_after"  # the year is not after the last season's (or exists)
    MISSING = "missing"  # no ballot elected them and none was given: ``missing`` says who
    UNKNOWN_AGENCY = "unknown_agency"  # a given code is no agency of the bloc
    BALLOT_DECIDED = "ballot_decided"  # the ballot elected others than the ones given
    HEAD_IS_DEPUTY = "head_is_deputy"


class SeasonRefused(Exception):
    """A new season refused; the fields say what the reason is about."""

    def __init__(
        self,
        reason: Refusal,
        *,
        years: Sequence[int] = (),
        missing: Sequence[str] = (),
        code: str = "",
        codes: Sequence[str] = (),
        ballot_id: int | None = None,
        elected: Sequence[AgencyRef] = (),
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.years = tuple(years)  # the bloc's seasons
        self.missing = tuple(missing)  # "head", "deputies"
        self.code = code
        self.codes = tuple(codes)  # the bloc's agency codes
        self.ballot_id = ballot_id
        self.elected = tuple(elected)


@dataclass(frozen=True)
class Chosen:
    """The head or the deputies of the new season and where they come from."""

    agencies: tuple[AgencyRef, ...]
    ballot_id: int | None  # the ballot that elected them; None: given by the operator


@dataclass(frozen=True)
class MovedEvent:
    """An event of the last season and its copy a year on."""

    code: str
    title: str  # the new one: the last season's year in it is the new year
    kind: str
    before: datetime
    at: datetime


@dataclass(frozen=True)
class NewSeason:
    """A season to create (or created): what it is made of."""

    bloc_id: int
    bloc_code: str
    bloc_name: str
    timezone: str
    year: int
    last_year: int
    head: Chosen
    deputies: Chosen
    groups: int
    criteria: int
    awards: int
    events: tuple[MovedEvent, ...]
    told: int = 0  # outbox messages telling the bloc, once created


class SeasonTexts(Protocol):
    def started_post(self, season: NewSeason) -> str: ...


class SeasonService:
    """Starting a bloc's next season."""

    def __init__(
        self, unit: UnitOfWork, clock: Clock, texts: SeasonTexts, reach: Reach | None = None
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.texts = texts
        self.reach = reach or Reach()

    async def years(self, bloc_id: int) -> list[int]:
        """The years of the bloc's seasons, oldest first."""
        return await self.unit.seasons.years(bloc_id)

    async def plan(
        self,
        bloc: str | int,
        year: int,
        *,
        head: str | None = None,
        deputies: Sequence[str] | None = None,
    ) -> NewSeason:
        """What ``new_season`` would create; SeasonRefused if it would refuse."""
        found, last = await self._last(bloc, year)
        return await self._plan(found, last, year, head, deputies)

    async def new_season(
        self,
        bloc: str | int,
        year: int,
        *,
        head: str | None = None,
        deputies: Sequence[str] | None = None,
        actor: int | None = None,
    ) -> NewSeason:
        """Create the season ``year`` of ``bloc`` (its code or id) from the last one and tell
        the bloc it has started."""
        found, last = await self._last(bloc, year)
        await self.unit.seasons.lock(last.id)  # one new season at a time
        if year in await self.unit.seasons.years(found.id):
            raise SeasonRefused(Refusal.NOT_AFTER, years=await self.years(found.id))
        plan = await self._plan(found, last, year, head, deputies)
        season = _copy(last, plan, found)
        self.unit.seasons.add(season)
        await self.unit.session.flush()
        await self.unit.schedule.look_again(found.id)  # its calendar is the new season's
        now = self.clock.now()
        facts = AuditFacts(
            at=now,
            field=AuditField.SEASON.value,
            old_value=str(last.year),
            new_value=str(year),
            reason=_reason(plan),
            actor_id=actor,
            season_id=season.id,
        )
        await self.unit.audit.append(found.id, [facts])
        draft = Draft(f"season:{found.id}:{year}", lambda: self.texts.started_post(plan), None)
        targets = await readers(self.unit, found, self.reach)
        told = await self.unit.outbox.enqueue(post_messages(targets, found, draft, now), now)
        return replace(plan, told=told)

    async def _last(self, bloc: str | int, year: int) -> tuple[Bloc, Season]:
        uow = self.unit
        if isinstance(bloc, str):
            found = await uow.blocs.get(bloc)
        else:
            found = await uow.blocs.with_agencies(bloc)
        if found is None:
            raise SeasonRefused(Refusal.UNKNOWN_BLOC, code=str(bloc))
        last = await uow.seasons.latest(found.id)
        if last is None:
            raise SeasonRefused(Refusal.NO_SEASON)
        if year <= last.year:
            raise SeasonRefused(Refusal.NOT_AFTER, years=await self.years(found.id))
        return found, last

    async def _plan(
        self,
        bloc: Bloc,
        last: Season,
        year: int,
        head: str | None,
        deputies: Sequence[str] | None,
    ) -> NewSeason:
        refs = {a.code: AgencyRef(a.code, a.name) for a in sorted(bloc.agencies, key=_order)}
        for code in (head, *(deputies or ())):
            if code is not None and code not in refs:
                raise SeasonRefused(Refusal.UNKNOWN_AGENCY, code=code, codes=list(refs))
        elected = await self._elected(last)
        had_deputies = any(m.role == "deputy" for m in last.members)
        chosen: dict[BallotKind, Chosen] = {}
        missing = []
        for kind, given, needed in (
            (BallotKind.HEAD, [head] if head else [], True),
            (BallotKind.DEPUTIES, list(deputies or ()), had_deputies),
        ):
            ballot = elected.get(kind)
            if ballot is not None:
                ballot_id, codes = ballot
                picked = tuple(refs[code] for code in codes if code in refs)
                if given and set(given) != set(codes):
                    raise SeasonRefused(
                        Refusal.BALLOT_DECIDED, ballot_id=ballot_id, elected=picked, code=kind
                    )
                chosen[kind] = Chosen(picked, ballot_id)
            elif given or not needed:
                chosen[kind] = Chosen(tuple(refs[code] for code in dict.fromkeys(given)), None)
            else:
                missing.append("head" if kind is BallotKind.HEAD else "deputies")
        if missing:
            raise SeasonRefused(Refusal.MISSING, missing=missing)
        head_chosen, deputies_chosen = chosen[BallotKind.HEAD], chosen[BallotKind.DEPUTIES]
        if head_chosen.agencies[0] in deputies_chosen.agencies:
            raise SeasonRefused(Refusal.HEAD_IS_DEPUTY, code=head_chosen.agencies[0].code)
        years = year - last.year
        events = tuple(
            MovedEvent(
                e.code,
                retitled(e.title, last.year, year),
                e.kind,
                e.at,
                shifted(e.at, years, bloc.timezone),
            )
            for e in last.events
            if e.cancelled_at is None
        )
        return NewSeason(
            bloc_id=bloc.id,
            bloc_code=bloc.code,
            bloc_name=bloc.name,
            timezone=bloc.timezone,
            year=year,
            last_year=last.year,
            head=head_chosen,
            deputies=deputies_chosen,
            groups=len(last.groups),
            criteria=len(last.criteria),
            awards=len(last.awards),
            events=events,
        )

    async def _elected(self, last: Season) -> dict[BallotKind, tuple[int, tuple[str, ...]]]:
        """The last season's latest closed head and deputies ballots that elected someone:
        kind -> (ballot id, winners)."""
        found: dict[BallotKind, tuple[int, tuple[str, ...]]] = {}
        for ballot in await self.unit.ballots.of_season(last.id):  # newest first
            kind = BallotKind(ballot.kind)
            if kind.acclaims or kind in found or ballot.closed_at is None or not ballot.result:
                continue
            result = Tally.from_json(ballot.result)
            if result.valid and result.winners and not result.tied:
                found[kind] = (ballot.id, result.winners)
        return found


def _order(agency: Agency) -> int:
    return agency.position


def _copy(last: Season, plan: NewSeason, bloc: Bloc) -> Season:
    """The new season's row: the last one's table, awards and rules (but who is ineligible,
    which is the year's own), its events moved, every agency a member."""
    rules = {name: value for name, value in (last.rules or {}).items() if name != "ineligible"}
    season = Season(
        bloc_id=bloc.id,
        year=plan.year,
        step=last.step,
        tie_break=list(last.tie_break),
        awards=[dict(award) for award in last.awards],
        rules=rules,
        members=[],
        groups=[],
        criteria=[],
        events=[],
    )
    groups = {}
    for old_group in sorted(last.groups, key=lambda g: g.position):
        group = CriteriaGroupRow(
            code=old_group.code,
            title=old_group.title,
            kind=old_group.kind,
            cap=old_group.cap,
            position=old_group.position,
            items=[],
        )
        season.groups.append(group)
        groups[old_group.id] = group
    for old in sorted(last.criteria, key=lambda c: c.position):
        criterion = CriterionRow(
            code=old.code, title=old.title, max=old.max, kind=old.kind, position=old.position
        )
        criterion.group = groups[old.group_id]
        season.criteria.append(criterion)
    kept = [event for event in last.events if event.cancelled_at is None]
    for event, moved in zip(kept, plan.events, strict=True):
        season.events.append(
            Event(
                kind=event.kind,
                code=event.code,
                title=moved.title,
                at=moved.at,
                place=event.place,
                remind=list(event.remind),
                closes_scoring=event.closes_scoring,
                source=event.source,
            )
        )
    roles = {ref.code: "deputy" for ref in plan.deputies.agencies}
    roles[plan.head.agencies[0].code] = "head"
    for agency in sorted(bloc.agencies, key=_order):
        season.members.append(SeasonMember(agency=agency, role=roles.get(agency.code, "member")))
    return season


def _reason(plan: NewSeason) -> str:
    """The audit entry's reason: who leads the new season and from where."""

    def said(role: str, chosen: Chosen) -> str:
        codes = ", ".join(ref.code for ref in chosen.agencies) or "-"
        where = f"ballot {chosen.ballot_id}" if chosen.ballot_id is not None else "given"
        return f"{role} {codes} from {where}"

    return f"{said('head', plan.head)}; {said('deputies', plan.deputies)}"
