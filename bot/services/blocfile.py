"""The bloc file (YAML): read it and check all of it, into frozen specs or a list of problems.

Nothing else happens here: no database, no network. Every problem is reported with its path in
the file (``season.criteria[1].items[0].max``), all of them at once, so the operator can fix the
file in one go; ``blocbot bloc import`` writes nothing unless the whole file is right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.calendar import DEFAULT_HOURS, WEEKDAYS, QuietTime, parse_hours
from bot.domain.criteria import CriteriaGroup, Criterion, CriterionKind, GroupKind, ScoringTable
from bot.domain.rules import Award, TieBreak, TieBreakKind, parse_tie_break
from bot.domain.scores import format_points
from bot.i18n import LOCALES, _, current_locale
from bot.services.yamlcheck import (
    DuplicateKey,
    Field,
    FieldReader,
    Problem,
    Section,
    Skip,
    read_yaml,
)

__all__ = [
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

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LOCALE = "vi"
DEFAULT_STEP = Decimal("0.5")
DEADLINE_REMIND: tuple[timedelta, ...] = (
    timedelta(days=7),
    timedelta(days=3),
    timedelta(days=1),
    timedelta(hours=2),
)
MEETING_REMIND: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1), timedelta(hours=2))
TIME_FORMAT = "%Y-%m-%d %H:%M"
MAX_AGENCIES = 50
MAX_SLUG = 64  # bloc, agency and event codes
MAX_CRITERION_CODE = 16  # group and criterion codes
MAX_POINTS = Decimal(1000)
MAX_STEP_PLACES = 3
MAX_REMIND_DAYS = 366
YEARS = (2000, 2100)
MAX_SHORT_NAME = 60
MAX_HOLIDAYS = 400  # days, ranges counted day by day

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {name: day for names in (WEEKDAYS, _DAY_NAMES) for day, name in enumerate(names)}

# Accepted criterion kinds per group kind; the first is the default. ``score`` in a bonus group
# is what people write for an ordinary bonus criterion, so it is read as ``bonus``.
_CRITERION_KINDS = {
    GroupKind.SCORE: {"score": CriterionKind.SCORE, "yesno": CriterionKind.YESNO},
    GroupKind.BONUS: {
        "bonus": CriterionKind.BONUS,
        "score": CriterionKind.BONUS,
        "yesno": CriterionKind.YESNO,
    },
    GroupKind.DEDUCTION: {"deduction": CriterionKind.DEDUCTION, "yesno": CriterionKind.YESNO},
}


@dataclass(frozen=True)
class AgencySpec:
    """A member agency (cơ quan, đơn vị) of the bloc."""

    code: str
    name: str


class EventKind(StrEnum):
    """What a season event is."""

    DEADLINE = "deadline"  # hạn nộp
    MEETING = "meeting"  # hội nghị


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


class BlocFileError(Exception):
    """A bloc file that cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def parse_bloc(
    text: str, *, default_timezone: str = DEFAULT_TIMEZONE, default_locale: str = DEFAULT_LOCALE
) -> BlocSpec:
    """Read and check a bloc file's text; BlocFileError lists every problem with its path."""
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
    reader = _BlocReader(default_timezone, default_locale)
    spec = reader.bloc(Field({} if raw is None else raw, ""))
    if reader.problems:
        raise BlocFileError(reader.problems)
    return spec


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


class _BlocReader(FieldReader):
    """Walks the parsed file. Each read reports what is wrong and returns a stand-in, so one pass
    finds every problem; the result is thrown away when any problem was reported."""

    slug_limit = MAX_SLUG
    code_limit = MAX_CRITERION_CODE
    points_limit = MAX_POINTS
    remind_days_limit = MAX_REMIND_DAYS
    time_format = TIME_FORMAT
    stand_in_time = datetime(YEARS[0], 1, 1, tzinfo=UTC)

    def __init__(self, default_timezone: str, default_locale: str) -> None:
        super().__init__()
        self.default_timezone = default_timezone
        self.default_locale = default_locale
        self.step: Decimal | None = None  # None: maxima are not checked against a wrong step
        self.event_codes: dict[str, str] = {}
        self.closing: str | None = None  # the path of the deadline that closes scoring

    def bloc(self, top: Field) -> BlocSpec:
        file = self.fields(top, ("bloc", "agencies", "season"))
        keys = ("code", "name", "short_name", "timezone", "locale")
        head = self.fields(file["bloc"], (*keys, "quiet_hours", "quiet_days", "holidays", "group"))
        code = self.slug(head["code"])
        name = self.text(head["name"])
        short_name = self.text(head["short_name"], required=False)
        if len(short_name) > MAX_SHORT_NAME:
            message = _("must be at most {limit} characters")
            self.fail(head["short_name"].path, message.format(limit=MAX_SHORT_NAME))
        timezone = self.text(head["timezone"], required=False) or self.default_timezone
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            message = _("unknown timezone “{value}”; use an IANA name like Asia/Ho_Chi_Minh")
            self.fail(head["timezone"].path, message.format(value=timezone))
        locales = {locale: locale for locale in LOCALES}
        message = _("unknown locale “{value}”; accepted: {accepted}")
        locale = self.choice(head["locale"], locales, self.default_locale, message)
        quiet = self.quiet_time(head)
        platforms = {"telegram": "telegram", "zalo": "zalo"}
        message = _("unknown platform “{value}”; accepted: {accepted}")
        group = self.choice(head["group"], platforms, "", message) or None
        agencies = self.agencies(file["agencies"])
        season = self.season(file["season"], [agency.code for agency in agencies if agency.code])
        return BlocSpec(code, name, timezone, locale, agencies, season, short_name, quiet, group)

    def quiet_time(self, head: Section) -> QuietTime:
        """``quiet_hours: "21:00-07:00"`` (or false), ``quiet_days: [sat, sun]``, ``holidays``."""
        hours = head["quiet_hours"]
        start: time | None
        end: time | None
        start, end = parse_hours(DEFAULT_HOURS)
        if hours.value is False:
            start = end = None
        elif hours.value is not None and hours.value is not Skip.SKIP:
            try:
                start, end = parse_hours(hours.value if isinstance(hours.value, str) else "")
            except ValueError:
                message = _(
                    "“{value}” is not a time span; use HH:MM-HH:MM like “21:00-07:00”, "
                    "or false for none"
                )
                self.fail(hours.path, message.format(value=str(hours.value)))
        days = set()
        for entry in self.entries(head["quiet_days"], required=False):
            word = self.text(entry).casefold()
            if word in _DAYS:
                days.add(_DAYS[word])
            elif word:
                message = _("unknown day “{value}”; accepted: {accepted}")
                self.fail(entry.path, message.format(value=word, accepted=", ".join(WEEKDAYS)))
        if len(days) == len(WEEKDAYS):
            self.fail(head["quiet_days"].path, _("leaves no day to send on"))
        return QuietTime(start, end, frozenset(days), frozenset(self.holidays(head["holidays"])))

    def holidays(self, field: Field) -> list[date]:
        """Dates, ``2025-09-02``, and ranges of them, ``2026-02-14..2026-02-22``."""
        days: list[date] = []
        for entry in self.entries(field, required=False):
            value = entry.value
            if isinstance(value, date) and not isinstance(value, datetime):
                days.append(value)  # written unquoted, YAML made it a date
                continue
            text = self.text(entry)
            first, _dots, last = text.partition("..")
            try:
                start = date.fromisoformat(first.strip())
                end = date.fromisoformat(last.strip()) if last else start
            except ValueError:
                if text:
                    message = _(
                        "“{value}” is not a date; use YYYY-MM-DD like 2025-09-02, or a range "
                        "like 2026-02-14..2026-02-22"
                    )
                    self.fail(entry.path, message.format(value=text))
                continue
            if end < start:
                self.fail(entry.path, _("the range ends before it starts"))
                continue
            days += [start + timedelta(days=n) for n in range((end - start).days + 1)]
            if len(days) > MAX_HOLIDAYS:
                message = _("must have at most {limit} days")
                self.fail(field.path, message.format(limit=MAX_HOLIDAYS))
                break
        return days

    def agencies(self, field: Field) -> tuple[AgencySpec, ...]:
        seen: dict[str, str] = {}
        agencies = []
        for entry in self.entries(field, required=True, limit=MAX_AGENCIES):
            agency = self.fields(entry, ("code", "name"))
            code = self.slug(agency["code"])
            self.unique(seen, code, agency["code"].path)
            agencies.append(AgencySpec(code, self.text(agency["name"])))
        return tuple(agencies)

    def season(self, field: Field, known: list[str]) -> SeasonSpec:
        keys = ("year", "head", "deputies", "scoring", "criteria", "deadlines", "meetings")
        season = self.fields(field, keys)
        year = self.integer(season["year"], *YEARS) or YEARS[0]
        head = self.agency(season["head"], known)
        deputies: list[str] = []
        seen: dict[str, str] = {}
        for entry in self.entries(season["deputies"], required=False):
            deputy = self.agency(entry, known)
            if deputy and deputy == head:
                self.fail(entry.path, _("is the head; a deputy must be another agency"))
            elif self.unique(seen, deputy, entry.path):
                deputies.append(deputy)
        scoring = self.fields(season["scoring"], ("step", "tie_break", "awards"), required=False)
        step = self.step_of(scoring["step"])  # before the criteria: their maxima use it
        table = ScoringTable(self.groups(season["criteria"]), step)
        tie_break = self.tie_breaks(scoring["tie_break"], table)
        awards = []
        for entry in self.entries(scoring["awards"], required=False):
            award = self.fields(entry, ("title", "count"))
            count = self.integer(award["count"], 1) or 1
            awards.append(Award(self.text(award["title"]), count))
        events = self.events(season["deadlines"], EventKind.DEADLINE)
        events += self.events(season["meetings"], EventKind.MEETING)
        return SeasonSpec(
            year, head, tuple(deputies), table, tie_break, tuple(awards), tuple(events)
        )

    def step_of(self, field: Field) -> Decimal:
        step = self.points(field, default=DEFAULT_STEP)
        if step is not None:
            exponent = step.normalize().as_tuple().exponent
            if isinstance(exponent, int) and exponent < -MAX_STEP_PLACES:
                message = _("must have at most {places} decimal places")
                self.fail(field.path, message.format(places=MAX_STEP_PLACES))
                step = None
        self.step = step
        return step or DEFAULT_STEP

    def groups(self, field: Field) -> tuple[CriteriaGroup, ...]:
        group_codes: dict[str, str] = {}
        criterion_codes: dict[str, str] = {}
        groups = []
        kinds = {kind.value: kind for kind in GroupKind}
        kind_message = _("unknown kind “{value}”; accepted: {accepted}")
        for entry in self.entries(field, required=True):
            group = self.fields(entry, ("code", "title", "kind", "cap", "items"))
            code = self.code(group["code"])
            self.unique(group_codes, code, group["code"].path)
            title = self.text(group["title"])
            kind = self.choice(group["kind"], kinds, GroupKind.SCORE, kind_message)
            cap = None
            if kind is GroupKind.BONUS:
                cap = self.points(group["cap"], missing=_("required for a bonus group"))
            elif group["cap"].value not in (None, Skip.SKIP):
                self.fail(group["cap"].path, _("only a bonus group can have a cap"))
            items = tuple(
                self.criterion(item, kind, criterion_codes)
                for item in self.entries(group["items"], required=True)
            )
            groups.append(CriteriaGroup(code, title, items, kind, cap))
        return tuple(groups)

    def criterion(self, field: Field, group_kind: GroupKind, seen: dict[str, str]) -> Criterion:
        criterion = self.fields(field, ("code", "title", "max", "kind"))
        code = self.code(criterion["code"])
        self.unique(seen, code, criterion["code"].path)
        title = self.text(criterion["title"])
        maximum = self.points(criterion["max"])
        if maximum is not None and self.step is not None and maximum % self.step:
            message = _("must be a multiple of the step {step}")
            self.fail(
                criterion["max"].path,
                message.format(step=format_points(self.step, current_locale())),
            )
        kinds = _CRITERION_KINDS[group_kind]
        message = _("unknown kind “{value}”; accepted: {accepted}")
        kind = self.choice(criterion["kind"], kinds, next(iter(kinds.values())), message)
        return Criterion(code, title, maximum or Decimal(0), kind)

    def tie_breaks(self, field: Field, table: ScoringTable) -> tuple[TieBreak, ...]:
        known = [group.code for group in table.groups if group.code]
        seen: dict[str, str] = {}
        rules = []
        for entry in self.entries(field, required=False):
            text = self.text(entry)
            try:
                rule = parse_tie_break(text)
            except ValueError:
                if text:
                    message = _(
                        "unknown tie-break “{value}”; use group:<code>, deductions or submitted_at"
                    )
                    self.fail(entry.path, message.format(value=text))
                continue
            if rule.kind is TieBreakKind.GROUP and known:
                group = table.group(rule.group_code or "")
                if group is None:
                    message = _("unknown group “{code}”; known: {known}")
                    self.fail(
                        entry.path, message.format(code=rule.group_code, known=", ".join(known))
                    )
                    continue
                rule = TieBreak(TieBreakKind.GROUP, group.code)
            if self.unique(seen, str(rule), entry.path):
                rules.append(rule)
        return tuple(rules)

    def events(self, field: Field, kind: EventKind) -> list[EventSpec]:
        if kind is EventKind.DEADLINE:
            keys, default_remind = (
                ("code", "title", "due", "remind", "closes_scoring"),
                DEADLINE_REMIND,
            )
        else:
            keys, default_remind = ("code", "title", "at", "place", "remind"), MEETING_REMIND
        events = []
        for entry in self.entries(field, required=False):
            event = self.fields(entry, keys)
            code = self.slug(event["code"])
            self.unique(self.event_codes, code, event["code"].path)
            title = self.text(event["title"])
            at = self.moment(event[keys[2]])
            remind = self.offsets(event["remind"], default_remind)
            place = self.text(event["place"], required=False) or None
            closes = kind is EventKind.DEADLINE and self.flag(event["closes_scoring"])
            if closes and self.closing:
                message = _("only one deadline may close scoring; {path} already does")
                self.fail(event["closes_scoring"].path, message.format(path=self.closing))
            elif closes:
                self.closing = event["closes_scoring"].path
            events.append(EventSpec(kind, code, title, at, remind, place, closes))
        return events

    # -- the values

    def agency(self, field: Field, known: list[str]) -> str:
        """The code of one of the bloc's agencies."""
        code = self.text(field)
        if code and known and code not in known:
            message = _("unknown agency “{code}”; known: {known}")
            self.fail(field.path, message.format(code=code, known=", ".join(known)))
        return code
