"""Run a scenario with its integration outcomes, on top of the projection's public API.

:func:`run_with_outcomes` loads and prepares a scenario (:mod:`immiplan.projection.scenario`),
adds knowledge of French to the engine inputs as a trait (``K = 2``), runs the engine once
and computes the outcome indicators from its arrays. Each outcome can be switched off with
:class:`OutcomeOptions`.

A step's admissions know French at a rate that changes with the plan's target and the
category mix, so the engine gets one entry array per step (``entry_traits`` of shape
``(T, C, X, A, 2)``) and runs once.

Which outcomes run: the scenario's ``outcomes:`` block (:class:`OutcomeOptions` built from
it) unless the caller passes options. A scenario's ``selection:`` block sets the economic
category's French-at-admission share (:func:`economic_entry`); its age-sex profile is already
in the prepared admissions.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.outcomes.francization import (
    FrancizationParameters,
    cost_per_student,
    load_francization_parameters,
)
from immiplan.outcomes.french import CANNOT, TRAITS, BaseFit, FrenchModel
from immiplan.outcomes.indicators import (
    UNITS,
    OutcomeArrays,
    OutcomeModels,
    attach_outcomes,
    outcome_indicators,
)
from immiplan.outcomes.labour import LabourRates, calibrate_labour, load_labour_parameters
from immiplan.output import atomic_directory
from immiplan.projection.engine import ProjectionInputs, ProjectionOutputs, project
from immiplan.projection.scenario import EconomicSelection, LoadedScenario, OutcomeSwitches
from immiplan.projection.state import CATEGORIES, StateSpace

if TYPE_CHECKING:  # xarray is imported where a Dataset is built (0.15 s)
    import xarray as xr

FloatArray = NDArray[np.float64]

__all__ = [
    "FrenchInputs",
    "OutcomeOptions",
    "OutcomeResult",
    "add_french",
    "economic_entry",
    "francization_parameters",
    "french_model",
    "labour_rates",
    "outcomes_for",
    "plan_targets",
    "project_french",
    "project_with_outcomes",
    "run_with_outcomes",
    "select_series",
]


@dataclass(frozen=True)
class OutcomeOptions:
    """Which outcomes a run computes.

    ``french``: knowledge of French as a trait of the population (engine ``K = 2``) and its
    indicators; ``labour``: the labour force; ``francization``: demand, cost and the grant
    (needs only the admissions and their entry shares, not the trait).
    """

    french: bool = True
    labour: bool = True
    francization: bool = True

    @classmethod
    def from_switches(cls, switches: OutcomeSwitches) -> OutcomeOptions:
        """The options a scenario's ``outcomes:`` block asks for."""
        return cls(
            french=switches.french, labour=switches.labour, francization=switches.francization
        )

    @property
    def any(self) -> bool:
        """Whether any outcome is on."""
        return self.french or self.labour or self.francization


@cache
def french_model(base: str | None = None) -> FrenchModel:
    """The French model calibrated on a base (once per base; default the default base).

    The census shares come from the base's ``calibration.french_census`` (the 2021 Census for
    ``quebec-2023``, 2016's for ``quebec-2018``), the admissions' category mix from its
    ``history.mix_years``, the profiles from its files.
    """
    from immiplan.outcomes.french import category_admissions, load_french_parameters
    from immiplan.projection.bases import DEFAULT_BASE, load_base

    data = load_base(DEFAULT_BASE if base is None else base)
    manifest = data.manifest
    params = load_french_parameters(
        manifest.parameters, manifest.calibration.french_census, manifest.base_date
    )
    first, last = manifest.history.mix_years
    calendar = category_admissions(manifest.jurisdiction, (first, last))
    return FrenchModel.build(data.category_profiles, params, calendar)


def labour_rates(population: FloatArray, space: StateSpace, base: str | None = None) -> LabourRates:
    """Labour rates calibrated on a base population ``(S, X, A)`` with the base's LFS year."""
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    manifest = load_manifest(DEFAULT_BASE if base is None else base)
    params = load_labour_parameters(manifest.calibration.labour_year, manifest.parameters)
    return calibrate_labour(population, space, params)


def francization_parameters(base: str | None = None) -> FrancizationParameters:
    """The francization parameters of a base's jurisdiction, at its base date."""
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    manifest = load_manifest(DEFAULT_BASE if base is None else base)
    return load_francization_parameters(manifest.parameters, manifest.base_date)


def plan_targets(plans: Iterable[str]) -> dict[int, float]:
    """``french_knowledge_target`` by year of the named plans (later plans win)."""
    from immiplan.plans import load_plan

    out: dict[int, float] = {}
    for name in plans:
        plan = load_plan(name)
        for year in plan.years:
            target = plan.year(year).french_knowledge_target
            if target is not None:
                out[year] = float(target)
    return out


@dataclass(frozen=True)
class FrenchInputs:
    """Engine inputs with the French trait, and the entry shares by step.

    Attributes
    ----------
    inputs:
        ``K = 2`` inputs; their ``entry_traits`` are the first step's.
    all_shares:
        All-category share of admissions knowing French, ``(T,)``.
    entry:
        Share by step and category, ``(T, C)``.
    entry_traits:
        The engine array of every step, ``(T, C, X, A, 2)``.
    model:
        The French model with the base year's non-immigrant share set.
    fit:
        The base-year split and its fit.
    """

    inputs: ProjectionInputs
    all_shares: FloatArray
    entry: FloatArray
    entry_traits: FloatArray
    model: FrenchModel
    fit: BaseFit


def economic_entry(entry: FloatArray, selection: EconomicSelection | None) -> FloatArray:
    """Entry shares ``(T, C)`` with the economic column taken from a selection scenario.

    Step ``i``'s economic admissions are ``weight[i]`` from the selection scenario (its
    ``french_share``) and the rest from earlier calendar years (the historical split);
    other categories keep their split of the all-category share.
    """
    if selection is None:
        return entry
    out = np.array(entry, dtype=float, copy=True)
    econ = CATEGORIES.index("economic")
    weight = np.asarray(selection.weight, dtype=float)[: out.shape[0]]
    out[:, econ] = (1.0 - weight) * out[:, econ] + weight * selection.french_share
    return out


def _entry(
    inputs: ProjectionInputs,
    model: FrenchModel,
    targets: Mapping[int, float] | None,
    selection: EconomicSelection | None = None,
) -> tuple[FloatArray, FloatArray]:
    steps = inputs.steps
    all_shares = model.all_category_shares(int(inputs.base_year), steps, targets)
    weights = np.asarray(inputs.immigrants, dtype=float).sum(axis=(2, 3))
    empty = weights.sum(axis=1) <= 0.0
    weights = np.where(empty[:, None], 1.0, weights)  # no admissions: any mix will do
    entry = model.entry_shares(all_shares, weights)
    if selection is not None:
        entry = economic_entry(entry, selection)
        all_shares = (entry * weights).sum(axis=1) / weights.sum(axis=1)
    return all_shares, entry


def add_french(
    inputs: ProjectionInputs,
    *,
    targets: Mapping[int, float] | None = None,
    model: FrenchModel | None = None,
    selection: EconomicSelection | None = None,
) -> FrenchInputs:
    """Give one-trait engine inputs the French trait (see :mod:`immiplan.outcomes.french`).

    Parameters
    ----------
    inputs:
        Engine inputs with ``n_traits = 1`` (e.g. ``PreparedScenario.inputs``).
    targets:
        ``french_knowledge_target`` by calendar year (a plan's), or ``None``.
    model:
        Default :func:`french_model`.
    selection:
        The economic profile of a scenario's ``selection:`` block (its French share
        replaces the economic category's, see :func:`economic_entry`), or ``None``.
    """
    if inputs.n_traits != 1:
        raise InputError(
            "add_french expects inputs without a trait (n_traits = 1)", field="n_traits"
        )
    base_model = french_model() if model is None else model
    space = inputs.space
    split, fit, fitted = base_model.base_population(
        inputs.population[:, 0], space, int(inputs.base_year)
    )
    all_shares, entry = _entry(inputs, fitted, targets, selection)
    entry_traits = FrenchModel.entry_traits(entry, space.n_sexes)
    has_npr = inputs.npr_state is not None
    new = dataclasses.replace(
        inputs,
        population=split,
        n_traits=2,
        entry_traits=entry_traits[0],
        npr_entry_traits=fitted.npr_traits(int(inputs.base_year), space.n_sexes)
        if has_npr
        else None,
        newborn_trait=CANNOT,
        trait_transition=fitted.transition(space, int(inputs.base_year), inputs.steps),
    )
    return FrenchInputs(new, all_shares, entry, entry_traits, fitted, fit)


def project_french(french: FrenchInputs) -> ProjectionOutputs:
    """Run the engine once with the entry shares of every step (``(T, C, X, A, 2)``)."""
    inputs = french.inputs
    entry = french.entry_traits
    if entry.shape[0] != inputs.steps:
        raise InputError(
            f"entry shares for {entry.shape[0]} steps, the inputs have {inputs.steps}",
            field="entry_traits",
        )
    return project(dataclasses.replace(inputs, entry_traits=entry))


def _lfs_year(base: str | None) -> int:
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    return int(load_manifest(DEFAULT_BASE if base is None else base).calibration.labour_year)


def _labour(inputs: ProjectionInputs, base: str | None) -> LabourRates:
    # Calibrated on the run's own base population (a closed-form solve: no cache needed).
    population = np.ascontiguousarray(inputs.population.sum(axis=1))
    return labour_rates(population, inputs.space, base)


def outcomes_for(
    inputs: ProjectionInputs,
    options: OutcomeOptions = OutcomeOptions(),
    *,
    targets: Mapping[int, float] | None = None,
    selection: EconomicSelection | None = None,
    base: str | None = None,
) -> tuple[ProjectionOutputs, pd.DataFrame, dict[str, Any]]:
    """Project ``inputs`` (one trait) with the chosen outcomes: one engine run.

    ``targets`` are the plans' French-knowledge targets by calendar year; ``selection`` the
    economic profile of a scenario's ``selection:`` block (French share at admission);
    ``base`` the base the inputs start from (its calibration targets; default the default
    base).

    Returns
    -------
    tuple
        The engine outputs (``K = 2`` when French is on), the tidy outcome table and the
        calibration numbers (JSON-friendly).
    """
    model = french_model(base)
    fit: dict[str, Any] = {}
    entry: FloatArray | None = None
    fitted: FrenchModel | None = None
    if options.french:
        french = add_french(inputs, targets=targets, model=model, selection=selection)
        outputs = project_french(french)
        entry, fitted = french.entry, french.model
        fit["french"] = {
            "first_year_acquisition": model.calibration.first_year,
            "recent_immigrants_target": model.calibration.recent_target,
            "recent_immigrants_fit": model.calibration.recent_fit,
            "census_year": model.params.census_total_year,
            **{f"base_{k}": float(v) for k, v in dataclasses.asdict(french.fit).items()},
        }
    else:
        outputs = project(inputs)
        if options.francization:
            entry = _entry(inputs, model, targets, selection)[1]
    if selection is not None:
        fit["selection"] = selection.to_metadata()
    labour = _labour(inputs, base) if options.labour else None
    if labour is not None and labour.fit is not None:
        fit["labour"] = {**dataclasses.asdict(labour.fit), "lfs_year": _lfs_year(base)}
    francization = francization_parameters(base) if options.francization else None
    if francization is not None:
        cost = cost_per_student(francization)
        fit["francization"] = {"cost_per_student": cost.value, "derivation": cost.arithmetic()}
    arrays = OutcomeArrays.from_outputs(outputs, entry_french=entry)
    table = outcome_indicators(arrays, OutcomeModels(fitted, labour, francization))
    return outputs, table, fit


@dataclass(frozen=True)
class OutcomeResult:
    """A projection with its outcomes.

    Attributes
    ----------
    projection:
        The projection (:class:`~immiplan.projection.results.ProjectionResult`); its
        populations carry the French trait when French is on.
    outcomes:
        The tidy outcome table (:func:`~immiplan.outcomes.indicators.outcome_indicators`).
    calibration:
        Calibration and fit numbers of the outcomes.
    options:
        The outcomes computed.
    """

    projection: Any
    outcomes: pd.DataFrame
    calibration: dict[str, Any] = field(default_factory=dict)
    options: OutcomeOptions = OutcomeOptions()

    @cached_property
    def dataset(self) -> xr.Dataset:
        """The projection's Dataset with the ``outcome_*`` variables."""
        ds = attach_outcomes(self.projection.dataset, self.outcomes)
        ds.attrs["outcomes_calibration"] = json.dumps(self.calibration, default=float)
        return ds

    def table(self, group: str = "all") -> pd.DataFrame:
        """One row per year, one column per indicator, for ``group``."""
        part = self.outcomes[self.outcomes["group"] == group]
        return part.pivot(index="year", columns="indicator", values="value").reset_index()

    def write(self, folder: str | Path) -> list[Path]:
        """Write the projection's files and ``outcomes.csv``/``.parquet`` and
        ``outcomes_calibration.json`` into ``folder``, atomically."""
        target = Path(folder)
        written: list[Path] = []
        with atomic_directory(target) as staging:
            for path in self.projection.write(staging):
                written.append(target / path.relative_to(staging))
            self.outcomes.to_csv(staging / "outcomes.csv", index=False)
            self.outcomes.to_parquet(staging / "outcomes.parquet", index=False)
            meta = {"calibration": self.calibration, "units": UNITS}
            (staging / "outcomes_calibration.json").write_text(
                json.dumps(meta, indent=2, default=float) + "\n", encoding="utf-8"
            )
            written += [
                target / n
                for n in ("outcomes.csv", "outcomes.parquet", "outcomes_calibration.json")
            ]
        return written


SeriesSpec = Mapping[str, tuple[str, str, str, float]]
"""Named series: ``name → (origin, column, group, scale)``, origin ``"projection"`` (a
column of the projection's indicator table; ``group`` unused) or ``"outcomes"`` (an
indicator of the outcome table for ``group``)."""


def select_series(result: OutcomeResult, spec: SeriesSpec) -> dict[str, pd.Series]:
    """Each series of ``spec`` found in ``result``, by year, times its scale.

    The outcome table is matched through integer codes of its group and indicator
    columns, once: comparing the string columns again for each series was most of the
    time of a report's or a page's series.
    """
    projection = result.projection.indicators
    projection_years = projection["year"].to_numpy(dtype=np.int64)
    outcomes = result.outcomes
    group_codes, group_names = pd.factorize(outcomes["group"])
    name_codes, indicator_names = pd.factorize(outcomes["indicator"])
    group_index = {str(g): i for i, g in enumerate(group_names)}
    name_index = {str(n): i for i, n in enumerate(indicator_names)}
    years = outcomes["year"].to_numpy(dtype=np.int64)
    values = outcomes["value"].to_numpy(dtype=float)
    out: dict[str, pd.Series] = {}
    for key, (origin, column, group, scale) in spec.items():
        if origin == "projection":
            if column in projection:
                column_values = projection[column].to_numpy(dtype=float)
                out[key] = pd.Series(column_values * scale, index=projection_years)
            continue
        if group not in group_index or column not in name_index:
            continue
        rows = (group_codes == group_index[group]) & (name_codes == name_index[column])
        if rows.any():
            out[key] = pd.Series(values[rows] * scale, index=years[rows])
    return out


def project_with_outcomes(
    prepared: Any,
    options: OutcomeOptions | None = None,
    *,
    source_text: str = "",
) -> OutcomeResult:
    """Project a :class:`~immiplan.projection.scenario.PreparedScenario` with outcomes.

    ``options`` default to the scenario's ``outcomes:`` block. The plan targets come from
    the scenario's plans (``immigration.plans``), the economic French share from its
    ``selection:`` block when it has one.

    Raises
    ------
    InputError
        When the scenario's net departures empty some cell (as
        :func:`~immiplan.projection.results.run_scenario`).
    """
    from immiplan.projection.results import ProjectionResult, check_population

    switches = prepared.scenario.outcomes
    chosen = OutcomeOptions.from_switches(switches) if options is None else options
    targets = plan_targets(prepared.scenario.immigration.plans)
    base = prepared.base.name if getattr(prepared, "base", None) is not None else None
    outputs, table, fit = outcomes_for(
        prepared.inputs, chosen, targets=targets, selection=prepared.selection, base=base
    )
    check_population(outputs, str(prepared.metadata.get("source", "")))
    names = TRAITS if outputs.inputs.n_traits == len(TRAITS) else None
    result = ProjectionResult(
        prepared=prepared, outputs=outputs, source_text=source_text, trait_names=names
    )
    table = table[table["year"] >= result.first_year].reset_index(drop=True)
    return OutcomeResult(projection=result, outcomes=table, calibration=fit, options=chosen)


def run_with_outcomes(
    name: str | Path | LoadedScenario,
    *,
    horizon: int | None = None,
    options: OutcomeOptions | None = None,
) -> OutcomeResult:
    """Load, prepare and project a scenario with its outcomes (shipped name, path, or an
    already loaded scenario).

    ``options`` default to the scenario's ``outcomes:`` block (every outcome on when the
    scenario has none).

    Examples
    --------
    >>> result = run_with_outcomes("quebec-2019-plan")  # doctest: +SKIP
    >>> result.table().loc[:, ["year", "french_share", "labour_force"]]  # doctest: +SKIP
    """
    from immiplan.pipeline import run

    return run(name, horizon=horizon, options=options)
