"""Ranking the agencies of a bloc and proposing its awards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import permutations

import pytest

from bot.domain.criteria import ScoringTable
from bot.domain.ranking import Candidate, Standings, group_subtotal, propose_awards, rank
from bot.domain.rules import Award, TieBreak, parse_tie_break
from bot.domain.sheets import SheetTotals, total

GROUP_I, DEDUCTIONS, SUBMITTED_AT = (
    parse_tie_break(word) for word in ("group:I", "deductions", "submitted_at")
)
TIE_BREAK = (GROUP_I, DEDUCTIONS, SUBMITTED_AT)  # as in the tw-thaibinh sample

FLAG = Award("Cờ thi đua của UBND tỉnh", 1)
CERTIFICATE = Award("Bằng khen của Chủ tịch UBND tỉnh", 2)

DEADLINE = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)


def agency(
    code: str,
    points: str,
    *,
    group_i: str = "30",
    deductions: str = "0",
    submitted_at: datetime | None = DEADLINE,
    eligible: bool = True,
) -> Candidate:
    """An agency whose sheet totals ``points``, with group I and deductions as given."""
    totals = SheetTotals(
        groups={"I": Decimal(group_i), "D": Decimal(deductions)},
        base=Decimal(points) + Decimal(deductions),
        bonus=Decimal(0),
        bonus_uncapped=Decimal(0),
        deductions=Decimal(deductions),
        total=Decimal(points),
    )
    reason = None if eligible else "Thủ trưởng bị kỷ luật trong năm"
    return Candidate(code, totals, submitted_at, eligible, reason)


def order(standings: Standings) -> list[tuple[int, str]]:
    return [(p.rank, p.candidate.agency_code) for p in standings.placings]


def sides(standings: Standings) -> list[tuple[TieBreak | None, TieBreak | None]]:
    """For each place: the rule that put the place above first, and the one that put it first."""
    return [(p.behind, p.ahead) for p in standings.placings]


# Ranking


def test_agencies_are_ranked_by_total_highest_first() -> None:
    standings = rank([agency("thue", "90"), agency("khobac", "95.5"), agency("bhxh", "80")], [])

    assert order(standings) == [(1, "khobac"), (2, "thue"), (3, "bhxh")]
    assert not any(p.shared or p.decided_by for p in standings.placings)


def test_the_order_agencies_arrive_in_does_not_matter() -> None:
    pool = [
        agency("thue", "90"),
        agency("khobac", "90", group_i="31"),
        agency("bhxh", "90"),
        agency("nhnn", "95"),
    ]

    results = {tuple(order(rank(shuffled, TIE_BREAK))) for shuffled in permutations(pool)}

    assert results == {((1, "nhnn"), (2, "khobac"), (3, "bhxh"), (3, "thue"))}


def test_a_tie_is_broken_by_the_named_group() -> None:
    standings = rank(
        [agency("thue", "90", group_i="30"), agency("khobac", "90", group_i="32.5")], TIE_BREAK
    )

    assert order(standings) == [(1, "khobac"), (2, "thue")]
    assert [p.decided_by for p in standings.placings] == [GROUP_I, GROUP_I]
    assert not any(p.shared for p in standings.placings)


def test_a_tie_on_total_and_group_is_broken_by_fewer_deductions() -> None:
    standings = rank(
        [agency("thue", "90", deductions="1"), agency("khobac", "90", deductions="0")], TIE_BREAK
    )

    assert order(standings) == [(1, "khobac"), (2, "thue")]
    assert [p.decided_by for p in standings.placings] == [DEDUCTIONS, DEDUCTIONS]


def test_a_tie_on_everything_else_is_broken_by_earlier_submission() -> None:
    standings = rank(
        [
            agency("thue", "90", submitted_at=DEADLINE),
            agency("khobac", "90", submitted_at=DEADLINE - timedelta(days=2)),
        ],
        TIE_BREAK,
    )

    assert order(standings) == [(1, "khobac"), (2, "thue")]
    assert [p.decided_by for p in standings.placings] == [SUBMITTED_AT, SUBMITTED_AT]
    # khobac is ahead of thue by the submission time, thue behind khobac by it.
    assert sides(standings) == [(None, SUBMITTED_AT), (SUBMITTED_AT, None)]


def test_an_agency_that_never_submitted_loses_the_submission_tie_break() -> None:
    standings = rank(
        [agency("aaa", "90", submitted_at=None), agency("zzz", "90", submitted_at=DEADLINE)],
        [SUBMITTED_AT],
    )

    assert order(standings) == [(1, "zzz"), (2, "aaa")]


def test_tie_break_rules_apply_in_the_order_given() -> None:
    # thue has more group I points but more deductions: the group rule comes first.
    pool = [
        agency("thue", "90", group_i="32", deductions="2"),
        agency("khobac", "90", group_i="30", deductions="0"),
    ]

    assert order(rank(pool, [GROUP_I, DEDUCTIONS])) == [(1, "thue"), (2, "khobac")]
    assert order(rank(pool, [DEDUCTIONS, GROUP_I])) == [(1, "khobac"), (2, "thue")]


def test_tie_break_rules_do_not_reorder_different_totals() -> None:
    standings = rank(
        [agency("thue", "90.5", group_i="20"), agency("khobac", "90", group_i="35")], TIE_BREAK
    )

    assert order(standings) == [(1, "thue"), (2, "khobac")]
    assert [p.decided_by for p in standings.placings] == [None, None]


def test_an_unbroken_tie_shares_the_rank_and_skips_the_next() -> None:
    standings = rank(
        [agency("thue", "90"), agency("bhxh", "85"), agency("khobac", "90")], TIE_BREAK
    )

    assert order(standings) == [(1, "khobac"), (1, "thue"), (3, "bhxh")]
    assert [p.shared for p in standings.placings] == [True, True, False]
    assert [p.decided_by for p in standings.placings] == [None, None, None]


def test_without_tie_break_rules_equal_totals_share_a_rank() -> None:
    standings = rank([agency("thue", "90", group_i="35"), agency("khobac", "90")], [])

    assert order(standings) == [(1, "khobac"), (1, "thue")]


def test_equal_totals_written_differently_are_still_a_tie() -> None:
    standings = rank([agency("thue", "90.0"), agency("khobac", "90")], [])

    assert [p.shared for p in standings.placings] == [True, True]


def test_in_a_three_way_tie_each_place_names_the_rule_that_set_it_apart() -> None:
    standings = rank(
        [
            agency("a", "90", group_i="32"),
            agency("b", "90", group_i="30", deductions="0"),
            agency("c", "90", group_i="30", deductions="1"),
        ],
        TIE_BREAK,
    )

    assert order(standings) == [(1, "a"), (2, "b"), (3, "c")]
    # b is below a by group I, and above c by deductions: the rule against the place above.
    assert [p.decided_by for p in standings.placings] == [GROUP_I, GROUP_I, DEDUCTIONS]
    assert sides(standings) == [(None, GROUP_I), (GROUP_I, DEDUCTIONS), (DEDUCTIONS, None)]


def test_agencies_sharing_a_rank_below_a_broken_tie_know_why_they_are_below() -> None:
    standings = rank(
        [agency("a", "90", group_i="32"), agency("b", "90"), agency("c", "90")], TIE_BREAK
    )

    assert order(standings) == [(1, "a"), (2, "b"), (2, "c")]
    assert [p.decided_by for p in standings.placings] == [GROUP_I, GROUP_I, GROUP_I]
    assert sides(standings) == [(None, GROUP_I), (GROUP_I, None), (GROUP_I, None)]


def test_a_shared_place_above_a_broken_tie_knows_both_are_ahead() -> None:
    standings = rank(
        [agency("a", "90"), agency("b", "90"), agency("c", "90", deductions="1")], TIE_BREAK
    )

    assert order(standings) == [(1, "a"), (1, "b"), (3, "c")]
    assert sides(standings) == [(None, DEDUCTIONS), (None, DEDUCTIONS), (DEDUCTIONS, None)]


def test_a_neighbour_with_another_total_is_no_tie_on_either_side() -> None:
    standings = rank(
        [
            agency("a", "95"),
            agency("b", "90", submitted_at=DEADLINE - timedelta(seconds=1)),
            agency("c", "90"),
            agency("d", "85"),
        ],
        TIE_BREAK,
    )

    assert order(standings) == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
    assert sides(standings) == [
        (None, None),
        (None, SUBMITTED_AT),
        (SUBMITTED_AT, None),
        (None, None),
    ]


def test_the_group_tie_break_ignores_case_of_the_group_code() -> None:
    pool = [agency("thue", "90", group_i="30"), agency("khobac", "90", group_i="31")]

    assert order(rank(pool, [parse_tie_break("group:i")])) == [(1, "khobac"), (2, "thue")]


def test_a_group_subtotal_is_found_whatever_the_case_of_its_code() -> None:
    totals = agency("thue", "90", group_i="31.5").totals

    assert group_subtotal(totals, "i") == group_subtotal(totals, "I") == Decimal("31.5")


def test_a_tie_break_on_a_group_the_table_lacks_is_an_error() -> None:
    with pytest.raises(KeyError, match="IX"):
        rank([agency("thue", "90")], [TieBreak(GROUP_I.kind, "IX")])


def test_an_agency_listed_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="thue"):
        rank([agency("thue", "90"), agency("thue", "80")], TIE_BREAK)


def test_an_ineligible_agency_keeps_its_place_in_the_ranking() -> None:
    standings = rank([agency("thue", "95", eligible=False), agency("khobac", "90")], TIE_BREAK)

    top = standings.by_agency("thue")
    assert top is not None and top.rank == 1
    assert top.candidate.ineligible_reason == "Thủ trưởng bị kỷ luật trong năm"


def test_ranking_sheets_added_up_from_the_table(table: ScoringTable) -> None:
    def sheet(**values: str) -> SheetTotals:
        return total(table, {code.replace("_", "."): Decimal(v) for code, v in values.items()})

    # Both total 37, thue with its bonus capped at 5; khobac did more on its professional tasks.
    thue = Candidate("thue", sheet(I_1="25", II_1="8", B_1="5", B_2="3", D_1="1"), DEADLINE)
    khobac = Candidate("khobac", sheet(I_1="25", I_2="10", II_1="2", B_1="5", D_2="5"), DEADLINE)

    standings = rank([thue, khobac], TIE_BREAK)

    assert thue.totals.total == khobac.totals.total == Decimal(37)
    assert order(standings) == [(1, "khobac"), (2, "thue")]
    assert standings.placings[0].decided_by == GROUP_I


# Leader and lookup


def test_the_leader_is_the_single_agency_at_rank_one() -> None:
    standings = rank([agency("thue", "90"), agency("khobac", "95")], TIE_BREAK)

    leader = standings.leader()
    assert leader is not None and leader.candidate.agency_code == "khobac"


def test_a_shared_first_place_has_no_leader() -> None:
    standings = rank([agency("thue", "95"), agency("khobac", "95")], TIE_BREAK)

    assert standings.leader() is None


def test_an_empty_bloc_has_no_leader() -> None:
    standings = rank([], TIE_BREAK)

    assert standings.placings == ()
    assert standings.leader() is None


def test_an_agency_is_found_by_code() -> None:
    standings = rank([agency("thue", "90"), agency("khobac", "95")], TIE_BREAK)

    found = standings.by_agency("thue")
    assert found is not None and found.rank == 2
    assert standings.by_agency("haiquan") is None


# Awards


def bloc_of(*candidates: Candidate) -> Standings:
    return rank(candidates, TIE_BREAK)


def test_awards_are_filled_from_the_top_in_order() -> None:
    standings = bloc_of(
        agency("nhnn", "98"), agency("thue", "96"), agency("khobac", "95"), agency("bhxh", "90")
    )

    flag, certificates = propose_awards(standings, [FLAG, CERTIFICATE])

    assert (flag.award, flag.agency_codes, flag.tie_at_boundary) == (FLAG, ("nhnn",), False)
    assert certificates.agency_codes == ("thue", "khobac")
    assert not certificates.tie_at_boundary


def test_an_ineligible_agency_is_skipped_for_awards_but_still_ranked() -> None:
    standings = bloc_of(
        agency("nhnn", "98", eligible=False),
        agency("thue", "96"),
        agency("khobac", "95"),
        agency("bhxh", "90"),
    )

    flag, certificates = propose_awards(standings, [FLAG, CERTIFICATE])

    assert flag.agency_codes == ("thue",)
    assert certificates.agency_codes == ("khobac", "bhxh")
    assert order(standings)[0] == (1, "nhnn")


def test_a_tie_for_the_flag_is_flagged_for_the_bloc_to_decide() -> None:
    standings = bloc_of(agency("thue", "96"), agency("khobac", "96"), agency("bhxh", "90"))

    flag, certificates = propose_awards(standings, [FLAG, CERTIFICATE])

    assert flag.agency_codes == ("khobac",)
    assert flag.tie_at_boundary
    # Whoever wins the vote, the other one and bhxh get the certificates.
    assert certificates.agency_codes == ("thue", "bhxh")
    assert not certificates.tie_at_boundary


def test_a_tie_at_the_last_certificate_is_flagged() -> None:
    standings = bloc_of(
        agency("nhnn", "98"), agency("thue", "96"), agency("khobac", "95"), agency("bhxh", "95")
    )

    _, certificates = propose_awards(standings, [FLAG, CERTIFICATE])

    assert certificates.agency_codes == ("thue", "bhxh")
    assert certificates.tie_at_boundary


def test_a_tie_wholly_inside_an_award_needs_no_decision() -> None:
    standings = bloc_of(
        agency("nhnn", "98"), agency("thue", "95"), agency("khobac", "95"), agency("bhxh", "90")
    )

    flag, certificates = propose_awards(standings, [FLAG, CERTIFICATE])

    assert certificates.agency_codes == ("khobac", "thue")
    assert not flag.tie_at_boundary and not certificates.tie_at_boundary


def test_a_tie_with_an_ineligible_agency_needs_no_decision() -> None:
    standings = bloc_of(agency("thue", "96", eligible=False), agency("khobac", "96"))

    (flag,) = propose_awards(standings, [FLAG])

    assert flag.agency_codes == ("khobac",)
    assert not flag.tie_at_boundary


def test_when_agencies_run_out_an_award_gets_fewer_of_them() -> None:
    standings = bloc_of(agency("thue", "96"), agency("khobac", "95", eligible=False))

    flag, certificates = propose_awards(standings, [FLAG, CERTIFICATE])

    assert flag.agency_codes == ("thue",)
    assert certificates.agency_codes == ()
    assert not certificates.tie_at_boundary


def test_an_award_for_nobody_proposes_nobody() -> None:
    standings = bloc_of(agency("thue", "96"), agency("khobac", "96"))

    (none,) = propose_awards(standings, [Award("Giấy khen", 0)])

    assert none.agency_codes == ()
    assert not none.tie_at_boundary


def test_an_award_with_a_negative_count_is_an_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        propose_awards(bloc_of(agency("thue", "96")), [Award("Giấy khen", -1)])
