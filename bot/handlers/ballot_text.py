"""What the secret ballots (bỏ phiếu kín) say: what a ballot decides, its status, the
receipt, and the tally the bloc's group gets when it closes.

``tally_post`` is the presenter of ``bot.services.ballots.BallotTexts``: the service calls it
inside ``use_locale(<the reader's language>)`` and puts the result in the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.domain.ballots import BallotKind, shown_receipt
from bot.handlers.formatting import when
from bot.i18n import N_, _, ngettext
from bot.services.ballots import (
    ALREADY_OPEN,
    BAD_CHOICE,
    CLOSED,
    NO_CANDIDATES,
    NOT_MEMBER,
    PAST,
    VOTED,
    WRONG_RECEIPT,
    BallotView,
    SlateView,
)

KIND_NAMES = {
    BallotKind.FLAG: N_("acclaiming the leading unit"),
    BallotKind.CERTIFICATES: N_("acclaiming the units for certificates of merit"),
    BallotKind.HEAD: N_("electing the bloc head for {year}"),
    BallotKind.DEPUTIES: N_("electing the deputy heads for {year}"),
}

KIND_BUTTONS = {
    BallotKind.FLAG: N_("Acclaim the leading unit (flag)"),
    BallotKind.CERTIFICATES: N_("Acclaim the units for certificates of merit"),
    BallotKind.HEAD: N_("Elect next year's head"),
    BallotKind.DEPUTIES: N_("Elect next year's deputies"),
}

REFUSALS = {
    ALREADY_OPEN: N_("A ballot of this kind is already open; close it first (/vote close)."),
    NO_CANDIDATES: N_(
        "There is nobody to vote on yet: acclaiming needs a ranking of submitted sheets "
        "and an award in the bloc file."
    ),
    PAST: N_("The closing time must be in the future."),
    CLOSED: N_("This ballot has closed; send /vote status to see the ballots."),
    NOT_MEMBER: N_("Your agency is not a member of this season, so it cannot vote."),
    VOTED: N_(
        "Your agency has already voted in this ballot. To change its vote, send /vote "
        "followed by the receipt it was given, e.g. /vote ABCD-EFGH."
    ),
    WRONG_RECEIPT: N_(
        "That receipt does not match a vote of your agency in this ballot; a receipt is the "
        "8 letters and digits given when the vote was cast, e.g. ABCD-EFGH."
    ),
    BAD_CHOICE: N_("That choice is not on this ballot; please choose again with the buttons."),
}


def refusal(reason: str) -> str:
    return _(REFUSALS[reason])


def kind_name(kind: BallotKind, title: str) -> str:
    """``acclaiming the leading unit (Cờ thi đua của UBND tỉnh)``."""
    if kind.acclaims:
        return f"{_(KIND_NAMES[kind])} ({title})"
    return _(KIND_NAMES[kind]).format(year=title)


def kind_button(kind: BallotKind) -> str:
    return _(KIND_BUTTONS[kind])


def label(ballot: BallotView | SlateView) -> str:
    return kind_name(ballot.kind, ballot.title)


def button(ballot: BallotView) -> str:
    """A ballot as a button names it: ``Electing the bloc head for 2022``."""
    what = label(ballot)
    return what[:1].upper() + what[1:]


def names(ballot: BallotView, codes: Sequence[str]) -> str:
    """The chosen agencies, or the words for a blank vote."""
    return ", ".join(ballot.name(code) for code in codes) if codes else _("a blank vote")


def share(value: Decimal) -> str:
    """``50%``."""
    return f"{(value * 100).normalize():f}%"


def slate_text(slate: SlateView) -> str:
    """What a new ballot would decide, and the question of its closing time."""
    lines = [_("Secret ballot: {what}.").format(what=label(slate)), _("Candidates:")]
    lines += [f"• {ref.name}" for ref in slate.candidates]
    lines.append(seats_line(slate.seats))
    lines.append(
        _(
            "When does it close? Send a date and time like 20/12/2025 17:00, or a delay like "
            "+1d or +2h; or choose {default}."
        ).format(default=when(slate.default_close, slate.timezone))
    )
    return "\n".join(lines)


def seats_line(seats: int) -> str:
    if seats == 1:
        return _("Each agency chooses one.")
    return _("Each agency chooses up to {n}.").format(n=seats)


def open_question(slate: SlateView, closes: str) -> str:
    return _(
        "Open the secret ballot {what} until {time}? Every member agency can vote once, by any "
        "one of its contacts; nobody, not even the head, can see who voted for whom."
    ).format(what=label(slate), time=closes)


def opened(ballot: BallotView) -> str:
    return _(
        "The secret ballot {what} is open until {time}. Send /vote to vote, /vote status to "
        "see how many agencies have voted."
    ).format(what=label(ballot), time=when(ballot.closes_at, ballot.timezone))


def status_line(ballot: BallotView, voted: bool | None) -> str:
    line = _("{what}: {voted} of {total} agencies have voted; closes {time}.").format(
        what=label(ballot),
        voted=ballot.voted,
        total=ballot.entitled,
        time=when(ballot.closes_at, ballot.timezone),
    )
    if voted is not None:
        line += " " + (_("Your agency has voted.") if voted else _("Your agency has not voted."))
    return line


def ballot_question(ballot: BallotView, picked: Sequence[str]) -> str:
    lines = [_("Secret ballot: {what}.").format(what=label(ballot)), seats_line(ballot.seats)]
    if ballot.seats > 1:
        lines.append(
            _("Chosen so far: {names}. Press a name to add or remove it, then Done.").format(
                names=names(ballot, picked)
            )
        )
    return "\n".join(lines)


def cast_question(ballot: BallotView, picked: Sequence[str]) -> str:
    return _("Cast your agency's vote for {names}? It stays secret.").format(
        names=names(ballot, picked)
    )


def receipt_question(ballot: BallotView, picked: Sequence[str]) -> str:
    return _(
        "To change your agency's vote to {names}, send the receipt it was given when it voted "
        "(e.g. ABCD-EFGH). I do not keep receipts, so I cannot look it up."
    ).format(names=names(ballot, picked))


def cast_done(ballot: BallotView, picked: Sequence[str], receipt: str) -> str:
    return _(
        "Your agency's vote for {names} is cast. Receipt: {receipt}. Keep it: with it any "
        "contact of your agency can change the vote until {time} (send /vote {receipt}). "
        "It is shown only this once and nobody can see who voted for whom."
    ).format(
        names=names(ballot, picked),
        receipt=shown_receipt(receipt),
        time=when(ballot.closes_at, ballot.timezone),
    )


def changed(ballot: BallotView, before: Sequence[str], picked: Sequence[str]) -> str:
    return _("Your agency's vote is changed from {old} to {new}.").format(
        old=names(ballot, before), new=names(ballot, picked)
    )


def current_vote(ballot: BallotView, choice: Sequence[str]) -> str:
    return _("Your agency's vote in {what} is now for {names}. Choose the new vote.").format(
        what=label(ballot), names=names(ballot, choice)
    )


def tally_post(ballot: BallotView) -> str:
    """The tally, to the bloc's group and contacts, when the ballot closes."""
    result = ballot.tally
    assert result is not None
    lines = [
        _("Result of the secret ballot {what}, {bloc}:").format(
            what=label(ballot), bloc=ballot.bloc_name
        ),
        _("{voted} of {total} member agencies voted ({blank} blank).").format(
            voted=result.voted, total=result.entitled, blank=result.blank
        ),
    ]
    lines += [
        "• " + ngettext("{name}: {n} vote", "{name}: {n} votes", n).format(
            name=ballot.name(code), n=n
        )
        for code, n in result.counts
    ]  # fmt: skip
    if not result.valid:
        lines.append(
            _("The ballot does not count: no more than {share} of the members voted.").format(
                share=share(ballot.quorum)
            )
        )
        return "\n".join(lines)
    if result.winners:
        chosen = ", ".join(ballot.name(code) for code in result.winners)
        if ballot.kind.acclaims:
            lines.append(_("Acclaimed: {names}.").format(names=chosen))
        else:
            lines.append(_("Elected: {names}.").format(names=chosen))
    if result.tied:
        lines.append(
            _("Tied for the last place: {names}; the bloc decides again.").format(
                names=", ".join(ballot.name(code) for code in result.tied)
            )
        )
    if not result.winners and not result.tied:
        lines.append(
            _("No candidate had more than {share} of the votes cast.").format(
                share=share(ballot.threshold)
            )
        )
    return "\n".join(lines)
