"""The bloc file as pydantic models: the keys of every section and the values each key takes.

``parse_bloc`` (``bot.blocfile``) validates the plain data of the file's YAML with
``BlocFile`` and words pydantic's errors the way people read them (``messages_of``), each at its
path; the values are the types of ``bot.blocfile.values``, and the rules that join
entries (unique codes, references to agencies) follow in ``bot.blocfile.rules``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from bot.blocfile.values import (
    CODE_PATTERN,
    DEFAULT_LOCALE,
    DEFAULT_TIMEZONE,
    MAX_AGENCIES,
    MAX_HOLIDAYS,
    NIGHT,
    SLUG_PATTERN,
    Code,
    Count,
    Days,
    Found,
    GroupKindWord,
    Holiday,
    Loc,
    Locale,
    Megabytes,
    Moment,
    Offset,
    OptionalText,
    Penalty,
    Pictures,
    Platform,
    Points,
    QuietHours,
    ReviewWord,
    Share,
    ShortName,
    Slug,
    Step,
    Text,
    TieBreakRule,
    Weekday,
    Year,
    holiday_days,
    refuse,
)
from bot.domain.calendar import WEEKDAYS
from bot.domain.criteria import GroupKind
from bot.i18n import N_, _

# -- the sections


class _Entry(BaseModel):
    """A mapping of the file; an unknown key is an error, so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid")


class BlocHead(_Entry):
    """``bloc:``, the bloc itself and when its messages wait."""

    code: Slug
    name: Text
    short_name: ShortName = ""
    timezone: OptionalText = Field("", validate_default=True)  # "": the caller's default
    locale: Locale = Field("", validate_default=True)
    quiet_hours: QuietHours = NIGHT
    quiet_days: list[Weekday] | None = None
    holidays: list[Holiday] | None = None
    group: Platform = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, timezone: str, info: ValidationInfo) -> str:
        name = timezone or _default(info, "timezone", DEFAULT_TIMEZONE)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            message = N_("unknown timezone “{value}”; use an IANA name like Asia/Ho_Chi_Minh")
            raise refuse(message, value=name) from None
        return name

    @field_validator("locale")
    @classmethod
    def _default_locale(cls, locale: str, info: ValidationInfo) -> str:
        return locale or _default(info, "locale", DEFAULT_LOCALE)

    @field_validator("quiet_days")
    @classmethod
    def _a_day_to_send_on(cls, days: list[int] | None) -> list[int] | None:
        if days and len(set(days)) == len(WEEKDAYS):
            raise refuse(N_("leaves no day to send on"))
        return days

    @field_validator("holidays")
    @classmethod
    def _not_too_many(
        cls, ranges: list[tuple[date, date]] | None
    ) -> list[tuple[date, date]] | None:
        if ranges and len(holiday_days(ranges)) > MAX_HOLIDAYS:
            raise refuse(N_("must have at most {limit} days"), limit=MAX_HOLIDAYS)
        return ranges


def _default(info: ValidationInfo, key: str, default: str) -> str:
    """The caller's default for ``key`` (``parse_bloc``'s context), or else ours."""
    context: dict[str, str] = info.context or {}
    return context.get(key) or default


class AgencyEntry(_Entry):
    """One of ``agencies:``."""

    code: Slug
    name: Text


class AwardEntry(_Entry):
    """One of ``season.scoring.awards:``."""

    title: Text
    count: Count


class ScoringEntry(_Entry):
    """``season.scoring:``, the rules of the scoring table."""

    step: Step | None = None  # None: DEFAULT_STEP
    tie_break: list[TieBreakRule] | None = None
    awards: list[AwardEntry] | None = None


class CriterionEntry(_Entry):
    """One of a group's ``items:``."""

    code: Code
    title: Text
    max: Points
    kind: OptionalText = ""  # "": the group's; which are accepted depends on the group's kind


class GroupEntry(_Entry):
    """One of ``season.criteria:``, a group of criteria."""

    code: Code
    title: Text
    kind: GroupKindWord = ""  # "": score
    cap: Points | None = Field(None, validate_default=True)
    items: Annotated[list[CriterionEntry], Field(min_length=1)]

    @field_validator("cap")
    @classmethod
    def _cap_of_a_bonus_group(cls, cap: Decimal | None, info: ValidationInfo) -> Decimal | None:
        bonus = info.data.get("kind") == GroupKind.BONUS
        if bonus and cap is None:
            raise refuse(N_("required for a bonus group"))
        if not bonus and cap is not None:
            raise refuse(N_("only a bonus group can have a cap"))
        return cap


class DeadlineEntry(_Entry):
    """One of ``season.deadlines:``."""

    code: Slug
    title: Text
    due: Moment
    remind: list[Offset] | None = None  # None: DEADLINE_REMIND
    closes_scoring: StrictBool | None = None


class MeetingEntry(_Entry):
    """One of ``season.meetings:``."""

    code: Slug
    title: Text
    at: Moment
    place: OptionalText = ""
    remind: list[Offset] | None = None  # None: MEETING_REMIND


class EvidenceEntry(_Entry):
    """``season.evidence:``, what evidence (minh chứng) the bloc asks for."""

    required: list[Code] | None = None  # criterion codes
    max_mb: Megabytes | None = None
    types: list[Code] | None = None  # file extensions: pdf, docx, jpg


class LateEntry(_Entry):
    """``season.late:``, what a sheet submitted after the deadline (through /unlock) costs."""

    deduction: Penalty | None = None


class ResultsEntry(_Entry):
    """``season.results:``, how long the bloc may object to provisional results."""

    objection_days: Days | None = None


class BallotEntry(_Entry):
    """``season.ballot:``, when a secret ballot counts."""

    quorum: Share | None = None
    threshold: Share | None = None
    head_repeats: StrictBool | None = None


class IneligibleEntry(_Entry):
    """One of ``season.ineligible:``, an agency excluded from awards and why."""

    agency: Text
    reason: Text


class SeasonEntry(_Entry):
    """``season:``, one year of the bloc."""

    year: Year
    head: Text
    deputies: list[Text] | None = None
    scoring: ScoringEntry | None = None
    criteria: Annotated[list[GroupEntry], Field(min_length=1)]
    deadlines: list[DeadlineEntry] | None = None
    meetings: list[MeetingEntry] | None = None
    review: ReviewWord = ""  # "": head
    review_team: list[Text] | None = None  # agency codes
    evidence: EvidenceEntry | None = None
    late: LateEntry | None = None
    results: ResultsEntry | None = None
    ballot: BallotEntry | None = None
    ineligible: list[IneligibleEntry] | None = None
    pictures: Pictures = Field(default_factory=list)  # words of PictureKind; []: none


class BlocFile(_Entry):
    """A whole bloc file."""

    bloc: BlocHead
    agencies: Annotated[list[AgencyEntry], Field(min_length=1, max_length=MAX_AGENCIES)]
    season: SeasonEntry


# -- pydantic's errors in people's words

# error type: the message, its placeholder and what of the error's context fills it
_WORDING: dict[str, tuple[str, str, str]] = {
    "list_type": (N_("must be a list"), "", ""),
    "too_short": (N_("must not be empty"), "", ""),
    "too_long": (N_("must have at most {limit} entries"), "limit", "max_length"),
    "string_type": (N_("must be text; put it in quotes"), "", ""),
    "string_too_short": (N_("required"), "", ""),
    "string_too_long": (N_("must be at most {limit} characters"), "limit", "max_length"),
    "greater_than": (N_("must be greater than 0"), "", ""),  # every gt is 0
    "less_than_equal": (N_("must be at most {limit}"), "limit", "le"),
    "greater_than_equal": (N_("must be at least {low}"), "low", "ge"),
    "less_than": (N_("must be less than {limit}"), "limit", "lt"),
    "decimal_max_places": (
        N_("must have at most {places} decimal places"),
        "places",
        "decimal_places",
    ),
    "int_type": (N_("must be a whole number"), "", ""),
    "bool_type": (N_("must be true or false"), "", ""),
}
_PATTERNS = {
    SLUG_PATTERN: N_("must use only a-z, 0-9 and '-'"),
    CODE_PATTERN: N_("must not contain spaces"),
}


def messages_of(error: ValidationError) -> list[Found]:
    """Each of pydantic's errors as where it is and what people read."""
    return [_message_of(details) for details in error.errors(include_url=False)]


def _message_of(details: ErrorDetails) -> Found:
    kind, loc, context = details["type"], details["loc"], details.get("ctx", {})
    if kind == "blocfile":
        return loc, details["msg"]
    if kind in ("extra_forbidden", "invalid_key"):  # invalid_key: not text, like ``1:``
        key = str(details["input"] if kind == "invalid_key" else loc[-1])
        message = _("unknown key; accepted: {accepted}")
        return (*loc[:-1], key), message.format(accepted=_accepted(loc[:-1]))
    if kind == "missing" or details["input"] is None:
        return loc, _("required")
    if kind == "model_type":
        return loc, _("must be a mapping with keys: {accepted}").format(accepted=_accepted(loc))
    if kind == "string_pattern_mismatch":
        message = _PATTERNS[context["pattern"]]
        return loc, _(message)
    if kind not in _WORDING:
        return loc, details["msg"]
    message, name, key = _WORDING[kind]
    return loc, _(message).format(**({name: context[key]} if name else {}))


def _accepted(loc: Loc) -> str:
    """The keys of the section at ``loc``."""
    model: type[BaseModel] | None = BlocFile
    for part in loc:
        if isinstance(part, str) and model is not None:
            field = model.model_fields.get(part)
            model = _section_in(field.annotation) if field else None
    return ", ".join(model.model_fields) if model else ""


def _section_in(annotation: Any) -> type[BaseModel] | None:
    """The section a field holds, alone or in a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_section_in, get_args(annotation))), None)
