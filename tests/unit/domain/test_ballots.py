"""The secret ballot's rules: candidates, receipts, quorum, threshold and ties."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.ballots import (
    Slate,
    Tally,
    acclaim_slate,
    election_slate,
    read_receipt,
    receipt_hash,
    shown_receipt,
    tally,
    valid_choice,
)

HALF = Decimal("0.5")
MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h"]


def count(slate: Slate, votes: list[list[str]], entitled: int = 8) -> Tally:
    return tally(slate, entitled, HALF, HALF, votes)


def test_an_acclamation_has_the_award_and_every_agency_tied_for_its_last_place() -> None:
    assert acclaim_slate(["a"], [], 1) == Slate(("a",), 1)
    assert acclaim_slate(["a"], ["a", "b"], 1) == Slate(("a", "b"), 1)
    assert acclaim_slate(["a", "b"], ["b", "c"], 2) == Slate(("a", "b", "c"), 2)


def test_the_head_is_no_candidate_for_head_unless_the_bloc_lets_it_repeat() -> None:
    assert election_slate(MEMBERS, "e", False).candidates == ("a", "b", "c", "d", "f", "g", "h")
    assert election_slate(MEMBERS, "e", True).candidates == tuple(MEMBERS)
    assert election_slate(MEMBERS, "e", True, seats=2).seats == 2


def test_receipts_are_read_as_people_type_them() -> None:
    assert read_receipt("abcd-efgh") == "ABCDEFGH"
    assert read_receipt(" ABCD EFGH ") == "ABCDEFGH"
    assert read_receipt("ABCD-EFG0") is None  # 0 is no receipt letter
    assert read_receipt("ABCDEFG") is None
    assert shown_receipt("ABCDEFGH") == "ABCD-EFGH"
    assert receipt_hash(1, "ABCDEFGH") != receipt_hash(2, "ABCDEFGH")


def test_a_choice_is_known_candidates_each_once_within_the_seats() -> None:
    slate = Slate(("a", "b", "c"), 2)
    assert valid_choice(("a", "c"), slate) and valid_choice((), slate)
    assert not valid_choice(("a", "b", "c"), slate)
    assert not valid_choice(("a", "a"), slate)
    assert not valid_choice(("z",), slate)


def test_no_more_than_half_voting_makes_no_valid_ballot() -> None:
    result = count(Slate(("a", "b"), 1), [["a"], ["a"], ["a"], ["b"]])

    assert (result.voted, result.valid, result.winners) == (4, False, ())
    assert count(Slate(("a", "b"), 1), [["a"]] * 5).valid


def test_a_winner_needs_more_than_half_of_the_votes_cast_blank_ones_included() -> None:
    slate = Slate(("a", "b"), 1)

    assert count(slate, [["a"], ["a"], ["a"], ["b"], []]).winners == ("a",)
    split = count(slate, [["a"], ["a"], ["b"], [], []])  # 2 of 5 is not more than half
    assert (split.winners, split.tied, split.blank) == ((), (), 2)
    assert split.counts == (("a", 2), ("b", 1))


def test_the_highest_take_the_seats_and_a_tie_for_the_last_is_reported() -> None:
    slate = Slate(("a", "b", "c"), 2)
    clear = count(slate, [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b"], ["b", "c"]])
    assert clear.winners == ("a", "b")

    tied = count(slate, [["a", "b"], ["a", "c"], ["a", "b"], ["a", "c"], ["b", "c"]])
    assert (tied.winners, tied.tied) == (("a",), ("b", "c"))


def test_the_tally_keeps_as_json() -> None:
    result = count(Slate(("a", "b"), 1), [["a"]] * 5 + [[]])

    assert Tally.from_json(result.as_json()) == result
