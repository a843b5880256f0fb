"""Checking a plan: errors (the plan is wrong) and warnings (the plan is unusual).

Errors
    a range upside down (low > high, target outside [low, high]); a negative level; lines
    whose levels cannot add up to their parent (the lows exceed the parent's high; when the
    lines cover the parent, the highs fall short of its low, or the targets fall outside its
    range); a French-knowledge target or a share outside [0, 1]; lines outside the cap that
    cannot add up, with the cap, to the published total including them.

Warnings (not errors)
    the Accord's levels clauses for a provincial plan: the province's share of the federal
    plan for the same year (every admission, the lines outside the cap included) against its
    share of Canada's population, with the "+5 %" margin under both readings (relative and
    percentage points); the refugee-share commitment; an economic share the plan's own
    levels do not give; and a category level far outside the jurisdiction's history (below
    half the lowest or above 1.5 times the highest annual admissions since 2005).

Lines outside the cap are checked the way the government counts them: the cap's categories
must fit the cap, and the cap plus the outside lines must fit the total that includes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from immiplan.errors import InputError
from immiplan.plans.admissions import history_table
from immiplan.plans.catalog import all_plans
from immiplan.plans.model import WHICH, Level, Plan, PlanYear
from immiplan.system.categories import category_tree
from immiplan.system.parameters import parameters

HISTORY_LOW_FACTOR = 0.5
HISTORY_HIGH_FACTOR = 1.5
TOLERANCE = 1e-6
SHARE_SLACK = 0.03
"""How far (in share points) a published share may sit from the share the plan's levels give:
governments round their shares ("about 65 %") and publish ranges whose midpoints differ."""


@dataclass(frozen=True)
class Finding:
    """One result of validation."""

    severity: Literal["error", "warning"]
    field: str
    value: object
    message: str
    rule: str


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _node_rules(node: Level) -> Iterator[Finding]:
    for which in ("low", "target", "high"):
        value = getattr(node, which)
        if value is not None and value < 0:
            yield Finding(
                "error", f"{node.path}.{which}", value, "a level cannot be negative", "non-negative"
            )
    if node.low is not None and node.high is not None and node.low > node.high:
        yield Finding(
            "error",
            f"{node.path}.low",
            node.low,
            f"range upside down: low {_fmt(node.low)} > high {_fmt(node.high)}",
            "range-order",
        )
    if node.target is not None:
        if node.low is not None and node.target < node.low - TOLERANCE:
            yield Finding(
                "error",
                f"{node.path}.target",
                node.target,
                f"target below the range's low ({_fmt(node.low)})",
                "range-order",
            )
        if node.high is not None and node.target > node.high + TOLERANCE:
            yield Finding(
                "error",
                f"{node.path}.target",
                node.target,
                f"target above the range's high ({_fmt(node.high)})",
                "range-order",
            )
    if node.lines:
        yield from _children_rules(node)
    for line in node.lines:
        yield from _node_rules(line)


def _children_rules(node: Level) -> Iterator[Finding]:
    lines = node.lines
    union = frozenset().union(*(line.covers for line in lines))
    covers_parent = union == node.covers
    lows = [line.low for line in lines]
    highs = [line.high for line in lines]
    what = "categories" if node.key == "total" else "lines"
    if all(v is not None for v in lows) and node.high is not None:
        s = sum(v for v in lows if v is not None)
        if s > node.high + TOLERANCE:
            yield Finding(
                "error",
                node.path,
                s,
                f"the {what}' lows add up to {_fmt(s)}, above the high of {_fmt(node.high)}",
                "sum-within-parent",
            )
    if not covers_parent:
        return
    if all(v is not None for v in highs) and node.low is not None:
        s = sum(v for v in highs if v is not None)
        if s < node.low - TOLERANCE:
            yield Finding(
                "error",
                node.path,
                s,
                f"the {what}' highs add up to {_fmt(s)}, below the low of {_fmt(node.low)}",
                "sum-within-parent",
            )
    targets = [line.value("target") for line in lines]
    if all(v is not None for v in targets) and node.low is not None and node.high is not None:
        s = sum(v for v in targets if v is not None)
        if not node.low - TOLERANCE <= s <= node.high + TOLERANCE:
            yield Finding(
                "error",
                node.path,
                s,
                f"the {what}' targets add up to {_fmt(s)}, outside the range "
                f"{_fmt(node.low)}–{_fmt(node.high)}",
                "sum-within-parent",
            )


def _share_rules(year: PlanYear, prefix: str) -> Iterator[Finding]:
    checks: list[tuple[str, float]] = []
    if year.french_knowledge_target is not None:
        checks.append(("french_knowledge_target", year.french_knowledge_target))
    for name in ("province_selected_share", "economic_share", "already_resident_share"):
        share = getattr(year, name)
        if share is not None:
            checks += [(name, share[0]), (name, share[1])]
            if share[0] > share[1]:
                yield Finding(
                    "error", f"{prefix}.{name}", share, "range upside down", "range-order"
                )
    for name, value in checks:
        if not 0.0 <= value <= 1.0:
            yield Finding(
                "error",
                f"{prefix}.{name}",
                value,
                "a share is a fraction between 0 and 1 (write 0.44 for 44 %)",
                "share-bounds",
            )


def _outside_rules(year: PlanYear, prefix: str) -> Iterator[Finding]:
    """Lines outside the cap: their own ranges, and their sum with the cap against the total."""
    for line in year.outside_cap:
        yield from _node_rules(line)
    published = year.total_with_outside
    if published is None:
        return
    yield from _node_rules(published)
    parts = (year.total, *year.outside_cap)
    field = f"{prefix}.total_with_outside"
    lows = [p.low for p in parts]
    highs = [p.high for p in parts]
    if all(v is not None for v in lows) and published.high is not None:
        s = sum(v for v in lows if v is not None)
        if s > published.high + TOLERANCE:
            yield Finding(
                "error",
                field,
                s,
                f"the cap's low and the lows outside the cap add up to {_fmt(s)}, above the "
                f"published total's high of {_fmt(published.high)}",
                "outside-cap-sum",
            )
    if all(v is not None for v in highs) and published.low is not None:
        s = sum(v for v in highs if v is not None)
        if s < published.low - TOLERANCE:
            yield Finding(
                "error",
                field,
                s,
                f"the cap's high and the highs outside the cap add up to {_fmt(s)}, below the "
                f"published total's low of {_fmt(published.low)}",
                "outside-cap-sum",
            )
    cap_high = year.total.high
    if published.high is not None and cap_high is not None and cap_high > published.high:
        yield Finding(
            "error",
            field,
            published.high,
            f"the published total with the lines outside the cap is below the cap itself "
            f"({_fmt(cap_high)})",
            "outside-cap-sum",
        )


def _economic_share_rule(plan: Plan, year: int, prefix: str) -> Iterator[Finding]:
    """The published economic share against the plan's own levels.

    Governments compute it on the cap (Quebec, 2024) or on every admission (Quebec, 2025),
    from targets or from maxima: any of these readings within :data:`SHARE_SLACK` passes.
    """
    share = plan.year(year).economic_share
    if share is None:
        return
    implied: list[float] = []
    for include in (False, True):
        for which in WHICH:
            economic = plan.level("economic", year, which, include_outside=include)
            total = plan.total(year, which, include_outside=include)
            if economic is not None and total:
                implied.append(economic / total)
    low, high = share
    if implied and not any(low - SHARE_SLACK <= v <= high + SHARE_SLACK for v in implied):
        yield Finding(
            "warning",
            f"{prefix}.economic_share",
            share,
            f"the plan's economic level is {implied[0]:.0%} of its total, against a published "
            f"economic share of {low:.0%}" + (f"–{high:.0%}" if high != low else ""),
            "economic-share",
        )


def federal_plan_for(year: int) -> Plan | None:
    """The most recently tabled shipped federal plan with a total target for ``year``."""
    candidates = [
        p
        for p in all_plans()
        if p.jurisdiction == "canada"
        and p.status == "tabled"
        and year in p.years_
        and p.total(year) is not None
    ]
    candidates.sort(key=lambda p: (p.tabled is not None, p.tabled))
    return candidates[-1] if candidates else None


def _accord_rules(plan: Plan, year: int, prefix: str) -> Iterator[Finding]:
    federal = federal_plan_for(year)
    qc_total = plan.total(year, include_outside=True)
    if federal is None or qc_total is None:
        return
    fed_total = federal.total(year)
    assert fed_total is not None
    tree = parameters()
    try:
        pop_share = float(tree.get("demography.quebec_population_share").at(f"{year}-07-01"))
    except InputError:
        return
    objective = pop_share * float(tree.get("accord.levels.share_objective").at(year))
    margin = float(tree.get("accord.levels.demographic_margin").at(year))
    share = qc_total / fed_total
    caps = {"relative": objective * (1 + margin), "percentage points": objective + margin}
    base = (
        f"{plan.jurisdiction.title()}'s {_fmt(qc_total)} is {share:.1%} of the federal plan's "
        f"{_fmt(fed_total)} ({federal.name})"
    )
    if share < objective:
        yield Finding(
            "warning",
            f"{prefix}.total",
            qc_total,
            f"{base}, below the Accord's objective of its population share ({objective:.1%})",
            "accord-share",
        )
    for reading, cap in caps.items():
        if share > cap:
            yield Finding(
                "warning",
                f"{prefix}.total",
                qc_total,
                f"{base}, above the Accord's population share plus the 5 % "
                f"demographic margin ({reading} reading: {cap:.1%})",
                "accord-margin",
            )
    qc_ref = plan.level("refugees", year, include_outside=True)
    fed_ref = federal.level("refugees", year)
    if qc_ref is not None and fed_ref:
        minimum = share * float(tree.get("accord.levels.refugee_share_commitment").at(year))
        ref_share = qc_ref / fed_ref
        if ref_share < minimum - TOLERANCE:
            yield Finding(
                "warning",
                f"{prefix}.categories.refugees",
                qc_ref,
                f"refugees are {ref_share:.1%} of the federal plan's refugees, below "
                f"the Accord's commitment of at least the overall share ({minimum:.1%})",
                "accord-refugees",
            )


def _history_rules(plan: Plan, year: int, prefix: str) -> Iterator[Finding]:
    try:
        history = history_table(plan.jurisdiction)
    except InputError:
        return
    tree = category_tree()
    for code in (*tree.top, "total"):
        observed = [row[code] for row in history.values() if row.get(code) is not None]
        value = plan.level(code, year, include_outside=True)
        if value is None or not observed:
            continue
        lo = min(v for v in observed if v is not None)
        hi = max(v for v in observed if v is not None)
        first, last = min(history), max(history)
        field = f"{prefix}.total" if code == "total" else f"{prefix}.categories.{code}"
        if value < HISTORY_LOW_FACTOR * lo or value > HISTORY_HIGH_FACTOR * hi:
            yield Finding(
                "warning",
                field,
                value,
                f"far outside history: {first}–{last} admissions ranged {_fmt(lo)}–{_fmt(hi)}",
                "history",
            )


def validate(plan: Plan) -> list[Finding]:
    """Every error and warning for ``plan``, errors first."""
    findings: list[Finding] = []
    for year in plan.years:
        py = plan.year(year)
        prefix = f"years.{year}"
        findings += list(_node_rules(py.total))
        findings += list(_share_rules(py, prefix))
        findings += list(_outside_rules(py, prefix))
        if py.catch_up is not None and py.catch_up < 0:
            findings.append(
                Finding(
                    "error",
                    f"{prefix}.catch_up",
                    py.catch_up,
                    "a level cannot be negative",
                    "non-negative",
                )
            )
        if plan.kind == "plan" and plan.jurisdiction != "canada":
            findings += list(_accord_rules(plan, year, prefix))
        if plan.kind == "plan":
            findings += list(_history_rules(plan, year, prefix))
            findings += list(_economic_share_rule(plan, year, prefix))
    findings.sort(key=lambda f: f.severity != "error")
    return findings


def ensure_valid(plan: Plan) -> Plan:
    """Raise the first error of ``plan`` as an :class:`InputError`; return the plan otherwise."""
    for finding in validate(plan):
        if finding.severity == "error":
            raise InputError(
                finding.message,
                source=plan.source or plan.name,
                field=finding.field,
                value=finding.value,
            )
    return plan
