"""The self-score sheet dialog: /score, /myscore, /note, and the sheet's buttons.

One criterion at a time (code, title, max, current value); answers as numbers (``8,5`` or
``8.5``), yes/no, or words to skip, go back, jump to a group, add a note or review; several
criteria at once, one per line (``I.1 28``). Every answer is committed as it is given.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.domain.criteria import Criterion
from bot.domain.scores import ScoreError, parse_score
from bot.domain.typed import fold
from bot.handlers import sheet_dialog, sheet_prompts, sheet_text
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.incoming_text import numberish
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.people import Link
from bot.services.scoring import SheetView

FLOW = sheet_dialog.FLOW
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)\s*[:=]?\s+(\S.*?)\s*$")
_WORDS = {
    "skip": {"skip", "bo qua", "tiep", "next"},
    "back": {"back", "quay lai", "lui", "truoc"},
    "review": {"review", "xem lai", "xem", "tong hop"},
    "note": {"note", "ghi chu"},
    "submit": {"submit", "nop", "gui"},
}
ACTIONS = {"yes", "no", "back", "skip", "note", "review", "submit", "edit", "reopen", "show"}
ACTIONS |= {"put", "ask"}
MAX_PROBLEMS = 10  # refusals listed for one message of several lines; the rest are counted


def register(router: Router) -> None:
    """Add the scoring commands, dialog and buttons."""
    router.command(
        Command(
            "score",
            score,
            Audience.LINKED,
            N_("fill in your agency's self-score sheet"),
            ("chamdiem",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "myscore",
            myscore,
            Audience.LINKED,
            N_("your agency's sheet and its status"),
            ("diemcuatoi",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "note",
            note,
            Audience.LINKED,
            N_("add a note to the current criterion"),
            ("ghichu",),
            in_group=False,
        )
    )
    router.flow(FLOW, answer, off_menu=off_menu, on_cancel=cancelled)
    router.button("sc", press)


async def score(ctx: Context, target: str) -> None:
    """Open (or resume) the sheet, at ``target`` (a group or criterion code) if given."""
    opened = await sheet_dialog.open_sheet(ctx)
    if opened is None:
        return
    link, sheet = opened
    if sheet.closed is not None:
        sheet_dialog.show_closed(ctx, sheet, link)
        return
    lines = [sheet_text.header(sheet, link.agency_name)]
    deadline = sheet_text.deadline_line(sheet, link.bloc_timezone)
    if deadline:
        lines.append(deadline)
    criterion = _target(sheet, target) if target else _resume(ctx, sheet)
    if target and criterion is None:
        lines.append(_("There is no group or criterion {code}.").format(code=excerpt(target, 20)))
        criterion = sheet.next_open()
    ctx.conversation.start(FLOW)
    if criterion is None:
        lines.append(_("Every criterion has a score."))
        sheet_dialog.review(ctx, sheet, link, "\n".join(lines))
        return
    lines.append(
        _("Send one score at a time, or several lines at once like “{example}”.").format(
            example=sheet_text.example_line(sheet, criterion)
        )
    )
    sheet_dialog.ask(ctx, sheet, criterion, "\n".join(lines))


async def myscore(ctx: Context, _args: str) -> None:
    """Show the agency's sheet and its status."""
    opened = await sheet_dialog.open_sheet(ctx)
    if opened is None:
        return
    link, sheet = opened
    counts = await ctx.services.evidence.counts(link.bloc_id, link.agency_id)
    shown = sheet_text.review(sheet, link.agency_name, counts)
    ctx.reply("\n".join([shown, sheet_dialog.status(sheet, link)]))


async def note(ctx: Context, text: str) -> None:
    """Set the note of the criterion being scored (``/note`` alone asks for it)."""
    at = ctx.conversation.data.get("at")
    if ctx.conversation.flow != FLOW or not at:
        ctx.reply(
            _(
                "Notes belong to a criterion: open your sheet with /score and go to the "
                "criterion first."
            )
        )
        return
    if not text:
        ctx.conversation.data["awaiting"] = "note"
        ctx.reply(_("Send the note for {code} (send - to remove it).").format(code=at))
        return
    await sheet_dialog.save_note(ctx, at, text)


async def answer(ctx: Context, text: str) -> None:
    """Read what the person typed while their sheet is open."""
    link = ctx.link
    if link is None:
        ctx.conversation.end()
        return
    if ctx.conversation.data.pop("awaiting", None) == "note":
        await sheet_dialog.save_note(ctx, ctx.conversation.data.get("at", ""), text)
        return
    # Held as it is read: the answer that most likely follows writes it without reading again.
    sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id, hold=True)
    prompted, at = sheet_prompts.question(ctx, sheet)
    word = _word(text)
    if word:
        await _act(ctx, sheet, link, word, at)
        return
    jump = _target(sheet, text)
    if jump is not None:
        sheet_dialog.ask(ctx, sheet, jump)
        return
    lines = [line for line in text.splitlines() if line.strip()]
    pairs = [_LINE.match(line) for line in lines]
    if len(lines) > 1 or (pairs and pairs[0] and _looks_like_code(pairs[0].group(1))):
        await _many(ctx, sheet, link, lines)
        return
    if at is None:
        _not_a_question(ctx, sheet, text)
        return
    if not prompted and await sheet_prompts.answers_repeat(ctx, sheet, link, at, text):
        return
    if not prompted and sheet_prompts.repeated(ctx, sheet, at, text):
        return
    try:
        value = parse_score(text, at, sheet.table.step)
    except ScoreError as error:
        ctx.tell(sheet_text.problem(error))
        return
    await sheet_dialog.record(ctx, sheet, link, [(at.code, value)], at, bare=True)


async def off_menu(ctx: Context, text: str) -> None:
    """A number typed while the review (a menu) is the question: neither a choice nor a score."""
    link = ctx.link
    if link is None:
        return
    sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
    _not_a_question(ctx, sheet, text)


def cancelled(ctx: Context) -> str:
    """What /cancel keeps of the sheet: every score typed; a note not yet sent is dropped."""
    lines = []
    if ctx.conversation.data.get("awaiting") == "note":
        lines.append(
            _("The note for {code} was not written.").format(code=ctx.conversation.data["at"])
        )
    lines.append(
        _(
            "Stopped. The scores you entered are saved; the sheet was not submitted. "
            "Send /score to go on."
        )
    )
    return "\n".join(lines)


async def press(ctx: Context, payload: str) -> None:
    """A button of the sheet: it names its criterion, so old messages still act right."""
    parts = payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    code = parts[2] if len(parts) > 2 else ""
    if action not in ACTIONS:
        ctx.notice(_("This button has expired."))
        return
    if ctx.incoming.in_group:
        ctx.notice(_("Your sheet is filled in a direct chat with me, not in the group."))
        return
    opened = await sheet_dialog.open_sheet(ctx)
    if opened is None:
        return
    link, sheet = opened
    if action == "reopen":
        await sheet_dialog.reopen(ctx, link)
        return
    if action == "show":
        ctx.reply(sheet_text.review(sheet, link.agency_name))
        return
    criterion = sheet.table.find(code) if code and action not in ("submit",) else None
    if code and action not in ("submit",) and criterion is None:
        ctx.notice(_("This button has expired."))
        return
    if action in ("yes", "no") and (criterion is None or not criterion.is_yesno):
        ctx.notice(_("This button has expired."))
        return
    value = None
    if action == "put":
        value = sheet_prompts.button_value(parts, criterion, sheet)
        if value is None:
            ctx.notice(_("This button has expired."))
            return
    if sheet.closed is not None:
        ctx.notice(_("The sheet cannot be changed now."))
        sheet_dialog.show_closed(ctx, sheet, link)
        return
    if ctx.conversation.flow != FLOW:
        ctx.conversation.start(FLOW)
    if action in ("yes", "no") and criterion is not None:
        value = criterion.max if action == "yes" else Decimal(0)
        await sheet_dialog.record(ctx, sheet, link, [(criterion.code, value)], criterion)
    elif action == "put" and criterion is not None and value is not None:
        await sheet_dialog.record(ctx, sheet, link, [(criterion.code, value)], criterion)
    elif action == "ask" and criterion is not None:
        sheet_dialog.ask(ctx, sheet, criterion)
    elif action == "submit":
        await sheet_dialog.submit(ctx, sheet, link, code)
    elif action == "edit":
        sheet_dialog.ask(
            ctx, sheet, criterion or sheet.next_open() or next(sheet.table.criteria())
        )
    else:
        await _act(ctx, sheet, link, action, criterion)


async def _act(
    ctx: Context, sheet: SheetView, link: Link, word: str, at: Criterion | None
) -> None:
    criteria = list(sheet.table.criteria())
    if at is None and word in ("skip", "back", "note"):
        at = sheet.table.find(ctx.conversation.data.get("resume", ""))
    index = criteria.index(at) if at in criteria else 0
    if word == "skip":
        if index + 1 >= len(criteria):
            sheet_dialog.review(ctx, sheet, link)
        else:
            sheet_dialog.ask(ctx, sheet, criteria[index + 1])
    elif word == "back":
        sheet_dialog.ask(ctx, sheet, criteria[max(0, index - 1)])
    elif word in ("review", "submit"):
        sheet_dialog.review(ctx, sheet, link)
    elif word == "note" and at is not None:
        ctx.conversation.data["at"] = at.code
        ctx.conversation.data["awaiting"] = "note"
        ctx.reply(_("Send the note for {code} (send - to remove it).").format(code=at.code))
    else:
        ctx.tell(
            _("Notes belong to a criterion: send its code first (for example “{code}”).").format(
                code=criteria[0].code
            )
        )


async def _many(ctx: Context, sheet: SheetView, link: Link, lines: list[str]) -> None:
    """Several criteria at once, one per line; good lines are kept even if others are wrong."""
    good: dict[str, Decimal] = {}  # the last line of a code counts
    repeated: list[str] = []
    problems = []
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        criterion = sheet.table.find(match.group(1)) if match else None
        if match is None:
            problems.append(
                _("Line {n} “{line}”: write a code and a score, like “{example}”.").format(
                    n=number, line=excerpt(line), example=sheet_text.example_line(sheet)
                )
            )
            continue
        if criterion is None:
            problems.append(
                _("Line {n}: there is no criterion {code}.").format(
                    n=number, code=excerpt(match.group(1), 20)
                )
            )
            continue
        try:
            value = parse_score(match.group(2), criterion, sheet.table.step)
        except ScoreError as error:
            problems.append(
                _("Line {n}: {problem}").format(n=number, problem=sheet_text.problem(error))
            )
            continue
        if criterion.code in good and criterion.code not in repeated:
            repeated.append(criterion.code)
        good.pop(criterion.code, None)
        good[criterion.code] = value
    if repeated:
        problems.insert(
            0,
            _("Given on several lines: {codes}; the last line of each counts.").format(
                codes=", ".join(repeated[:MAX_PROBLEMS])
            ),
        )
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            _("…and {count} more lines that could not be read.").format(count=more),
        ]
    if problems and not good:
        ctx.tell("\n".join(problems))
        return
    at = sheet.table.find(ctx.conversation.data.get("at", ""))
    await sheet_dialog.record(ctx, sheet, link, list(good.items()), at, problems=problems)


def _not_a_question(ctx: Context, sheet: SheetView, text: str) -> None:
    """Something typed at the review that is not a choice: say how to change a score."""
    if numberish(text):
        ctx.tell(
            _(
                "{value} was not saved: no criterion is being asked now. To change a score, "
                "send its code and the score, like “{example}”."
            ).format(value=excerpt(text, 20), example=sheet_text.example_line(sheet))
        )
        return
    ctx.tell(
        _(
            "To change a score, send its code and the score, like “{example}”, or a code "
            "alone to go to that criterion."
        ).format(example=sheet_text.example_line(sheet))
    )


def _resume(ctx: Context, sheet: SheetView) -> Criterion | None:
    """Where an earlier visit stopped: that criterion if still unscored, else the next one."""
    data = ctx.conversation.data if ctx.conversation.flow == FLOW else {}
    return sheet.resume_at(data.get("at") or data.get("resume"))


def _target(sheet: SheetView, text: str) -> Criterion | None:
    """A criterion code, or a group code (with or without "nhóm"/"group"): where to jump."""
    words = fold(text).split()
    if words and words[0] in ("nhom", "group"):
        words = words[1:]
    if len(words) != 1:
        return None
    criterion = sheet.table.find(words[0])
    if criterion is not None:
        return criterion
    group = sheet.table.group(words[0])
    return group.items[0] if group and group.items else None


def _looks_like_code(word: str) -> bool:
    """``I.9``, ``B2``: a criterion code, known or not (plain words are not)."""
    return any(c.isdigit() or c == "." for c in word)


def _word(text: str) -> str | None:
    folded = fold(text)
    localized = {word: {fold(_(word)), *synonyms} for word, synonyms in _WORDS.items()}
    return next((word for word, forms in localized.items() if folded in forms), None)
