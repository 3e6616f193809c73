"""Secret ballots (bỏ phiếu kín): who may be chosen, the voter's receipt, and the tally.

A ballot acclaims (suy tôn) the leading unit or the units proposed for certificates, or elects
next year's head and deputies. One vote per member agency; the vote is stored without the
agency, and the agency changes it with the receipt it was given when it voted (only a hash of
the receipt is kept). The tally counts when more than ``quorum`` of the members voted, and a
candidate wins with more than ``threshold`` of the votes cast, the ``seats`` highest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

# Receipt letters: no 0/O, 1/I/L, so a receipt read aloud or copied by hand stays right.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 8


class BallotKind(StrEnum):
    """What a ballot decides."""

    FLAG = "flag"  # acclaim the leading unit (đơn vị dẫn đầu), for the emulation flag
    CERTIFICATES = "certificates"  # acclaim the units proposed for certificates of merit
    HEAD = "head"  # elect next year's head (Trưởng khối)
    DEPUTIES = "deputies"  # elect next year's deputies (Phó khối)

    @property
    def acclaims(self) -> bool:
        return self in (BallotKind.FLAG, BallotKind.CERTIFICATES)


@dataclass(frozen=True)
class Slate:
    """Who may be chosen (agency codes, in the order shown) and how many a voter may pick."""

    candidates: tuple[str, ...]
    seats: int


def acclaim_slate(agencies: Sequence[str], tied: Sequence[str], count: int) -> Slate:
    """The candidates of an acclamation: the award's proposed agencies from the ranking's top,
    with every agency tied for its last place when the bloc must decide the tie."""
    candidates = tuple(dict.fromkeys([*agencies, *tied]))
    return Slate(candidates, max(1, min(count, len(candidates))))


def election_slate(
    members: Sequence[str], head: str | None, head_repeats: bool, seats: int = 1
) -> Slate:
    """The candidates of an election: the member agencies, but this year's head when the
    rotation rule (``head_repeats`` False) says it may not be head again."""
    candidates = tuple(code for code in members if head_repeats or code != head)
    return Slate(candidates, max(1, min(seats, len(candidates))))


def receipt_hash(ballot_id: int, receipt: str) -> str:
    """What is stored of a receipt: SHA-256 of the ballot and the receipt."""
    return hashlib.sha256(f"{ballot_id}:{receipt}".encode()).hexdigest()


def read_receipt(text: str) -> str | None:
    """A receipt as typed (``abcd-efgh``, ``ABCD EFGH``), or None if it is not one."""
    letters = "".join(c for c in text.upper() if c not in " -_.")
    if len(letters) == RECEIPT_LENGTH and all(c in RECEIPT_ALPHABET for c in letters):
        return letters
    return None


def shown_receipt(receipt: str) -> str:
    """A receipt as the voter is given it: ``ABCD-EFGH``."""
    middle = len(receipt) // 2
    return f"{receipt[:middle]}-{receipt[middle:]}"


def valid_choice(choice: Sequence[str], slate: Slate) -> bool:
    """A choice the slate allows: known candidates, each once, at most ``seats`` ([] blank)."""
    return (
        len(set(choice)) == len(choice)
        and len(choice) <= slate.seats
        and all(code in slate.candidates for code in choice)
    )


@dataclass(frozen=True)
class Tally:
    """The count of a closed ballot."""

    counts: tuple[tuple[str, int], ...]  # votes per candidate, in the slate's order
    entitled: int  # member agencies that could vote
    voted: int  # agencies that voted (blank votes included)
    blank: int
    valid: bool  # the quorum was met
    winners: tuple[str, ...]  # highest first
    tied: tuple[str, ...]  # equal for the last seats: the bloc decides again

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": [[code, n] for code, n in self.counts],
            "entitled": self.entitled,
            "voted": self.voted,
            "blank": self.blank,
            "valid": self.valid,
            "winners": list(self.winners),
            "tied": list(self.tied),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tally:
        return cls(
            counts=tuple((str(code), int(n)) for code, n in data.get("counts", ())),
            entitled=int(data.get("entitled", 0)),
            voted=int(data.get("voted", 0)),
            blank=int(data.get("blank", 0)),
            valid=bool(data.get("valid", False)),
            winners=tuple(data.get("winners", ())),
            tied=tuple(data.get("tied", ())),
        )


def tally(
    slate: Slate,
    entitled: int,
    quorum: Decimal,
    threshold: Decimal,
    choices: Iterable[Sequence[str]],
) -> Tally:
    """Count the votes: valid only if more than ``quorum`` × ``entitled`` agencies voted;
    the winners have more than ``threshold`` × the votes cast, the ``seats`` highest; those
    equal for the last seat are reported as tied instead of chosen among."""
    counts = dict.fromkeys(slate.candidates, 0)
    voted = blank = 0
    for choice in choices:
        voted += 1
        if not choice:
            blank += 1
        for code in choice:
            if code in counts:
                counts[code] += 1
    valid = voted > quorum * entitled
    winners: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()
    if valid:
        passing = sorted(
            (code for code in slate.candidates if counts[code] > threshold * voted),
            key=lambda code: -counts[code],
        )
        if len(passing) <= slate.seats:
            winners = tuple(passing)
        else:
            last = counts[passing[slate.seats - 1]]
            winners = tuple(code for code in passing if counts[code] > last)
            at_last = tuple(code for code in passing if counts[code] == last)
            if len(winners) + len(at_last) == slate.seats:
                winners += at_last
            else:
                tied = at_last
    return Tally(tuple(counts.items()), entitled, voted, blank, valid, winners, tied)
