"""Progress (tiến độ), standings (xếp hạng) and the results announcement (công bố kết quả)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.clock import Clock
from bot.domain.audience import group_post_readers
from bot.domain.ranking import Candidate, propose_awards, rank
from bot.domain.rules import Award, TieBreak, parse_tie_break
from bot.domain.scores import plain
from bot.domain.sheets import SheetTotals, total
from bot.services.reach import Reach
from bot.services.scoring import NoSeason, SheetStatus, scoring_deadline, table_of
from bot.storage.models import AuditEntry, Bloc, Membership, ScoreSheet, Season
from bot.storage.repositories.outbox import NewMessage
from bot.storage.uow import UnitOfWork


class Progress(StrEnum):
    """How far an agency's self-score sheet is."""

    SUBMITTED = "submitted"
    DRAFT = "draft"  # started, not submitted (or reopened)
    NOT_STARTED = "not_started"


class AlreadyAnnounced(Exception):
    """The season's results were announced before."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at.isoformat())
        self.at = at


class SeasonChanged(Exception):
    """The confirmation was for another season than the bloc's current one."""


@dataclass(frozen=True)
class AgencyRef:
    code: str
    name: str


@dataclass(frozen=True)
class PlatformReach:
    """An agency's linked contacts on one platform (telegram, zalo)."""

    platform: str
    contacts: int
    unreachable: int = 0  # of them, those the bot cannot reach (they blocked it)

    @property
    def reachable(self) -> int:
        return self.contacts - self.unreachable


@dataclass(frozen=True)
class AgencyProgress:
    """One agency's line of the progress view."""

    agency: AgencyRef
    status: Progress
    answered: int  # criteria with a self-score
    criteria: int  # criteria in the table
    submitted_at: datetime | None
    contacts: int  # linked contact officers
    unreachable: int = 0  # of them, those the bot cannot reach (they blocked it)
    platforms: tuple[PlatformReach, ...] = ()  # where they are, by platform name


@dataclass(frozen=True)
class ProgressView:
    """Who has submitted (tiến độ nộp bảng tự chấm điểm)."""

    bloc_name: str
    timezone: str
    season_year: int
    agencies: tuple[AgencyProgress, ...]  # in the bloc file's order
    deadline: datetime | None  # the deadline that closes scoring
    announced_at: datetime | None
    as_of: datetime  # when it was read

    @property
    def announced(self) -> bool:
        return self.announced_at is not None

    def having(self, status: Progress) -> tuple[AgencyProgress, ...]:
        return tuple(line for line in self.agencies if line.status is status)


@dataclass(frozen=True)
class RankedAgency:
    """An agency's place in the standings."""

    rank: int
    shared: bool  # another agency has the same rank
    agency: AgencyRef
    totals: SheetTotals
    eligible: bool
    ineligible_reason: str | None
    decided_by: TieBreak | None  # the rule that separated it from an equal total

    @property
    def total(self) -> Decimal:
        return self.totals.total


@dataclass(frozen=True)
class AwardLine:
    """The agencies the ranking proposes for one award.

    ``tied`` lists, when the last place of the award is tied with an eligible agency left out,
    every eligible agency at that rank (``tie_rank``): the bloc decides between them.
    """

    title: str
    count: int
    agencies: tuple[AgencyRef, ...]
    tie_rank: int | None
    tied: tuple[AgencyRef, ...]


@dataclass(frozen=True)
class StandingsView:
    """The ranking: provisional (self-scores) before the announcement, final after."""

    progress: ProgressView
    final: bool
    placings: tuple[RankedAgency, ...]
    leader: AgencyRef | None  # đơn vị dẫn đầu
    awards: tuple[AwardLine, ...]
    not_ranked: tuple[AgencyRef, ...]  # no submitted sheet

    def ineligible(self) -> tuple[RankedAgency, ...]:
        return tuple(placing for placing in self.placings if not placing.eligible)


@dataclass(frozen=True)
class Recipient:
    """Where an announcement goes and in which language."""

    platform: str
    chat_id: str
    locale: str
    contact_id: int | None = None  # for a person: marked unreachable if they blocked the bot


@dataclass(frozen=True)
class Announcement:
    """The final standings and everyone to tell."""

    standings: StandingsView
    contacts: tuple[Recipient, ...]  # direct chats, each in the person's language
    groups: tuple[Recipient, ...]  # linked group chats, in the bloc's language


class ResultsService:
    """Who has submitted, the ranking, and publishing the final results."""

    def __init__(self, unit: UnitOfWork, clock: Clock, reach: Reach | None = None) -> None:
        self.unit = unit
        self.clock = clock
        self.reach = reach or Reach()

    async def progress(self, bloc_id: int) -> ProgressView:
        """Each agency's sheet status in the current season."""
        uow = self.unit
        season, bloc = await self._season(uow, bloc_id)
        sheets = await uow.sheets.for_season(season.id)
        links = await uow.contacts.in_bloc(bloc_id)
        return self._progress(season, bloc, sheets, links)

    async def standings(self, bloc_id: int) -> StandingsView:
        """The provisional ranking before the announcement, the final one after."""
        uow = self.unit
        season, bloc = await self._season(uow, bloc_id)
        sheets = await uow.sheets.for_season(season.id)
        links = await uow.contacts.in_bloc(bloc_id)
        return self._standings(self._progress(season, bloc, sheets, links), season, sheets)

    async def announce(
        self,
        bloc_id: int,
        contact_id: int,
        post: Callable[[StandingsView, str], str],
        *,
        year: int | None = None,
        asker: Recipient | None = None,
        asked_in_group: bool = False,
    ) -> Announcement:
        """Publish the results, in the unit of work of the update: lock every sheet, fix and
        audit the final scores, mark the season announced, and put the results post
        (``post(standings, locale)``) in the outbox for every group and contact.

        ``year``, when given, must be the current season's (SeasonChanged otherwise).
        ``asker`` is the chat that announced: it gets the post too when it is neither a
        linked group nor a contact's chat.
        """
        now = self.clock.now()
        uow = self.unit
        season, bloc = await self._season(uow, bloc_id)
        if year is not None and year != season.year:
            raise SeasonChanged(season.year)
        announced_at = await uow.seasons.lock(season.id)
        if announced_at is not None:
            raise AlreadyAnnounced(announced_at)
        sheets = await uow.sheets.lock_season(season.id)
        label = await uow.sheets.actor_label(contact_id, bloc_id)
        for sheet in sheets:
            _finalize(uow, sheet, contact_id, label, now)
        season.announced_at = now
        links = await uow.contacts.in_bloc(bloc_id)
        linked = await uow.groups.for_bloc(bloc_id)
        groups, _direct = group_post_readers(  # every contact gets the results anyway
            linked,
            linked[:0],
            groups_possible=self.reach.groups_possible,
            group_platform=bloc.group_platform,
        )
        view = self._standings(self._progress(season, bloc, sheets, links), season, sheets)
        announcement = Announcement(
            standings=view,
            contacts=tuple(
                Recipient(
                    m.contact.platform,
                    m.contact.user_id,
                    m.contact.language or bloc.locale,
                    m.contact_id,
                )
                for m in links
            ),
            groups=tuple(Recipient(g.platform, g.chat_id, bloc.locale) for g in groups),
        )
        await self._enqueue(bloc_id, announcement, post, asker, asked_in_group)
        return announcement

    async def _enqueue(
        self,
        bloc_id: int,
        announcement: Announcement,
        post: Callable[[StandingsView, str], str],
        asker: Recipient | None,
        asked_in_group: bool,
    ) -> int:
        """The results post for every group and contact, each in its language, and for the
        asker: the head gets it as everyone does, even if his reply is lost."""
        now = self.clock.now()
        year = announcement.standings.progress.season_year
        groups, contacts = list(announcement.groups), list(announcement.contacts)
        known = {(recipient.platform, recipient.chat_id) for recipient in groups + contacts}
        if asker is not None and (asker.platform, asker.chat_id) not in known:
            (groups if asked_in_group else contacts).append(asker)
        messages = [
            NewMessage(
                platform=recipient.platform,
                chat_id=recipient.chat_id,
                text=post(announcement.standings, recipient.locale),
                due_at=now,
                chat_kind=kind,
                contact_id=recipient.contact_id,
                bloc_id=bloc_id,
                dedupe_key=f"results:{bloc_id}:{year}:{recipient.platform}:{recipient.chat_id}",
            )
            for kind, recipients in (("group", groups), ("private", contacts))
            for recipient in recipients
        ]
        return await self.unit.outbox.enqueue(messages, now)

    async def _season(self, uow: UnitOfWork, bloc_id: int) -> tuple[Season, Bloc]:
        season = await uow.seasons.latest(bloc_id)
        bloc = await uow.blocs.by_id(bloc_id)
        if season is None or bloc is None:
            raise NoSeason(bloc_id)
        return season, bloc

    def _progress(
        self, season: Season, bloc: Bloc, sheets: Sequence[ScoreSheet], links: Sequence[Membership]
    ) -> ProgressView:
        criteria = {row.id for row in season.criteria}
        by_agency = {sheet.agency_id: sheet for sheet in sheets}
        contacts = Counter(link.agency_id for link in links)
        unreachable = Counter(
            link.agency_id for link in links if link.contact.unreachable_at is not None
        )
        platforms = _platforms(links)
        lines = []
        for member in sorted(season.members, key=lambda m: m.agency.position):
            sheet = by_agency.get(member.agency_id)
            entries = sheet.entries if sheet is not None else []
            answered = sum(
                1 for e in entries if e.criterion_id in criteria and e.self_value is not None
            )
            submitted_at = sheet.submitted_at if sheet is not None else None
            if submitted_at is not None:
                status = Progress.SUBMITTED
            elif answered:
                status = Progress.DRAFT
            else:
                status = Progress.NOT_STARTED
            lines.append(
                AgencyProgress(
                    agency=AgencyRef(member.agency.code, member.agency.name),
                    status=status,
                    answered=answered,
                    criteria=len(criteria),
                    submitted_at=submitted_at,
                    contacts=contacts[member.agency_id],
                    unreachable=unreachable[member.agency_id],
                    platforms=platforms.get(member.agency_id, ()),
                )
            )
        return ProgressView(
            bloc_name=bloc.short_name
            or bloc.name,  # in the bloc's own chats the short name is clear
            timezone=bloc.timezone,
            season_year=season.year,
            agencies=tuple(lines),
            deadline=scoring_deadline(season),
            announced_at=season.announced_at,
            as_of=self.clock.now(),
        )

    def _standings(
        self, progress: ProgressView, season: Season, sheets: Sequence[ScoreSheet]
    ) -> StandingsView:
        final = season.announced_at is not None
        table = table_of(season)
        codes = {row.id: row.code for row in season.criteria}
        members = {member.agency_id: member for member in season.members}
        refs = {line.agency.code: line.agency for line in progress.agencies}
        candidates = []
        for sheet in sheets:
            member = members.get(sheet.agency_id)
            if member is None or sheet.submitted_at is None:
                continue
            values = {
                codes[e.criterion_id]: value
                for e in sheet.entries
                if e.criterion_id in codes
                and (value := e.final_value if final else e.self_value) is not None
            }
            candidates.append(
                Candidate(
                    agency_code=member.agency.code,
                    totals=total(table, values),
                    submitted_at=sheet.submitted_at,
                    eligible=member.eligible,
                    ineligible_reason=member.ineligible_reason,
                )
            )
        tie_break = [parse_tie_break(text) for text in season.tie_break]
        standings = rank(candidates, tie_break)
        awards = [Award(str(a["title"]), int(a["count"])) for a in season.awards]
        proposals = propose_awards(standings, awards)
        placings = tuple(
            RankedAgency(
                rank=p.rank,
                shared=p.shared,
                agency=refs[p.candidate.agency_code],
                totals=p.candidate.totals,
                eligible=p.candidate.eligible,
                ineligible_reason=p.candidate.ineligible_reason,
                decided_by=p.decided_by,
            )
            for p in standings.placings
        )
        lines = []
        for proposal in proposals:
            tie_rank: int | None = None
            tied: tuple[AgencyRef, ...] = ()
            if proposal.tie_at_boundary:
                last = standings.by_agency(proposal.agency_codes[-1])
                assert last is not None
                tie_rank = last.rank
                tied = tuple(r.agency for r in placings if r.eligible and r.rank == tie_rank)
            lines.append(
                AwardLine(
                    title=proposal.award.title,
                    count=proposal.award.count,
                    agencies=tuple(refs[code] for code in proposal.agency_codes),
                    tie_rank=tie_rank,
                    tied=tied,
                )
            )
        leader: AgencyRef | None = None
        if lines:
            leader = lines[0].agencies[0] if lines[0].agencies else None
        else:
            top = standings.leader()
            leader = refs[top.candidate.agency_code] if top and top.candidate.eligible else None
        ranked = {p.agency.code for p in placings}
        return StandingsView(
            progress=progress,
            final=final,
            placings=placings,
            leader=leader,
            awards=tuple(lines),
            not_ranked=tuple(r for code, r in refs.items() if code not in ranked),
        )


def _platforms(links: Sequence[Membership]) -> dict[int, tuple[PlatformReach, ...]]:
    """Each agency's linked contacts counted by platform, the platforms in name order."""
    contacts: Counter[tuple[int, str]] = Counter()
    unreachable: Counter[tuple[int, str]] = Counter()
    for link in links:
        key = (link.agency_id, link.contact.platform)
        contacts[key] += 1
        if link.contact.unreachable_at is not None:
            unreachable[key] += 1
    found: dict[int, list[PlatformReach]] = {}
    for agency_id, platform in sorted(contacts):
        key = (agency_id, platform)
        found.setdefault(agency_id, []).append(
            PlatformReach(platform, contacts[key], unreachable[key])
        )
    return {agency_id: tuple(reach) for agency_id, reach in found.items()}


def _finalize(
    uow: UnitOfWork, sheet: ScoreSheet, contact_id: int, label: str, now: datetime
) -> None:
    """Fix a sheet's final scores (reviewed, else self) and lock it; audit every change."""
    for entry in sheet.entries:
        final = entry.reviewed_value if entry.reviewed_value is not None else entry.self_value
        if final == entry.final_value:
            continue
        uow.sheets.audit(
            AuditEntry(
                at=now,
                sheet_id=sheet.id,
                criterion_id=entry.criterion_id,
                field="final",
                old_value=_text(entry.final_value),
                new_value=_text(final),
                actor_id=contact_id,
                actor_label=label,
            )
        )
        entry.final_value = final
    if sheet.status != SheetStatus.LOCKED.value:
        uow.sheets.audit(
            AuditEntry(
                at=now,
                sheet_id=sheet.id,
                field="status",
                old_value=sheet.status,
                new_value=SheetStatus.LOCKED.value,
                actor_id=contact_id,
                actor_label=label,
            )
        )
        sheet.status = SheetStatus.LOCKED.value
        sheet.updated_at = now


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(plain(value))
