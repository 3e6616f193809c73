"""The bloc's rules in plain Python: scoring table, scores, sheet totals, ranking and awards."""

from bot.domain.criteria import CriteriaGroup, Criterion, CriterionKind, GroupKind, ScoringTable
from bot.domain.ranking import AwardProposal, Candidate, Placing, Standings, propose_awards, rank
from bot.domain.rules import Award, TieBreak, TieBreakKind, parse_tie_break
from bot.domain.scores import ScoreError, ScoreProblem, format_points, parse_score
from bot.domain.sheets import SheetTotals, missing, total

__all__ = [
    "Award",
    "AwardProposal",
    "Candidate",
    "CriteriaGroup",
    "Criterion",
    "CriterionKind",
    "GroupKind",
    "Placing",
    "ScoreError",
    "ScoreProblem",
    "ScoringTable",
    "SheetTotals",
    "Standings",
    "TieBreak",
    "TieBreakKind",
    "format_points",
    "missing",
    "parse_score",
    "parse_tie_break",
    "propose_awards",
    "rank",
    "total",
]
