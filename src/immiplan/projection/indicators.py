"""Yearly indicators of a projection: size, components of growth, age structure.

Pure functions on the engine's arrays. Populations are on 1 July of each year; the
flows labelled with a year are those of the 12 months that start on 1 July of that year
(ISQ's convention), so the last year has populations but no flows.

Definitions:

* ``growth`` = population(t + 1) − population(t); ``natural_increase`` = births − deaths;
* ``npr_change`` = net NPR arrivals (a stock path's, or a flow policy's entries − exits) −
  NPR transitions to permanent residence (the NPR group's contribution to growth, its
  deaths aside);
* temporary residents: ``npr_stock`` on 1 July, and under a flow policy its ``npr_entries``
  and ``npr_exits`` (empty under a stock path) and the stock by permit type
  (``npr_stock_work``...); ``already_resident_share``: the NPR transitions, % of the
  year's admissions (the plans' "already living in the province" share);
* shares 0–19, 20–64, 65+ of the population (%);
* ``dependency_ratio`` = (0–19 + 65+) / 20–64 × 100 (ISQ's definition);
* ``median_age``: the age below which half the population lives, linear within a year of
  age (years);
* ``immigrant_share``: permanent immigrants of every duration, % of the population;
* ``share_of_parent``: % of the parent country's population (Quebec's share of Canada),
  where a ``parent`` path is given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.projection.engine import ProjectionOutputs

FloatArray = NDArray[np.float64]

__all__ = ["COLUMNS", "indicator_table", "median_age"]

COLUMNS: dict[str, str] = {
    "year": "1 July of the year (populations); flows: 1 July of the year to 30 June of the next",
    "population": "persons on 1 July",
    "births": "births during the year (persons)",
    "deaths": "deaths during the year (persons)",
    "natural_increase": "births minus deaths",
    "immigrants": "admissions of permanent residents (transitions from NPR included)",
    "npr_transitions": "admissions that came from the NPR stock (part of immigrants)",
    "net_emigration": "net emigrants (positive = loss)",
    "net_interprovincial": "net interprovincial migrants (positive = gain)",
    "npr_change": "net NPR arrivals minus NPR transitions to permanent residence",
    "other_migration": "exogenous net migration (NPR entries of a flow policy excluded)",
    "npr_stock": "non-permanent residents on 1 July (persons)",
    "npr_entries": "NPR entries during the year under a flow policy (persons)",
    "npr_exits": "NPR exits abroad during the year under a flow policy (persons)",
    "already_resident_share": "NPR transitions, % of the year's admissions",
    "npr_stock_<type>": (
        "NPR stock of a permit type on 1 July (flows by type; split derived, see "
        "immiplan.projection.npr_policy.TypedFlowInputs)"
    ),
    "growth": "population on 1 July of the next year minus this year's",
    "growth_rate": "growth, % of the population",
    "median_age": "years",
    "share_0_19": "% of the population aged 0-19",
    "share_20_64": "% aged 20-64",
    "share_65_plus": "% aged 65 and over",
    "dependency_ratio": "(0-19 + 65+) per 100 aged 20-64 (ISQ definition)",
    "immigrant_share": "% of the population who are permanent immigrants",
    "npr_share": "% of the population who are non-permanent residents",
    "share_of_parent": "% of the parent country's population (where a parent path is given)",
    "tfr": "total fertility rate of the year (children per woman)",
    "e0_female": "life expectancy at birth, women (years)",
    "e0_male": "life expectancy at birth, men (years)",
}
"""Column names of :func:`indicator_table` and their units."""


def median_age(by_age: FloatArray) -> FloatArray:
    """Median age of populations by single year (last axis ages 0..100), linear within age.

    Parameters
    ----------
    by_age:
        Persons by age, ``(..., 101)``.

    Returns
    -------
    numpy.ndarray
        Median ages in years, shape ``by_age.shape[:-1]``.
    """
    cum = np.cumsum(by_age, axis=-1)
    half = 0.5 * cum[..., -1:]
    index = np.argmax(cum >= half, axis=-1)
    before = (
        np.take_along_axis(cum, index[..., None], axis=-1)[..., 0]
        - np.take_along_axis(by_age, index[..., None], axis=-1)[..., 0]
    )
    inside = np.take_along_axis(by_age, index[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(inside > 0, (half[..., 0] - before) / inside, 0.0)
    return np.asarray(index + frac, dtype=float)


def _flow(values: FloatArray, n_years: int) -> FloatArray:
    out = np.full(n_years, np.nan)
    out[: values.size] = values
    return out


def indicator_table(
    outputs: ProjectionOutputs,
    *,
    immigrant_states: NDArray[np.intp] | slice,
    npr_state: int | None,
    canada: FloatArray | None = None,
    tfr: FloatArray | None = None,
    e0: FloatArray | None = None,
    first_year: int | None = None,
    npr_entries: FloatArray | None = None,
    npr_types: tuple[str, ...] = (),
    npr_type_shares: FloatArray | None = None,
) -> pd.DataFrame:
    """One row per year of indicators (see the module docstring for definitions).

    Parameters
    ----------
    outputs:
        The engine's result.
    immigrant_states:
        The states of permanent immigrants (every category and duration).
    npr_state:
        The NPR state (or ``None``).
    canada:
        Canada's population by year (same years as the outputs), or ``None``.
    tfr, e0:
        The year's TFR ``(T,)`` and life expectancy by sex ``(T, 2)`` to report beside.
    first_year:
        Drop the years before it.
    npr_entries:
        Under an NPR flow policy, the entries of each step ``(T,)`` (they are in the
        engine's exogenous migration; here they count in ``npr_change``).
    npr_types, npr_type_shares:
        Permit types and the share of the NPR stock of each on 1 July, ``(Y, N)``.
    """
    pop = outputs.population.sum(axis=2)  # (Y, S, X, A)
    by_age = pop.sum(axis=(1, 2))  # (Y, A)
    total = by_age.sum(axis=1)
    years = outputs.years
    n = years.size
    births = _flow(outputs.births.sum(axis=1), n)
    deaths = _flow(outputs.deaths.sum(axis=1), n)
    immigrants = _flow(outputs.immigrants.sum(axis=1), n)
    transitions = _flow(outputs.npr_transitions.sum(axis=1), n)
    entries = np.zeros(n - 1) if npr_entries is None else np.asarray(npr_entries, dtype=float)
    exits = np.zeros(n - 1) if outputs.npr_exits is None else outputs.npr_exits
    npr_change = _flow(outputs.npr_net + entries - exits - outputs.npr_transitions.sum(axis=1), n)
    npr_stock = pop[:, npr_state].sum(axis=(1, 2)) if npr_state is not None else np.zeros(n)
    flows = npr_entries is not None
    growth = _flow(np.diff(total), n)
    young = by_age[:, :20].sum(axis=1)
    working = by_age[:, 20:65].sum(axis=1)
    old = by_age[:, 65:].sum(axis=1)
    frame = pd.DataFrame(
        {
            "year": years.astype(int),
            "population": total,
            "births": births,
            "deaths": deaths,
            "natural_increase": births - deaths,
            "immigrants": immigrants,
            "npr_transitions": transitions,
            "net_emigration": _flow(outputs.emigration, n),
            "net_interprovincial": _flow(outputs.interprovincial, n),
            "npr_change": npr_change,
            "other_migration": _flow(outputs.other_migration - entries, n),
            "growth": growth,
            "growth_rate": 100.0 * growth / total,
            "median_age": median_age(by_age),
            "share_0_19": 100.0 * young / total,
            "share_20_64": 100.0 * working / total,
            "share_65_plus": 100.0 * old / total,
            "dependency_ratio": 100.0 * (young + old) / working,
            "immigrant_share": 100.0 * pop[:, immigrant_states].sum(axis=(1, 2, 3)) / total,
            "npr_share": 100.0 * npr_stock / total,
            "npr_stock": npr_stock,
            "npr_entries": _flow(entries, n) if flows else np.full(n, np.nan),
            "npr_exits": _flow(exits, n) if flows else np.full(n, np.nan),
            "already_resident_share": 100.0
            * np.divide(transitions, immigrants, out=np.full(n, np.nan), where=immigrants > 0),
            "share_of_parent": (
                100.0 * total / canada if canada is not None else np.full(n, np.nan)
            ),
            "tfr": _flow(tfr, n) if tfr is not None else np.full(n, np.nan),
            "e0_female": _flow(e0[:, 0], n) if e0 is not None else np.full(n, np.nan),
            "e0_male": _flow(e0[:, 1], n) if e0 is not None else np.full(n, np.nan),
        }
    )
    if npr_type_shares is not None:
        for j, kind in enumerate(npr_types):
            frame[f"npr_stock_{kind}"] = npr_stock * npr_type_shares[:, j]
    if first_year is not None:
        frame = frame[frame["year"] >= first_year].reset_index(drop=True)
    return frame
