"""The bloc's rules in plain Python: scoring table, scores, sheets (totals, status, progress),
ranking and awards, roles and the kinds of calendar events."""

from bot.domain.criteria import CriteriaGroup, Criterion, CriterionKind, GroupKind, ScoringTable
from bot.domain.events import EventKind
from bot.domain.ranking import AwardProposal, Candidate, Placing, Standings, propose_awards, rank
from bot.domain.roles import Role
from bot.domain.rules import Award, TieBreak, TieBreakKind, parse_tie_break
from bot.domain.scores import ScoreError, ScoreProblem, format_points, parse_score
from bot.domain.sheets import (
    Closed,
    Progress,
    SheetStatus,
    SheetTotals,
    missing,
    progress_of,
    total,
    why_closed,
)

__all__ = [
    "Award",
    "AwardProposal",
    "Candidate",
    "Closed",
    "CriteriaGroup",
    "Criterion",
    "CriterionKind",
    "EventKind",
    "GroupKind",
    "Placing",
    "Progress",
    "Role",
    "ScoreError",
    "ScoreProblem",
    "ScoringTable",
    "SheetStatus",
    "SheetTotals",
    "Standings",
    "TieBreak",
    "TieBreakKind",
    "format_points",
    "missing",
    "parse_score",
    "parse_tie_break",
    "progress_of",
    "propose_awards",
    "rank",
    "total",
    "why_closed",
]
