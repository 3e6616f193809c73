"""Secret ballots (bỏ phiếu kín): /vote to vote, /vote status, and for the head opening and
closing a ballot.

The dialog keeps the choice only until it is cast; the receipt is never kept in it: a new
vote's receipt is shown once in the reply, and a change is confirmed by typing the receipt,
which is used in that same message and dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import typed
from bot.domain.ballots import BallotKind, read_receipt
from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.handlers import ballot_text as text
from bot.handlers.context import Context
from bot.handlers.formatting import when
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.ballots import (
    CLOSED,
    DIALOG,
    WRONG_RECEIPT,
    BallotRefused,
    BallotView,
    SlateView,
)
from bot.services.scoring import NoSeason

PREFIX = "bv"  # bv:b:<ballot> bv:k:<kind> bv:t bv:open bv:p:<code> bv:blank bv:done bv:cast
FLOW = DIALOG  # buttons also bv:close:<ballot> bv:no
MAX_OPEN = timedelta(days=60)  # the latest a ballot may close, from now
STATUS_WORDS = ("status", "tinhtrang")
CLOSE_WORDS = ("close", "dong")


def register(router: Router) -> None:
    """Add /vote, its buttons and its dialog."""
    router.command(
        Command(
            "vote",
            vote,
            Audience.LINKED,
            N_("secret ballots: vote; the head opens and closes them"),
            ("bophieu",),
            in_group=False,
        )
    )
    router.button(PREFIX, press)
    router.flow(FLOW, typed_answer)


async def vote(ctx: Context, args: str) -> None:
    """Vote, see the status, change a vote with its receipt, or (head) open or close."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(_("Link your account first (/start CODE)."))
        return
    word = args.casefold()
    try:
        if word in STATUS_WORDS:
            await _status(ctx, bloc_id)
        elif word in CLOSE_WORDS:
            await _ask_close(ctx, bloc_id)
        elif args:
            await _change(ctx, bloc_id, args)
        else:
            await _start(ctx, bloc_id)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
    except BallotRefused as refused:
        ctx.conversation.end()
        ctx.reply(text.refusal(refused.reason))


async def _start(ctx: Context, bloc_id: int) -> None:
    ballots = await ctx.services.ballots.open_ballots(bloc_id)
    head = ctx.person.heads(bloc_id)
    if not ballots:
        if head:
            _ask_kind(ctx)
        else:
            ctx.reply(_("No secret ballot is open in your bloc."))
        return
    if len(ballots) == 1 and not head:
        await _ask_pick(ctx, ballots[0], [])
        return
    buttons = [[Button(text.button(b), f"{PREFIX}:b:{b.id}")] for b in ballots]
    if head:
        buttons.append([Button(_("Open another ballot"), f"{PREFIX}:new")])
    ctx.conversation.start(FLOW, step="which")
    ctx.reply(_("Which ballot?"), buttons, menu=True)


def _ask_kind(ctx: Context) -> None:
    ctx.conversation.start(FLOW, step="kind")
    buttons = [[Button(text.kind_button(kind), f"{PREFIX}:k:{kind.value}")] for kind in BallotKind]
    ctx.reply(_("No ballot is open. Which secret ballot do you want to open?"), buttons, menu=True)


async def _status(ctx: Context, bloc_id: int) -> None:
    ballots = await ctx.services.ballots.open_ballots(bloc_id)
    if not ballots:
        ctx.reply(_("No secret ballot is open in your bloc."))
        return
    link = ctx.link
    lines = []
    for ballot in ballots:
        voted = await ctx.services.ballots.voted(ballot.id, link.agency_id) if link else None
        lines.append(text.status_line(ballot, voted))
    ctx.reply("\n".join(lines))


async def _ask_close(ctx: Context, bloc_id: int) -> None:
    if not ctx.person.heads(bloc_id):
        ctx.reply(_("Only the bloc head or an operator can close a ballot."))
        return
    ballots = await ctx.services.ballots.open_ballots(bloc_id)
    if not ballots:
        ctx.reply(_("No secret ballot is open in your bloc."))
        return
    ctx.conversation.start(FLOW, step="close")
    buttons = [[Button(text.button(b), f"{PREFIX}:close:{b.id}")] for b in ballots]
    buttons.append([Button(_("Cancel"), f"{PREFIX}:no", _("no"))])
    lines = [text.status_line(b, None) for b in ballots]
    lines.append(_("Close which ballot now and publish its tally? It cannot be reopened."))
    ctx.reply("\n".join(lines), buttons, menu=True)


async def _change(ctx: Context, bloc_id: int, args: str) -> None:
    """``/vote RECEIPT``: show the agency's vote and let it choose again."""
    receipt = read_receipt(args)
    link = ctx.link
    if receipt is None or link is None:
        ctx.reply(
            _("/vote takes nothing, “status”, “close” or a receipt like ABCD-EFGH.")
        )  # fmt: skip
        return
    for ballot in await ctx.services.ballots.open_ballots(bloc_id):
        if not await ctx.services.ballots.voted(ballot.id, link.agency_id):
            continue
        try:
            choice = await ctx.services.ballots.check_receipt(bloc_id, ballot.id, receipt)
        except BallotRefused:
            continue
        ctx.tell(text.current_vote(ballot, choice))
        await _ask_pick(ctx, ballot, [])
        return
    ctx.reply(text.refusal(WRONG_RECEIPT))


async def _ask_pick(ctx: Context, ballot: BallotView, picked: list[str]) -> None:
    ctx.conversation.start(FLOW, step="pick", ballot=ballot.id, picked=picked)
    buttons = []
    for ref in ballot.candidates:
        mark = "✓ " if ref.code in picked else ""
        buttons.append([Button(mark + ref.name, f"{PREFIX}:p:{ref.code}")])
    buttons.append([Button(_("Blank vote"), f"{PREFIX}:blank")])
    if ballot.seats > 1:
        buttons.append([Button(_("Done"), f"{PREFIX}:done")])
    ctx.reply(text.ballot_question(ballot, picked), buttons, menu=True)


async def press(ctx: Context, payload: str) -> None:
    """A button of the ballot dialog."""
    bloc_id = ctx.bloc_id
    parts = payload.split(":")
    if bloc_id is None or len(parts) < 2:
        ctx.notice(_("This button has expired."))
        return
    try:
        await _pressed(ctx, bloc_id, parts[1], parts[2] if len(parts) > 2 else "")
    except NoSeason:
        ctx.notice(_("This button has expired."))
    except BallotRefused as refused:
        ctx.conversation.end()
        ctx.reply(text.refusal(refused.reason))


async def _pressed(ctx: Context, bloc_id: int, action: str, value: str) -> None:
    data = ctx.conversation.data
    head = ctx.person.heads(bloc_id)
    if ctx.conversation.flow != FLOW and action != "b":
        ctx.notice(_("This button has expired."))
    elif action == "no":
        ctx.conversation.end()
        ctx.reply(_("Nothing was changed."))
    elif action == "new" and head:
        _ask_kind(ctx)
    elif action == "k" and head and value in set(BallotKind):
        slate = await ctx.services.ballots.slate(bloc_id, BallotKind(value))
        ctx.conversation.start(FLOW, step="closes", kind=value)
        default = [[Button(when(slate.default_close, slate.timezone), f"{PREFIX}:t")]]
        ctx.reply(text.slate_text(slate), default, menu=True)
    elif action == "t" and data.get("step") == "closes":
        slate = await ctx.services.ballots.slate(bloc_id, BallotKind(data["kind"]))
        _ask_open(ctx, slate, slate.default_close)
    elif action == "open" and head and data.get("step") == "confirm_open":
        ctx.conversation.end()
        closes = datetime.fromisoformat(str(data["closes"]))
        opened = await ctx.services.ballots.open(
            bloc_id, ctx.person.contact_id, BallotKind(data["kind"]), closes
        )
        ctx.reply(text.opened(opened))
    elif action == "close" and head and value.isdigit():
        ctx.conversation.end()
        closed = await ctx.services.ballots.close(bloc_id, int(value), ctx.person.contact_id)
        ctx.reply(_("The ballot is closed; the tally goes to the bloc's group:"))
        ctx.tell(text.tally_post(closed))
    elif action == "b" and value.isdigit():
        await _open_ballot(ctx, bloc_id, int(value))
    elif action in ("p", "blank", "done", "cast") and data.get("step") in ("pick", "confirm"):
        await _picking(ctx, bloc_id, action, value)
    else:
        ctx.notice(_("This button has expired."))


async def _open_ballot(ctx: Context, bloc_id: int, ballot_id: int) -> None:
    ballot = await ctx.services.ballots.ballot(bloc_id, ballot_id)
    if ballot is None or ballot.closed_at is not None:
        ctx.conversation.end()
        ctx.reply(text.refusal(CLOSED))
        return
    await _ask_pick(ctx, ballot, [])


async def _picking(ctx: Context, bloc_id: int, action: str, value: str) -> None:
    data = ctx.conversation.data
    ballot = await ctx.services.ballots.ballot(bloc_id, int(data["ballot"]))
    link = ctx.link
    if ballot is None or ballot.closed_at is not None or link is None:
        ctx.conversation.end()
        ctx.reply(text.refusal(CLOSED) if link else _("Only agency contacts can vote."))
        return
    picked = [str(code) for code in data.get("picked", [])]
    if action == "p" and value in ballot.slate.candidates:
        if ballot.seats == 1:
            picked = [value]
        elif value in picked:
            picked.remove(value)
            await _ask_pick(ctx, ballot, picked)
            return
        elif len(picked) < ballot.seats:
            picked.append(value)
            await _ask_pick(ctx, ballot, picked)
            return
        else:
            ctx.tell(text.seats_line(ballot.seats))
            return
    elif action == "blank":
        picked = []
    elif action == "cast" and data.get("step") == "confirm":
        await _cast(ctx, bloc_id, ballot, picked, None)
        return
    elif action != "done":
        ctx.notice(_("This button has expired."))
        return
    ctx.conversation.start(FLOW, step="confirm", ballot=ballot.id, picked=picked)
    if await ctx.services.ballots.voted(ballot.id, link.agency_id):
        ctx.conversation.data["step"] = "receipt"
        ctx.reply(text.receipt_question(ballot, picked))
        return
    buttons = [
        [
            Button(_("Cast the vote"), f"{PREFIX}:cast", _("yes")),
            Button(_("Cancel"), f"{PREFIX}:no", _("no")),
        ]
    ]
    ctx.reply(text.cast_question(ballot, picked), buttons, menu=True)


async def _cast(
    ctx: Context, bloc_id: int, ballot: BallotView, picked: list[str], receipt: str | None
) -> None:
    """Cast or change the vote, forget the dialog, and answer directly (never the outbox)."""
    link = ctx.link
    assert link is not None
    done = await ctx.services.ballots.cast(
        bloc_id, ballot.id, link.agency_id, tuple(picked), receipt
    )
    ctx.conversation.end()  # the choice is not kept once it is cast
    if done.receipt is not None:
        ctx.reply(text.cast_done(done.ballot, picked, done.receipt))
    else:
        ctx.reply(text.changed(done.ballot, done.before or (), picked))


async def typed_answer(ctx: Context, answer: str) -> None:
    """A typed answer in the ballot dialog: a closing time, a receipt, yes or no."""
    data = ctx.conversation.data
    bloc_id = ctx.bloc_id
    step = data.get("step")
    word = " ".join(answer.casefold().split())
    if bloc_id is None:
        ctx.conversation.end()
        return
    try:
        if step == "closes":
            await _typed_close(ctx, bloc_id, answer)
        elif step == "receipt":
            await _typed_receipt(ctx, bloc_id, answer)
        elif word in NO_WORDS or word == _("no").casefold():
            await _pressed(ctx, bloc_id, "no", "")
        elif step == "confirm" and (word in YES_WORDS or word == _("yes").casefold()):
            await _pressed(ctx, bloc_id, "cast", "")
        elif step == "confirm_open" and (word in YES_WORDS or word == _("yes").casefold()):
            await _pressed(ctx, bloc_id, "open", "")
        else:
            ctx.tell(_("Please answer with one of the options above, or send /cancel."))
    except BallotRefused as refused:
        ctx.conversation.end()
        ctx.reply(text.refusal(refused.reason))


async def _typed_close(ctx: Context, bloc_id: int, answer: str) -> None:
    slate = await ctx.services.ballots.slate(bloc_id, BallotKind(ctx.conversation.data["kind"]))
    now = ctx.services.ballots.clock.now()
    offset = typed.parse_offset(answer.strip().removeprefix("+"))
    closes = (now + offset) if offset else None
    if closes is None:
        closes = typed.parse_local_datetime(answer, slate.timezone, now, upcoming=True)
    if closes is None or closes <= now or closes > now + MAX_OPEN:
        ctx.tell(
            _(
                "“{answer}” is not a closing time within the next 60 days; send a date and time "
                "like 20/12/2025 17:00, or a delay like +1d or +2h."
            ).format(answer=answer[:40])
        )
        return
    _ask_open(ctx, slate, closes)


def _ask_open(ctx: Context, slate: SlateView, closes: datetime) -> None:
    kind = slate.kind.value
    ctx.conversation.start(FLOW, step="confirm_open", kind=kind, closes=closes.isoformat())
    buttons = [
        [
            Button(_("Open the ballot"), f"{PREFIX}:open", _("yes")),
            Button(_("Cancel"), f"{PREFIX}:no", _("no")),
        ]
    ]
    ctx.reply(text.open_question(slate, when(closes, slate.timezone)), buttons, menu=True)


async def _typed_receipt(ctx: Context, bloc_id: int, answer: str) -> None:
    receipt = read_receipt(answer)
    if receipt is None:
        ctx.tell(text.refusal(WRONG_RECEIPT))
        return
    data = ctx.conversation.data
    ballot = await ctx.services.ballots.ballot(bloc_id, int(data["ballot"]))
    if ballot is None:
        ctx.conversation.end()
        ctx.reply(text.refusal(CLOSED))
        return
    try:
        await _cast(ctx, bloc_id, ballot, [str(c) for c in data.get("picked", [])], receipt)
    except BallotRefused as refused:
        if refused.reason != WRONG_RECEIPT:
            raise
        ctx.tell(text.refusal(WRONG_RECEIPT))  # the question stands: try again or /cancel
