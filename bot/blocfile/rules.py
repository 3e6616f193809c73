"""The rules of a bloc file that join its entries: unique codes, the agencies that head and
deputies name, the groups that tie-breaks name, maxima on the step, the kinds of criteria by their
group, one deadline that closes scoring.

They are checked over the file as written, each value read with the model's own types
(``bot.blocfile.values``), so that they are checked even where other parts of the file
are wrong and the operator can fix the whole file in one go.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from pydantic import StrictBool, TypeAdapter

from bot.blocfile.values import (
    CRITERION_KINDS,
    DEFAULT_STEP,
    TEXT,
    Code,
    Found,
    GroupKindWord,
    Loc,
    Offset,
    OptionalText,
    Points,
    Slug,
    Step,
    TieBreakRule,
    path_of,
    read,
)
from bot.domain.criteria import GroupKind
from bot.domain.rules import TieBreak, TieBreakKind
from bot.domain.scores import format_points
from bot.i18n import _, current_locale

_SLUG: TypeAdapter[str] = TypeAdapter(Slug)
_CODE: TypeAdapter[str] = TypeAdapter(Code)
_WORD: TypeAdapter[str] = TypeAdapter(OptionalText)
_GROUP_KIND: TypeAdapter[str] = TypeAdapter(GroupKindWord)
_POINTS: TypeAdapter[Decimal] = TypeAdapter(Points)
_STEP: TypeAdapter[Decimal] = TypeAdapter(Step)
_TIE_BREAK: TypeAdapter[TieBreak] = TypeAdapter(TieBreakRule)
_OFFSET: TypeAdapter[timedelta] = TypeAdapter(Offset)
_FLAG: TypeAdapter[bool] = TypeAdapter(StrictBool)


def check_rules(raw: object) -> list[Found]:
    """The problems of the rules that join entries of the file's plain data ``raw``."""
    rules = _Rules()
    rules.check(_section(raw))
    return rules.found


def _section(value: object) -> dict[Any, Any]:
    """A mapping of the file, empty when it is missing or not a mapping (the model says so)."""
    return value if isinstance(value, dict) else {}


def _entries(value: object, loc: Loc) -> list[tuple[Loc, Any]]:
    """The entries of a list of the file with their locs; none when it is not a list."""
    return (
        [((*loc, index), entry) for index, entry in enumerate(value)]
        if isinstance(value, list)
        else []
    )


class _Seen:
    """Codes met so far, case-insensitive, each with where it was first; a repeat is a problem."""

    def __init__(self, found: list[Found]) -> None:
        self.found = found
        self.first: dict[str, tuple[str, Loc]] = {}

    def add(self, code: str | None, loc: Loc, shown: str = "") -> None:
        """Note ``code`` (None: not a valid one) at ``loc``, shown as ``shown`` if a repeat."""
        key = code.casefold() if code else ""
        if key in self.first:
            message = _("duplicate “{value}”; first at {path}")
            path = path_of(self.first[key][1])
            self.found.append((loc, message.format(value=shown or code, path=path)))
        elif code:
            self.first[key] = (code, loc)

    @property
    def codes(self) -> list[str]:
        """The codes met, in order, as first written."""
        return [code for code, _loc in self.first.values()]


class _Rules:
    """One pass over the file; ``found`` has the problems, in the order met."""

    def __init__(self) -> None:
        self.found: list[Found] = []
        self.criteria: list[str] = []  # the table's criterion codes, once checked

    def fail(self, loc: Loc, message: str) -> None:
        self.found.append((loc, message))

    def check(self, top: dict[Any, Any]) -> None:
        agencies = _Seen(self.found)
        for loc, entry in _entries(top.get("agencies"), ("agencies",)):
            agencies.add(read(_SLUG, _section(entry).get("code")), (*loc, "code"))
        season = _section(top.get("season"))
        head = self.agency(season.get("head"), ("season", "head"), agencies.codes)
        deputies = _Seen(self.found)
        for loc, entry in _entries(season.get("deputies"), ("season", "deputies")):
            deputy = self.agency(entry, loc, agencies.codes)
            if deputy and deputy == head:
                self.fail(loc, _("is the head; a deputy must be another agency"))
            else:
                deputies.add(deputy, loc)
        scoring = _section(season.get("scoring"))
        step = DEFAULT_STEP if scoring.get("step") is None else read(_STEP, scoring["step"])
        groups = self.groups(season.get("criteria"), step)
        self.tie_breaks(scoring.get("tie_break"), groups)
        self.events(season)
        self.year(season, agencies.codes)

    def year(self, season: dict[Any, Any], agencies: list[str]) -> None:
        """The review team and the ineligible agencies are agencies of the bloc, each named
        once; the criteria that need evidence are criteria of the table."""
        team = _Seen(self.found)
        for loc, entry in _entries(season.get("review_team"), ("season", "review_team")):
            team.add(self.agency(entry, loc, agencies), loc)
        excluded = _Seen(self.found)
        for loc, entry in _entries(season.get("ineligible"), ("season", "ineligible")):
            where = (*loc, "agency")
            excluded.add(self.agency(_section(entry).get("agency"), where, agencies), where)
        evidence = _section(season.get("evidence"))
        known = {code.casefold(): code for code in self.criteria}
        needed = _Seen(self.found)
        for loc, entry in _entries(evidence.get("required"), ("season", "evidence", "required")):
            code = read(_CODE, entry)
            if code and known and code.casefold() not in known:
                message = _("unknown criterion “{code}”; known: {known}")
                self.fail(loc, message.format(code=code, known=", ".join(self.criteria)))
            else:
                needed.add(known.get(code.casefold(), code) if code else None, loc)

    def agency(self, value: object, loc: Loc, known: list[str]) -> str | None:
        """The code of one of the bloc's agencies; None if it is not one."""
        code = read(TEXT, value)
        if code and known and code not in known:
            message = _("unknown agency “{code}”; known: {known}")
            self.fail(loc, message.format(code=code, known=", ".join(known)))
            return None
        return code

    def groups(self, value: object, step: Decimal | None) -> list[str]:
        """Check the scoring table; the codes of its groups."""
        groups, criteria = _Seen(self.found), _Seen(self.found)
        for loc, entry in _entries(value, ("season", "criteria")):
            group = _section(entry)
            groups.add(read(_CODE, group.get("code")), (*loc, "code"))
            kind = GroupKind(read(_GROUP_KIND, group.get("kind")) or GroupKind.SCORE)
            for item_loc, item in _entries(group.get("items"), (*loc, "items")):
                criterion = _section(item)
                criteria.add(read(_CODE, criterion.get("code")), (*item_loc, "code"))
                self.criterion(criterion, item_loc, kind, step)
        self.criteria = criteria.codes
        return groups.codes

    def criterion(
        self, item: dict[Any, Any], loc: Loc, kind: GroupKind, step: Decimal | None
    ) -> None:
        maximum = read(_POINTS, item.get("max"))
        if maximum is not None and step is not None and maximum % step:
            message = _("must be a multiple of the step {step}")
            self.fail((*loc, "max"), message.format(step=format_points(step, current_locale())))
        word = read(_WORD, item.get("kind")) or ""
        accepted = CRITERION_KINDS[kind]
        if word and word.casefold() not in accepted:
            message = _("unknown kind “{value}”; accepted: {accepted}")
            self.fail((*loc, "kind"), message.format(value=word, accepted=", ".join(accepted)))

    def tie_breaks(self, value: object, groups: list[str]) -> None:
        """Each rule once; a group named by one is a group of the table."""
        seen = _Seen(self.found)
        for loc, entry in _entries(value, ("season", "scoring", "tie_break")):
            rule = read(_TIE_BREAK, entry)
            if rule is not None and rule.kind is TieBreakKind.GROUP and groups:
                wanted = (rule.group_code or "").casefold()
                code = next((code for code in groups if code.casefold() == wanted), None)
                if code is None:
                    message = _("unknown group “{code}”; known: {known}")
                    self.fail(loc, message.format(code=rule.group_code, known=", ".join(groups)))
                    continue
                rule = TieBreak(TieBreakKind.GROUP, code)
            seen.add(str(rule) if rule else None, loc)

    def events(self, season: dict[Any, Any]) -> None:
        """Event codes unique across deadlines and meetings, reminders once each, one deadline
        that closes scoring."""
        codes = _Seen(self.found)
        closing: Loc | None = None
        for key in ("deadlines", "meetings"):
            for loc, entry in _entries(season.get(key), ("season", key)):
                event = _section(entry)
                codes.add(read(_SLUG, event.get("code")), (*loc, "code"))
                self.reminders(event.get("remind"), (*loc, "remind"))
                if key != "deadlines" or not read(_FLAG, event.get("closes_scoring")):
                    continue
                if closing:
                    message = _("only one deadline may close scoring; {path} already does")
                    self.fail((*loc, "closes_scoring"), message.format(path=path_of(closing)))
                else:
                    closing = (*loc, "closes_scoring")

    def reminders(self, value: object, loc: Loc) -> None:
        """Each offset once (``24h`` is ``1d``)."""
        offsets = _Seen(self.found)
        for offset_loc, entry in _entries(value, loc):
            offset = read(_OFFSET, entry)
            shown = read(TEXT, entry) or ""
            offsets.add(str(offset) if offset is not None else None, offset_loc, shown)
