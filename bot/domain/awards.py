"""Awards decided by secret ballot: a closed, valid acclamation (suy tôn) takes the place of
the ranking's proposal for its award; the other awards are filled from the ranking's top
with the agencies left.

The flag ballot decides the first award of the bloc file (the emulation flag, so the leading
unit), the certificates ballot the second. An ineligible agency gets no award even if voted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.ballots import BallotKind, Tally
from bot.domain.ranking import AwardProposal, Standings
from bot.domain.rules import Award

# Which award (by its place in the bloc file) each acclamation decides.
AWARD_OF_KIND = {BallotKind.FLAG: 0, BallotKind.CERTIFICATES: 1}


@dataclass(frozen=True)
class BallotOutcome:
    """A closed ballot as it bears on an award."""

    ballot_id: int
    kind: BallotKind
    title: str
    tally: Tally

    @property
    def decides(self) -> bool:
        """Valid and with winners: it settles its award."""
        return self.kind in AWARD_OF_KIND and self.tally.valid and bool(self.tally.winners)

    def votes(self, code: str) -> int:
        return dict(self.tally.counts).get(code, 0)


@dataclass(frozen=True)
class DecidedAward:
    """An award's agencies, from the ranking or from a ballot (``ballot``).

    ``refused``: agencies the ballot chose that are not eligible for awards.
    """

    proposal: AwardProposal
    ballot: BallotOutcome | None = None
    refused: tuple[str, ...] = ()


def decide_awards(
    standings: Standings, awards: Sequence[Award], outcomes: Sequence[BallotOutcome]
) -> tuple[DecidedAward, ...]:
    """Fill ``awards`` in order: those a ballot decides with its eligible winners, the others
    from the top of the ranking with the eligible agencies no award has yet (one each)."""
    eligible = {p.candidate.agency_code for p in standings.placings if p.candidate.eligible}
    deciding: dict[int, BallotOutcome] = {}
    for outcome in outcomes:  # the latest ballot of a kind counts
        index = AWARD_OF_KIND.get(outcome.kind)
        if outcome.decides and index is not None and index < len(awards):
            deciding[index] = outcome
    voted = {
        index: tuple(code for code in outcome.tally.winners if code in eligible)
        for index, outcome in deciding.items()
    }
    taken = {code for codes in voted.values() for code in codes}
    waiting = [
        p
        for p in standings.placings
        if p.candidate.eligible and p.candidate.agency_code not in taken
    ]
    decided: list[DecidedAward] = []
    for index, award in enumerate(awards):
        ballot = deciding.get(index)
        if ballot is not None:
            refused = tuple(code for code in ballot.tally.winners if code not in eligible)
            decided.append(
                DecidedAward(AwardProposal(award, voted[index], False), ballot, refused)
            )
            continue
        count = max(award.count, 0)
        chosen, waiting = waiting[:count], waiting[count:]
        tie = bool(chosen) and any(p.rank == chosen[-1].rank for p in waiting)
        codes = tuple(p.candidate.agency_code for p in chosen)
        decided.append(DecidedAward(AwardProposal(award, codes, tie)))
    return tuple(decided)


def outcomes_of(
    ballots: Sequence[tuple[int, str, str, Mapping[str, object] | None]],
) -> tuple[BallotOutcome, ...]:
    """The acclamations among closed ballots (id, kind, title, result JSON), oldest first."""
    found = []
    for ballot_id, kind, title, result in sorted(ballots, key=lambda b: b[0]):
        if result is None or kind not in {k.value for k in AWARD_OF_KIND}:
            continue
        found.append(BallotOutcome(ballot_id, BallotKind(kind), title, Tally.from_json(result)))
    return tuple(found)
