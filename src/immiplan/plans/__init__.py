"""Levels plans: write, validate, compare, and cut them.

>>> from immiplan.plans import load_plan
>>> plan = load_plan("quebec-2019")
>>> plan.total(2019)
40000.0
"""

from immiplan.plans.admissions import actual_admissions, admission_years
from immiplan.plans.catalog import all_plans, load_plan, resolve
from immiplan.plans.io import parse_plan, read_plan_file, shipped_plan_names
from immiplan.plans.model import Level, Plan, PlanYear, Which

__all__ = [
    "Level",
    "Plan",
    "PlanYear",
    "Which",
    "actual_admissions",
    "admission_years",
    "all_plans",
    "load_plan",
    "parse_plan",
    "read_plan_file",
    "resolve",
    "shipped_plan_names",
]
