"""The moves of the review (thẩm định) dialog: ask one criterion, store checks, finish.

The entry points (commands, typed lines, buttons) are in ``bot.handlers.review``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.domain.criteria import Criterion
from bot.handlers import review_text
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.model import Button
from bot.i18n import _
from bot.services.review import (
    Change,
    NoReview,
    NotReviewer,
    NotSubmitted,
    ReviewClosed,
    Reviewer,
    ReviewSheet,
    UnknownAgency,
)
from bot.services.scoring import NoSeason

FLOW = "review"
Check = tuple[str, Decimal, str | None]  # criterion code, reviewed value, reason


def reviewer(ctx: Context) -> Reviewer:
    """The person as the review service knows them."""
    link = ctx.link
    return Reviewer(ctx.person.contact_id, link.agency_code if link else None, ctx.person.operator)


def refused(ctx: Context, error: Exception, agency: str = "") -> None:
    """Say in one sentence why the review cannot go on, and leave the dialog."""
    if ctx.conversation.flow == FLOW:
        ctx.conversation.end()
    name = excerpt(agency, 30)
    if isinstance(error, NoReview):
        text = _("This bloc has no review: the self-scores are final.")
    elif isinstance(error, UnknownAgency):
        text = _(
            "There is no agency {code} in this bloc; send /review to see the sheets you review."
        ).format(code=name)
    elif isinstance(error, NotReviewer):
        text = _("You do not review the sheet of {code}.").format(code=name)
    elif isinstance(error, NotSubmitted):
        text = _(
            "The sheet of {code} is not submitted (or its agency reopened it): only a "
            "submitted sheet is reviewed."
        ).format(code=name)
    elif isinstance(error, ReviewClosed):
        text = _("The results are announced: the scores are final and the review is closed.")
    elif isinstance(error, NoSeason):
        text = _("Your bloc has no season to review yet.")
    else:
        raise error
    ctx.reply(text)


def ask(ctx: Context, view: ReviewSheet, criterion: Criterion, lead: str = "") -> None:
    """Show one criterion with its buttons and remember it as the current one."""
    ctx.conversation.data["at"] = criterion.code
    agency, code = view.agency_code, criterion.code
    rows = [
        [
            Button(_("Accept"), f"rv:ok:{agency}:{code}", _("accept")),
            Button(_("Change"), f"rv:chg:{agency}:{code}", _("change")),
        ],
        [
            Button(_("Comment"), f"rv:cmt:{agency}:{code}", _("comment")),
            Button(_("Skip ▶"), f"rv:skip:{agency}:{code}", _("skip")),
        ],
        [Button(_("Finish the review"), f"rv:end:{agency}", _("finish"))],
    ]
    ctx.reply(
        "\n\n".join(part for part in (lead, review_text.prompt(view, criterion)) if part), rows
    )


def summary(ctx: Context, view: ReviewSheet, lead: str = "") -> None:
    """The whole sheet, with the button that finishes the review."""
    ctx.conversation.data.pop("at", None)
    parts = [lead, review_text.sheet(view)]
    if view.unchecked:
        parts.append(
            _("Send a code to go to a criterion, or lines like “{example}”.").format(
                example=review_text.example(view, view.unchecked[0])
            )
        )
    button = Button(_("Finish the review"), f"rv:end:{view.agency_code}", _("finish"))
    ctx.reply("\n\n".join(part for part in parts if part), [[button]], menu=True)


def next_after(view: ReviewSheet, code: str | None) -> Criterion | None:
    """The first criterion not checked yet after ``code`` (wrapping), or None when all are."""
    return view.table.next_without(view.reviewed, code)


async def store(
    ctx: Context, agency: str, checks: Sequence[Check], problems: Sequence[str] = ()
) -> None:
    """Store checks (a value equal to the agency's own accepts it); the reply shows each
    one's old and new value, then the next criterion to check."""
    bloc_id = ctx.bloc_id
    assert bloc_id is not None
    done: list[Change] = []
    try:
        for code, value, reason in checks:
            done.append(
                await ctx.services.review.change(
                    bloc_id, reviewer(ctx), agency, code, value, reason
                )
            )
    except (NotReviewer, NotSubmitted, ReviewClosed, UnknownAgency, NoReview) as error:
        refused(ctx, error, agency)
        return
    lines = [_("Saved: {checks}.").format(checks="; ".join(map(review_text.change, done)))]
    for item in done:
        if item.reason and item.old != item.new:
            lines.append(_("{code} reason: {reason}").format(code=item.code, reason=item.reason))
    if any(item.old != item.new for item in done):
        lines.append(_("The agency's contacts are told of each change and its reason."))
    if any(item.reopened for item in done):
        lines.append(_("The review had been finished; it is open again: finish it once more."))
    lines += problems
    view = done[-1].sheet
    following = next_after(view, ctx.conversation.data.get("at") or done[-1].code)
    if following is None:
        summary(ctx, view, "\n".join(lines))
    else:
        ask(ctx, view, following, "\n".join(lines))


async def finish(ctx: Context, agency: str, confirmed: bool) -> None:
    """End the review, after asking when some criteria are not checked yet."""
    bloc_id = ctx.bloc_id
    assert bloc_id is not None
    who = reviewer(ctx)
    try:
        view = await ctx.services.review.open(bloc_id, who, agency)
        if view.unchecked and not confirmed:
            codes = ", ".join(c.code for c in view.unchecked)
            rows = [
                [Button(_("Finish, accept the rest"), f"rv:end!:{agency}", _("finish"))],
                [Button(_("Go on reviewing"), f"rv:go:{agency}", _("go on"))],
            ]
            ctx.reply(
                _(
                    "Not checked yet: {codes}. Finishing accepts them as the agency gave them."
                ).format(codes=codes),
                rows,
                menu=True,
            )
            return
        view, accepted = await ctx.services.review.finish(bloc_id, who, agency)
    except (NotReviewer, NotSubmitted, ReviewClosed, UnknownAgency, NoReview) as error:
        refused(ctx, error, agency)
        return
    ctx.conversation.end()
    lines = [_("Review of {agency} finished.").format(agency=view.agency_name)]
    if accepted:
        lines.append(
            _("Accepted as the agency gave them: {codes}.").format(codes=", ".join(accepted))
        )
    lines.append(review_text.difference(view))
    lines.append(_("The agency's contacts are told the reviewed total."))
    ctx.reply("\n".join(lines))
