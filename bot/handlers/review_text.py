"""How the review (thẩm định) reads in the chat: the list of sheets, one criterion, the
sheet with self and reviewed values, and what the agency and the reviewers are told."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.domain.criteria import Criterion
from bot.domain.review import ReviewState
from bot.domain.scores import sample_score
from bot.handlers.formatting import excerpt, points, when
from bot.i18n import N_, _
from bot.services.review import Change, Comment, QueueItem, ReviewSheet

STATES = {
    ReviewState.NOT_SUBMITTED: N_("not submitted yet"),
    ReviewState.SUBMITTED: N_("submitted, to review"),
    ReviewState.UNDER_REVIEW: N_("under review"),
    ReviewState.REVIEWED: N_("reviewed"),
}


def state(value: ReviewState) -> str:
    return _(STATES[value])


def queue(items: Sequence[QueueItem]) -> str:
    lines = [_("Sheets you review:")]
    lines += [f"{item.agency_code} — {item.agency_name}: {state(item.state)}" for item in items]
    return "\n".join(lines)


def difference(sheet: ReviewSheet) -> str:
    """``Reviewed total: 30 (self-score 33, −3).``"""
    reviewed, own = sheet.totals.total, sheet.self_totals.total
    if reviewed == own:
        return _("Reviewed total: {total} (the same as the self-score).").format(
            total=points(reviewed)
        )
    sign = "+" if reviewed > own else "−"
    return _("Reviewed total: {total} (self-score {own}, {diff}).").format(
        total=points(reviewed), own=points(own), diff=sign + points(abs(reviewed - own))
    )


def line(sheet: ReviewSheet, criterion: Criterion) -> str:
    """``I.1: 25 → 20 (reason)``, ``I.2: 10 ✓``, ``I.3: 5 ·`` (not checked)."""
    code = criterion.code
    own = sheet.self_values.get(code, Decimal(0))
    reviewed = sheet.reviewed.get(code)
    pieces = sheet.evidence.get(code, 0)
    clip = f" 📎 {pieces}" if pieces else ""
    if reviewed is None:
        return f"{code}: {points(own)} ·{clip}"
    if reviewed == own:
        return f"{code}: {points(own)} ✓{clip}"
    reason = sheet.reasons.get(code, "")
    return f"{code}: {points(own)} → {points(reviewed)} ({excerpt(reason, 60)}){clip}"


def sheet(view: ReviewSheet) -> str:
    """The whole sheet: a line per criterion, the totals, where the review stands."""
    lines = [
        _("Review of {agency}, {year}: {state}").format(
            agency=view.agency_name, year=view.season_year, state=state(view.state)
        )
    ]
    if view.resubmitted_at is not None:
        lines.append(
            _(
                "The agency reopened its sheet and sent it again on {time}, after the review "
                "began: the values accepted as they were are to check again."
            ).format(time=when(view.resubmitted_at, view.timezone))
        )
    lines += [line(view, criterion) for criterion in view.table.criteria()]
    lines.append(
        _("✓ accepted · → changed · 📎 pieces of evidence · not checked yet: {count}").format(
            count=len(view.unchecked)
        )
    )
    lines.append(difference(view))
    return "\n".join(lines)


def prompt(view: ReviewSheet, criterion: Criterion) -> str:
    """One criterion: code, title, maximum, the agency's value, the reviewed one, comments."""
    code = criterion.code
    own = view.self_values.get(code, Decimal(0))
    reviewed = view.reviewed.get(code)
    lines = [
        f"{view.agency_code} · {code} — {criterion.title}",
        _("Maximum: {max} · Self-score: {own}").format(max=points(criterion.max), own=points(own)),
    ]
    if reviewed is not None:
        lines.append(line(view, criterion))
    for said in view.comments.get(code, ())[-3:]:
        lines.append(f"💬 {said.author}: {excerpt(said.text, 200)}")
    lines.append(
        _("Accept it, or send the reviewed value and the reason, like “{example}”.").format(
            example=example(view, criterion)
        )
    )
    return "\n".join(lines)


def example(view: ReviewSheet, criterion: Criterion) -> str:
    """A line as the reviewer would type it: code, a value on the step, a reason."""
    value = sample_score(criterion, view.table.step)
    return _("{code} {value} reason for the change").format(
        code=criterion.code, value=points(value)
    )


def change(item: Change) -> str:
    """What one stored check says: ``I.1: 25 → 20`` or ``I.2 accepted (10)``."""
    if item.old == item.new:
        return _("{code} accepted ({value})").format(code=item.code, value=points(item.new))
    return f"{item.code}: {points(item.old)} → {points(item.new)}"


def changed(sheet: ReviewSheet, code: str, old: Decimal, new: Decimal) -> str:
    """To the agency's contacts: one value of their sheet changed in review, and why."""
    criterion = sheet.table.find(code)
    title = criterion.title if criterion else ""
    reason = sheet.reasons.get(code)
    lines = [
        _("Review of your sheet {year}: {code} {title}: {old} → {new}.").format(
            year=sheet.season_year, code=code, title=title, old=points(old), new=points(new)
        )
    ]
    if reason:
        lines.append(_("Reason: {reason}").format(reason=reason))
    lines.append(_("To answer, send /comment {code} and your text.").format(code=code))
    return "\n".join(lines)


def commented(sheet: ReviewSheet, code: str, comment: Comment) -> str:
    """To the other side of a thread: a reviewer's comment, or the agency's answer."""
    if comment.side == "reviewer":
        return "\n".join(
            [
                _("Reviewer's comment on {code} of your sheet {year} ({author}):").format(
                    code=code, year=sheet.season_year, author=comment.author
                ),
                f"“{comment.text}”",
                _("To answer, send /comment {code} and your text.").format(code=code),
            ]
        )
    return "\n".join(
        [
            _("{agency} answers on {code} ({author}):").format(
                agency=sheet.agency_name, code=code, author=comment.author
            ),
            f"“{comment.text}”",
            _("To answer, send /comment {agency} {code} and your text.").format(
                agency=sheet.agency_code, code=code
            ),
        ]
    )


def finished(sheet: ReviewSheet) -> str:
    """To the agency's contacts: the review of their sheet is finished."""
    lines = [_("The review of your sheet {year} is finished.").format(year=sheet.season_year)]
    for code in sheet.changed():
        criterion = sheet.table.find(code)
        if criterion is not None:
            lines.append(line(sheet, criterion))
    lines.append(difference(sheet))
    return "\n".join(lines)
