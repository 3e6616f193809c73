"""The review (thẩm định) of submitted self-score sheets, as the bloc file sets it.

The reviewer goes through a sheet criterion by criterion, accepting the agency's value or
changing it with a reason; finishing gives the reviewed total, which the provisional ranking
counts (bot.services.standings). Every change is audited, and the agency's contacts are told
each change and its reason and each reviewer's comment; they may answer, and the reviewers
are told. Words are written by a presenter (``ReviewTexts``, wired in bot/app.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from bot.clock import Clock
from bot.domain.audit import AuditFacts, AuditField
from bot.domain.criteria import Criterion
from bot.domain.review import (
    ReviewState,
    needs_reason,
    reviewed_by,
    state_of,
)
from bot.domain.scores import parse_score
from bot.domain.sheets import SheetStatus
from bot.domain.year import ReviewMode, SeasonRules
from bot.services.audit import sheet_change, shown
from bot.services.posts import Draft, tell_contacts
from bot.services.review_view import (
    REASON_LIMIT,
    Change,
    Comment,
    NoReview,
    NotReviewer,
    NotSubmitted,
    QueueItem,
    ReasonRequired,
    ReviewClosed,
    Reviewer,
    ReviewSheet,
    ReviewTexts,
    ReviewYear,
    UnknownAgency,
)
from bot.services.scoring import NoSeason, table_of
from bot.storage.models import ReviewComment, ScoreEntry, ScoreSheet
from bot.storage.repositories.review import ReviewRepository
from bot.storage.uow import UnitOfWork

__all__ = [  # the views are in bot.services.review_view, re-exported here
    "Change",
    "Comment",
    "NoReview",
    "NotReviewer",
    "NotSubmitted",
    "QueueItem",
    "ReasonRequired",
    "ReviewClosed",
    "ReviewService",
    "ReviewSheet",
    "ReviewState",
    "ReviewTexts",
    "Reviewer",
    "UnknownAgency",
]


class ReviewService:
    """Reviews submitted sheets; every change is audited and told to the agency."""

    def __init__(self, unit: UnitOfWork, clock: Clock, texts: ReviewTexts) -> None:
        self.unit = unit
        self.clock = clock
        self.texts = texts
        self.repo = ReviewRepository(unit.session)

    async def mode(self, bloc_id: int) -> ReviewMode:
        return (await self._year(bloc_id)).rules.review

    async def queue(self, bloc_id: int, who: Reviewer) -> tuple[QueueItem, ...]:
        """The sheets the person reviews, in the bloc's order, with their state."""
        year = await self._year(bloc_id)
        if who.operator:
            mine = year.codes
        else:
            rules = year.rules
            mine = reviewed_by(
                rules.review,
                who.agency_code or "",
                year.codes,
                head=year.head,
                team=rules.reviewers,
                deputies=year.deputies,
            )
        sheets = {s.agency_id: s for s in await self.unit.sheets.for_season(year.season.id)}
        items = []
        for code in mine:
            agency_id, name = year.agency(code)
            sheet = sheets.get(agency_id)
            items.append(QueueItem(code, name, _state(sheet)))
        return tuple(items)

    async def open(
        self, bloc_id: int, who: Reviewer, agency: str, *, own: bool = False
    ) -> ReviewSheet:
        """A submitted sheet the person reviews (or, with ``own``, whose agency they speak
        for)."""
        year, sheet = await self._sheet(bloc_id, who, agency, own=own)
        return await self._view(year, sheet)

    async def change(
        self,
        bloc_id: int,
        who: Reviewer,
        agency: str,
        code: str,
        value: Decimal,
        reason: str | None,
    ) -> Change:
        """Set a criterion's reviewed value; one other than the agency's own needs a reason.

        The value is checked as a self-score is (ScoreError: below 0, above the maximum,
        off the step); ReasonRequired without a reason where one is needed.
        """
        year, sheet = await self._sheet(bloc_id, who, agency, for_change=True)
        criterion = _criterion(year, code)
        code = criterion.code
        value = parse_score(str(value), criterion, year.season.step)
        entry = _entry(year, sheet, code)
        reason = (reason or "").strip()[:REASON_LIMIT] or None
        if needs_reason(entry.self_value, value) and reason is None:
            raise ReasonRequired(code)
        if not needs_reason(entry.self_value, value):
            reason = None
        was = entry.reviewed_value if entry.reviewed_value is not None else entry.self_value
        assert was is not None
        reopened = await self._set(year, sheet, who, [(entry, value, reason)])
        view = await self._view(year, sheet)
        if value != was:
            tell = self.texts.changed
            await self._tell(year, view, agency, lambda: tell(view, code, was, value))
        return Change(view, code, was, value, reason, reopened)

    async def accept(self, bloc_id: int, who: Reviewer, agency: str, code: str) -> Change:
        """Take a criterion's value as the agency gave it."""
        year, sheet = await self._sheet(bloc_id, who, agency, for_change=True)
        entry = _entry(year, sheet, code)
        assert entry.self_value is not None
        return await self.change(bloc_id, who, agency, code, entry.self_value, None)

    async def finish(
        self, bloc_id: int, who: Reviewer, agency: str
    ) -> tuple[ReviewSheet, tuple[str, ...]]:
        """End the review: the criteria not checked yet are accepted as the agency gave them
        (their codes are returned), and the agency is told the reviewed total. Finishing a
        finished review changes nothing."""
        year, sheet = await self._sheet(bloc_id, who, agency, for_change=True)
        if _state(sheet) is ReviewState.REVIEWED:
            return await self._view(year, sheet), ()
        now = self.clock.now()
        ids = {row.id: row.code for row in year.season.criteria}
        open_ = [e for e in sheet.entries if e.reviewed_value is None and e.criterion_id in ids]
        await self._set(year, sheet, who, [(e, e.self_value or Decimal(0), None) for e in open_])
        before = await self._view(year, sheet)
        sheet.review_done_at = now
        reviewer_id = next((a.id for a in year.bloc.agencies if a.code == who.agency_code), None)
        sheet.reviewer_agency_id = reviewer_id
        # An entry without a criterion: the sheet's reviewed total, from the self total.
        facts = sheet_change(
            now,
            (sheet.id, sheet.season_id, sheet.agency_id),
            who.contact_id,
            AuditField.REVIEWED.value,
            shown(before.self_totals.total),
            shown(before.totals.total),
        )
        await self.unit.audit.append(year.bloc.id, [facts])
        view = await self._view(year, sheet)
        await self._tell(year, view, agency, lambda: self.texts.finished(view))
        return view, tuple(ids[e.criterion_id] for e in open_)

    async def comment(
        self, bloc_id: int, who: Reviewer, agency: str, code: str, text: str
    ) -> tuple[ReviewSheet, Comment]:
        """Add a comment on a criterion: a reviewer's, told to the agency, or the agency's
        answer, told to the reviewers."""
        year, sheet = await self._sheet(bloc_id, who, agency, own=True)
        code = _criterion(year, code).code
        criterion_id = _criterion_id(year, code)
        side = "reviewer" if year.may_review(who, agency) else "agency"
        label = await self.unit.audit.actor_label(who.contact_id, bloc_id)
        row = ReviewComment(
            sheet_id=sheet.id,
            criterion_id=criterion_id,
            side=side,
            author_id=who.contact_id,
            author_label=label,
            text=text.strip()[:REASON_LIMIT],
            at=self.clock.now(),
        )
        await self.repo.add_comment(row)
        view = await self._view(year, sheet)
        said = Comment(side, label, row.text, row.at)
        make = lambda: self.texts.commented(view, code, said)  # noqa: E731
        if side == "reviewer":
            await self._tell(year, view, agency, make, key=f"review-comment:{row.id}")
        else:
            targets = set(year.reviewers(agency))
            people = {e.reviewed_by_id for e in sheet.entries if e.reviewed_by_id is not None}
            await self._tell_people(
                year, targets, people - {who.contact_id}, make, f"review-comment:{row.id}"
            )
        return view, said

    async def _set(
        self,
        year: ReviewYear,
        sheet: ScoreSheet,
        who: Reviewer,
        changes: Iterable[tuple[ScoreEntry, Decimal, str | None]],
    ) -> bool:
        """Write reviewed values and audit each; True when this reopened a finished review."""
        now = self.clock.now()
        ids = (sheet.id, sheet.season_id, sheet.agency_id)
        audit: list[AuditFacts] = []
        for entry, value, reason in changes:
            if entry.reviewed_value == value and entry.reviewed_reason == reason:
                continue
            audit.append(
                sheet_change(
                    now,
                    ids,
                    who.contact_id,
                    AuditField.REVIEWED.value,
                    shown(entry.reviewed_value),
                    shown(value),
                    entry.criterion_id,
                    reason=reason,
                )
            )
            entry.reviewed_value = value
            entry.reviewed_reason = reason
            entry.reviewed_by_id = who.contact_id
            entry.reviewed_at = now
        if not audit:
            return False
        await self.unit.audit.append(year.bloc.id, audit)
        reopened = _state(sheet) is ReviewState.REVIEWED
        if reopened:
            sheet.review_done_at = None
        await self.unit.session.flush()
        return reopened

    async def _tell(
        self,
        year: ReviewYear,
        view: ReviewSheet,
        agency: str,
        make: Callable[[], str],
        key: str | None = None,
    ) -> None:
        """Tell the agency's contacts."""
        if key is None:
            head = await self.unit.audit.head(year.bloc.id)
            key = f"review:{year.bloc.id}:{head[0] if head else 0}"
        await self._tell_people(year, {agency}, set(), make, key)

    async def _tell_people(
        self,
        year: ReviewYear,
        agencies: set[str],
        contacts: set[int],
        make: Callable[[], str],
        key: str,
    ) -> None:
        """Tell the contacts of ``agencies`` and the ``contacts`` named, once each."""
        await tell_contacts(
            self.unit,
            year.bloc,
            lambda link: link.agency.code in agencies or link.contact_id in contacts,
            Draft(key, make, None),
            self.clock.now(),
        )

    async def _sheet(
        self,
        bloc_id: int,
        who: Reviewer,
        agency: str,
        *,
        own: bool = False,
        for_change: bool = False,
    ) -> tuple[ReviewYear, ScoreSheet]:
        """The season and the agency's sheet, held until commit, if the person may see it
        (a reviewer, or the agency itself when ``own``) and it is in review."""
        year = await self._year(bloc_id)
        agency_id, _name = year.agency(agency)
        if not (year.may_review(who, agency) or (own and who.agency_code == agency)):
            raise NotReviewer(agency)
        if for_change and year.season.announced_at is not None:
            raise ReviewClosed(agency)
        sheet = await self.repo.sheet(year.season.id, agency_id)
        if sheet is None or sheet.status == SheetStatus.DRAFT.value:
            raise NotSubmitted(agency)
        if sheet.status == SheetStatus.LOCKED.value and for_change:
            raise ReviewClosed(agency)
        return year, sheet

    async def _year(self, bloc_id: int) -> ReviewYear:
        season = await self.unit.seasons.latest(bloc_id)
        bloc = await self.unit.blocs.with_agencies(bloc_id)
        if season is None or bloc is None:
            raise NoSeason(bloc_id)
        rules = SeasonRules.from_json(season.rules)
        if rules.review is ReviewMode.SELF:
            raise NoReview(bloc_id)
        roles = {m.agency_id: m.role for m in season.members}
        order = [a for a in bloc.agencies if a.id in roles]
        head = next((a.code for a in order if roles[a.id] == "head"), None)
        deputies = tuple(a.code for a in order if roles[a.id] == "deputy")
        return ReviewYear(bloc, season, rules, tuple(a.code for a in order), head, deputies)

    async def _view(self, year: ReviewYear, sheet: ScoreSheet) -> ReviewSheet:
        codes = {row.id: row.code for row in year.season.criteria}
        entries = [e for e in sheet.entries if e.criterion_id in codes]
        threads: dict[str, list[Comment]] = {}
        for row in await self.repo.comments(sheet.id):
            if row.criterion_id in codes:
                said = Comment(row.side, row.author_label, row.text, row.at)
                threads.setdefault(codes[row.criterion_id], []).append(said)
        agency = next(a for a in year.bloc.agencies if a.id == sheet.agency_id)
        return ReviewSheet(
            bloc_id=year.bloc.id,
            season_year=year.season.year,
            agency_code=agency.code,
            agency_name=agency.name,
            table=table_of(year.season),
            self_values={
                codes[e.criterion_id]: e.self_value for e in entries if e.self_value is not None
            },
            reviewed={
                codes[e.criterion_id]: e.reviewed_value
                for e in entries
                if e.reviewed_value is not None
            },
            reasons={
                codes[e.criterion_id]: e.reviewed_reason for e in entries if e.reviewed_reason
            },
            comments={code: tuple(said) for code, said in threads.items()},
            state=_state(sheet),
            done_at=sheet.review_done_at,
            evidence={
                codes[c]: n
                for c, n in (await self.unit.evidence.counts(sheet.id)).items()
                if c in codes
            },
            resubmitted_at=_resubmitted(sheet),
            timezone=year.bloc.timezone,
        )


def _resubmitted(sheet: ScoreSheet) -> datetime | None:
    """When the agency sent the sheet again after a reviewer had looked at it, if it did."""
    at = sheet.submitted_at
    seen = [e.reviewed_at for e in sheet.entries if e.reviewed_at is not None]
    return at if at is not None and seen and min(seen) < at else None


def _state(sheet: ScoreSheet | None) -> ReviewState:
    if sheet is None or sheet.status == SheetStatus.DRAFT.value:
        return ReviewState.NOT_SUBMITTED
    checked = sum(1 for e in sheet.entries if e.reviewed_value is not None)
    return state_of(sheet.submitted_at, sheet.review_done_at, checked)


def _criterion(year: ReviewYear, code: str) -> Criterion:
    criterion = table_of(year.season).find(code)
    if criterion is None:
        raise KeyError(code)
    return criterion


def _criterion_id(year: ReviewYear, code: str) -> int:
    wanted = code.strip().casefold()
    found = next((r.id for r in year.season.criteria if r.code.casefold() == wanted), None)
    if found is None:
        raise KeyError(code)
    return found


def _entry(year: ReviewYear, sheet: ScoreSheet, code: str) -> ScoreEntry:
    criterion_id = _criterion_id(year, code)
    entry = next((e for e in sheet.entries if e.criterion_id == criterion_id), None)
    if entry is None or entry.self_value is None:
        raise KeyError(code)
    return entry
