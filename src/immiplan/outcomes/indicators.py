"""Outcome indicators from a projection's arrays: a tidy table and the Dataset variables.

Pure functions of NumPy arrays (no second projection): :class:`OutcomeArrays` holds the
populations on 1 July ``(Y, S, K, X, A)``, the admissions of each step ``(T, C, X, A)`` and
the share of them knowing French ``(T, C)``; :func:`outcome_indicators` returns one row per
``(year, group, indicator)``:

* population indicators (1 July of ``year``), by group: ``knows_french``, ``french_share``
  (census convention: children under 1 counted by the language learned at home);
  ``labour_force``, ``employed``, ``unemployed``, ``unemployment_rate``,
  ``participation_rate``, ``employment_rate`` (15 and over), ``unemployment_rate_25_54``;
  ``population_15_64``, ``population_20_64``, ``population_65_plus``,
  ``old_age_dependency`` ((65+) / (20–64));
* flow indicators (the step from 1 July of ``year`` to 30 June of the next; fiscal year
  ``year``–``year + 1`` for money), group ``all``: ``admissions``,
  ``admitted_adults_without_french``, ``francization_students``, ``francization_places``,
  ``francization_cost``, ``federal_grant``, ``francization_cost_per_admitted``,
  ``federal_grant_per_admitted``. The last year has no flows; a grant year without a
  published amount is NaN.

Groups: ``all``, ``non_immigrant``, ``immigrants`` (every category and duration),
``landed_under_5``, ``landed_5_to_10``, ``landed_10_plus`` (years since landing),
the four categories, ``npr``. :func:`attach_outcomes` adds the table to an
``xarray.Dataset`` as variables ``outcome_<indicator>`` over ``(year, outcome_group)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.outcomes.francization import FrancizationParameters, francization_flows
from immiplan.outcomes.french import N_TRAITS, TRAITS, FrenchModel, known_french
from immiplan.outcomes.labour import LabourRates
from immiplan.projection.state import N_AGES, StateSpace

if TYPE_CHECKING:  # xarray is imported where a Dataset is built (0.15 s)
    import xarray as xr

FloatArray = NDArray[np.float64]

__all__ = [
    "OUTCOME_GROUPS",
    "UNITS",
    "OutcomeArrays",
    "OutcomeModels",
    "attach_outcomes",
    "group_masks",
    "outcome_indicators",
]

OUTCOME_GROUPS: tuple[str, ...] = (
    "all",
    "non_immigrant",
    "immigrants",
    "landed_under_5",
    "landed_5_to_10",
    "landed_10_plus",
    "economic",
    "family",
    "refugees",
    "other",
    "npr",
)
"""The groups of the table, in order (those a layout lacks are left out)."""

UNITS: dict[str, str] = {
    "knows_french": "persons able to conduct a conversation in French, 1 July",
    "french_share": "share of the group able to conduct a conversation in French",
    "labour_force": "persons 15+ employed or unemployed, 1 July",
    "employed": "persons",
    "unemployed": "persons",
    "unemployment_rate": "unemployed / labour force (15+)",
    "participation_rate": "labour force / population 15+",
    "employment_rate": "employed / population 15+",
    "unemployment_rate_25_54": "unemployed / labour force, ages 25-54",
    "population_15_64": "persons aged 15-64, 1 July",
    "population_20_64": "persons aged 20-64, 1 July",
    "population_65_plus": "persons aged 65+, 1 July",
    "old_age_dependency": "persons 65+ per person 20-64",
    "admissions": "permanent residents admitted in the year from 1 July (persons)",
    "admitted_adults_without_french": "admitted aged 16+ not knowing French (persons)",
    "francization_students": "of whom enrol in French courses (persons)",
    "francization_places": "course places for the students who attend",
    "francization_cost": "CAD of 2016-17 (students x derived cost per student)",
    "federal_grant": "CAD, fiscal year starting 1 April of the year, as published (NaN if not)",
    "francization_cost_per_admitted": "CAD per admitted immigrant",
    "federal_grant_per_admitted": "CAD per admitted immigrant",
}
"""Every indicator and its unit."""


@dataclass(frozen=True)
class OutcomeArrays:
    """The arrays the outcomes are computed from.

    Attributes
    ----------
    years:
        Years of the populations (1 July), ``(Y,)``; step ``i`` starts on 1 July of
        ``years[i]``.
    population:
        Persons, ``(Y, S, K, X, A)`` in the engine's compact layout.
    space:
        The state layout.
    immigrants:
        Admissions by step, category, sex and age, ``(Y − 1, C, X, A)`` (or ``None``).
    entry_french:
        Share of each step's admissions knowing French by category, ``(Y − 1, C)`` (or
        ``None`` when the French trait is off).
    """

    years: NDArray[np.int64]
    population: FloatArray
    space: StateSpace
    immigrants: FloatArray | None = None
    entry_french: FloatArray | None = None

    def __post_init__(self) -> None:
        pop = np.asarray(self.population, dtype=float)
        if pop.ndim != 5 or pop.shape[1] != self.space.n_states or pop.shape[-1] != N_AGES:
            raise InputError(
                f"population must be (years, {self.space.n_states} states, traits, sexes, "
                f"{N_AGES} ages), got {pop.shape}",
                field="population",
            )
        if len(self.years) != pop.shape[0]:
            raise InputError("years and population disagree", field="years")
        if self.entry_french is not None and self.immigrants is None:
            raise InputError("entry_french needs the admissions", field="immigrants")

    @classmethod
    def from_outputs(cls, outputs: object, entry_french: FloatArray | None = None) -> OutcomeArrays:
        """From a :class:`~immiplan.projection.engine.ProjectionOutputs` (duck-typed)."""
        inputs = outputs.inputs  # type: ignore[attr-defined]
        return cls(
            years=np.asarray(outputs.years),  # type: ignore[attr-defined]
            population=outputs.population,  # type: ignore[attr-defined]
            space=inputs.space,
            immigrants=np.asarray(inputs.immigrants),
            entry_french=entry_french,
        )


@dataclass(frozen=True)
class OutcomeModels:
    """Which outcomes to compute, with their parameters (``None`` switches one off)."""

    french: FrenchModel | None = None
    labour: LabourRates | None = None
    francization: FrancizationParameters | None = None


def group_masks(space: StateSpace) -> tuple[tuple[str, ...], FloatArray]:
    """The outcome groups a layout has and their state masks, ``(G, S)`` of 0/1."""
    states = np.arange(space.n_states)
    groups = space.group_of_state()
    durations = space.duration_of_state()
    n_lead = len(space.leading)
    block = (groups >= n_lead) & (groups < n_lead + len(space.categories))
    masks: dict[str, NDArray[np.bool_]] = {"all": np.ones(space.n_states, dtype=bool)}
    if "non_immigrant" in (*space.leading, *space.trailing):
        masks["non_immigrant"] = states == space.state("non_immigrant")
    if set(space.categories) & {"economic", "family", "refugees", "other"}:
        masks["immigrants"] = block
        if space.n_durations > 1:
            masks["landed_under_5"] = block & (durations < 5)
            masks["landed_5_to_10"] = block & (durations >= 5) & (durations < 10)
            masks["landed_10_plus"] = block & (durations >= 10)
        for c, name in enumerate(space.categories):
            masks[name] = groups == n_lead + c
    if "npr" in (*space.leading, *space.trailing):
        masks["npr"] = states == space.state("npr")
    names = tuple(g for g in OUTCOME_GROUPS if g in masks)
    return names, np.array([masks[g] for g in names], dtype=float)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def outcome_indicators(
    arrays: OutcomeArrays, models: OutcomeModels, *, first_year: int | None = None
) -> pd.DataFrame:
    """The tidy table of outcome indicators (see the module docstring).

    Parameters
    ----------
    arrays:
        The projection's arrays.
    models:
        The outcomes to compute.
    first_year:
        Drop rows before this year.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``group``, ``indicator``, ``value`` (float), ``unit``.
    """
    pop = np.asarray(arrays.population, dtype=float)
    years = np.asarray(arrays.years, dtype=int)
    names, masks = group_masks(arrays.space)
    by_state_age = pop.sum(axis=(2, 3))  # (Y, S, A)
    by_group_age = np.einsum("ysa,gs->yga", by_state_age, masks)  # (Y, G, A)
    rows: dict[str, FloatArray] = {}

    if models.french is not None:
        if pop.shape[2] != N_TRAITS:
            raise InputError(
                f"the French outcomes need the population split by knowledge of French "
                f"({N_TRAITS} traits), got {pop.shape[2]}",
                field="population",
            )
        if not np.isfinite(models.french.non_immigrant):
            raise InputError(
                "the French model has no non-immigrant share: use the model returned by "
                "FrenchModel.base_population (or add_french)",
                field="french",
            )
        known = known_french(pop, arrays.space, models.french.non_immigrant)  # (Y, S)
        knows = known @ masks.T
        rows["knows_french"] = knows
        rows["french_share"] = _ratio(knows, by_group_age.sum(axis=2))

    def band(first: int, last: int) -> FloatArray:
        return by_group_age[:, :, first : last + 1].sum(axis=2)

    if models.labour is not None:
        lf_sa, emp_sa = models.labour.apply(pop)  # (Y, S, A)
        lf_ga = np.einsum("ysa,gs->yga", lf_sa, masks)
        emp_ga = np.einsum("ysa,gs->yga", emp_sa, masks)
        lf, emp = lf_ga.sum(axis=2), emp_ga.sum(axis=2)
        adults = band(15, N_AGES - 1)
        rows["labour_force"] = lf
        rows["employed"] = emp
        rows["unemployed"] = lf - emp
        rows["unemployment_rate"] = _ratio(lf - emp, lf)
        rows["participation_rate"] = _ratio(lf, adults)
        rows["employment_rate"] = _ratio(emp, adults)
        lf_core = lf_ga[:, :, 25:55].sum(axis=2)
        rows["unemployment_rate_25_54"] = _ratio(lf_core - emp_ga[:, :, 25:55].sum(axis=2), lf_core)

    if models.labour is not None or models.french is not None:
        working_15, working_20, old = band(15, 64), band(20, 64), band(65, N_AGES - 1)
        rows["population_15_64"] = working_15
        rows["population_20_64"] = working_20
        rows["population_65_plus"] = old
        rows["old_age_dependency"] = _ratio(old, working_20)

    n_years, n_groups = years.size, len(names)
    frames = []
    if rows:
        values = np.stack(list(rows.values()))  # (I, Y, G)
        indicators = np.repeat(np.array(list(rows), dtype=object), n_years * n_groups)
        frames.append(
            pd.DataFrame(
                {
                    "year": np.tile(np.repeat(years, n_groups), len(rows)),
                    "group": np.tile(np.array(names, dtype=object), n_years * len(rows)),
                    "indicator": indicators,
                    "value": values.reshape(-1),
                }
            )
        )

    if models.francization is not None and arrays.immigrants is not None:
        if arrays.entry_french is None:
            raise InputError(
                "francization needs the share of admissions knowing French (French outcomes on)",
                field="entry_french",
            )
        steps = np.asarray(arrays.immigrants).shape[0]
        flows = francization_flows(
            arrays.immigrants,
            np.asarray(arrays.entry_french)[:, :, None, None],
            years[:steps],
            models.francization,
        )
        keys = {
            "admissions": "admissions",
            "admitted_adults_without_french": "demand",
            "francization_students": "students",
            "francization_places": "places",
            "francization_cost": "cost",
            "federal_grant": "grant",
            "francization_cost_per_admitted": "cost_per_admitted",
            "federal_grant_per_admitted": "grant_per_admitted",
        }
        frames.append(
            pd.DataFrame(
                {
                    "year": np.tile(years[:steps], len(keys)),
                    "group": "all",
                    "indicator": np.repeat(np.array(list(keys), dtype=object), steps),
                    "value": np.concatenate([flows[k] for k in keys.values()]),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "year": pd.Series([], dtype=int),
                "group": pd.Series([], dtype=object),
                "indicator": pd.Series([], dtype=object),
                "value": pd.Series([], dtype=float),
                "unit": pd.Series([], dtype=object),
            }
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["value"] = frame["value"].astype(float)
    # Units by indicator through integer codes (a per-row dictionary lookup was a tenth of
    # the table's time).
    codes, names_seen = pd.factorize(frame["indicator"])
    frame["unit"] = np.array([UNITS[n] for n in names_seen], dtype=object)[codes]
    if first_year is not None:
        frame = frame[frame["year"] >= first_year].reset_index(drop=True)
    return frame


def attach_outcomes(dataset: xr.Dataset, frame: pd.DataFrame) -> xr.Dataset:
    """Add the outcome table to a projection Dataset.

    Each indicator becomes a variable ``outcome_<indicator>`` over ``(year, outcome_group)``
    (NaN where the table has no row: flows of the last year, groups of flows other than
    ``all``, years without a published grant). A ``trait`` dimension of size 2 gets the
    names ``cannot``/``can``.
    """
    import xarray as xr

    ds = dataset.copy()
    if "trait" in ds.dims and ds.sizes["trait"] == N_TRAITS:
        ds = ds.assign_coords(trait=list(TRAITS))
        ds["trait"].attrs = {"description": "can conduct a conversation in French"}
    if frame.empty:
        return ds
    years = ds["year"].values if "year" in ds.coords else np.unique(frame["year"])
    groups = [g for g in OUTCOME_GROUPS if g in set(frame["group"])]
    year_index = {int(y): i for i, y in enumerate(years)}
    group_index = {g: i for i, g in enumerate(groups)}
    for name, part in frame.groupby("indicator", sort=False):
        values = np.full((len(years), len(groups)), np.nan)
        keep = part["year"].isin(list(year_index))
        rows = part.loc[keep]
        values[
            rows["year"].map(year_index).to_numpy(dtype=int),
            rows["group"].map(group_index).to_numpy(dtype=int),
        ] = rows["value"].to_numpy(dtype=float)
        ds[f"outcome_{name}"] = xr.DataArray(
            values,
            dims=("year", "outcome_group"),
            coords={"year": years, "outcome_group": groups},
            attrs={"units": UNITS.get(str(name), "")},
        )
    return ds
