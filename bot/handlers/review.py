"""The review (thẩm định) of submitted sheets: /review, /comment, the dialog and its buttons.

The reviewer opens a sheet and goes through it criterion by criterion (accept, change with a
reason, comment, skip, finish), or sends lines like the sheet itself: ``I.1 20 reason``, one
per line. A change without a reason is asked for its reason, never stored silently. The
agency's contacts answer with ``/comment CODE text``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.domain.review import ReviewState, needs_reason
from bot.domain.scores import ScoreError, parse_score
from bot.domain.typed import fold
from bot.handlers import review_dialog, review_text, sheet_text
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt, points
from bot.handlers.model import Button
from bot.handlers.review_dialog import FLOW, Check, ask, finish, refused, reviewer, store
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.review import (
    NoReview,
    NotReviewer,
    NotSubmitted,
    ReviewClosed,
    ReviewSheet,
    UnknownAgency,
)
from bot.services.scoring import NoSeason

REFUSALS = (NoReview, NotReviewer, NotSubmitted, ReviewClosed, UnknownAgency, NoSeason)
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)\s*[:=]?\s+(\S+)\s*(.*?)\s*$")
_WORDS = {
    "accept": {"accept", "ok", "dong y", "giu nguyen"},
    "skip": {"skip", "bo qua", "tiep", "next"},
    "finish": {"finish", "xong", "ket thuc", "done"},
    "show": {"show", "xem", "bang"},
    "change": {"change", "sua", "doi"},
    "comment": {"comment", "gop y", "y kien"},
    "go on": {"go on", "tiep tuc", "continue"},
}
_BUTTONS = {"ok": "accept", "chg": "change", "cmt": "comment", "skip": "skip"}
ACTIONS = {"ok", "chg", "cmt", "skip", "end", "end!", "go", "open"}


def register(router: Router) -> None:
    """Add /review, /comment, the review dialog and its buttons."""
    router.command(
        Command(
            "review",
            review,
            Audience.LINKED,
            N_("review the submitted sheets"),
            ("thamdinh",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "comment",
            comment,
            Audience.LINKED,
            N_("comment on a criterion of a sheet in review"),
            ("gopy",),
            in_group=False,
        )
    )
    router.flow(FLOW, answer, on_cancel=cancelled)
    router.button("rv", press)


async def review(ctx: Context, target: str) -> None:
    """List the sheets to review, or open one (``/review AGENCY``)."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(_("Link with your agency first: /start and the invite code."))
        return
    if target:
        await _open(ctx, target.split()[0])
        return
    try:
        items = await ctx.services.review.queue(bloc_id, reviewer(ctx))
    except REFUSALS as error:
        refused(ctx, error)
        return
    if not items:
        ctx.reply(_("You review no sheet in this bloc."))
        return
    buttons = [
        [
            Button(
                f"{item.agency_code} · {review_text.state(item.state)}",
                f"rv:open:{item.agency_code}",
            )
        ]
        for item in items
        if item.state is not ReviewState.NOT_SUBMITTED
    ]
    text = review_text.queue(items)
    if not buttons:
        ctx.reply(text + "\n" + _("No sheet is submitted yet."))
        return
    ctx.reply(text + "\n" + _("Choose a sheet, or send /review and its code."), buttons, menu=True)


async def _open(ctx: Context, agency: str) -> None:
    bloc_id = ctx.bloc_id
    assert bloc_id is not None
    try:
        view = await ctx.services.review.open(bloc_id, reviewer(ctx), agency)
    except REFUSALS as error:
        refused(ctx, error, agency)
        return
    ctx.conversation.start(FLOW, agency=view.agency_code)
    lead = "\n".join(
        [
            review_text.sheet(view),
            _(
                "Accept or change each criterion; a change needs a reason. You may also send "
                "several lines at once, like “{example}”."
            ).format(example=review_text.example(view, next(view.table.criteria()))),
        ]
    )
    following = review_dialog.next_after(view, None)
    if following is None:
        review_dialog.summary(ctx, view, lead)
    else:
        ask(ctx, view, following, lead)


async def answer(ctx: Context, text: str) -> None:
    """Read what the reviewer typed while a sheet is open."""
    data = ctx.conversation.data
    agency = data.get("agency")
    bloc_id = ctx.bloc_id
    if not agency or bloc_id is None:
        ctx.conversation.end()
        return
    awaiting = data.pop("awaiting", None)
    if awaiting == "comment":
        await _comment(ctx, agency, data.get("at", ""), text)
        return
    try:
        view = await ctx.services.review.open(bloc_id, reviewer(ctx), agency)
    except REFUSALS as error:
        refused(ctx, error, agency)
        return
    word = _word(text)
    first = _LINE.match(text.splitlines()[0]) if text.strip() else None
    typed_line = first is not None and view.table.find(first.group(1)) is not None
    if awaiting == "reason":
        code, value = data.pop("pending", ["", "0"])
        if word is None and not typed_line and view.table.find(text) is None:
            await store(ctx, agency, [(code, Decimal(value), text)])
            return
        # A command word or a line of the sheet is no reason: the change waits no longer.
        ctx.tell(_("{code} was not changed: it had no reason.").format(code=code))
    at = view.table.find(data.get("at", ""))
    if word is not None:
        await _act(ctx, view, word, at.code if at else None)
        return
    jump = view.table.find(text)
    if jump is not None:
        ask(ctx, view, jump)
        return
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and at is not None and not typed_line:
        lines = [f"{at.code} {lines[0]}"]  # a value (and reason) for the current criterion
    await _lines(ctx, view, lines)


async def _lines(ctx: Context, view: ReviewSheet, lines: list[str]) -> None:
    """Lines like the sheet: code, value, reason; good lines are kept, bad ones answered."""
    checks: list[Check] = []
    problems: list[str] = []
    unreasoned: list[tuple[str, Decimal]] = []
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        criterion = view.table.find(match.group(1)) if match else None
        if match is None or criterion is None:
            problems.append(
                _(
                    "Line {n} “{line}”: write a criterion code, the value and the reason, "
                    "like “{example}”."
                ).format(
                    n=number,
                    line=excerpt(line),
                    example=review_text.example(view, next(view.table.criteria())),
                )
            )
            continue
        code, typed, reason = criterion.code, match.group(2), match.group(3)
        own = view.self_values.get(code, Decimal(0))
        if fold(typed) in _WORDS["accept"] or fold(typed) == fold(_("accept")):
            checks.append((code, own, None))
            continue
        try:
            value = parse_score(typed, criterion, view.table.step)
        except ScoreError as error:
            problem = sheet_text.problem(error)
            many = len(lines) > 1
            problems.append(
                _("Line {n}: {problem}").format(n=number, problem=problem) if many else problem
            )
            continue
        if needs_reason(own, value) and not reason:
            unreasoned.append((code, value))
            continue
        checks.append((code, value, reason or None))
    if len(unreasoned) == 1 and not checks and not problems:
        code, value = unreasoned[0]
        own = view.self_values.get(code, Decimal(0))
        ctx.conversation.data.update(at=code, awaiting="reason", pending=[code, str(value)])
        ctx.reply(
            _("{code}: {old} → {new} needs a reason. Send the reason (or /cancel).").format(
                code=code, old=points(own), new=points(value)
            )
        )
        return
    for code, value in unreasoned:
        problems.append(
            _(
                "{code}: {old} → {new} was not saved: a change needs a reason, like "
                "“{code} {new} reason”."
            ).format(
                code=code, old=points(view.self_values.get(code, Decimal(0))), new=points(value)
            )
        )
    if not checks:
        ctx.tell("\n".join(problems))
        return
    await store(ctx, view.agency_code, checks, problems)


async def _act(ctx: Context, view: ReviewSheet, word: str, at: str | None) -> None:
    if word == "finish":
        await finish(ctx, view.agency_code, confirmed=False)
    elif word == "show":
        review_dialog.summary(ctx, view)
    elif word == "go on":
        following = review_dialog.next_after(view, None)
        if following is None:
            review_dialog.summary(ctx, view)
        else:
            ask(ctx, view, following)
    elif at is None:
        review_dialog.summary(ctx, view, _("Send a criterion code first."))
    elif word == "accept":
        await store(ctx, view.agency_code, [(at, view.self_values.get(at, Decimal(0)), None)])
    elif word == "change":
        criterion = view.table.find(at)
        assert criterion is not None
        ctx.reply(
            _("Send the reviewed value of {code} and the reason, like “{example}”.").format(
                code=at, example=review_text.example(view, criterion).split(" ", 1)[1]
            )
        )
    elif word == "comment":
        ctx.conversation.data["awaiting"] = "comment"
        ctx.reply(
            _("Send your comment on {code}; the agency's contacts are told.").format(code=at)
        )
    else:  # skip
        following = review_dialog.next_after(view, at)
        if following is None or following.code == at:
            review_dialog.summary(ctx, view)
        else:
            ask(ctx, view, following)


async def press(ctx: Context, payload: str) -> None:
    """A button of the review: it names its sheet and criterion, so old messages act right."""
    parts = payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    agency = parts[2] if len(parts) > 2 else ""
    code = parts[3] if len(parts) > 3 else ""
    if action not in ACTIONS or not agency or ctx.bloc_id is None:
        ctx.notice(_("This button has expired."))
        return
    if action == "open":
        await _open(ctx, agency)
        return
    if ctx.conversation.flow != FLOW or ctx.conversation.data.get("agency") != agency:
        ctx.conversation.start(FLOW, agency=agency)
    if action in ("end", "end!"):
        await finish(ctx, agency, confirmed=action == "end!")
        return
    try:
        view = await ctx.services.review.open(ctx.bloc_id, reviewer(ctx), agency)
    except REFUSALS as error:
        refused(ctx, error, agency)
        return
    criterion = view.table.find(code) if code else None
    if action == "go" or criterion is None:
        await _act(ctx, view, "go on", None)
        return
    ctx.conversation.data["at"] = criterion.code
    await _act(ctx, view, _BUTTONS[action], criterion.code)


async def comment(ctx: Context, text: str) -> None:
    """``/comment CODE text`` on a sheet in review (``/comment AGENCY CODE text`` too)."""
    words = text.split(None, 2)
    if len(words) < 2:
        ctx.reply(_("Send /comment, the criterion code and your text, like “/comment I.1 …”."))
        return
    data = ctx.conversation.data
    link = ctx.link
    here = data.get("agency") if ctx.conversation.flow == FLOW else None
    agency = here or (link.agency_code if link else "")
    code, said = words[0], text.split(None, 1)[1]
    if len(words) == 3 and not _is_code(words[0]):
        agency, code, said = words
    await _comment(ctx, agency, code, said)


async def _comment(ctx: Context, agency: str, code: str, text: str) -> None:
    bloc_id = ctx.bloc_id
    if bloc_id is None or not text.strip():
        ctx.reply(_("Send /comment, the criterion code and your text, like “/comment I.1 …”."))
        return
    try:
        view, said = await ctx.services.review.comment(bloc_id, reviewer(ctx), agency, code, text)
    except REFUSALS as error:
        refused(ctx, error, agency)
        return
    except KeyError:
        ctx.tell(_("There is no criterion {code}.").format(code=excerpt(code, 20)))
        return
    if said.side == "reviewer":
        done = _("Comment on {code} sent to the contacts of {agency}.")
    else:
        done = _("Comment on {code} sent to the reviewers.")
    found = view.table.find(code)
    ctx.reply(done.format(code=found.code if found else code, agency=view.agency_name))


def cancelled(ctx: Context) -> str:
    """What /cancel keeps of a review: every check stored; a pending change is dropped."""
    lines = []
    if ctx.conversation.data.get("awaiting") == "reason":
        code = ctx.conversation.data.get("pending", ["?"])[0]
        lines.append(_("The change of {code} was not saved: it had no reason.").format(code=code))
    lines.append(_("Stopped. Every check you made is saved. Send /review to go on."))
    return "\n".join(lines)


def _is_code(word: str) -> bool:
    return any(c.isdigit() or c == "." for c in word)


def _word(text: str) -> str | None:
    folded = fold(text)
    localized = {word: {fold(_(word)), *forms} for word, forms in _WORDS.items()}
    return next((word for word, forms in localized.items() if folded in forms), None)
