"""The head's hand on sheets and awards: unlocking one agency's sheet after the deadline
(mở khoá bảng điểm) and marking an agency (in)eligible for awards (đủ điều kiện khen thưởng)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.audit import AuditFacts, AuditField
from bot.domain.sheets import Closed, SheetStatus, why_closed
from bot.i18n import use_locale
from bot.services.audit import sheet_change
from bot.services.current import current_season
from bot.services.scoring import scoring_deadline
from bot.storage.models import Bloc, Season, SeasonMember
from bot.storage.repositories.outbox import NewMessage
from bot.storage.uow import UnitOfWork

UNLOCK_FOR = timedelta(days=2)  # how long an unlock lasts when the head names no time


class UnknownAgency(LookupError):
    """No member agency of the season has this code."""

    def __init__(self, code: str, known: tuple[str, ...]) -> None:
        super().__init__(code)
        self.code = code
        self.known = known


class BeforeDeadline(Exception):
    """The deadline has not passed (or there is none): the agency reopens its sheet itself."""

    def __init__(self, deadline: datetime | None) -> None:
        super().__init__(deadline.isoformat() if deadline else "")
        self.deadline = deadline


class ResultsOut(Exception):
    """The results are announced: sheets and awards are final."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at.isoformat())
        self.at = at


class UntilPassed(ValueError):
    """The time an unlock would last until is not in the future."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


class ReasonRequired(ValueError):
    """Making an agency ineligible needs a reason."""


@dataclass(frozen=True)
class AgencyState:
    """One member agency as the head's commands list it."""

    code: str
    name: str
    status: SheetStatus | None  # None: no sheet yet
    unlocked_until: datetime | None
    late: bool
    eligible: bool
    ineligible_reason: str | None
    closed_by_deadline: bool  # the deadline keeps it closed now


@dataclass(frozen=True)
class SheetsOverview:
    """The season's agencies with their sheets and award eligibility."""

    timezone: str
    deadline: datetime | None
    announced_at: datetime | None
    as_of: datetime
    agencies: tuple[AgencyState, ...]

    def find(self, code: str) -> AgencyState | None:
        """The agency written ``code``, case-insensitive."""
        wanted = code.strip().casefold()
        return next((a for a in self.agencies if a.code.casefold() == wanted), None)

    def codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.agencies)


@dataclass(frozen=True)
class Unlocked:
    """An unlock done: the sheet is open for its agency until ``until``."""

    code: str
    name: str
    timezone: str
    old_until: datetime | None
    until: datetime
    reopened: bool  # it was submitted and is a draft again
    told: int  # contacts of the agency told through the outbox


@dataclass(frozen=True)
class EligibilityChange:
    """An agency's award eligibility before and after."""

    code: str
    name: str
    old_eligible: bool
    old_reason: str | None
    eligible: bool
    reason: str | None

    @property
    def changed(self) -> bool:
        return (self.old_eligible, self.old_reason) != (self.eligible, self.reason)


class SheetAdminService:
    """Unlocking sheets after the deadline and setting award eligibility; audited."""

    def __init__(
        self, unit: UnitOfWork, clock: Clock, notice: Callable[[Unlocked], str] | None = None
    ) -> None:
        self.unit = unit
        self.clock = clock
        # The message to the agency's contacts, written in the current language.
        self.notice = notice

    async def overview(self, bloc_id: int) -> SheetsOverview:
        """Every member agency with its sheet's state and its eligibility."""
        season, bloc = await self._season(bloc_id)
        now = self.clock.now()
        deadline = scoring_deadline(season)
        sheets = {sheet.agency_id: sheet for sheet in await self.unit.sheets.for_season(season.id)}
        states = []
        for member in sorted(season.members, key=lambda m: m.agency.position):
            sheet = sheets.get(member.agency_id)
            until = sheet.unlocked_until if sheet else None
            closed = why_closed(
                SheetStatus.DRAFT,
                announced_at=season.announced_at,
                deadline=deadline,
                now=now,
                unlocked_until=until,
            )
            states.append(
                AgencyState(
                    code=member.agency.code,
                    name=member.agency.name,
                    status=SheetStatus(sheet.status) if sheet else None,
                    unlocked_until=until,
                    late=bool(sheet and sheet.late),
                    eligible=member.eligible,
                    ineligible_reason=member.ineligible_reason,
                    closed_by_deadline=closed is Closed.DEADLINE,
                )
            )
        return SheetsOverview(bloc.timezone, deadline, season.announced_at, now, tuple(states))

    async def unlock(
        self, bloc_id: int, agency_code: str, until: datetime | None, actor: int | None
    ) -> Unlocked:
        """Reopen one agency's sheet after the deadline until ``until`` (default: two days
        from now); a submitted sheet becomes a draft again, and its contacts are told."""
        uow = self.unit
        now = self.clock.now()
        season, bloc = await self._season(bloc_id)
        member = _member(season, agency_code)
        deadline = scoring_deadline(season)
        if season.announced_at is not None:
            raise ResultsOut(season.announced_at)
        if deadline is None or now < deadline:
            raise BeforeDeadline(deadline)
        until = until or now + UNLOCK_FOR
        if until <= now:
            raise UntilPassed(until)
        row = await uow.sheets.ensure(season.id, member.agency_id, now)
        ids = (row.id, season.id, member.agency_id)
        audit = [sheet_change(now, ids, actor, "unlock", _iso(row.unlocked_until), _iso(until))]
        reopened = row.status == SheetStatus.SUBMITTED.value
        if reopened:
            draft = SheetStatus.DRAFT.value
            audit.append(sheet_change(now, ids, actor, "status", row.status, draft))
            await uow.sheets.set_status(row.id, draft, None, None, now)
        await uow.sheets.unlock(row.id, until, now)
        await uow.audit.append(bloc_id, audit)
        agency = member.agency
        done = Unlocked(
            agency.code, agency.name, bloc.timezone, row.unlocked_until, until, reopened, 0
        )
        return replace(done, told=await self._tell(bloc, member.agency_id, done, now))

    async def set_eligibility(
        self,
        bloc_id: int,
        agency_code: str,
        eligible: bool,
        reason: str | None,
        actor: int | None,
    ) -> EligibilityChange:
        """Mark an agency eligible for awards, or ineligible with its reason."""
        season, _bloc = await self._season(bloc_id)
        if season.announced_at is not None:
            raise ResultsOut(season.announced_at)
        member = _member(season, agency_code)
        reason = (reason or "").strip() or None
        if not eligible and reason is None:
            raise ReasonRequired(agency_code)
        new_reason = None if eligible else reason
        change = EligibilityChange(
            member.agency.code,
            member.agency.name,
            member.eligible,
            member.ineligible_reason,
            eligible,
            new_reason,
        )
        if change.changed:
            member.eligible, member.ineligible_reason = eligible, new_reason
            facts = eligibility_facts(self.clock.now(), season, member, change, actor)
            await self.unit.audit.append(bloc_id, [facts])
        return change

    async def _tell(self, bloc: Bloc, agency_id: int, done: Unlocked, now: datetime) -> int:
        """Tell the agency's reachable contacts until when its sheet is open."""
        if self.notice is None:
            return 0
        messages = []
        for link in await self.unit.contacts.in_bloc(bloc.id):
            contact = link.contact
            if link.agency_id != agency_id or contact.unreachable_at is not None:
                continue
            with use_locale(contact.language or bloc.locale):
                text = self.notice(done)
            messages.append(
                NewMessage(
                    platform=contact.platform,
                    chat_id=contact.user_id,
                    text=text,
                    due_at=now,
                    chat_kind="private",
                    contact_id=contact.id,
                    bloc_id=bloc.id,
                    dedupe_key=f"unlock:{bloc.id}:{done.code}:{done.until.isoformat()}:"
                    f"{contact.platform}:{contact.user_id}",
                )
            )
        if messages:
            await self.unit.outbox.enqueue(messages, now)
        return len(messages)

    async def _season(self, bloc_id: int) -> tuple[Season, Bloc]:
        return await current_season(self.unit, bloc_id)


def eligibility_facts(
    at: datetime,
    season: Season,
    member: SeasonMember,
    change: EligibilityChange,
    actor: int | None,
) -> AuditFacts:
    """The audit entry of an eligibility change (old → new, and why)."""
    return AuditFacts(
        at=at,
        field=AuditField.ELIGIBILITY.value,
        old_value=_eligibility(change.old_eligible),
        new_value=_eligibility(change.eligible),
        reason=change.reason if not change.eligible else change.old_reason,
        actor_id=actor,
        season_id=season.id,
        agency_id=member.agency_id,
    )


def _eligibility(eligible: bool) -> str:
    return "eligible" if eligible else "ineligible"


def _member(season: Season, code: str) -> SeasonMember:
    wanted = code.strip().casefold()
    for member in season.members:
        if member.agency.code.casefold() == wanted:
            return member
    known = tuple(m.agency.code for m in sorted(season.members, key=lambda m: m.agency.position))
    raise UnknownAgency(code, known)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
