"""The bloc file (YAML): read it and check all of it, into frozen specs or a list of problems.

Nothing else happens here: no database, no network. Every problem is reported with its path in
the file (``season.criteria[1].items[0].max``), all of them at once, so the operator can fix the
file in one go; ``blocbot bloc import`` writes nothing unless the whole file is right.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.criteria import CriteriaGroup, Criterion, CriterionKind, GroupKind, ScoringTable
from bot.domain.rules import Award, TieBreak, TieBreakKind, parse_tie_break
from bot.i18n import LOCALES, _

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

_SLUG = re.compile(r"[a-z0-9-]+")
_OFFSET = re.compile(r"(\d+)([dhm])")
_MINUTES = {"d": 24 * 60, "h": 60, "m": 1}
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
_T = TypeVar("_T")


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
    try:
        raw = read_yaml(text)
    except _DuplicateKey as error:
        message = _("key {key!r} is given twice (line {line}, column {column})")
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
    reader = _Reader(default_timezone, default_locale)
    spec = reader.bloc(_Field({} if raw is None else raw, ""))
    if reader.problems:
        raise BlocFileError(reader.problems)
    return spec


def read_yaml(text: str) -> Any:
    """Plain data of a bloc file's YAML, read the way ``parse_bloc`` reads it (safely)."""
    return yaml.load(text, Loader=_Loader)


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


class _DuplicateKey(Exception):
    def __init__(self, key: str, mark: yaml.Mark) -> None:
        super().__init__(key)
        self.where = {"key": key, "line": mark.line + 1, "column": mark.column + 1}


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing a key written twice in one mapping (YAML keeps only the last).

    In a one-line mapping, a text with an unquoted comma (``{title: Thi đua, khen thưởng}``)
    reads in YAML as the text ``Thi đua`` and a key ``khen thưởng`` without a value. People
    write titles like that, so such a fragment is joined back to the text before it.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if node.flow_style:
            node.value = _rejoin_commas(node.value)
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise _DuplicateKey(key_node.value, key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


def _rejoin_commas(pairs: list[tuple[yaml.Node, yaml.Node]]) -> list[tuple[yaml.Node, yaml.Node]]:
    joined: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in pairs:
        fragment = (
            isinstance(key, yaml.ScalarNode)
            and key.style is None
            and isinstance(value, yaml.ScalarNode)
            and value.tag == _NULL
            and value.value == ""
        )
        previous = joined[-1][1] if joined else None
        if fragment and isinstance(previous, yaml.ScalarNode) and previous.style is None:
            previous.value = f"{previous.value}, {key.value}"
            previous.tag = _STR
            continue
        joined.append((key, value))
    return joined


class _Skip(Enum):
    """The value of a field whose mapping was already reported as wrong: read it quietly."""

    SKIP = "skip"


@dataclass(frozen=True)
class _Field:
    """A value of the parsed file and its path."""

    value: object
    path: str


@dataclass(frozen=True)
class _Section:
    """A mapping of the file (None when it is missing or wrong) whose fields are read by key."""

    values: dict[Any, Any] | None
    path: str

    def __getitem__(self, key: str) -> _Field:
        value = _Skip.SKIP if self.values is None else self.values.get(key)
        return _Field(value, _join(self.path, key))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    """Walks the parsed file. Each read reports what is wrong and returns a stand-in, so one pass
    finds every problem; the result is thrown away when any problem was reported."""

    def __init__(self, default_timezone: str, default_locale: str) -> None:
        self.problems: list[Problem] = []
        self.default_timezone = default_timezone
        self.default_locale = default_locale
        self.zone: ZoneInfo | None = None  # None: times are checked but not placed in a zone
        self.step: Decimal | None = None  # None: maxima are not checked against a wrong step
        self.event_codes: dict[str, str] = {}
        self.closing: str | None = None  # the path of the deadline that closes scoring

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- the sections, in file order

    def bloc(self, top: _Field) -> BlocSpec:
        file = self.fields(top, ("bloc", "agencies", "season"))
        head = self.fields(file["bloc"], ("code", "name", "timezone", "locale"))
        code = self.slug(head["code"])
        name = self.text(head["name"])
        timezone = self.text(head["timezone"], required=False) or self.default_timezone
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            message = _("unknown timezone {value!r}; use an IANA name like Asia/Ho_Chi_Minh")
            self.fail(head["timezone"].path, message.format(value=timezone))
        locales = {locale: locale for locale in LOCALES}
        message = _("unknown locale {value!r}; accepted: {accepted}")
        locale = self.choice(head["locale"], locales, self.default_locale, message)
        agencies = self.agencies(file["agencies"])
        season = self.season(file["season"], [agency.code for agency in agencies if agency.code])
        return BlocSpec(code, name, timezone, locale, agencies, season)

    def agencies(self, field: _Field) -> tuple[AgencySpec, ...]:
        seen: dict[str, str] = {}
        agencies = []
        for entry in self.entries(field, required=True, limit=MAX_AGENCIES):
            agency = self.fields(entry, ("code", "name"))
            code = self.slug(agency["code"])
            self.unique(seen, code, agency["code"].path)
            agencies.append(AgencySpec(code, self.text(agency["name"])))
        return tuple(agencies)

    def season(self, field: _Field, known: list[str]) -> SeasonSpec:
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

    def step_of(self, field: _Field) -> Decimal:
        step = self.points(field, default=DEFAULT_STEP)
        if step is not None:
            exponent = step.normalize().as_tuple().exponent
            if isinstance(exponent, int) and exponent < -MAX_STEP_PLACES:
                message = _("must have at most {places} decimal places")
                self.fail(field.path, message.format(places=MAX_STEP_PLACES))
                step = None
        self.step = step
        return step or DEFAULT_STEP

    def groups(self, field: _Field) -> tuple[CriteriaGroup, ...]:
        group_codes: dict[str, str] = {}
        criterion_codes: dict[str, str] = {}
        groups = []
        kinds = {kind.value: kind for kind in GroupKind}
        kind_message = _("unknown kind {value!r}; accepted: {accepted}")
        for entry in self.entries(field, required=True):
            group = self.fields(entry, ("code", "title", "kind", "cap", "items"))
            code = self.code(group["code"])
            self.unique(group_codes, code, group["code"].path)
            title = self.text(group["title"])
            kind = self.choice(group["kind"], kinds, GroupKind.SCORE, kind_message)
            cap = None
            if kind is GroupKind.BONUS:
                cap = self.points(group["cap"], missing=_("required for a bonus group"))
            elif group["cap"].value not in (None, _Skip.SKIP):
                self.fail(group["cap"].path, _("only a bonus group can have a cap"))
            items = tuple(
                self.criterion(item, kind, criterion_codes)
                for item in self.entries(group["items"], required=True)
            )
            groups.append(CriteriaGroup(code, title, items, kind, cap))
        return tuple(groups)

    def criterion(self, field: _Field, group_kind: GroupKind, seen: dict[str, str]) -> Criterion:
        criterion = self.fields(field, ("code", "title", "max", "kind"))
        code = self.code(criterion["code"])
        self.unique(seen, code, criterion["code"].path)
        title = self.text(criterion["title"])
        maximum = self.points(criterion["max"])
        if maximum is not None and self.step is not None and maximum % self.step:
            message = _("must be a multiple of the step {step}")
            self.fail(criterion["max"].path, message.format(step=self.step))
        kinds = _CRITERION_KINDS[group_kind]
        message = _("unknown kind {value!r}; accepted: {accepted}")
        kind = self.choice(criterion["kind"], kinds, next(iter(kinds.values())), message)
        return Criterion(code, title, maximum or Decimal(0), kind)

    def tie_breaks(self, field: _Field, table: ScoringTable) -> tuple[TieBreak, ...]:
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
                        "unknown tie-break {value!r}; use group:<code>, deductions or submitted_at"
                    )
                    self.fail(entry.path, message.format(value=text))
                continue
            if rule.kind is TieBreakKind.GROUP and known:
                group = table.group(rule.group_code or "")
                if group is None:
                    message = _("unknown group {code!r}; known: {known}")
                    self.fail(
                        entry.path, message.format(code=rule.group_code, known=", ".join(known))
                    )
                    continue
                rule = TieBreak(TieBreakKind.GROUP, group.code)
            if self.unique(seen, str(rule), entry.path):
                rules.append(rule)
        return tuple(rules)

    def events(self, field: _Field, kind: EventKind) -> list[EventSpec]:
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

    def fields(
        self, field: _Field, accepted: tuple[str, ...], *, required: bool = True
    ) -> _Section:
        """The mapping at ``field``, its unknown keys reported (a typo must not pass unseen)."""
        value = field.value
        if value is None and not required:
            return _Section({}, field.path)
        if value is None or value is _Skip.SKIP or not isinstance(value, dict):
            if value is None:
                self.fail(field.path, _("required"))
            elif value is not _Skip.SKIP:
                message = _("must be a mapping with keys: {accepted}")
                self.fail(field.path, message.format(accepted=", ".join(accepted)))
            return _Section(None, field.path)
        for key in value:
            if key not in accepted:
                message = _("unknown key; accepted: {accepted}")
                self.fail(
                    _join(field.path, str(key)), message.format(accepted=", ".join(accepted))
                )
        return _Section(value, field.path)

    def entries(self, field: _Field, *, required: bool, limit: int | None = None) -> list[_Field]:
        """The entries of the list at ``field``, each with its path."""
        value = field.value
        if value is _Skip.SKIP or (value is None and not required):
            return []
        if value is None or (required and value == []):
            self.fail(field.path, _("required") if value is None else _("must not be empty"))
            return []
        if not isinstance(value, list):
            self.fail(field.path, _("must be a list"))
            return []
        if limit is not None and len(value) > limit:
            self.fail(field.path, _("must have at most {limit} entries").format(limit=limit))
        return [_Field(item, f"{field.path}[{index}]") for index, item in enumerate(value)]

    def text(self, field: _Field, *, required: bool = True) -> str:
        """Stripped text ("" when absent); a whole number is read as text too (``code: 1``)."""
        value = field.value
        if value is _Skip.SKIP or (value is None and not required):
            return ""
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            self.fail(field.path, _("must be text; put it in quotes"))
            return ""
        text = "" if value is None else str(value).strip()
        if not text and required:
            self.fail(field.path, _("required"))
        return text

    def slug(self, field: _Field) -> str:
        """A bloc, agency or event code: a-z, 0-9 and '-' ("" when wrong)."""
        code = self.text(field)
        if code and not _SLUG.fullmatch(code):
            self.fail(field.path, _("must use only a-z, 0-9 and '-'"))
        elif len(code) > MAX_SLUG:
            message = _("must be at most {limit} characters")
            self.fail(field.path, message.format(limit=MAX_SLUG))
        else:
            return code
        return ""

    def code(self, field: _Field) -> str:
        """A group or criterion code: short, no spaces, as typed in chat ("" when wrong)."""
        code = self.text(field)
        if any(char.isspace() for char in code):
            self.fail(field.path, _("must not contain spaces"))
        elif len(code) > MAX_CRITERION_CODE:
            message = _("must be at most {limit} characters")
            self.fail(field.path, message.format(limit=MAX_CRITERION_CODE))
        else:
            return code
        return ""

    def unique(self, seen: dict[str, str], code: str, path: str, shown: str = "") -> bool:
        """Note ``code`` (case-insensitive) as used at ``path``; False for a repeat or nothing."""
        if not code:
            return False
        key = code.casefold()
        if key in seen:
            message = _("duplicate {value!r}; first at {path}")
            self.fail(path, message.format(value=shown or code, path=seen[key]))
            return False
        seen[key] = path
        return True

    def agency(self, field: _Field, known: list[str]) -> str:
        """The code of one of the bloc's agencies."""
        code = self.text(field)
        if code and known and code not in known:
            message = _("unknown agency {code!r}; known: {known}")
            self.fail(field.path, message.format(code=code, known=", ".join(known)))
        return code

    def choice(self, field: _Field, accepted: dict[str, _T], default: _T, message: str) -> _T:
        """One of ``accepted`` (case-insensitive), ``default`` when absent."""
        word = self.text(field, required=False)
        if not word:
            return default
        if word.casefold() not in accepted:
            self.fail(field.path, message.format(value=word, accepted=", ".join(accepted)))
            return default
        return accepted[word.casefold()]

    def points(
        self, field: _Field, *, default: Decimal | None = None, missing: str | None = None
    ) -> Decimal | None:
        """A number of points > 0, given as ``8``, ``8.5`` or ``"8,5"``; None when wrong."""
        value = field.value
        if value is _Skip.SKIP or (value is None and default is not None):
            return default
        if value is None:
            self.fail(field.path, missing or _("required"))
            return None
        number = None
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            # str(): a YAML float is read as written, never through float arithmetic
            with suppress(InvalidOperation):
                number = Decimal(str(value).strip().replace(",", "."))
        if number is None or not number.is_finite():
            self.fail(field.path, _("must be a number like 8 or 8,5"))
            return None
        if number <= 0 or number > MAX_POINTS:
            message = _("must be greater than 0") if number <= 0 else _("must be at most {limit}")
            self.fail(field.path, message.format(limit=MAX_POINTS))
            return None
        return number

    def integer(self, field: _Field, low: int, high: int | None = None) -> int | None:
        """A whole number from ``low`` to ``high``; None when absent or wrong."""
        value = field.value
        if value is _Skip.SKIP:
            return None
        if value is None or isinstance(value, bool) or not isinstance(value, int):
            self.fail(field.path, _("required") if value is None else _("must be a whole number"))
            return None
        if value < low or (high is not None and value > high):
            message = (
                _("must be at least {low}") if high is None else _("must be from {low} to {high}")
            )
            self.fail(field.path, message.format(low=low, high=high))
            return None
        return value

    def flag(self, field: _Field) -> bool:
        """true or false; false when absent."""
        if field.value in (None, _Skip.SKIP):
            return False
        if not isinstance(field.value, bool):
            self.fail(field.path, _("must be true or false"))
            return False
        return field.value

    def moment(self, field: _Field) -> datetime:
        """A local time ``YYYY-MM-DD HH:MM`` in the bloc's zone; a bare date is not enough."""
        value, local = field.value, None
        if value is _Skip.SKIP:
            return datetime(YEARS[0], 1, 1, tzinfo=UTC)
        if value is None:
            self.fail(field.path, _("required"))
        elif isinstance(value, datetime):  # written unquoted with seconds, YAML made it a time
            local = value
        elif isinstance(value, str):
            with suppress(ValueError):
                local = datetime.strptime(value.strip(), TIME_FORMAT)
        if local is None:
            if value is not None:
                message = _(
                    "{value!r} is not a date and time; use YYYY-MM-DD HH:MM, like 2025-11-20 17:00"
                )
                self.fail(field.path, message.format(value=str(value)))
            return datetime(YEARS[0], 1, 1, tzinfo=UTC)
        if self.zone is None:
            return local.replace(tzinfo=UTC)
        if local.tzinfo is None:
            return local.replace(tzinfo=self.zone)
        return local.astimezone(self.zone)

    def offsets(self, field: _Field, default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        """How long before an event to remind: ``7d``, ``2h``, ``30m``; ``default`` if absent."""
        if field.value is None:
            return default
        seen: dict[str, str] = {}
        offsets = []
        for entry in self.entries(field, required=False):
            text = self.text(entry)
            match = _OFFSET.fullmatch(text.replace(" ", "").lower())
            if match is None:
                if text:
                    message = _(
                        "{value!r} is not an offset; use a number and d, h or m, like "
                        "7d, 2h or 30m"
                    )
                    self.fail(entry.path, message.format(value=text))
                continue
            minutes = int(match[1]) * _MINUTES[match[2]]
            if minutes == 0 or minutes > MAX_REMIND_DAYS * _MINUTES["d"]:
                message = (
                    _("must be greater than 0")
                    if minutes == 0
                    else _("must be at most {days} days")
                )
                self.fail(entry.path, message.format(days=MAX_REMIND_DAYS))
            elif self.unique(seen, str(minutes), entry.path, shown=text):
                offsets.append(timedelta(minutes=minutes))
        return tuple(offsets)
