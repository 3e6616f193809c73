"""Results (kết quả): progress, standings, and the announcement that makes them final.

The views are built by ``bot.services.progress`` and ``bot.services.standings``; their names are
importable from here as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.audience import group_post_readers
from bot.domain.audit import AuditFacts, AuditField
from bot.domain.sheets import Progress, SheetStatus
from bot.domain.year import PictureKind, ResultsStage, SeasonRules, objections_until
from bot.services.audit import sheet_change, shown
from bot.services.progress import (
    AgencyProgress,
    AgencyRef,
    PlatformReach,
    ProgressView,
    progress_view,
)
from bot.services.reach import Reach
from bot.services.scoring import NoSeason
from bot.services.standings import AwardLine, RankedAgency, StandingsView, standings_view
from bot.storage.files import FileStore, OutboxFile
from bot.storage.models import Bloc, Membership, ScoreSheet, Season
from bot.storage.repositories.outbox import NewMessage
from bot.storage.uow import UnitOfWork

__all__ = [  # the views are built in bot.services.progress and .standings, re-exported here
    "AgencyProgress",
    "AgencyRef",
    "AlreadyAnnounced",
    "AlreadyProvisional",
    "Announcement",
    "AwardLine",
    "HeldPost",
    "NotYetFinal",
    "PlatformReach",
    "PostPicture",
    "Progress",
    "ProgressView",
    "RankedAgency",
    "Recipient",
    "ResultsService",
    "SeasonChanged",
    "StandingsView",
]

PICTURE_WAIT = timedelta(minutes=2)  # the longest a group's results wait for their picture


class AlreadyAnnounced(Exception):
    """The season's results were announced before."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at.isoformat())
        self.at = at


class AlreadyProvisional(Exception):
    """The season's provisional results were published before."""

    def __init__(self, at: datetime, until: datetime) -> None:
        super().__init__(at.isoformat())
        self.at = at
        self.until = until


class NotYetFinal(Exception):
    """The final results wait for the provisional ones (``until`` None) or for the end of
    the time to object (``until``)."""

    def __init__(self, until: datetime | None) -> None:
        super().__init__(until.isoformat() if until else "no provisional results")
        self.until = until


class SeasonChanged(Exception):
    """The confirmation was for another season than the bloc's current one."""


@dataclass(frozen=True)
class Recipient:
    """Where an announcement goes and in which language."""

    platform: str
    chat_id: str
    locale: str
    contact_id: int | None = None  # for a person: marked unreachable if they blocked the bot


@dataclass(frozen=True)
class HeldPost:
    """A results post to a group that waits for its picture (``PICTURE_WAIT`` at most)."""

    dedupe_key: str
    locale: str  # of the picture's words


@dataclass(frozen=True)
class PostPicture:
    """A picture drawn for posts: its file name and its PNG bytes."""

    filename: str
    data: bytes
    content_type: str = "image/png"


@dataclass(frozen=True)
class Announcement:
    """The final standings and everyone to tell."""

    standings: StandingsView
    contacts: tuple[Recipient, ...]  # direct chats, each in the person's language
    groups: tuple[Recipient, ...]  # linked group chats, in the bloc's language
    held: tuple[HeldPost, ...] = ()  # the group posts waiting for the ranking picture


class ResultsService:
    """Who has submitted, the ranking, and publishing the final results."""

    def __init__(
        self,
        unit: UnitOfWork,
        clock: Clock,
        reach: Reach | None = None,
        files: FileStore | None = None,
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.reach = reach or Reach()
        self.files = files  # where the pictures of group posts are kept; None: no pictures

    async def progress(
        self, bloc_id: int, links: Sequence[Membership] | None = None
    ) -> ProgressView:
        """Each agency's sheet status in the current season; ``links``: the bloc's, if the
        caller has read them already."""
        uow = self.unit
        season = await uow.seasons.latest_for_progress(bloc_id)
        bloc = await uow.blocs.by_id(bloc_id)
        if season is None or bloc is None:
            raise NoSeason(bloc_id)
        sheets = await uow.sheets.for_season(season.id)
        if links is None:
            links = await uow.contacts.in_bloc(bloc_id)
        return progress_view(season, bloc, sheets, links, self.clock.now())

    async def standings(self, bloc_id: int, year: int | None = None) -> StandingsView:
        """The provisional ranking before the announcement, the final one after; of the
        season ``year`` when given (NoSeason if the bloc has none of that year). Ballots of
        the season decide the awards they were held for."""
        return (await self.standings_and_sheets(bloc_id, year))[0]

    async def standings_and_sheets(
        self, bloc_id: int, year: int | None = None
    ) -> tuple[StandingsView, Sequence[ScoreSheet]]:
        """``standings`` and the season's sheets it was made from, for a caller that shows
        them too (read once, not twice)."""
        uow = self.unit
        if year is None:
            season, sheets, progress = await self._read(bloc_id)
        else:
            old, bloc = await uow.seasons.get(bloc_id, year), await uow.blocs.by_id(bloc_id)
            if old is None or bloc is None:
                raise NoSeason(bloc_id)
            season, sheets = old, await uow.sheets.for_season(old.id)
            links = await uow.contacts.in_bloc(bloc_id)
            progress = progress_view(season, bloc, sheets, links, self.clock.now())
        ballots = await uow.ballots.of_season(season.id)
        return standings_view(progress, season, sheets, ballots), sheets

    async def publish(
        self,
        bloc_id: int,
        contact_id: int,
        post: Callable[[StandingsView, str], str],
        *,
        year: int | None = None,
        asker: Recipient | None = None,
        asked_in_group: bool = False,
    ) -> Announcement:
        """Publish the provisional results to the bloc, in the unit of work of the update:
        everyone may see the ranking and object until the time the bloc file gives; the post
        (``post(standings, locale)``) goes to every group and contact through the outbox.

        ``year`` and ``asker`` as for ``announce``.
        """
        now = self.clock.now()
        uow = self.unit
        season, bloc, provisional_at, days = await self._not_final(bloc_id, year)
        if provisional_at is not None:
            raise AlreadyProvisional(provisional_at, objections_until(provisional_at, days))
        season.provisional_at = now
        until = objections_until(now, days)
        entry = AuditFacts(
            at=now,
            field=AuditField.RESULTS,
            new_value=ResultsStage.PROVISIONAL.value,
            reason=f"objections until {until.isoformat()}",
            actor_id=contact_id,
            season_id=season.id,
        )
        await uow.audit.append(bloc_id, [entry])
        sheets = await uow.sheets.for_season(season.id)
        return await self._tell(season, bloc, sheets, post, asker, asked_in_group, "provisional")

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
        """Publish the final results, in the unit of work of the update: lock every sheet,
        fix and audit the final scores, mark the season announced, and put the results post
        (``post(standings, locale)``) in the outbox for every group and contact.

        The provisional results must have been published and the time to object be over
        (NotYetFinal otherwise). ``year``, when given, must be the current season's
        (SeasonChanged otherwise). ``asker`` is the chat that announced: it gets the post too
        when it is neither a linked group nor a contact's chat.
        """
        now = self.clock.now()
        uow = self.unit
        season, bloc, provisional_at, days = await self._not_final(bloc_id, year)
        if provisional_at is None:
            raise NotYetFinal(None)
        until = objections_until(provisional_at, days)
        if now < until:
            raise NotYetFinal(until)
        sheets = await uow.sheets.lock_season(season.id)
        audit: list[AuditFacts] = []
        for sheet in sheets:
            audit += _finalize(sheet, contact_id, now)
        audit.append(
            AuditFacts(
                at=now,
                field=AuditField.RESULTS,
                old_value=ResultsStage.PROVISIONAL.value,
                new_value=ResultsStage.FINAL.value,
                actor_id=contact_id,
                season_id=season.id,
            )
        )
        await uow.audit.append(bloc_id, audit)
        season.announced_at = now
        return await self._tell(season, bloc, sheets, post, asker, asked_in_group, "results")

    async def _not_final(
        self, bloc_id: int, year: int | None
    ) -> tuple[Season, Bloc, datetime | None, int]:
        """The bloc's current season (``year``'s, if given: SeasonChanged otherwise), held
        until commit and not final yet (AlreadyAnnounced otherwise); when its provisional
        results were published and the days the bloc has to object."""
        season, bloc = await self._season(self.unit, bloc_id)
        if year is not None and year != season.year:
            raise SeasonChanged(season.year)
        provisional_at, announced_at = await self.unit.seasons.lock(season.id)
        if announced_at is not None:
            raise AlreadyAnnounced(announced_at)
        return season, bloc, provisional_at, SeasonRules.from_json(season.rules).objection_days

    async def _tell(
        self,
        season: Season,
        bloc: Bloc,
        sheets: Sequence[ScoreSheet],
        post: Callable[[StandingsView, str], str],
        asker: Recipient | None,
        asked_in_group: bool,
        step: str,
    ) -> Announcement:
        """The standings as they are now, posted to every group and contact of the bloc."""
        bloc_id = bloc.id
        uow = self.unit
        links = await uow.contacts.in_bloc(bloc_id)
        linked = await uow.groups.for_bloc(bloc_id)
        groups, _direct = group_post_readers(  # every contact gets the results anyway
            linked,
            linked[:0],
            groups_possible=self.reach.groups_possible,
            group_platform=bloc.group_platform,
        )
        progress = progress_view(season, bloc, sheets, links, self.clock.now())
        ballots = await uow.ballots.of_season(season.id)
        view = standings_view(progress, season, sheets, ballots)
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
        held = await self._enqueue(bloc_id, announcement, post, asker, asked_in_group, step)
        return replace(announcement, held=held)

    async def _enqueue(
        self,
        bloc_id: int,
        announcement: Announcement,
        post: Callable[[StandingsView, str], str],
        asker: Recipient | None,
        asked_in_group: bool,
        step: str,
    ) -> tuple[HeldPost, ...]:
        """The results post for every group and contact, each in its language, and for the
        asker: the head gets it as everyone does, even if his reply is lost. When the bloc
        file asks for the results with a picture, the groups' posts wait for it: those."""
        now = self.clock.now()
        standings = announcement.standings
        year = standings.progress.season_year
        groups, contacts = list(announcement.groups), list(announcement.contacts)
        known = {(recipient.platform, recipient.chat_id) for recipient in groups + contacts}
        if asker is not None and (asker.platform, asker.chat_id) not in known:
            (groups if asked_in_group else contacts).append(asker)
        pictured = self.files is not None and PictureKind.RESULTS in standings.progress.pictures
        held: list[HeldPost] = []
        messages = []
        for kind, recipients in (("group", groups), ("private", contacts)):
            for recipient in recipients:
                key = f"{step}:{bloc_id}:{year}:{recipient.platform}:{recipient.chat_id}"
                waits = pictured and kind == "group"
                if waits:
                    held.append(HeldPost(key, recipient.locale))
                message = NewMessage(
                    platform=recipient.platform,
                    chat_id=recipient.chat_id,
                    text=post(standings, recipient.locale),
                    due_at=now + PICTURE_WAIT if waits else now,
                    chat_kind=kind,
                    contact_id=recipient.contact_id,
                    bloc_id=bloc_id,
                    dedupe_key=key,
                )
                messages.append(message)
        await self.unit.outbox.enqueue(messages, now)
        return tuple(held)

    async def picture_drawn(self, keys: Sequence[str], picture: PostPicture | None) -> int:
        """Let the held group posts of ``keys`` go now, with ``picture`` (None: it could not be
        drawn, they go without); how many went."""
        files: list[OutboxFile] = []
        if picture is not None and self.files is not None:
            ref = await self.files.put(picture.data)
            files.append(OutboxFile("image", picture.filename, picture.content_type, ref))
        return await self.unit.outbox.attach(keys, files, self.clock.now())

    async def _read(self, bloc_id: int) -> tuple[Season, Sequence[ScoreSheet], ProgressView]:
        """The bloc's latest season, its sheets and its progress."""
        uow = self.unit
        season, bloc = await self._season(uow, bloc_id)
        sheets = await uow.sheets.for_season(season.id)
        links = await uow.contacts.in_bloc(bloc_id)
        return season, sheets, progress_view(season, bloc, sheets, links, self.clock.now())

    async def _season(self, uow: UnitOfWork, bloc_id: int) -> tuple[Season, Bloc]:
        season = await uow.seasons.latest(bloc_id)
        bloc = await uow.blocs.by_id(bloc_id)
        if season is None or bloc is None:
            raise NoSeason(bloc_id)
        return season, bloc


def _finalize(sheet: ScoreSheet, contact_id: int, now: datetime) -> list[AuditFacts]:
    """Fix a sheet's final scores (reviewed, else self) and lock it; the audit entries of
    every change."""
    audit = []
    ids = (sheet.id, sheet.season_id, sheet.agency_id)
    for entry in sheet.entries:
        final = entry.reviewed_value if entry.reviewed_value is not None else entry.self_value
        if final == entry.final_value:
            continue
        old = shown(entry.final_value)
        audit.append(
            sheet_change(now, ids, contact_id, "final", old, shown(final), entry.criterion_id)
        )
        entry.final_value = final
    if sheet.status != SheetStatus.LOCKED.value:
        locked = SheetStatus.LOCKED.value
        audit.append(sheet_change(now, ids, contact_id, "status", sheet.status, locked))
        sheet.status = locked
    return audit
