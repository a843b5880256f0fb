"""Observed admissions of a base's jurisdiction, by category and projection period.

Calendar-year admissions (IRCC, in ``data/admissions/<jurisdiction>.yaml``) become July–June
projection periods by averaging adjacent years. Where a year published only a total, the
categories take the mean mix of the base's ``history.mix_years`` (assumption).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from immiplan.projection.base import BaseData
from immiplan.projection.state import CATEGORIES

FloatArray = NDArray[np.float64]

__all__ = ["admissions_by_period", "calendar_admissions", "category_mix"]


def _jurisdiction_and_mix(base: BaseData | str | None) -> tuple[str, tuple[int, int]]:
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    manifest = base.manifest if isinstance(base, BaseData) else load_manifest(base or DEFAULT_BASE)
    first, last = manifest.history.mix_years
    return str(manifest.jurisdiction), (int(first), int(last))


def calendar_admissions(year: int, base: BaseData | str | None = None) -> FloatArray:
    """Observed admissions of a calendar year by category (IRCC; mix filled in).

    Parameters
    ----------
    year:
        Calendar year.
    base:
        The base (:class:`~immiplan.projection.base.BaseData` or name) whose jurisdiction
        and mix years apply; default the default base.
    """
    from immiplan.plans import actual_admissions

    jurisdiction, mix_years = _jurisdiction_and_mix(base)
    plan = actual_admissions(jurisdiction, year)
    levels = [plan.level(c, year, "target") for c in CATEGORIES]
    if all(v is not None for v in levels):
        return np.array(levels, dtype=float)
    total = float(plan.total(year, "target") or 0.0)
    return total * category_mix(jurisdiction, mix_years)


@cache
def category_mix(jurisdiction: str, years: tuple[int, int]) -> FloatArray:
    """Mean category mix of the calendar years ``years[0]..years[1]`` (inclusive)."""
    from immiplan.plans import actual_admissions

    rows = []
    for year in range(years[0], years[1] + 1):
        plan = actual_admissions(jurisdiction, year)
        rows.append([float(plan.level(c, year, "target") or 0.0) for c in CATEGORIES])
    mix = np.asarray(rows).sum(axis=0)
    return np.asarray(mix / mix.sum(), dtype=float)


def admissions_by_period(calendar: dict[int, FloatArray], first: int, last: int) -> FloatArray:
    """Admissions of the July–June periods ``first..last`` from calendar-year levels.

    The period starting 1 July of year ``t`` takes half of year ``t`` and half of year
    ``t + 1`` (admissions spread evenly over the year; assumption).

    Returns
    -------
    numpy.ndarray
        ``(last − first + 1, 4)`` persons by category.
    """
    return np.array([0.5 * (calendar[t] + calendar[t + 1]) for t in range(first, last + 1)])
