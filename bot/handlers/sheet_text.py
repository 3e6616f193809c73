"""How a self-score sheet reads in the chat: the prompt for one criterion and the review."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from bot.domain.criteria import CriteriaGroup, Criterion, GroupKind
from bot.domain.scores import ScoreError, ScoreProblem, sample_score
from bot.domain.sheets import Closed
from bot.handlers.formatting import duration, excerpt, fit_title, points, when
from bot.i18n import _
from bot.services.scoring import SheetView


def example_line(sheet: SheetView, criterion: Criterion | None = None) -> str:
    """A line of the sheet as the person would type it, valid for that criterion."""
    item = criterion or next(sheet.table.criteria())
    if item.is_yesno:
        yes = _("yes")
        return f"{item.code} {yes}"
    return f"{item.code} {points(sample_score(item, sheet.table.step))}"


def header(sheet: SheetView, agency: str) -> str:
    answered = len(sheet.values)
    count = sum(1 for _item in sheet.table.criteria())
    return _("Self-score sheet of {agency}, {year} ({answered}/{count} scored)").format(
        agency=agency, year=sheet.season_year, answered=answered, count=count
    )


def deadline_line(sheet: SheetView, timezone: str) -> str:
    if sheet.deadline is None:
        return ""
    now = sheet.as_of
    if now >= sheet.deadline:
        return _("The deadline was {time}.").format(time=when(sheet.deadline, timezone))
    return _("Deadline: {time} ({left} left).").format(
        time=when(sheet.deadline, timezone), left=duration(sheet.deadline - now)
    )


def prompt(sheet: SheetView, criterion: Criterion) -> str:
    """One criterion: its group, code, title, maximum, current value and how to answer."""
    group = sheet.table.group_of(criterion.code)
    value = sheet.values.get(criterion.code)
    current = points(value) if value is not None else _("not scored yet")
    lines = [
        _("Group {code}. {title}").format(code=group.code, title=group.title),
        f"{criterion.code} — {criterion.title}",
        _("Maximum: {max} · Current: {current}").format(
            max=points(criterion.max), current=current
        ),
    ]
    note = sheet.notes.get(criterion.code)
    if note:
        lines.append(_("Note: {note}").format(note=note))
    lines.append(how_to_answer(group, criterion, sheet))
    return "\n".join(lines)


def how_to_answer(group: CriteriaGroup, criterion: Criterion, sheet: SheetView) -> str:
    if criterion.is_yesno:
        return _("Answer yes (đạt, {max} points) or no (không đạt, 0).").format(
            max=points(criterion.max)
        )
    example = points(sample_score(criterion, sheet.table.step))
    if group.kind is GroupKind.DEDUCTION:
        return _("Send the points deducted, from 0 to {max}.").format(max=points(criterion.max))
    if group.kind is GroupKind.BONUS and group.cap is not None:
        return _(
            "Send the bonus points, from 0 to {max} (the group counts at most {cap})."
        ).format(max=points(criterion.max), cap=points(group.cap))
    return _("Send a score from 0 to {max}, for example {example}.").format(
        max=points(criterion.max), example=example
    )


def review(sheet: SheetView, agency: str, evidence: Mapping[str, int] | None = None) -> str:
    """The whole sheet with group subtotals and the total (and each criterion's count of
    evidence pieces, when given)."""
    lines = [header(sheet, agency), ""]
    for group in sheet.table.groups:
        subtotal = sheet.totals.groups.get(group.code)
        lines.append(
            f"{group.code}. {fit_title(group.title, 36)}: {_group_total(group, subtotal)}"
        )
        for item in group.items:
            # Code and points first, so they stay on the first line of a phone's screen.
            value = sheet.values.get(item.code)
            shown = points(value) if value is not None else "…"
            pieces = (evidence or {}).get(item.code)
            attached = f" · 📎 {pieces}" if pieces else ""
            lines.append(
                f"{item.code}: {shown}/{points(item.max)}{attached} · {fit_title(item.title, 28)}"
            )
    lines.append("")
    if sheet.totals.bonus_capped:
        lines.append(
            _("Bonus entered {entered}, counted {counted} (the cap).").format(
                entered=points(sheet.totals.bonus_uncapped), counted=points(sheet.totals.bonus)
            )
        )
    lines.append(_("Total: {total}").format(total=points(sheet.totals.total)))
    if sheet.missing:
        codes = ", ".join(item.code for item in sheet.missing)
        lines.append(_("Not scored yet: {codes}").format(codes=codes))
    return "\n".join(lines)


def _group_total(group: CriteriaGroup, subtotal: Decimal | None) -> str:
    value = points(subtotal or Decimal(0))
    if not subtotal and group.kind is not GroupKind.SCORE:
        return value  # nothing added or taken off: no sign
    if group.kind is GroupKind.DEDUCTION:
        return f"−{value}"
    if group.kind is GroupKind.BONUS:
        return f"+{value}"
    return f"{value}/{points(sum((item.max for item in group.items), Decimal(0)))}"


def closed(reason: Closed, sheet: SheetView, timezone: str) -> str:
    """Why the sheet cannot be changed now, and what can be done."""
    if reason is Closed.SUBMITTED:
        submitted = when(sheet.submitted_at, timezone) if sheet.submitted_at else ""
        return _(
            "Your sheet was submitted ({time}) with a total of {total}. Reopen it to make "
            "changes before the deadline."
        ).format(time=submitted, total=points(sheet.totals.total))
    if reason is Closed.DEADLINE:
        deadline = when(sheet.deadline, timezone) if sheet.deadline else ""
        if sheet.submitted_at is None:
            return _(
                "Scoring closed at the deadline ({time}) and your agency's sheet was not "
                "submitted. Contact the bloc head if it can still be received."
            ).format(time=deadline)
        return _(
            "Scoring closed at the deadline ({time}); your sheet was submitted with a total of "
            "{total}. If a change is still needed, contact the bloc head."
        ).format(time=deadline, total=points(sheet.totals.total))
    return _("The results have been announced; the sheets are locked.")


def problem(error: ScoreError) -> str:
    """What is wrong with a typed score and what is accepted, precisely."""
    code, maximum, step = error.criterion.code, points(error.maximum), points(error.step)
    if error.problem is ScoreProblem.NOT_A_NUMBER:
        return _(
            "'{text}' is not a number. For {code} send a score from 0 to {max}, like {example}."
        ).format(
            text=excerpt(error.text),
            code=code,
            max=maximum,
            example=points(sample_score(error.criterion, error.step)),
        )
    if error.problem is ScoreProblem.AMBIGUOUS:
        first, second = (points(value) for value in error.readings)
        return _(
            "'{text}' could mean {first} or {second}. Send {first} or {second} instead, "
            "without a thousands separator."
        ).format(text=excerpt(error.text), first=first, second=second)
    if error.problem is ScoreProblem.NEGATIVE:
        return _("A score cannot be below 0. For {code} send 0 to {max}.").format(
            code=code, max=maximum
        )
    if error.problem is ScoreProblem.ABOVE_MAX:
        value = excerpt(points(error.value) if error.value is not None else error.text)
        return _("{value} is above the maximum of {code}, which is {max}.").format(
            value=value, code=code, max=maximum
        )
    if error.problem is ScoreProblem.OFF_STEP:
        value = excerpt(points(error.value) if error.value is not None else error.text)
        return _("{value} is not a multiple of {step}: scores go in steps of {step}.").format(
            value=value, step=step
        )
    return _("{code} is answered yes or no: send 'có' ({max} points) or 'không' (0).").format(
        code=code, max=maximum
    )


def evidence_missing(codes: Sequence[str]) -> str:
    """Why a sheet was not submitted: the criteria that need evidence and have none."""
    return _(
        "The bloc requires evidence for {codes} before the sheet is submitted. Send it with "
        "/evidence {first}, then submit again."
    ).format(codes=", ".join(codes), first=codes[0])
