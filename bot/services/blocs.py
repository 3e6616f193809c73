"""Bloc import (nhập khối từ tệp YAML) and the bloc list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.blocfile import BlocSpec, EventKind, EventSpec
from bot.clock import Clock
from bot.domain.criteria import CriterionKind, GroupKind
from bot.domain.rules import Award, parse_tie_break
from bot.domain.year import IneligibleAgency, SeasonRules
from bot.services.import_report import (
    Action,
    Change,
    ClosingDeadline,
    FieldChange,
    ImportRefused,
    ImportReport,
    Refusal,
    RefusalReason,
)
from bot.services.people import Role
from bot.services.sheet_admin import EligibilityChange, eligibility_facts
from bot.storage.models import (
    Agency,
    Bloc,
    CriteriaGroupRow,
    CriterionRow,
    Event,
    Season,
    SeasonMember,
)
from bot.storage.repositories import BlocSummary
from bot.storage.uow import UnitOfWork

__all__ = [  # what an import reports, importable from here as before
    "Action",
    "BlocService",
    "Change",
    "ClosingDeadline",
    "FieldChange",
    "ImportRefused",
    "ImportReport",
    "Refusal",
    "RefusalReason",
]


@dataclass
class _Diff:
    changes: list[Change] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    closing_in_past: ClosingDeadline | None = None

    def drop(
        self,
        what: str,
        gone: Sequence[Agency | CriterionRow],
        scored: Mapping[int, int],
        remove: Callable[[Any], None],
    ) -> None:
        """Remove what the file no longer names, but refuse to for what already has scores."""
        for old in gone:
            if scored.get(old.id):
                reason = RefusalReason.REMOVED_WITH_SCORES
                self.refusals.append(Refusal(reason, what, old.code, scored[old.id]))
            else:
                remove(old)
                self.changes.append(Change(Action.REMOVED, what, old.code))

    def update(self, row: Any, what: str, code: str, **values: Any) -> None:
        """Set the attributes that differ and note them as one change."""
        changed = []
        for name, new in values.items():
            old = getattr(row, name)
            if old != new:
                changed.append(FieldChange(name, _typed(what, name, old), _typed(what, name, new)))
                setattr(row, name, new)
        if changed and what:
            self.changes.append(Change(Action.UPDATED, what, code, tuple(changed)))


# How a stored value reads as the typed value a Change carries, by (what, field) or field.
_TYPED: dict[tuple[str, str] | str, Callable[[Any], Any]] = {
    "tie_break": lambda rules: tuple(parse_tie_break(rule) for rule in rules),
    "awards": lambda awards: tuple(Award(a["title"], a["count"]) for a in awards),
    "remind": lambda seconds: tuple(timedelta(seconds=s) for s in seconds),
    "role": Role,
    ("group", "kind"): GroupKind,
    ("criterion", "kind"): CriterionKind,
    ("event", "kind"): EventKind,
}


def _typed(what: str, name: str, value: Any) -> Any:
    read = _TYPED.get((what, name)) or _TYPED.get(name)
    return value if value is None or read is None else read(value)


class BlocService:
    """Use cases about whole blocs."""

    def __init__(self, unit: UnitOfWork, clock: Clock) -> None:
        self.unit = unit
        self.clock = clock

    async def import_bloc(self, spec: BlocSpec) -> ImportReport:
        """Create or update a bloc and its season so that they match ``spec``.

        Raises ImportRefused, writing nothing, when the change would drop scores.
        """
        diff = _Diff()
        uow = self.unit
        bloc = await uow.blocs.get(spec.code)
        said = {  # what the file says of the bloc: a new row is made of it, an old one updated
            "name": spec.name,
            "timezone": spec.timezone,
            "locale": spec.locale,
            **spec.settings(),
        }
        if bloc is None:
            bloc = Bloc(code=spec.code, **said, created_at=self.clock.now(), agencies=[])
            uow.blocs.add(bloc)
            diff.changes.append(Change(Action.ADDED, "bloc", spec.code))
        else:
            diff.update(bloc, "bloc", spec.code, **said)
        agencies = await self._sync_agencies(uow, bloc, spec, diff)
        season = await uow.seasons.get(bloc.id, spec.season.year) if bloc.id else None
        if season is None:
            season = Season(
                year=spec.season.year,
                step=spec.season.table.step,
                members=[],
                groups=[],
                criteria=[],
                events=[],
            )
            season.bloc = bloc
            uow.seasons.add(season)
            diff.changes.append(Change(Action.ADDED, "season", str(spec.season.year)))
        await self._sync_season(uow, season, agencies, spec, diff)
        if diff.refusals:
            raise ImportRefused(diff.refusals)
        if diff.changes and season.id is not None:
            season.version += 1  # readers that cached the season read it again
        if diff.changes:
            await uow.session.flush()
            await uow.schedule.look_again(bloc.id)  # the next reminders tick reads it
        return ImportReport(spec.code, spec.season.year, tuple(diff.changes), diff.closing_in_past)

    async def summaries(self) -> list[BlocSummary]:
        uow = self.unit
        return await uow.blocs.summaries()

    async def _sync_agencies(
        self, uow: UnitOfWork, bloc: Bloc, spec: BlocSpec, diff: _Diff
    ) -> dict[str, Agency]:
        existing = {agency.code: agency for agency in bloc.agencies}
        wanted = {agency.code for agency in spec.agencies}
        gone = [agency for code, agency in existing.items() if code not in wanted]
        if gone:
            scored = await uow.blocs.scored_sheets_by_agency(bloc.id)
            diff.drop("agency", gone, scored, bloc.agencies.remove)
        for position, agency_spec in enumerate(spec.agencies):
            agency = existing.get(agency_spec.code)
            if agency is None:
                agency = Agency(code=agency_spec.code, name=agency_spec.name, position=position)
                bloc.agencies.append(agency)
                existing[agency.code] = agency
                diff.changes.append(Change(Action.ADDED, "agency", agency.code))
            else:
                diff.update(agency, "agency", agency.code, name=agency_spec.name)
                diff.update(agency, "", agency.code, position=position)
        return {code: agency for code, agency in existing.items() if code in wanted}

    async def _sync_season(
        self,
        uow: UnitOfWork,
        season: Season,
        agencies: dict[str, Agency],
        spec: BlocSpec,
        diff: _Diff,
    ) -> None:
        rules = spec.season
        year = str(rules.year)
        diff.update(
            season,
            "season",
            year,
            step=rules.table.step,
            tie_break=[str(rule) for rule in rules.tie_break],
            awards=[{"title": a.title, "count": a.count} for a in rules.awards],
        )
        before = SeasonRules.from_json(season.rules) if season.id else SeasonRules()
        self._sync_rules(season, rules.rules, diff)
        self._sync_members(season, agencies, spec, diff)
        await self._sync_eligibility(uow, season, before.ineligible, rules.rules.ineligible, diff)
        await self._sync_table(uow, season, spec, diff)
        await self._sync_events(uow, season, rules.events, diff)

    @staticmethod
    def _sync_rules(season: Season, rules: SeasonRules, diff: _Diff) -> None:
        """The rules of the year; each that changed is one field of the season's change."""
        old = SeasonRules.from_json(season.rules).flat() if season.id else {}
        changed = [
            FieldChange(name, old[name], new)
            for name, new in rules.flat().items()
            if name in old and old[name] != new
        ]
        season.rules = rules.as_json()
        if changed:
            diff.changes.append(Change(Action.UPDATED, "season", str(season.year), tuple(changed)))

    def _sync_members(
        self, season: Season, agencies: dict[str, Agency], spec: BlocSpec, diff: _Diff
    ) -> None:
        roles = {code: "member" for code in agencies}
        roles.update({code: "deputy" for code in spec.season.deputies})
        roles[spec.season.head] = "head"
        members = {member.agency.code: member for member in season.members if member.agency}
        for stale in list(season.members):
            if stale.agency is None or stale.agency.code not in roles:
                season.members.remove(stale)
        for code, role in roles.items():
            member = members.get(code)
            if member is None:
                season.members.append(SeasonMember(agency=agencies[code], role=role))
                if role != "member":
                    added = FieldChange("role", None, Role(role))
                    diff.changes.append(Change(Action.ADDED, "role", code, (added,)))
            else:
                diff.update(member, "role", code, role=role)

    async def _sync_eligibility(
        self,
        uow: UnitOfWork,
        season: Season,
        before: tuple[IneligibleAgency, ...],
        after: tuple[IneligibleAgency, ...],
        diff: _Diff,
    ) -> None:
        """The file's list of agencies not eligible for awards: one newly listed (or with a new
        reason) becomes ineligible, one taken off the list eligible again; the others keep
        what the chat set."""
        listed = {entry.agency: entry.reason for entry in before}
        wanted = {entry.agency: entry.reason for entry in after}
        now = self.clock.now()
        audit = []
        for member in season.members:
            code = member.agency.code
            if code in wanted and listed.get(code) != wanted[code]:
                eligible, reason = False, wanted[code]
            elif code in listed and code not in wanted:
                eligible, reason = True, None
            else:
                continue
            change = EligibilityChange(
                code, member.agency.name, member.eligible is not False,
                member.ineligible_reason, eligible, reason,
            )  # fmt: skip
            if not change.changed:
                continue
            member.eligible, member.ineligible_reason = eligible, reason
            fields = (
                FieldChange("eligible", change.old_eligible, eligible),
                FieldChange("ineligible_reason", change.old_reason, reason),
            )
            diff.changes.append(Change(Action.UPDATED, "agency", code, fields))
            if season.id is not None and member.id is not None:
                audit.append(eligibility_facts(now, season, member, change, None))
        if audit:
            await uow.audit.append(season.bloc_id, audit)

    async def _sync_table(
        self, uow: UnitOfWork, season: Season, spec: BlocSpec, diff: _Diff
    ) -> None:
        table = spec.season.table
        groups = {group.code: group for group in season.groups}
        criteria = {criterion.code: criterion for criterion in season.criteria}
        wanted = {item.code for item in table.criteria()}
        gone = [row for code, row in criteria.items() if code not in wanted]
        scored = await uow.seasons.scored_sheets_by_criterion(season.id) if season.id else {}
        highest = await uow.seasons.highest_values_by_criterion(season.id) if season.id else {}
        diff.drop("criterion", gone, scored, season.criteria.remove)
        position = 0
        for group_position, group in enumerate(table.groups):
            group_row = groups.get(group.code)
            said = {"title": group.title, "kind": group.kind.value, "cap": group.cap}
            if group_row is None:
                group_row = CriteriaGroupRow(
                    code=group.code, **said, position=group_position, items=[]
                )
                season.groups.append(group_row)
                groups[group.code] = group_row
                diff.changes.append(Change(Action.ADDED, "group", group.code))
            else:
                diff.update(group_row, "group", group.code, **said)
                diff.update(group_row, "", group.code, position=group_position)
            for item in group.items:
                row = criteria.get(item.code)
                said = {"title": item.title, "max": item.max, "kind": item.kind.value}
                if row is None:
                    row = CriterionRow(code=item.code, **said, position=position)
                    season.criteria.append(row)
                    row.group = group_row
                    diff.changes.append(Change(Action.ADDED, "criterion", item.code))
                else:
                    top = highest.get(row.id)
                    if top is not None and top > item.max:
                        diff.refusals.append(
                            Refusal(
                                RefusalReason.MAX_BELOW_SCORES,
                                "criterion",
                                item.code,
                                scored.get(row.id, 0),
                                top,
                            )
                        )
                    if row.group is not group_row:
                        move = FieldChange("group", row.group.code, group.code)
                        diff.changes.append(
                            Change(Action.UPDATED, "criterion", item.code, (move,))
                        )
                        row.group = group_row
                    diff.update(row, "criterion", item.code, **said)
                    diff.update(row, "", item.code, position=position)
                position += 1
        wanted_groups = {group.code for group in table.groups}
        for code, group_row in groups.items():
            if code not in wanted_groups:
                season.groups.remove(group_row)
                diff.changes.append(Change(Action.REMOVED, "group", code))

    async def _sync_events(
        self, uow: UnitOfWork, season: Season, events: tuple[EventSpec, ...], diff: _Diff
    ) -> None:
        existing = {event.code: event for event in season.events}
        wanted = {event.code for event in events}
        for code, old in existing.items():
            if code not in wanted and old.source == "file":
                season.events.remove(old)
                diff.changes.append(Change(Action.REMOVED, "event", code))
        for spec in events:
            remind = sorted((int(offset.total_seconds()) for offset in spec.remind), reverse=True)
            said = {
                "kind": spec.kind.value,
                "title": spec.title,
                "at": spec.at,
                "place": spec.place,
                "remind": remind,
                "closes_scoring": spec.closes_scoring,
            }
            row = existing.get(spec.code)
            newly = row is None or row.at != spec.at or not row.closes_scoring
            if spec.closes_scoring and newly and spec.at <= self.clock.now():
                diff.closing_in_past = ClosingDeadline(spec.code, spec.title, spec.at)
            if row is None:
                season.events.append(Event(code=spec.code, **said, source="file"))
                diff.changes.append(Change(Action.ADDED, "event", spec.code))
            else:
                if row.at != spec.at and row.id is not None:
                    # Moved: its pending reminders go, and it reminds again before the new time.
                    row.version += 1
                    await uow.outbox.cancel_for_event(row.id)
                diff.update(row, "event", spec.code, **said)
