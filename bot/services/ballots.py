"""Secret ballots (bỏ phiếu kín): the head opens one, each member agency votes once (and may
change its vote with its receipt until the close), the tally goes to the bloc when it closes.

Who voted and what was voted are stored apart and never joined (see
``bot.storage.repositories.ballots``); the receipt is returned once and only its hash is
kept. Nothing here logs or audits a vote: the audit trail has the opening and the closing
with their counts. What the tally post says is the injected ``BallotTexts``'s.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from bot.clock import Clock
from bot.domain.audit import AuditFacts, AuditField
from bot.domain.ballots import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    BallotKind,
    Slate,
    Tally,
    acclaim_slate,
    election_slate,
    receipt_hash,
    tally,
    valid_choice,
)
from bot.domain.year import SeasonRules
from bot.services.current import current_season
from bot.services.posts import Draft, post_messages, readers
from bot.services.progress import AgencyRef
from bot.services.reach import Reach
from bot.services.results import ResultsService
from bot.storage.models import Ballot, Bloc, Season
from bot.storage.uow import UnitOfWork

DEFAULT_OPEN = timedelta(hours=24)  # how long a ballot stays open unless the head says
DIALOG = "vote"  # the dialog of /vote: its state names the ballot and, until cast, the choice


class BallotRefused(Exception):
    """A ballot action that cannot be done now; ``reason`` says why."""

    def __init__(self, reason: str, ballot: BallotView | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ballot = ballot


# The reasons of BallotRefused.
ALREADY_OPEN = "already_open"  # a ballot of this kind is open
NO_CANDIDATES = "no_candidates"  # nothing to acclaim (no ranking) or nobody to elect
PAST = "past"  # the closing time is not in the future
CLOSED = "closed"  # the ballot has closed
NOT_MEMBER = "not_member"  # the agency is not a member of the season
VOTED = "voted"  # the agency has voted: changing needs its receipt
WRONG_RECEIPT = "wrong_receipt"  # no vote of this ballot has that receipt
BAD_CHOICE = "bad_choice"  # not the slate's candidates, or too many


@dataclass(frozen=True)
class BallotView:
    """A ballot as people see it: what it decides, who may be chosen, how many voted."""

    id: int
    kind: BallotKind
    title: str  # the award's title for an acclamation, the year for an election
    candidates: tuple[AgencyRef, ...]
    seats: int
    entitled: int
    voted: int
    quorum: Decimal
    threshold: Decimal
    closes_at: datetime
    closed_at: datetime | None
    timezone: str
    bloc_name: str
    tally: Tally | None  # once closed

    def name(self, code: str) -> str:
        return next((ref.name for ref in self.candidates if ref.code == code), code)

    @property
    def slate(self) -> Slate:
        return Slate(tuple(ref.code for ref in self.candidates), self.seats)


@dataclass(frozen=True)
class Cast:
    """A vote cast or changed: the receipt to change it (new votes only) and what it was."""

    ballot: BallotView
    choice: tuple[str, ...]
    receipt: str | None  # shown once to the voter; None when a vote was changed
    before: tuple[str, ...] | None  # the choice before a change


@dataclass(frozen=True)
class SlateView:
    """Who a new ballot of a kind would have as candidates."""

    kind: BallotKind
    title: str
    candidates: tuple[AgencyRef, ...]
    seats: int
    default_close: datetime
    timezone: str


class BallotTexts(Protocol):
    def tally_post(self, ballot: BallotView) -> str: ...


class BallotService:
    """Opening, voting in, and closing the secret ballots of a bloc's current season."""

    def __init__(
        self,
        unit: UnitOfWork,
        clock: Clock,
        results: ResultsService,
        texts: BallotTexts,
        reach: Reach | None = None,
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.results = results
        self.texts = texts
        self.reach = reach or Reach()

    async def open_ballots(self, bloc_id: int, agency_id: int | None = None) -> list[BallotView]:
        """The season's open ballots (``agency_id``: only those it has not voted in)."""
        season, bloc = await self._season(bloc_id)
        ballots = await self.unit.ballots.of_season(season.id, open_only=True)
        views = await self._views(season, bloc, ballots)
        if agency_id is None:
            return views
        return [view for view in views if not await self.unit.ballots.voted(view.id, agency_id)]

    async def ballot(self, bloc_id: int, ballot_id: int) -> BallotView | None:
        """One ballot of the season, open or closed."""
        season, bloc = await self._season(bloc_id)
        found = [b for b in await self.unit.ballots.of_season(season.id) if b.id == ballot_id]
        views = await self._views(season, bloc, found)
        return views[0] if views else None

    async def voted(self, ballot_id: int, agency_id: int) -> bool:
        return await self.unit.ballots.voted(ballot_id, agency_id)

    async def slate(self, bloc_id: int, kind: BallotKind) -> SlateView:
        """The candidates a ballot of ``kind`` would have now."""
        season, bloc = await self._season(bloc_id)
        members = sorted(season.members, key=lambda m: m.agency_id)
        refs = {m.agency.code: AgencyRef(m.agency.code, m.agency.name) for m in members}
        title = str(season.year + 1)
        if kind.acclaims:
            standings = await self.results.standings(bloc_id)
            index = 0 if kind is BallotKind.FLAG else 1
            if not standings.placings or len(standings.awards) <= index:
                raise BallotRefused(NO_CANDIDATES)
            award = standings.awards[index]
            title = award.title
            slate = acclaim_slate(
                [a.code for a in award.agencies], [a.code for a in award.tied], award.count
            )
        else:
            rules = SeasonRules.from_json(season.rules).ballot
            head = next((m.agency.code for m in members if m.role == "head"), None)
            seats = 1
            if kind is BallotKind.DEPUTIES:
                seats = max(1, sum(1 for m in members if m.role == "deputy"))
            slate = election_slate(list(refs), head, rules.head_repeats, seats)
        if not slate.candidates:
            raise BallotRefused(NO_CANDIDATES)
        return SlateView(
            kind,
            title,
            tuple(refs[code] for code in slate.candidates if code in refs),
            slate.seats,
            self.clock.now() + DEFAULT_OPEN,
            bloc.timezone,
        )

    async def open(
        self, bloc_id: int, contact_id: int | None, kind: BallotKind, closes_at: datetime
    ) -> BallotView:
        """Open a ballot of ``kind`` until ``closes_at``: one of a kind at a time."""
        now = self.clock.now()
        if closes_at <= now:
            raise BallotRefused(PAST)
        season, bloc = await self._season(bloc_id)
        await self.unit.seasons.lock(season.id)  # one opening of the season at a time
        ballots = await self.unit.ballots.of_season(season.id, open_only=True)
        same = [b for b in ballots if b.kind == kind.value]
        if same:
            raise BallotRefused(ALREADY_OPEN, (await self._views(season, bloc, same))[0])
        slate = await self.slate(bloc_id, kind)
        rules = SeasonRules.from_json(season.rules).ballot
        ballot = Ballot(
            bloc_id=bloc_id,
            season_id=season.id,
            kind=kind.value,
            title=slate.title,
            candidates=[ref.code for ref in slate.candidates],
            seats=slate.seats,
            voters=len(season.members),
            quorum=str(rules.quorum),
            threshold=str(rules.threshold),
            opened_by_id=contact_id,
            opened_at=now,
            closes_at=closes_at,
        )
        self.unit.ballots.add(ballot)
        await self.unit.session.flush()
        opened = f"{kind.value}: {len(ballot.candidates)} candidates, {ballot.seats} seats, "
        opened += f"{ballot.voters} voters, closes {closes_at.isoformat()}"
        await self._audit(ballot, AuditField.BALLOT_OPENED, opened, contact_id)
        return (await self._views(season, bloc, [ballot]))[0]

    async def cast(
        self,
        bloc_id: int,
        ballot_id: int,
        agency_id: int,
        choice: tuple[str, ...],
        receipt: str | None = None,
    ) -> Cast:
        """The agency's vote; with ``receipt``, a change of the vote that receipt was given
        for. The vote and the proof that the agency voted are written together."""
        season, bloc = await self._season(bloc_id)
        if agency_id not in {m.agency_id for m in season.members}:
            raise BallotRefused(NOT_MEMBER)
        ballot = await self._locked(season, ballot_id)
        view = (await self._views(season, bloc, [ballot]))[0]
        if not valid_choice(choice, view.slate):
            raise BallotRefused(BAD_CHOICE, view)
        ballots = self.unit.ballots
        voted = await ballots.voted(ballot.id, agency_id)
        before: tuple[str, ...] | None = None
        if receipt is not None:
            digest = receipt_hash(ballot.id, receipt)
            old = await ballots.choice_of(ballot.id, digest)
            if old is None or not voted:
                raise BallotRefused(WRONG_RECEIPT, view)
            before = tuple(old)
            await ballots.record(ballot.id, digest, choice)
            return Cast(view, choice, None, before)
        if voted:
            raise BallotRefused(VOTED, view)
        receipt = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        await ballots.record(ballot.id, receipt_hash(ballot.id, receipt), choice, agency_id)
        view = (await self._views(season, bloc, [ballot]))[0]
        return Cast(view, choice, receipt, None)

    async def check_receipt(self, bloc_id: int, ballot_id: int, receipt: str) -> tuple[str, ...]:
        """The choice of the vote a receipt was given for (WRONG_RECEIPT if none)."""
        choice = await self.unit.ballots.choice_of(ballot_id, receipt_hash(ballot_id, receipt))
        if choice is None:
            raise BallotRefused(WRONG_RECEIPT, await self.ballot(bloc_id, ballot_id))
        return tuple(choice)

    async def close(self, bloc_id: int, ballot_id: int, contact_id: int | None) -> BallotView:
        """Close a ballot before its time (the head): count it and post the tally."""
        season, bloc = await self._season(bloc_id)
        ballot = await self._locked(season, ballot_id)
        return await self._close(season, bloc, ballot, contact_id)

    async def due(self) -> list[int]:
        """The ballots, of every bloc, whose closing time has come."""
        return await self.unit.ballots.due(self.clock.now())

    async def close_due(self, ballot_id: int) -> BallotView | None:
        """Close a ballot whose time has come, unless another process has (None then)."""
        ballot = await self.unit.ballots.lock(ballot_id)
        if ballot is None or ballot.closed_at is not None or ballot.closes_at > self.clock.now():
            return None
        season = await self.unit.seasons.by_id(ballot.season_id)
        bloc = await self.unit.blocs.by_id(ballot.bloc_id)
        if season is None or bloc is None:
            return None
        return await self._close(season, bloc, ballot, None)

    async def _close(
        self, season: Season, bloc: Bloc, ballot: Ballot, contact_id: int | None
    ) -> BallotView:
        now = self.clock.now()
        slate = Slate(tuple(ballot.candidates), ballot.seats)
        choices = await self.unit.ballots.choices(ballot.id)
        result = tally(
            slate, ballot.voters, Decimal(ballot.quorum), Decimal(ballot.threshold), choices
        )
        ballot.result = result.as_json()
        ballot.closed_at = now
        counts = ", ".join(f"{code} {n}" for code, n in result.counts)
        closed = f"voted {result.voted} of {result.entitled} (blank {result.blank}); {counts}"
        await self._audit(ballot, AuditField.BALLOT_CLOSED, closed, contact_id)
        for state in await self.unit.conversations.states_in_flow(DIALOG):
            if state.data.get("ballot") == ballot.id:  # a choice never cast goes too
                state.state, state.data = "", {}
        view = (await self._views(season, bloc, [ballot]))[0]
        draft = Draft(f"ballot:{ballot.id}", lambda: self.texts.tally_post(view), None)
        targets = await readers(self.unit, bloc, self.reach)
        await self.unit.outbox.enqueue(post_messages(targets, bloc, draft, now), now)
        return view

    async def _locked(self, season: Season, ballot_id: int) -> Ballot:
        ballot = await self.unit.ballots.lock(ballot_id)
        if ballot is None or ballot.season_id != season.id:
            raise BallotRefused(CLOSED)
        if ballot.closed_at is not None or ballot.closes_at <= self.clock.now():
            raise BallotRefused(CLOSED)
        return ballot

    async def _audit(
        self, ballot: Ballot, field: AuditField, value: str, contact_id: int | None
    ) -> None:
        facts = AuditFacts(
            at=self.clock.now(),
            field=field.value,
            new_value=value,
            actor_id=contact_id,
            season_id=ballot.season_id,
            subject=f"ballot:{ballot.id}",
        )
        await self.unit.audit.append(ballot.bloc_id, [facts])

    async def _views(self, season: Season, bloc: Bloc, ballots: list[Ballot]) -> list[BallotView]:
        names = {m.agency.code: m.agency.name for m in season.members}
        turnout = await self.unit.ballots.turnout([b.id for b in ballots])
        return [
            BallotView(
                id=b.id,
                kind=BallotKind(b.kind),
                title=b.title,
                candidates=tuple(AgencyRef(code, names.get(code, code)) for code in b.candidates),
                seats=b.seats,
                entitled=b.voters,
                voted=turnout.get(b.id, 0),
                quorum=Decimal(b.quorum),
                threshold=Decimal(b.threshold),
                closes_at=b.closes_at,
                closed_at=b.closed_at,
                timezone=bloc.timezone,
                bloc_name=bloc.name,
                tally=Tally.from_json(b.result) if b.result is not None else None,
            )
            for b in ballots
        ]

    async def _season(self, bloc_id: int) -> tuple[Season, Bloc]:
        return await current_season(self.unit, bloc_id)
