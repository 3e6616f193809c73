"""Read a YAML document into checked values, every problem with its path in the document.

The generic half of the bloc file reader (``bot.services.blocfile``): a safe loader that refuses a
key written twice, and a ``FieldReader`` whose typed reads (text, codes, points, times, ...) report
what is wrong and return a stand-in, so one pass over a document finds every problem.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import yaml

from bot.domain.calendar import parse_offset
from bot.i18n import _

_SLUG = re.compile(r"[a-z0-9-]+")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bloc file, with where it is."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def read_yaml(text: str) -> Any:
    """Plain data of a bloc file's YAML, read the way ``parse_bloc`` reads it (safely)."""
    return yaml.load(text, Loader=_Loader)


class DuplicateKey(Exception):
    """A key written twice in one mapping; ``where`` has the key, its line and column."""

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
                    raise DuplicateKey(key_node.value, key_node.start_mark)
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


class Skip(Enum):
    """The value of a field whose mapping was already reported as wrong: read it quietly."""

    SKIP = "skip"


@dataclass(frozen=True)
class Field:
    """A value of the parsed file and its path."""

    value: object
    path: str


@dataclass(frozen=True)
class Section:
    """A mapping of the file (None when it is missing or wrong) whose fields are read by key."""

    values: dict[Any, Any] | None
    path: str

    def __getitem__(self, key: str) -> Field:
        value = Skip.SKIP if self.values is None else self.values.get(key)
        return Field(value, join_path(self.path, key))


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class FieldReader:
    """Typed reads of a parsed document, each reporting what is wrong at its path.

    A subclass sets the limits below and walks its own sections with these reads.
    """

    slug_limit: ClassVar[int]
    code_limit: ClassVar[int]
    points_limit: ClassVar[Decimal]
    remind_days_limit: ClassVar[int]
    time_format: ClassVar[str]
    stand_in_time: ClassVar[datetime]  # what ``moment`` returns for a missing or wrong time

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.zone: ZoneInfo | None = None  # None: times are checked but not placed in a zone

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def fields(self, field: Field, accepted: tuple[str, ...], *, required: bool = True) -> Section:
        """The mapping at ``field``, its unknown keys reported (a typo must not pass unseen)."""
        value = field.value
        if value is None and not required:
            return Section({}, field.path)
        if value is None or value is Skip.SKIP or not isinstance(value, dict):
            if value is None:
                self.fail(field.path, _("required"))
            elif value is not Skip.SKIP:
                message = _("must be a mapping with keys: {accepted}")
                self.fail(field.path, message.format(accepted=", ".join(accepted)))
            return Section(None, field.path)
        for key in value:
            if key not in accepted:
                message = _("unknown key; accepted: {accepted}")
                self.fail(
                    join_path(field.path, str(key)), message.format(accepted=", ".join(accepted))
                )
        return Section(value, field.path)

    def entries(self, field: Field, *, required: bool, limit: int | None = None) -> list[Field]:
        """The entries of the list at ``field``, each with its path."""
        value = field.value
        if value is Skip.SKIP or (value is None and not required):
            return []
        if value is None or (required and value == []):
            self.fail(field.path, _("required") if value is None else _("must not be empty"))
            return []
        if not isinstance(value, list):
            self.fail(field.path, _("must be a list"))
            return []
        if limit is not None and len(value) > limit:
            self.fail(field.path, _("must have at most {limit} entries").format(limit=limit))
        return [Field(item, f"{field.path}[{index}]") for index, item in enumerate(value)]

    def text(self, field: Field, *, required: bool = True) -> str:
        """Stripped text ("" when absent); a whole number is read as text too (``code: 1``)."""
        value = field.value
        if value is Skip.SKIP or (value is None and not required):
            return ""
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            self.fail(field.path, _("must be text; put it in quotes"))
            return ""
        text = "" if value is None else str(value).strip()
        if not text and required:
            self.fail(field.path, _("required"))
        return text

    def slug(self, field: Field) -> str:
        """A bloc, agency or event code: a-z, 0-9 and '-' ("" when wrong)."""
        code = self.text(field)
        if code and not _SLUG.fullmatch(code):
            self.fail(field.path, _("must use only a-z, 0-9 and '-'"))
        elif len(code) > self.slug_limit:
            message = _("must be at most {limit} characters")
            self.fail(field.path, message.format(limit=self.slug_limit))
        else:
            return code
        return ""

    def code(self, field: Field) -> str:
        """A group or criterion code: short, no spaces, as typed in chat ("" when wrong)."""
        code = self.text(field)
        if any(char.isspace() for char in code):
            self.fail(field.path, _("must not contain spaces"))
        elif len(code) > self.code_limit:
            message = _("must be at most {limit} characters")
            self.fail(field.path, message.format(limit=self.code_limit))
        else:
            return code
        return ""

    def unique(self, seen: dict[str, str], code: str, path: str, shown: str = "") -> bool:
        """Note ``code`` (case-insensitive) as used at ``path``; False for a repeat or nothing."""
        if not code:
            return False
        key = code.casefold()
        if key in seen:
            message = _("duplicate “{value}”; first at {path}")
            self.fail(path, message.format(value=shown or code, path=seen[key]))
            return False
        seen[key] = path
        return True

    def choice(self, field: Field, accepted: dict[str, _T], default: _T, message: str) -> _T:
        """One of ``accepted`` (case-insensitive), ``default`` when absent."""
        word = self.text(field, required=False)
        if not word:
            return default
        if word.casefold() not in accepted:
            self.fail(field.path, message.format(value=word, accepted=", ".join(accepted)))
            return default
        return accepted[word.casefold()]

    def points(
        self, field: Field, *, default: Decimal | None = None, missing: str | None = None
    ) -> Decimal | None:
        """A number of points > 0, given as ``8``, ``8.5`` or ``"8,5"``; None when wrong."""
        value = field.value
        if value is Skip.SKIP or (value is None and default is not None):
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
        if number <= 0 or number > self.points_limit:
            message = _("must be greater than 0") if number <= 0 else _("must be at most {limit}")
            self.fail(field.path, message.format(limit=self.points_limit))
            return None
        return number

    def integer(self, field: Field, low: int, high: int | None = None) -> int | None:
        """A whole number from ``low`` to ``high``; None when absent or wrong."""
        value = field.value
        if value is Skip.SKIP:
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

    def flag(self, field: Field) -> bool:
        """true or false; false when absent."""
        if field.value in (None, Skip.SKIP):
            return False
        if not isinstance(field.value, bool):
            self.fail(field.path, _("must be true or false"))
            return False
        return field.value

    def moment(self, field: Field) -> datetime:
        """A local time ``YYYY-MM-DD HH:MM`` in the bloc's zone; a bare date is not enough."""
        value, local = field.value, None
        if value is Skip.SKIP:
            return self.stand_in_time
        if value is None:
            self.fail(field.path, _("required"))
        elif isinstance(value, datetime):  # written unquoted with seconds, YAML made it a time
            local = value
        elif isinstance(value, str):
            with suppress(ValueError):
                local = datetime.strptime(value.strip(), self.time_format)
        if local is None:
            if value is not None:
                message = _(
                    "“{value}” is not a date and time; use YYYY-MM-DD HH:MM, like 2025-11-20 17:00"
                )
                self.fail(field.path, message.format(value=str(value)))
            return self.stand_in_time
        if self.zone is None:
            return local.replace(tzinfo=UTC)
        if local.tzinfo is None:
            return local.replace(tzinfo=self.zone)
        return local.astimezone(self.zone)

    def offsets(self, field: Field, default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        """How long before an event to remind: ``7d``, ``2h``, ``30m`` (``7 ngày``, ``2 giờ``,
        ``30 phút`` too); ``default`` if absent."""
        if field.value is None:
            return default
        seen: dict[str, str] = {}
        offsets = []
        for entry in self.entries(field, required=False):
            text = self.text(entry)
            offset = parse_offset(text)
            if offset is None:
                if text:
                    message = _(
                        "“{value}” is not an offset; use a number and d, h or m, like "
                        "7d, 2h or 30m"
                    )
                    self.fail(entry.path, message.format(value=text))
                continue
            minutes = int(offset.total_seconds() // 60)
            if minutes == 0 or minutes > self.remind_days_limit * 24 * 60:
                message = (
                    _("must be greater than 0")
                    if minutes == 0
                    else _("must be at most {days} days")
                )
                self.fail(entry.path, message.format(days=self.remind_days_limit))
            elif self.unique(seen, str(minutes), entry.path, shown=text):
                offsets.append(timedelta(minutes=minutes))
        return tuple(offsets)
