"""Standings (xếp hạng): the ranking of the agencies that submitted, the leading unit and the
award proposals; provisional (reviewed values, else self-scores) before the announcement, final
after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.awards import BallotOutcome, decide_awards, outcomes_of
from bot.domain.ranking import Candidate, rank
from bot.domain.rules import Award, TieBreak, parse_tie_break
from bot.domain.sheets import SheetTotals, total, with_late
from bot.domain.year import SeasonRules
from bot.services.progress import AgencyRef, ProgressView
from bot.services.scoring import table_of
from bot.storage.models import Ballot, ScoreEntry, ScoreSheet, Season


@dataclass(frozen=True)
class RankedAgency:
    """An agency's place in the standings."""

    rank: int
    shared: bool  # another agency has the same rank
    agency: AgencyRef
    totals: SheetTotals
    eligible: bool
    ineligible_reason: str | None
    decided_by: TieBreak | None  # the rule that separated it from an equal total
    late: bool = False  # submitted after the deadline; ``totals.late`` the points it lost

    @property
    def total(self) -> Decimal:
        return self.totals.total


@dataclass(frozen=True)
class BallotDecision:
    """The secret ballot (bỏ phiếu kín) that decided an award: its winners' votes."""

    id: int
    title: str
    votes: tuple[tuple[AgencyRef, int], ...]  # each winner and the votes it got
    voted: int  # votes cast
    entitled: int  # member agencies that could vote

    def votes_of(self, code: str) -> int | None:
        return next((n for ref, n in self.votes if ref.code == code), None)


@dataclass(frozen=True)
class AwardLine:
    """The agencies proposed for one award: by the ranking, or by a ballot (``ballot``).

    ``tied`` lists, when the last place of the award is tied with an eligible agency left out,
    every eligible agency at that rank (``tie_rank``): the bloc decides between them.
    ``refused``: agencies the ballot chose that are not eligible for awards.
    """

    title: str
    count: int
    agencies: tuple[AgencyRef, ...]
    tie_rank: int | None
    tied: tuple[AgencyRef, ...]
    ballot: BallotDecision | None = None
    refused: tuple[AgencyRef, ...] = ()


@dataclass(frozen=True)
class StandingsView:
    """The ranking: provisional (self-scores) before the announcement, final after."""

    progress: ProgressView
    final: bool
    placings: tuple[RankedAgency, ...]
    leader: AgencyRef | None  # đơn vị dẫn đầu
    awards: tuple[AwardLine, ...]
    not_ranked: tuple[AgencyRef, ...]  # no submitted sheet

    def ineligible(self) -> tuple[RankedAgency, ...]:
        return tuple(placing for placing in self.placings if not placing.eligible)


def standings_view(
    progress: ProgressView,
    season: Season,
    sheets: Sequence[ScoreSheet],
    ballots: Sequence[Ballot] = (),
) -> StandingsView:
    """Rank the submitted sheets of ``season``: by final scores once announced, else by the
    reviewed values where there are, the self-scores elsewhere. The closed acclamations among
    ``ballots`` (once announced: those closed by then) decide their awards."""
    final = season.announced_at is not None
    table = table_of(season)
    codes = {row.id: row.code for row in season.criteria}
    members = {member.agency_id: member for member in season.members}
    refs = {line.agency.code: line.agency for line in progress.agencies}
    rules = SeasonRules.from_json(season.rules)
    late_codes: set[str] = set()  # agencies whose sheet came after the deadline
    candidates = []
    for sheet in sheets:
        member = members.get(sheet.agency_id)
        if member is None or sheet.submitted_at is None:
            continue
        values = {
            codes[e.criterion_id]: value
            for e in sheet.entries
            if e.criterion_id in codes and (value := _value(e, final)) is not None
        }
        lost = Decimal(0)
        if sheet.late:
            late_codes.add(member.agency.code)
            lost = rules.late_deduction
        candidates.append(
            Candidate(
                agency_code=member.agency.code,
                totals=with_late(total(table, values), lost),
                submitted_at=sheet.submitted_at,
                eligible=member.eligible,
                ineligible_reason=member.ineligible_reason,
            )
        )
    tie_break = [parse_tie_break(text) for text in season.tie_break]
    standings = rank(candidates, tie_break)
    awards = [Award(str(a["title"]), int(a["count"])) for a in season.awards]
    decided = decide_awards(standings, awards, _outcomes(season, ballots))
    proposals = tuple(award.proposal for award in decided)
    placings = tuple(
        RankedAgency(
            rank=p.rank,
            shared=p.shared,
            agency=refs[p.candidate.agency_code],
            totals=p.candidate.totals,
            eligible=p.candidate.eligible,
            ineligible_reason=p.candidate.ineligible_reason,
            decided_by=p.decided_by,
            late=p.candidate.agency_code in late_codes,
        )
        for p in standings.placings
    )
    lines = []
    for award, proposal in zip(decided, proposals, strict=True):
        tie_rank: int | None = None
        tied: tuple[AgencyRef, ...] = ()
        if proposal.tie_at_boundary:
            last = standings.by_agency(proposal.agency_codes[-1])
            assert last is not None
            tie_rank = last.rank
            tied = tuple(r.agency for r in placings if r.eligible and r.rank == tie_rank)
        lines.append(
            AwardLine(
                title=proposal.award.title,
                count=proposal.award.count,
                agencies=tuple(refs[code] for code in proposal.agency_codes),
                tie_rank=tie_rank,
                tied=tied,
                ballot=_decision(award.ballot, refs),
                refused=tuple(refs.get(code) or AgencyRef(code, code) for code in award.refused),
            )
        )
    leader = standings.leader(proposals)
    ranked = {p.agency.code for p in placings}
    return StandingsView(
        progress=progress,
        final=final,
        placings=placings,
        leader=refs[leader.candidate.agency_code] if leader is not None else None,
        awards=tuple(lines),
        not_ranked=tuple(r for code, r in refs.items() if code not in ranked),
    )


def _value(entry: ScoreEntry, final: bool) -> Decimal | None:
    """What a criterion counts for in the ranking: its final value once announced, else its
    reviewed value, else the agency's own."""
    if final:
        return entry.final_value
    return entry.reviewed_value if entry.reviewed_value is not None else entry.self_value


def _outcomes(season: Season, ballots: Sequence[Ballot]) -> tuple[BallotOutcome, ...]:
    """The season's closed ballots that count: once announced, those closed by then."""
    cutoff = season.announced_at
    return outcomes_of(
        [
            (b.id, b.kind, b.title, b.result)
            for b in ballots
            if b.season_id == season.id
            and b.closed_at is not None
            and (cutoff is None or b.closed_at <= cutoff)
        ]
    )


def _decision(outcome: BallotOutcome | None, refs: dict[str, AgencyRef]) -> BallotDecision | None:
    if outcome is None:
        return None
    tally = outcome.tally
    votes = tuple(
        (refs.get(code) or AgencyRef(code, code), outcome.votes(code)) for code in tally.winners
    )
    return BallotDecision(outcome.ballot_id, outcome.title, votes, tally.voted, tally.entitled)
