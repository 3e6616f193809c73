"""Which criterion a typed value answers: the prompt it replies to, the one being asked, or
none when it repeats the answer just saved before it (sent again after getting no reply)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from bot.domain.criteria import Criterion
from bot.domain.scores import ScoreError, parse_score
from bot.domain.typed import fold
from bot.handlers import sheet_dialog
from bot.handlers.context import Context
from bot.handlers.formatting import points
from bot.handlers.incoming_text import numberish
from bot.handlers.model import Button
from bot.i18n import _
from bot.services.people import Link
from bot.services.scoring import SheetView

# A value typed again this soon after the same value was saved for the previous criterion is
# taken for a re-send of that answer (it got no reply), not for the current criterion, on
# channels that do not number a chat's messages (Telegram does: see ``Incoming.sequence``).
REPEAT_WINDOW = timedelta(minutes=10)
# Where messages are numbered, a value sent this long after the bot answered the one before,
# with the bot's answer between them, is an answer to the prompt the person read.
READING_TIME = timedelta(seconds=5)


def question(ctx: Context, sheet: SheetView) -> tuple[bool, Criterion | None]:
    """The criterion a typed answer is for (None at the review), and whether the person's
    message itself said so (a reply to the prompt) rather than the dialog's state."""
    for payload in ctx.incoming.reply_payloads:
        parts = payload.split(":")
        if len(parts) < 2 or parts[0] != "sc":
            continue
        if parts[1] in ("submit", "edit", "review", "reopen", "show") and len(parts) < 3:
            return True, None
        if parts[1] == "submit":
            return True, None
        criterion = sheet.table.find(parts[2]) if len(parts) > 2 else None
        if criterion is not None:
            return True, criterion
    at = ctx.conversation.data.get("at")
    return False, sheet.table.find(at) if at else None


def repeated(ctx: Context, sheet: SheetView, at: Criterion, text: str) -> bool:
    """Ask, rather than store, when a bare value repeats the answer just saved before it.

    Someone whose answer got no reply (the bot was restarting) sends it again; by then the
    sheet has moved on, and the repeat must not land on the next criterion unasked.
    """
    last = ctx.conversation.data.get("last")
    if not isinstance(last, list) or len(last) != 4:
        return False
    code, typed, moment, sequence = last
    if _read_the_prompt(ctx, sequence, moment):
        return False
    previous = sheet.table.find(str(code))
    if previous is None or previous == at:
        return False
    try:
        value = parse_score(text, previous, sheet.table.step)
        same = Decimal(typed) == value
        recent = sheet.as_of - datetime.fromisoformat(moment) <= REPEAT_WINDOW
    except (ScoreError, InvalidOperation, ValueError, TypeError):
        return False
    if not same or not recent:
        return False
    try:
        parse_score(text, at, sheet.table.step)
    except ScoreError:
        # Not a score of the current criterion at all: only the repeat can be meant.
        lead = _("{value} was just saved for {previous}; nothing changed.").format(
            value=points(value), previous=previous.code
        )
        sheet_dialog.ask(ctx, sheet, at, lead)
        return True
    ctx.conversation.data.pop("last", None)
    ask_repeat(ctx, sheet, at, [previous.code, str(value)])
    return True


def _read_the_prompt(ctx: Context, sequence: object, moment: object) -> bool:
    """Whether the person surely saw the prompt that followed their last answer: the bot spoke
    in between (a gap in the chat's message numbers) and the message came a while after.

    The gap alone is not enough: a re-send typed before the prompt arrived can reach the
    platform just after it (the two crossed), and still be meant for the criterion before.
    """
    now, sent = ctx.incoming.sequence, ctx.incoming.sent_at
    if not isinstance(sequence, int) or now is None or sent is None or now <= sequence + 1:
        return False
    try:
        saved = datetime.fromisoformat(str(moment))
    except ValueError:
        return False
    return sent - saved >= READING_TIME


async def answers_repeat(
    ctx: Context, sheet: SheetView, link: Link, at: Criterion, text: str
) -> bool:
    """Read the answer to "is it also the score of...?", typed instead of pressed.

    A number is no answer to it (the same value sent once more means its question was lost
    too): the question is asked again rather than the number stored.
    """
    repeat = ctx.conversation.data.get("repeat")
    if not isinstance(repeat, list) or len(repeat) != 2:
        return False
    folded = fold(text)
    if folded in {fold(_("save")), "save", "luu", "co", "yes"}:
        value = Decimal(repeat[1])
        await sheet_dialog.record(ctx, sheet, link, [(at.code, value)], at)
    elif folded in {fold(_("no")), "no", "khong"}:
        sheet_dialog.ask(ctx, sheet, at)
    elif numberish(text):
        ask_repeat(ctx, sheet, at, repeat)
    else:
        ctx.conversation.data.pop("repeat", None)
        return False
    return True


def ask_repeat(ctx: Context, sheet: SheetView, at: Criterion, repeat: list[str]) -> None:
    """Ask whether a value just saved for the criterion before is also the score of ``at``."""
    previous, value = repeat[0], Decimal(repeat[1])
    shown = points(value)
    buttons = [
        Button(
            _("Save {value} for {code}").format(value=shown, code=at.code),
            f"sc:put:{at.code}:{value}",
            _("save"),
        ),
        Button(_("No, score {code} anew").format(code=at.code), f"sc:ask:{at.code}", _("no")),
    ]
    ctx.reply(
        _(
            "{value} was just saved for {previous}; nothing changed. Is {value} also the "
            "score of {code}?"
        ).format(value=shown, previous=previous, code=at.code),
        [buttons],  # no numbered menu: a number could be the value sent once more
    )
    ctx.conversation.data["at"] = at.code
    ctx.conversation.data["repeat"] = [previous, str(value)]


def button_value(
    parts: list[str], criterion: Criterion | None, sheet: SheetView
) -> Decimal | None:
    """The value a "save this value" button carries, if it is valid for its criterion."""
    if criterion is None or len(parts) != 4:
        return None
    try:
        return parse_score(parts[3], criterion, sheet.table.step)
    except ScoreError:
        return None
