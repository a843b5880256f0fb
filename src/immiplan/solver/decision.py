"""The decision: which admissions the government moves, how, and within what bounds.

Under a regime (:mod:`immiplan.system.regimes`) each engine category splits into a part the
province selects and a part Ottawa selects. The Ottawa part keeps its path (the assumptions'
levels, or the lines of the plan named by ``mix``); the province part is the decision:

* ``shape="constant"``: one level for every decision year; ``"path"``: one level a year;
* ``mix``: the controlled categories' shares, from a plan's lines (``plan:NAME[:YEAR]``),
  written out (``economic=0.7,refugees=0.2,other=0.1``), the assumptions' own (default), or
  ``free``: one variable per controlled category (each within ``category_bounds``).

:class:`Decision` turns a vector of variables ``z`` into calendar-year admissions by
category, ``levels(z) = fixed + Σ z_j·G_j``: a linear map, which keeps every projected
count affine in ``z``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.plans.model import Plan
from immiplan.projection.state import CATEGORIES
from immiplan.solver.context import Context
from immiplan.system.categories import category_tree
from immiplan.system.regimes import Regime

FloatArray = NDArray[np.float64]
Shape = Literal["constant", "path"]

__all__ = ["Decision", "build_decision", "plan_split"]


def plan_split(
    plan: Plan, year: int, regime: Regime, which: str = "target"
) -> tuple[FloatArray, FloatArray]:
    """A plan year's levels by engine category, split into province and Ottawa parts.

    Each category is split by its finest lines that all give a level; where some line gives
    none (``business: {high: 4300}``), the category's own level is used when the regime
    decides the category whole.

    Returns
    -------
    tuple
        ``(controlled, federal)``, each ``(C,)`` persons.

    Raises
    ------
    InputError
        A category the province selects only part of, with no lines that split it.
    """
    tree = category_tree()
    controlled = np.zeros(len(CATEGORIES))
    federal = np.zeros(len(CATEGORIES))
    top_nodes = [n for n in plan.year(year).total.lines]
    if not top_nodes:
        raise InputError(
            f"plan {plan.name} has no categories for {year}", field="--mix", value=plan.name
        )

    def parts(node: Any) -> list[tuple[bool, float]] | None:
        status = regime.controlled_by("province", node.covers)
        value = node.value(which)
        if node.lines:
            below = [parts(line) for line in node.lines]
            if all(b is not None for b in below):
                return [item for b in below for item in b]  # type: ignore[union-attr]
        if status is None or value is None:
            return None
        return [(bool(status), float(value))]

    for node in top_nodes:
        tops = tree.top_of(node.covers)
        split = parts(node)
        if len(tops) != 1 or split is None:
            raise InputError(
                f"plan {plan.name} ({year}) does not say how much of this line the province "
                f"selects under '{regime.name}'; use a plan that splits it",
                field="--mix",
                value=node.key,
            )
        c = CATEGORIES.index(next(iter(tops)))
        for own, value in split:
            (controlled if own else federal)[c] += value
    return controlled, federal


def _default_split(
    plans: list[str], regime: Regime, mixed: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray] | None:
    """The split of the latest plan year (of the scenario's plans) that gives a level to
    every category the regime splits (``mixed``)."""
    from immiplan.plans import load_plan

    for name in reversed(plans):
        plan = load_plan(name)
        for year in reversed(plan.years):
            try:
                ctrl, fed = plan_split(plan, year, regime)
            except InputError:
                continue
            if ((ctrl + fed)[mixed] > 0).all():
                return ctrl, fed
    return None


def _category_fraction(regime: Regime) -> FloatArray:
    """Province share of each category where the regime decides it whole (NaN if mixed)."""
    tree = category_tree()
    out = np.full(len(CATEGORIES), np.nan)
    for c, code in enumerate(CATEGORIES):
        status = regime.controlled_by("province", frozenset(tree.resolve(code)))
        if status is not None:
            out[c] = 1.0 if status else 0.0
    return out


@dataclass(frozen=True)
class Decision:
    """The decision variables and the linear map to admissions (see the module docstring).

    Attributes
    ----------
    regime:
        The selection regime.
    years:
        Decision years (calendar), ``(D,)``.
    shape:
        ``constant`` or ``path``.
    mix_source:
        Where the controlled mix comes from (for people).
    fixed:
        Ottawa's part, ``(D, C)`` persons a year.
    maps:
        ``G``: ``(n, D, C)``, the admissions each variable adds per unit.
    names:
        One label per variable.
    lower, upper:
        Bounds on the controlled total of each decision year.
    category_bounds:
        With a free mix: ``{category: (low, high)}`` per year.
    max_change:
        Largest change of the controlled total from one year to the next (or ``None``).
    previous:
        The controlled total of the year before the first decision year (for ``max_change``).
    start:
        The variables of the assumptions' own path (the first linearisation point).
    """

    regime: Regime
    years: NDArray[np.int64]
    shape: Shape
    mix_source: str
    fixed: FloatArray
    maps: FloatArray
    names: tuple[str, ...]
    lower: float
    upper: float
    category_bounds: dict[str, tuple[float, float]]
    max_change: float | None
    previous: float
    start: FloatArray
    controlled: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of variables."""
        return int(self.maps.shape[0])

    @property
    def totals(self) -> FloatArray:
        """``(D, n)``: each variable's part of the controlled total of each year."""
        return np.asarray(self.maps.sum(axis=2).T, dtype=float)

    def levels(self, z: FloatArray) -> FloatArray:
        """Admissions by decision year and category, ``(D, C)``."""
        return np.asarray(self.fixed + np.tensordot(z, self.maps, axes=1), dtype=float)

    def calendar(self, context: Context, z: FloatArray) -> dict[int, FloatArray]:
        """The full calendar-year levels ``{year: (C,)}`` with the decision in place."""
        out = {y: v.copy() for y, v in context.levels.items()}
        for y, row in zip(self.years, self.levels(z), strict=True):
            out[int(y)] = row
        return out

    def unit_calendar(self, j: int) -> dict[int, FloatArray]:
        """Calendar levels of variable ``j`` at one unit, zero outside the decision years."""
        return {int(y): self.maps[j, d] for d, y in enumerate(self.years)}


def _parse_mix(text: str, regime: Regime, fraction: FloatArray) -> FloatArray:
    shares = np.zeros(len(CATEGORIES))
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in CATEGORIES:
            raise InputError(
                f"a mix is plan:NAME, free, or category=share pairs ({', '.join(CATEGORIES)})",
                field="--mix",
                value=text,
            )
        try:
            share = float(value)
        except ValueError:
            raise InputError(
                "a share must be a number", field="--mix", value=part.strip()
            ) from None
        if not np.isfinite(share) or share < 0:
            raise InputError("a share must be zero or more", field="--mix", value=part.strip())
        c = CATEGORIES.index(name)
        if share > 0 and fraction[c] == 0:
            raise InputError(
                f"under '{regime.name}' Ottawa selects {name}: the province cannot move it",
                field="--mix",
                value=name,
            )
        shares[c] = share
    if shares.sum() <= 0:
        raise InputError("a mix needs a positive share", field="--mix", value=text)
    return shares / shares.sum()


def build_decision(
    context: Context,
    regime: Regime,
    years: tuple[int, int],
    *,
    shape: Shape = "constant",
    mix: str | None = None,
    bounds: tuple[float, float] | None = None,
    category_bounds: dict[str, tuple[float, float]] | None = None,
    max_change: float | None = None,
) -> Decision:
    """The decision of a solve (see the module docstring).

    Raises
    ------
    InputError
        Years outside the base and horizon or upside down, an unknown shape, a bad mix,
        bounds upside down or negative, a bound on a category the regime does not let the
        province move, or a regime under which the province moves nothing.
    """
    first, last = int(years[0]), int(years[1])
    if last < first:
        raise InputError(
            "the years run backwards (first:last)", field="--years", value=f"{first}:{last}"
        )
    if first <= context.first_year or last > context.horizon:
        raise InputError(
            f"decision years must lie after the base year {context.first_year} and by the "
            f"horizon {context.horizon}",
            field="--years",
            value=f"{first}:{last}",
        )
    if shape not in ("constant", "path"):
        raise InputError("the shape is constant or path", field="--shape", value=shape)
    d_years = np.arange(first, last + 1)
    base = np.array([context.levels[int(y)] for y in d_years])  # (D, C)
    fraction = _category_fraction(regime)
    plan_parts: tuple[FloatArray, FloatArray] | None = None
    source = ""
    source_split = ""
    plans = list(context.prepared.scenario.immigration.plans)
    from immiplan.plans import resolve

    if mix is not None and mix.startswith("plan:"):
        plan, year = resolve(mix[len("plan:") :])
        plan_parts = plan_split(plan, year, regime)
        source = f"{plan.name} ({year}): the province's lines in its proportions, Ottawa's held"
    elif np.isnan(fraction).any():
        plan_parts = _default_split(plans, regime, np.isnan(fraction))
        if plan_parts is not None:
            source_split = " (the province's share of split categories from its plans)"
        else:
            from immiplan.plans import all_plans
            from immiplan.projection.bases import load_manifest

            where = load_manifest(context.base).jurisdiction
            shipped = sorted(
                (p for p in all_plans() if p.jurisdiction == where and p.kind == "plan"),
                key=lambda p: max(p.years),
            )
            plan_parts = _default_split([p.name for p in shipped], regime, np.isnan(fraction))
            if plan_parts is not None:
                source_split = (
                    " (the province's share of split categories from the latest shipped plan "
                    "that splits them)"
                )
    if np.isnan(fraction).any():
        if plan_parts is None:
            raise InputError(
                f"under '{regime.name}' the province selects only part of some categories; "
                "give --mix plan:NAME to split them",
                field="--mix",
            )
        ctrl, fed = plan_parts
        with np.errstate(divide="ignore", invalid="ignore"):
            from_plan = np.where(ctrl + fed > 0, ctrl / (ctrl + fed), 0.0)
        fraction = np.where(np.isnan(fraction), from_plan, fraction)
    if not (fraction > 0).any():
        raise InputError(
            f"under '{regime.name}' the province selects no category: nothing to solve for",
            field="--regime",
            value=regime.name,
        )
    controlled = tuple(c for c, f in zip(CATEGORIES, fraction, strict=True) if f > 0)
    if mix is not None and mix.startswith("plan:") and plan_parts is not None:
        ctrl, fed = plan_parts
        if ctrl.sum() <= 0:
            raise InputError(
                f"the plan has no line the province selects under '{regime.name}'",
                field="--mix",
                value=mix,
            )
        fixed = np.broadcast_to(fed, base.shape).copy()
        shares = np.broadcast_to(ctrl / ctrl.sum(), base.shape).copy()
    else:
        fixed = base * (1.0 - fraction)
        own = base * fraction
        if mix is None or mix == "free":
            totals = own.sum(axis=1, keepdims=True)
            even = np.where(fraction > 0, 1.0, 0.0) / (fraction > 0).sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                shares = np.where(totals > 0, own / totals, even[None])
            source = (
                f"{context.scenario}: its levels, the province's part in its proportions, "
                f"Ottawa's part held{source_split}"
            )
        else:
            shares = np.broadcast_to(_parse_mix(mix, regime, fraction), base.shape).copy()
            source = f"given shares ({mix}); Ottawa's part of {context.scenario} held"
    own_start = (base * fraction).sum(axis=1)
    previous_year = first - 1
    previous = float((context.levels[previous_year] * fraction).sum())
    n_d, n_c = base.shape
    if mix == "free":
        free = [CATEGORIES.index(c) for c in controlled]
        source = f"free mix of {', '.join(controlled)}; Ottawa's part of {context.scenario} held"
        per_year = np.zeros((len(free), n_c))
        for k, c in enumerate(free):
            per_year[k, c] = 1.0
        start_cat = (base * fraction)[:, free]  # (D, F)
        if shape == "constant":
            maps = np.broadcast_to(per_year[:, None, :], (len(free), n_d, n_c)).copy()
            names: tuple[str, ...] = tuple(controlled)
            start = start_cat.mean(axis=0)
        else:
            maps = np.zeros((n_d * len(free), n_d, n_c))
            for d in range(n_d):
                for k in range(len(free)):
                    maps[d * len(free) + k, d] = per_year[k]
            names = tuple(f"{y}:{c}" for y in d_years for c in controlled)
            start = start_cat.reshape(-1)
    elif shape == "constant":
        maps = shares[None].copy()
        names = ("level",)
        start = np.array([own_start.mean()])
    else:
        maps = np.zeros((n_d, n_d, n_c))
        maps[np.arange(n_d), np.arange(n_d)] = shares
        names = tuple(str(y) for y in d_years)
        start = own_start.copy()
    population = float(context.inputs.population.sum())
    low, high = (0.0, 0.1 * population) if bounds is None else (float(bounds[0]), float(bounds[1]))
    _check_bounds(low, high, "--bounds")
    cat_bounds: dict[str, tuple[float, float]] = {}
    for name, (lo, hi) in (category_bounds or {}).items():
        if name not in CATEGORIES:
            raise InputError(
                f"unknown category (known: {', '.join(CATEGORIES)})",
                field="--category-bounds",
                value=name,
            )
        if name not in controlled:
            raise InputError(
                f"under '{regime.name}' Ottawa selects {name}: it stays at its path and the "
                "province cannot bound it",
                field="--category-bounds",
                value=name,
            )
        _check_bounds(float(lo), float(hi), f"--category-bounds {name}")
        cat_bounds[name] = (float(lo), float(hi))
    if max_change is not None and (not np.isfinite(max_change) or max_change < 0):
        raise InputError(
            "the largest yearly change must be zero or more", field="--max-change", value=max_change
        )
    return Decision(
        regime=regime,
        years=d_years,
        shape=shape,
        mix_source=source,
        fixed=np.asarray(fixed, dtype=float),
        maps=np.asarray(maps, dtype=float),
        names=names,
        lower=low,
        upper=high,
        category_bounds=cat_bounds,
        max_change=None if max_change is None else float(max_change),
        previous=previous,
        start=np.clip(np.asarray(start, dtype=float), 0.0, None),
        controlled=controlled,
    )


def _check_bounds(low: float, high: float, field: str) -> None:
    if not (np.isfinite(low) and np.isfinite(high)):
        raise InputError("bounds must be finite numbers", field=field, value=f"{low}:{high}")
    if low < 0:
        raise InputError("a level cannot be negative", field=field, value=f"{low:g}:{high:g}")
    if high < low:
        raise InputError(
            "the bounds are upside down (low:high)", field=field, value=f"{low:g}:{high:g}"
        )
