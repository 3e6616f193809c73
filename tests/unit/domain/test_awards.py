"""Awards decided by secret ballot: the winners take the award, ineligible ones never do."""

from __future__ import annotations

from bot.domain.awards import BallotOutcome, decide_awards, outcomes_of
from bot.domain.ballots import BallotKind, Tally
from bot.domain.ranking import Standings, propose_awards, rank
from tests.unit.domain.test_ranking import CERTIFICATE, FLAG, TIE_BREAK, agency


def outcome(kind: BallotKind, winners: tuple[str, ...], *, valid: bool = True) -> BallotOutcome:
    counts = tuple((code, 6) for code in winners)
    return BallotOutcome(7, kind, "flag", Tally(counts, 8, 8, 0, valid, winners, ()))


def tied_standings() -> Standings:
    """A and B equal on every rule at rank 1, then C, D, E."""
    same = {"group_i": "30"}
    return rank(
        [
            agency("A", "95", **same),
            agency("B", "95", **same),
            agency("C", "90"),
            agency("D", "85"),
            agency("E", "80", eligible=False),
        ],
        TIE_BREAK,
    )


def test_without_ballots_the_ranking_proposes() -> None:
    standings = tied_standings()
    decided = decide_awards(standings, [FLAG, CERTIFICATE], ())
    assert tuple(d.proposal for d in decided) == propose_awards(standings, [FLAG, CERTIFICATE])
    assert decided[0].proposal.tie_at_boundary


def test_a_flag_ballot_decides_the_tie_and_the_rest_refill() -> None:
    decided = decide_awards(
        tied_standings(), [FLAG, CERTIFICATE], [outcome(BallotKind.FLAG, ("B",))]
    )
    flag, certificates = decided
    assert flag.proposal.agency_codes == ("B",)
    assert not flag.proposal.tie_at_boundary
    assert flag.ballot is not None and flag.ballot.votes("B") == 6
    assert certificates.proposal.agency_codes == ("A", "C")
    assert certificates.ballot is None


def test_an_ineligible_winner_gets_no_award() -> None:
    decided = decide_awards(
        tied_standings(), [FLAG, CERTIFICATE], [outcome(BallotKind.CERTIFICATES, ("C", "E"))]
    )
    assert decided[1].proposal.agency_codes == ("C",)
    assert decided[1].refused == ("E",)
    assert decided[0].proposal.agency_codes == ("A",)  # the flag still tied, from the ranking
    assert decided[0].proposal.tie_at_boundary


def test_an_invalid_or_winnerless_ballot_decides_nothing() -> None:
    standings = tied_standings()
    for kept in (outcome(BallotKind.FLAG, ("B",), valid=False), outcome(BallotKind.FLAG, ())):
        decided = decide_awards(standings, [FLAG, CERTIFICATE], [kept])
        assert decided[0].ballot is None
        assert decided[0].proposal.agency_codes == ("A",)


def test_outcomes_skip_elections_and_open_ballots() -> None:
    result = Tally((("B", 5),), 8, 6, 1, True, ("B",), ()).as_json()
    found = outcomes_of(
        [(3, "flag", "Cờ", result), (2, "head", "2026", result), (4, "certificates", "B", None)]
    )
    assert [(o.ballot_id, o.kind) for o in found] == [(3, BallotKind.FLAG)]
