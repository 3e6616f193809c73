"""The leading unit (đơn vị dẫn đầu): from the first award when there are awards, else rank 1."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.domain.ranking import Candidate, Standings, propose_awards, rank
from bot.domain.rules import Award
from bot.domain.sheets import SheetTotals

SUBMITTED_AT = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)
FLAG = Award("Cờ thi đua của UBND tỉnh", 1)
CERTIFICATE = Award("Bằng khen của Chủ tịch UBND tỉnh", 2)


def agency(code: str, points: str, *, eligible: bool = True) -> Candidate:
    value = Decimal(points)
    totals = SheetTotals({}, value, Decimal(0), Decimal(0), Decimal(0), value)
    return Candidate(code, totals, SUBMITTED_AT, eligible, None if eligible else "kỷ luật")


def leader_code(standings: Standings, *awards: Award) -> str | None:
    leader = standings.leader(propose_awards(standings, awards))
    return leader.candidate.agency_code if leader is not None else None


def test_without_awards_the_single_agency_at_rank_one_leads() -> None:
    standings = rank([agency("thue", "90"), agency("khobac", "95")], [])

    assert leader_code(standings) == "khobac"


def test_without_awards_an_ineligible_first_place_leads_nobody() -> None:
    standings = rank([agency("thue", "90"), agency("khobac", "95", eligible=False)], [])

    assert leader_code(standings) is None
    assert standings.leader() is None


def test_with_awards_the_first_agency_of_the_first_award_leads() -> None:
    standings = rank([agency("thue", "90"), agency("khobac", "95", eligible=False)], [])

    assert leader_code(standings, FLAG, CERTIFICATE) == "thue"  # khobac is skipped


def test_with_awards_a_tie_at_the_first_award_still_names_the_first_proposed() -> None:
    standings = rank([agency("thue", "95"), agency("khobac", "95")], [])
    proposals = propose_awards(standings, [FLAG])

    assert proposals[0].tie_at_boundary
    assert leader_code(standings, FLAG) == "khobac"  # the bloc decides; listed by code
    assert standings.leader() is None  # without awards a shared first place has no leader


def test_a_first_award_given_to_nobody_names_no_leader() -> None:
    standings = rank([agency("thue", "95")], [])

    assert leader_code(standings, Award("Cờ thi đua", 0), CERTIFICATE) is None
    assert leader_code(rank([], []), FLAG) is None
