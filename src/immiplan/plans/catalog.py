"""Finding a plan by name: shipped plans, plan files, and observed admissions.

Accepted names:

- a shipped plan: ``quebec-2019``, ``canada-2019-2021``;
- a path to a plan file: ``myplan.yaml``;
- observed admissions: ``2018 actual``, ``actual 2018``, ``canada 2018 actual``;
- any of these followed by ``:YEAR`` to pick a year of a multi-year plan: ``canada-2019-2021:2020``.
"""

from __future__ import annotations

import re
from pathlib import Path

from immiplan.errors import InputError
from immiplan.plans.admissions import actual_admissions
from immiplan.plans.io import _shipped, read_plan_file, shipped_plan_names
from immiplan.plans.model import Plan
from immiplan.system.jurisdictions import jurisdictions

_ACTUAL = re.compile(
    r"^\s*(?:(?P<jur>[a-z]+)[\s-]+)?(?:(?P<y1>\d{4})[\s-]+actual|actual[\s-]+(?P<y2>\d{4}))\s*$",
    re.IGNORECASE,
)


def load_plan(name: str | Path, jurisdiction: str = "quebec") -> Plan:
    """A plan by name or path (see the module docstring); admissions default to ``jurisdiction``."""
    text = str(name).strip()
    match = _ACTUAL.match(text)
    if match:
        jur = (match.group("jur") or jurisdiction).lower()
        if jur not in jurisdictions():
            raise InputError(
                f"unknown jurisdiction (known: {', '.join(jurisdictions())})", value=jur
            )
        return actual_admissions(jur, int(match.group("y1") or match.group("y2")))
    if text in shipped_plan_names():
        return _shipped(text)
    path = Path(text)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return read_plan_file(path)
    known = ", ".join(shipped_plan_names())
    raise InputError(
        f"unknown plan: not a shipped plan ({known}), a plan file, or 'YEAR actual'",
        value=text,
    )


def split_year(spec: str) -> tuple[str, int | None]:
    """Split ``NAME:YEAR`` into the name and the year (None when absent)."""
    name, sep, year = str(spec).rpartition(":")
    if sep and year.isdigit() and len(year) == 4 and name:
        return name, int(year)
    return str(spec), None


def resolve(spec: str, jurisdiction: str = "quebec") -> tuple[Plan, int]:
    """A plan and the year to use: ``NAME:YEAR``, or the plan's first year."""
    name, year = split_year(spec)
    plan = load_plan(name, jurisdiction)
    if year is None:
        year = plan.years[0]
    plan.year(year)  # raises a clear error if the plan does not cover it
    return plan, year


def all_plans() -> list[Plan]:
    """Every shipped plan."""
    return [_shipped(name) for name in shipped_plan_names()]
