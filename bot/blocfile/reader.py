"""The bloc file (YAML): read it and check all of it, into frozen specs or a list of problems.

Nothing else happens here: no database, no network. The file's YAML is read by the loader of
``bot.blocfile.loader``, validated by the pydantic model of ``bot.blocfile.model``
and checked by the rules across its entries of ``bot.blocfile.rules``. Every problem is
reported with its path in the file (``season.criteria[1].items[0].max``), all of them at once and
in the file's order, so the operator can fix the file in one go; ``blocbot bloc import`` writes
nothing unless the whole file is right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import ValidationError

from bot.blocfile.loader import DuplicateKey, read_yaml
from bot.blocfile.model import (
    BallotEntry,
    BlocFile,
    DeadlineEntry,
    EvidenceEntry,
    GroupEntry,
    MeetingEntry,
    ScoringEntry,
    SeasonEntry,
    messages_of,
)
from bot.blocfile.rules import check_rules
from bot.blocfile.values import (
    CRITERION_KINDS,
    DEFAULT_LOCALE,
    DEFAULT_STEP,
    DEFAULT_TIMEZONE,
    Loc,
    holiday_days,
    path_of,
)
from bot.domain.calendar import QuietTime
from bot.domain.criteria import CriteriaGroup, Criterion, GroupKind, ScoringTable
from bot.domain.events import EventKind  # re-exported
from bot.domain.rules import Award, TieBreak, TieBreakKind
from bot.domain.year import (
    BallotRules,
    EvidenceRules,
    IneligibleAgency,
    ReviewMode,
    SeasonRules,
    pictures_of,
)
from bot.i18n import _

__all__ = [
    "DEADLINE_REMIND",
    "MEETING_REMIND",
    "AgencySpec",
    "BlocFileError",
    "BlocSpec",
    "EventKind",
    "EventSpec",
    "Problem",
    "SeasonSpec",
    "load_bloc_file",
    "parse_bloc",
    "read_yaml",
]

DEADLINE_REMIND: tuple[timedelta, ...] = (
    timedelta(days=7),
    timedelta(days=3),
    timedelta(days=1),
    timedelta(hours=2),
)
MEETING_REMIND: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1), timedelta(hours=2))


@dataclass(frozen=True)
class AgencySpec:
    """A member agency (cơ quan, đơn vị) of the bloc."""

    code: str
    name: str


@dataclass(frozen=True)
class EventSpec:
    """A deadline or a meeting of the season, at a timezone-aware time in the bloc's zone."""

    kind: EventKind
    code: str
    title: str
    at: datetime
    remind: tuple[timedelta, ...]  # how long before ``at`` to remind, as written
    place: str | None = None
    closes_scoring: bool = False


@dataclass(frozen=True)
class SeasonSpec:
    """One year of the bloc: head, deputies, the scoring table and rules, deadlines, meetings."""

    year: int
    head: str
    deputies: tuple[str, ...]
    table: ScoringTable
    tie_break: tuple[TieBreak, ...]
    awards: tuple[Award, ...]
    events: tuple[EventSpec, ...]  # deadlines, then meetings, each in file order
    rules: SeasonRules = field(default_factory=SeasonRules)  # of the year after the self-score


@dataclass(frozen=True)
class BlocSpec:
    """A whole bloc file (khối thi đua), checked."""

    code: str
    name: str
    timezone: str
    locale: str
    agencies: tuple[AgencySpec, ...]
    season: SeasonSpec
    short_name: str = ""  # as written; "" when the file gives none
    quiet: QuietTime = field(default_factory=QuietTime)  # when its messages wait
    group_platform: str | None = None  # the platform of the bloc's group; None: any linked

    @property
    def called(self) -> str:
        """What messages call the bloc: its short name, or else its name."""
        return self.short_name or self.name

    def settings(self) -> dict[str, object]:
        """The bloc's settings as its row stores them (``Bloc`` columns)."""
        return {
            "short_name": self.short_name or None,
            "quiet_hours": self.quiet.hours,
            "quiet_days": self.quiet.day_names,
            "holidays": [day.isoformat() for day in sorted(self.quiet.holidays)],
            "group_platform": self.group_platform,
        }


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bloc file, with where it is."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class BlocFileError(Exception):
    """A bloc file that cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def parse_bloc(
    text: str, *, default_timezone: str = DEFAULT_TIMEZONE, default_locale: str = DEFAULT_LOCALE
) -> BlocSpec:
    """Read and check a bloc file's text; BlocFileError lists every problem with its path."""
    raw = _plain_data(text)
    found = check_rules(raw)
    context = {"timezone": default_timezone, "locale": default_locale}
    try:
        file = BlocFile.model_validate(raw, context=context)
    except ValidationError as error:
        found = messages_of(error) + found
    if found:
        found.sort(key=lambda problem: _position(raw, problem[0]))
        raise BlocFileError(Problem(path_of(loc), message) for loc, message in found)
    return _bloc_spec(file)


def load_bloc_file(
    path: str | Path,
    *,
    default_timezone: str = DEFAULT_TIMEZONE,
    default_locale: str = DEFAULT_LOCALE,
) -> BlocSpec:
    """Read and check a bloc file (UTF-8, with or without a BOM); see ``parse_bloc``."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BlocFileError([Problem(name, _("file not found"))]) from None
    except UnicodeDecodeError as error:
        message = _("not UTF-8 text (byte {position}); save the file as UTF-8")
        raise BlocFileError([Problem(name, message.format(position=error.start))]) from None
    except OSError as error:
        message = _("cannot read the file: {error}").format(error=error.strerror or error)
        raise BlocFileError([Problem(name, message)]) from None
    return parse_bloc(text, default_timezone=default_timezone, default_locale=default_locale)


def _plain_data(text: str) -> Any:
    """The YAML of a bloc file as plain data ({} for an empty file); BlocFileError if it is not
    YAML."""
    try:
        raw = read_yaml(text)
    except DuplicateKey as error:
        message = _("key “{key}” is given twice (line {line}, column {column})")
        raise BlocFileError([Problem("", message.format(**error.where))]) from None
    except yaml.MarkedYAMLError as error:
        mark, problem = error.problem_mark, error.problem or error.context or str(error)
        if mark is None:
            message = _("not valid YAML: {problem}").format(problem=problem)
        else:
            message = _("not valid YAML at line {line}, column {column}: {problem}").format(
                line=mark.line + 1, column=mark.column + 1, problem=problem
            )
        raise BlocFileError([Problem("", message)]) from None
    except yaml.YAMLError as error:
        message = _("not valid YAML: {problem}").format(problem=error)
        raise BlocFileError([Problem("", message)]) from None
    return {} if raw is None else raw


def _position(raw: object, loc: Loc) -> tuple[int, ...]:
    """Where ``loc`` is in the file, to list problems in the file's order: a missing key comes
    after the keys its mapping has."""
    place = []
    for part in loc:
        if isinstance(raw, dict):
            keys = [str(key) for key in raw]
            index = keys.index(str(part)) if str(part) in keys else len(keys)
            raw = list(raw.values())[index] if index < len(keys) else None
        elif isinstance(raw, list) and isinstance(part, int):
            index, raw = part, raw[part] if part < len(raw) else None
        else:
            index, raw = 0, None
        place.append(index)
    return tuple(place)


# -- the checked file as specs


def _bloc_spec(file: BlocFile) -> BlocSpec:
    head = file.bloc
    zone = ZoneInfo(head.timezone)
    quiet = QuietTime(
        *head.quiet_hours,
        frozenset(head.quiet_days or ()),
        frozenset(holiday_days(head.holidays or ())),
    )
    return BlocSpec(
        head.code,
        head.name,
        head.timezone,
        head.locale,
        tuple(AgencySpec(agency.code, agency.name) for agency in file.agencies),
        _season_spec(file.season, zone),
        head.short_name,
        quiet,
        head.group or None,
    )


def _season_spec(season: SeasonEntry, zone: ZoneInfo) -> SeasonSpec:
    scoring = season.scoring or ScoringEntry()
    table = ScoringTable(tuple(map(_group, season.criteria)), scoring.step or DEFAULT_STEP)
    tie_break = tuple(_as_in(table, rule) for rule in scoring.tie_break or ())
    awards = tuple(Award(award.title, award.count) for award in scoring.awards or ())
    events = [*(season.deadlines or ()), *(season.meetings or ())]  # deadlines first
    return SeasonSpec(
        season.year,
        season.head,
        tuple(season.deputies or ()),
        table,
        tie_break,
        awards,
        tuple(_event(event, zone) for event in events),
        _rules(season, table),
    )


def _rules(season: SeasonEntry, table: ScoringTable) -> SeasonRules:
    """The rules of the year after the self-score, the defaults where the file is silent;
    criterion codes as the table writes them."""
    default = SeasonRules()
    evidence = season.evidence or EvidenceEntry()
    ballot = season.ballot or BallotEntry()
    codes = {criterion.code.casefold(): criterion.code for criterion in table.criteria()}
    return SeasonRules(
        review=ReviewMode(season.review or default.review),
        reviewers=tuple(season.review_team or ()),
        evidence=EvidenceRules(
            tuple(codes.get(code.casefold(), code) for code in evidence.required or ()),
            evidence.max_mb or default.evidence.max_mb,
            tuple(t.casefold().lstrip(".") for t in evidence.types or default.evidence.types),
        ),
        late_deduction=(season.late.deduction if season.late else None) or Decimal(0),
        objection_days=(
            default.objection_days
            if season.results is None or season.results.objection_days is None
            else season.results.objection_days
        ),
        ballot=BallotRules(
            default.ballot.quorum if ballot.quorum is None else ballot.quorum,
            default.ballot.threshold if ballot.threshold is None else ballot.threshold,
            default.ballot.head_repeats if ballot.head_repeats is None else ballot.head_repeats,
        ),
        ineligible=tuple(
            IneligibleAgency(entry.agency, entry.reason) for entry in season.ineligible or ()
        ),
        pictures=pictures_of(season.pictures),
    )


def _group(group: GroupEntry) -> CriteriaGroup:
    kind = GroupKind(group.kind or GroupKind.SCORE)
    kinds = CRITERION_KINDS[kind]
    items = tuple(
        Criterion(
            item.code, item.title, item.max, kinds[item.kind.casefold() or next(iter(kinds))]
        )
        for item in group.items
    )
    return CriteriaGroup(group.code, group.title, items, kind, group.cap)


def _as_in(table: ScoringTable, rule: TieBreak) -> TieBreak:
    """A tie-break rule naming its group as the table writes it (``group:ii``: ``group:II``)."""
    group = table.group(rule.group_code or "") if rule.kind is TieBreakKind.GROUP else None
    return rule if group is None else TieBreak(TieBreakKind.GROUP, group.code)


def _in_zone(local: datetime, zone: ZoneInfo) -> datetime:
    """A time of the file in the bloc's zone: as written, or moved there if YAML gave a zone."""
    return local.replace(tzinfo=zone) if local.tzinfo is None else local.astimezone(zone)


def _event(event: DeadlineEntry | MeetingEntry, zone: ZoneInfo) -> EventSpec:
    """A deadline or a meeting, at its time in the bloc's zone, with its reminders or else the
    default ones."""
    if isinstance(event, DeadlineEntry):
        kind, at, remind, place = EventKind.DEADLINE, event.due, DEADLINE_REMIND, None
    else:
        kind, at, remind, place = EventKind.MEETING, event.at, MEETING_REMIND, event.place or None
    if event.remind is not None:
        remind = tuple(event.remind)
    closes = isinstance(event, DeadlineEntry) and bool(event.closes_scoring)
    return EventSpec(kind, event.code, event.title, _in_zone(at, zone), remind, place, closes)
