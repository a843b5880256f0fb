"""Admissions by calendar year and category: observed years, plans, levels, paths.

A scenario's ``immigration`` block becomes ``{year: (4,)}`` admissions by category
(:data:`~immiplan.projection.state.CATEGORIES` order) for every calendar year from the base
year to the horizon. Every ``{year: value}`` path is interpolated linearly between its years
and held before the first and after the last (:func:`interpolate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.base import BaseData
from immiplan.projection.history import calendar_admissions
from immiplan.projection.schema import Immigration
from immiplan.projection.state import CATEGORIES

FloatArray = NDArray[np.float64]

__all__ = ["by_category", "interpolate", "prepare_levels"]


def interpolate(points: dict[int, float], years: NDArray[np.int64]) -> FloatArray:
    """Linear interpolation of ``{year: value}`` at ``years``, held outside its years."""
    keys = np.array(sorted(points), dtype=float)
    values = np.array([points[int(k)] for k in keys], dtype=float)
    return np.asarray(np.interp(years.astype(float), keys, values), dtype=float)


def prepare_levels(
    immigration: Immigration,
    first: int,
    last: int,
    *,
    source: str = "scenario",
    base: BaseData | str | None = None,
) -> dict[int, FloatArray]:
    """Calendar-year admissions by category, ``{year: (4,)}``, for ``first..last``.

    Years before the first year given (by a plan or ``levels``) are observed admissions of
    the base's jurisdiction; plan years take the plan's ``which`` level by category, scaled
    to the plan's total; ``levels`` override; later years are held or follow ``path``.
    ``first`` is the base year: a plan with no year from it on, or a ``levels`` year before
    it, is refused (it could not change the projection).
    """
    from immiplan.plans import load_plan

    given: dict[int, FloatArray] = {}
    plan_rows: list[tuple[int, Any, int]] = []
    for index, name in enumerate(immigration.plans):
        plan = load_plan(name)
        if plan.years and max(plan.years) < first:
            raise InputError(
                f"plan {name} covers {min(plan.years)}-{max(plan.years)}, before the base "
                f"year {first}: the base already holds what happened then",
                source=source,
                field=f"immigration.plans[{index}]",
                value=name,
            )
        plan_rows.extend((year, plan, index) for year in plan.years)
    # A later plan in the list replaces an earlier one's years (a revision, a new plan).
    latest = {year: index for year, _, index in plan_rows}
    plan_rows = [row for row in plan_rows if latest[row[0]] == row[2]]
    early = sorted(int(y) for y in immigration.levels if int(y) < first)
    if early:
        raise InputError(
            f"levels before the base year {first}: the base already holds those years",
            source=source,
            field=f"immigration.levels.{early[0]}",
            value=early[0],
        )
    previous: FloatArray | None = None
    for year, plan, index in sorted(plan_rows, key=lambda row: row[0]):
        if previous is None:
            previous = _observed_or_none(year - 1, base)
        given[year] = _plan_levels(plan, year, immigration.which, source, index, previous)
        previous = given[year]
    for year, mapping in immigration.levels.items():
        given[int(year)] = by_category(mapping)
    out: dict[int, FloatArray] = {}
    if immigration.none:
        return {y: np.zeros(len(CATEGORIES)) for y in range(first, last + 1)}
    first_given = min(given) if given else last + 1
    for year in range(first, min(first_given, last + 1)):
        try:
            out[year] = calendar_admissions(year, base)
        except InputError as exc:
            raise InputError(
                f"no plan or levels for {year} and {exc.message}",
                source=source,
                field="immigration",
            ) from None
    if given:
        years = sorted(given)
        gaps = [y for y in range(years[0], years[-1] + 1) if y not in given]
        if gaps:
            raise InputError(
                f"the plans and levels leave years without levels: {gaps}",
                source=source,
                field="immigration.plans",
                value=gaps,
            )
        out.update({y: v for y, v in given.items() if first <= y <= last})
    last_given = max(given) if given else first - 1
    held = given[last_given] if given else out.get(first_given - 1, np.zeros(len(CATEGORIES)))
    after = [y for y in range(max(last_given + 1, first), last + 1)]
    if after:
        if immigration.path:
            mix = by_category(immigration.mix) if immigration.mix else held
            if mix.sum() <= 0:
                raise InputError(
                    "a total path needs a category mix", source=source, field="immigration.mix"
                )
            totals = interpolate(
                {int(k): float(v) for k, v in immigration.path.items()}, np.array(after)
            )
            for year, total in zip(after, totals, strict=True):
                out[year] = total * mix / mix.sum()
        else:
            for year in after:
                out[year] = held.copy()
    return out


def by_category(mapping: Any) -> FloatArray:
    """A ``{category: value}`` mapping as an array in :data:`CATEGORIES` order (0 if absent)."""
    values = {str(k): float(v) for k, v in dict(mapping).items()}
    return np.array([values.get(c, 0.0) for c in CATEGORIES])


def _observed_or_none(year: int, base: BaseData | str | None = None) -> FloatArray | None:
    try:
        return calendar_admissions(year, base)
    except InputError:
        return None


def _plan_levels(
    plan: Any, year: int, which: str, source: str, index: int, previous: FloatArray | None
) -> FloatArray:
    """A plan year's levels by category, scaled to the plan's total.

    Lines outside the plan's cap (Quebec's PEQ graduates in 2024–2025) are admissions too:
    they count in the total and in the category they fall in.
    Where the plan publishes only some categories, the rest of its total is split over
    the others in the proportions of the previous year's levels (assumption).
    """
    total = plan.total(year, which, include_outside=True)
    if total is None:
        raise InputError(
            f"plan {plan.name} gives no {which} total for {year}",
            source=source,
            field=f"immigration.plans[{index}]",
            value=plan.name,
        )
    raw = [plan.level(c, year, which, include_outside=True) for c in CATEGORIES]
    known = np.array([v is not None for v in raw])
    values = np.array([float(v) if v is not None else 0.0 for v in raw])
    total = float(total)
    if not known.all():
        if previous is None or previous[~known].sum() <= 0:
            raise InputError(
                f"plan {plan.name} gives no {which} level for some categories in {year} "
                "and no earlier year gives their mix",
                source=source,
                field=f"immigration.plans[{index}]",
                value=plan.name,
            )
        rest = max(total - values[known].sum(), 0.0)
        values[~known] = rest * previous[~known] / previous[~known].sum()
    return values * (total / values.sum()) if values.sum() > 0 else values
