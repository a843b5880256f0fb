"""The inverse planner: the levels that meet a target, under who controls what.

``solve(["population_20_64 >= population_20_64[base]"], base="quebec-2018",
years=(2019, 2066), regime="accord-1991")`` returns the province's level (a constant, or a
path of yearly levels), the indicators it gives, which targets bind and their shadow prices,
or, when no level within the bounds meets the targets, the closest achievable answer. See
``docs/solve.md``.
"""

from __future__ import annotations

from immiplan.solver.chance import ChanceSolution, solve_chance
from immiplan.solver.context import Context, build_context, default_scenario, known_bases
from immiplan.solver.decision import Decision, build_decision, plan_split
from immiplan.solver.indicators import INDICATORS, Indicator
from immiplan.solver.inverse import Solution, TargetResult, Verification, solve, solve_decision
from immiplan.solver.shipped import TargetSet, expand_targets, shipped_targets, target_set
from immiplan.solver.targets import Target, Term, parse_target

__all__ = [
    "INDICATORS",
    "ChanceSolution",
    "Context",
    "Decision",
    "Indicator",
    "Solution",
    "Target",
    "TargetResult",
    "TargetSet",
    "Term",
    "Verification",
    "build_context",
    "build_decision",
    "default_scenario",
    "expand_targets",
    "known_bases",
    "parse_target",
    "plan_split",
    "shipped_targets",
    "solve",
    "solve_chance",
    "solve_decision",
    "target_set",
]
