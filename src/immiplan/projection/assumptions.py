"""The projection's dated assumptions of a jurisdiction, read at a base's date.

They live under the jurisdiction's parameter branch (``provinces/qc/projection/`` for
Quebec, named by the base's manifest) and are always read at the base date, never as
"the latest value": a base of 1 July 2023 reads the values in force on that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.base import BaseData
from immiplan.projection.state import N_AGES
from immiplan.system.parameters import parameters
from immiplan.system.references import Reference

FloatArray = NDArray[np.float64]

__all__ = ["ProjectionAssumptions", "QuebecAssumptions", "assumptions_for", "load_assumptions"]


@dataclass(frozen=True)
class ProjectionAssumptions:
    """The dated assumptions under ``<branch>/projection/``, as of a base date.

    Attributes
    ----------
    retention_5, retention_10:
        Share of an admission cohort still in the jurisdiction 5 and 10 years after landing.
    category_retention_5:
        Canada's 5-year retention by category (only the differences are used).
    npr_transition_share:
        Share of each category's admissions coming from the NPR stock.
    npr_stock:
        NPR stock on the base date (persons).
    npr_age_counts:
        NPRs by single age (both sexes) giving the stock's age shape, ``(101,)``.
    immigrants_census:
        Immigrants at the base's census (persons).
    immigrants_census_by_period:
        The same count by period of immigration (``before_2001``, ``2001_2005``, ...).
    admissions_before_ircc:
        Admissions by calendar year before the IRCC series (the jurisdiction's totals).
    landings_from:
        First landing year of the rebuilt long-term immigrants (assumption).
    references:
        References by parameter name.
    """

    retention_5: float
    retention_10: float
    category_retention_5: dict[str, float]
    npr_transition_share: dict[str, float]
    npr_stock: float
    npr_age_counts: FloatArray
    immigrants_census: float
    immigrants_census_by_period: dict[str, float]
    admissions_before_ircc: dict[int, float]
    landings_from: int
    references: dict[str, tuple[Reference, ...]]

    @property
    def immigrants_2016(self) -> float:
        """Old name of :attr:`immigrants_census` (the Quebec 2018 base's census is 2016's)."""
        return self.immigrants_census

    @property
    def immigrants_2016_by_period(self) -> dict[str, float]:
        """Old name of :attr:`immigrants_census_by_period`."""
        return self.immigrants_census_by_period


QuebecAssumptions = ProjectionAssumptions
"""Old name of :class:`ProjectionAssumptions`."""


def _read(name: str, when: dt.date) -> tuple[Any, tuple[Reference, ...]]:
    source = f"parameters/{name.replace('.', '/')}.yaml"
    try:
        entry = parameters().get(name).entry_at(when)
    except InputError as exc:
        message = "missing parameter file" if exc.message == "unknown parameter" else exc.message
        raise InputError(message, source=source, field="values", value=when.isoformat()) from None
    return entry.value, entry.references


@cache
def assumptions_for(
    branch: str, when: dt.date, census: str, by_period: str
) -> ProjectionAssumptions:
    """Read the assumptions of ``branch`` in force on ``when`` (see :func:`load_assumptions`)."""
    names = {
        "retention_5": "projection.retention.five_year",
        "retention_10": "projection.retention.ten_year",
        "category_retention_5": "projection.retention.canada_five_year_by_category",
        "npr_transition_share": "projection.npr.transition_share",
        "npr_stock": "projection.npr.stock",
        "npr_age_counts": "projection.npr.age_distribution",
        "immigrants": census,
        "by_period": by_period,
        "admissions": "projection.immigrants.admissions_1980_2004",
        "pre_1980": "projection.immigrants.pre_1980_landings",
    }
    values: dict[str, Any] = {}
    refs: dict[str, tuple[Reference, ...]] = {}
    for key, name in names.items():
        full = f"{branch}.{name}"
        values[key], refs[full] = _read(full, when)
    ages = np.asarray(values["npr_age_counts"], dtype=float)
    if ages.shape != (N_AGES,):
        raise InputError(
            f"the NPR age distribution needs {N_AGES} values (ages 0..100)",
            source=f"parameters/{branch.replace('.', '/')}/projection/npr/age_distribution.yaml",
            value=ages.size,
        )
    pre = values["pre_1980"]
    return ProjectionAssumptions(
        retention_5=float(values["retention_5"]),
        retention_10=float(values["retention_10"]),
        category_retention_5={k: float(v) for k, v in dict(values["category_retention_5"]).items()},
        npr_transition_share={k: float(v) for k, v in dict(values["npr_transition_share"]).items()},
        npr_stock=float(values["npr_stock"]),
        npr_age_counts=ages,
        immigrants_census=float(values["immigrants"]),
        immigrants_census_by_period={
            str(k): float(v) for k, v in dict(values["by_period"]).items()
        },
        admissions_before_ircc={int(k): float(v) for k, v in dict(values["admissions"]).items()},
        landings_from=int(dict(pre)["first_year"]),
        references=refs,
    )


def load_assumptions(base: BaseData | str | None = None) -> ProjectionAssumptions:
    """The projection assumptions of a base, read at its base date.

    Parameters
    ----------
    base:
        A :class:`~immiplan.projection.base.BaseData`, a base name, or ``None`` for the
        default base.
    """
    from immiplan.projection.bases import DEFAULT_BASE, load_base

    if base is None or isinstance(base, str):
        manifest = load_base(base or DEFAULT_BASE).manifest
    else:
        manifest = base.manifest
    return assumptions_for(
        manifest.parameters,
        manifest.base_date,
        manifest.census.immigrants,
        manifest.census.immigrants_by_period,
    )
