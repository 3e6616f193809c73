"""Progress (tiến độ): how far each agency's self-score sheet is, and where its contacts are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.sheets import Progress, progress_of
from bot.domain.year import (
    PictureKind,
    ResultsStage,
    SeasonRules,
    objections_until,
    results_stage,
)
from bot.services.scoring import scoring_deadline
from bot.storage.models import Bloc, Membership, ScoreSheet, Season


@dataclass(frozen=True)
class AgencyRef:
    """A member agency (cơ quan, đơn vị) as the views name it."""

    code: str  # as in the bloc file
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
    announced_at: datetime | None  # the final results
    as_of: datetime  # when it was read
    provisional_at: datetime | None = None  # the provisional results, open to objection
    objections_until: datetime | None = None  # when the time to object ends
    pictures: frozenset[PictureKind] = frozenset()  # group posts that carry a picture

    @property
    def announced(self) -> bool:
        return self.announced_at is not None

    @property
    def stage(self) -> ResultsStage:
        return results_stage(self.provisional_at, self.announced_at)

    def having(self, status: Progress) -> tuple[AgencyProgress, ...]:
        return tuple(line for line in self.agencies if line.status is status)


def progress_view(
    season: Season,
    bloc: Bloc,
    sheets: Sequence[ScoreSheet],
    links: Sequence[Membership],
    now: datetime,
) -> ProgressView:
    """Each member agency's progress in ``season``, in the bloc file's order, as of ``now``."""
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
        lines.append(
            AgencyProgress(
                agency=AgencyRef(member.agency.code, member.agency.name),
                status=progress_of(submitted_at, answered),
                answered=answered,
                criteria=len(criteria),
                submitted_at=submitted_at,
                contacts=contacts[member.agency_id],
                unreachable=unreachable[member.agency_id],
                platforms=platforms.get(member.agency_id, ()),
            )
        )
    rules = SeasonRules.from_json(season.rules)
    return ProgressView(
        bloc_name=bloc.short_name or bloc.name,  # in the bloc's own chats the short name is clear
        timezone=bloc.timezone,
        season_year=season.year,
        agencies=tuple(lines),
        deadline=scoring_deadline(season),
        announced_at=season.announced_at,
        as_of=now,
        provisional_at=season.provisional_at,
        objections_until=(
            objections_until(season.provisional_at, rules.objection_days)
            if season.provisional_at is not None
            else None
        ),
        pictures=frozenset(rules.pictures),
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
