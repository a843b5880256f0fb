"""Run an ensemble: chunks of trajectories through the batched engine, reduced as they go.

:func:`ensemble_base` turns a prepared scenario into an :class:`EnsembleBase` (the engine
inputs, with the French trait when it is on, and what the indicators need); :func:`run_chunk`
draws trajectories ``start .. stop − 1`` (:mod:`immiplan.ensembles.draws`), projects them
together on the engine's trajectory axis keeping only a few numbers per year and trajectory
(``project(..., reduce=...)``), and returns their indicators ``(n, Y, I)``;
:func:`run_ensemble` runs every chunk, in this process or on a Dask cluster
(:mod:`immiplan.ensembles.cluster`), and stacks them in trajectory order. A trajectory's
numbers depend only on the seed and its index, never on the chunking.

Memory stays bounded: a chunk of ``R`` trajectories holds two years of the full state
(``2 × S × K × X × A × R`` numbers) and its inputs, and only the indicators of every
trajectory (``n × Y × I``) are kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.ensembles.draws import draw
from immiplan.ensembles.model import StochasticModel
from immiplan.ensembles.mortality import SurvivalGrid, survival_grid
from immiplan.errors import InputError
from immiplan.projection.engine import ProjectionInputs, project
from immiplan.projection.state import N_AGES

FloatArray = NDArray[np.float64]

__all__ = [
    "INDICATORS",
    "EnsembleBase",
    "EnsembleResult",
    "ensemble_base",
    "run_chunk",
    "run_ensemble",
]

INDICATORS: dict[str, str] = {
    "population": "persons on 1 July",
    "population_20_64": "persons aged 20-64 on 1 July",
    "population_65_plus": "persons aged 65 and over on 1 July",
    "dependency_ratio": "(0-19 + 65+) per 100 aged 20-64 (ISQ definition)",
    "french_share": "share of the population able to conduct a conversation in French",
    "labour_force": "persons 15+ employed or unemployed, 1 July",
    "francization_cost": "CAD of 2016-17, the year starting 1 July",
}
"""Every indicator an ensemble can give, with its unit."""

DEFAULT_CHUNK = 16
"""Trajectories per chunk: the state of a chunk (16 × 9,292 cells, 1.2 MB an array) stays in
the processor cache; 8 spends more on per-call overhead, 64 waits on memory (measured,
docs/benchmarks.md)."""


@dataclass(frozen=True)
class EnsembleBase:
    """What every chunk of one scenario's ensemble needs (picklable, sent once to workers).

    Attributes
    ----------
    inputs:
        The deterministic engine inputs (with the French trait when ``french`` is on).
    name:
        The scenario's name.
    tfr, e0:
        The scenario's TFR ``(T,)`` and e0 ``(T, 2)`` paths.
    varied_from:
        First step whose admissions follow a plan (earlier steps are observed and fixed).
    participation:
        Labour-force participation by state and age ``(S, A)``, or ``None``.
    french_non_immigrant:
        Share of age-0 non-immigrants counted as knowing French, or ``None`` (French off).
    francization:
        Francization cost of each step by category for the deterministic admissions
        ``(T, C)``, or ``None``.
    grid:
        Survival by e0 (see :mod:`immiplan.ensembles.mortality`), or ``None``.
    """

    inputs: ProjectionInputs
    name: str
    tfr: FloatArray
    e0: FloatArray
    varied_from: int
    participation: FloatArray | None = None
    french_non_immigrant: float | None = None
    francization: FloatArray | None = None
    grid: SurvivalGrid | None = None

    @property
    def indicators(self) -> tuple[str, ...]:
        names = ["population", "population_20_64", "population_65_plus", "dependency_ratio"]
        if self.french_non_immigrant is not None:
            names.append("french_share")
        if self.participation is not None:
            names.append("labour_force")
        if self.francization is not None:
            names.append("francization_cost")
        return tuple(names)

    @property
    def years(self) -> NDArray[np.int64]:
        return self.inputs.years


@dataclass(frozen=True)
class EnsembleResult:
    """The indicators of every trajectory of an ensemble.

    Attributes
    ----------
    values:
        ``(n, Y, I)``: trajectory, year (1 July; flows: the year starting then), indicator.
    years, indicators:
        The labels of the last two axes.
    seed, model:
        What drew the trajectories.
    scenario:
        The scenario's name.
    deterministic:
        The scenario's own indicators ``(Y, I)`` (the ensemble's centre).
    """

    values: FloatArray
    years: NDArray[np.int64]
    indicators: tuple[str, ...]
    seed: int
    model: StochasticModel
    scenario: str
    deterministic: FloatArray
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def trajectories(self) -> int:
        return int(self.values.shape[0])

    def series(self, indicator: str) -> FloatArray:
        """``(n, Y)`` values of one indicator."""
        if indicator not in self.indicators:
            raise InputError(
                f"unknown indicator (this ensemble has {', '.join(self.indicators)})",
                field="indicator",
                value=indicator,
            )
        return np.asarray(self.values[:, :, self.indicators.index(indicator)], dtype=float)


def _first_planned_step(prepared: Any) -> int:
    """Index of the first step starting in a year whose admissions come from a plan."""
    from immiplan.plans.catalog import load_plan

    imm = prepared.scenario.immigration
    years = [int(y) for y in imm.levels]
    for name in imm.plans:
        years.extend(load_plan(name).years)
    base = int(prepared.inputs.base_year)
    first = min(years) if years else base + 1
    return max(0, first - base)


def ensemble_base(
    prepared: Any,
    *,
    outcomes: bool = True,
    model: StochasticModel | None = None,
) -> EnsembleBase:
    """The ensemble inputs of a :class:`~immiplan.projection.scenario.PreparedScenario`.

    With ``outcomes`` the scenario's ``outcomes:`` switches choose French, labour force and
    francization cost as in ``immiplan run``; without, only the population indicators.
    ``model`` sizes the survival grid (e0 range the draws may reach).
    """
    from immiplan.outcomes.francization import francization_flows, load_francization_parameters
    from immiplan.outcomes.run import (
        OutcomeOptions,
        _entry,
        _labour,
        add_french,
        french_model,
        plan_targets,
    )

    inputs: ProjectionInputs = prepared.inputs
    options = (
        OutcomeOptions.from_switches(prepared.scenario.outcomes)
        if outcomes
        else OutcomeOptions(french=False, labour=False, francization=False)
    )
    targets = plan_targets(prepared.scenario.immigration.plans)
    base_inputs = inputs
    non_immigrant: float | None = None
    entry_french: FloatArray | None = None
    base_name = prepared.scenario.base
    model_fr = french_model(base_name) if (options.french or options.francization) else None
    if options.french:
        french = add_french(inputs, targets=targets, model=model_fr, selection=prepared.selection)
        base_inputs = dataclasses.replace(french.inputs, entry_traits=french.entry_traits)
        non_immigrant = float(french.model.non_immigrant)
        entry_french = french.entry
    participation = None
    if options.labour:
        participation = np.asarray(_labour(inputs, base_name).participation, dtype=np.float64)
    francization = None
    if options.francization:
        if entry_french is None:
            assert model_fr is not None
            entry_french = _entry(inputs, model_fr, targets, prepared.selection)[1]
        params = load_francization_parameters()
        steps = inputs.steps
        imm = np.asarray(inputs.immigrants)
        start_years = [int(y) for y in inputs.years[:steps]]
        by_category = []
        for c in range(imm.shape[1]):
            only = np.zeros_like(imm)
            only[:, c] = imm[:, c]
            flows = francization_flows(
                only, np.asarray(entry_french)[:, :, None, None], start_years, params
            )
            by_category.append(flows["cost"])
        francization = np.stack(by_category, axis=1)
    grid = None
    if model is not None and (model.e0_female.sigma > 0 or model.e0_male.sigma > 0):
        from immiplan.projection.bases import load_base
        from immiplan.projection.mortality import age_pattern

        data = load_base(base_name)
        bx = age_pattern(
            data.manifest.base_date,
            data.manifest.parameter("projection.mortality.age_pattern"),
        )
        grid = survival_grid(np.asarray(prepared.e0, dtype=float), model, inputs.steps, data.mx, bx)
    return EnsembleBase(
        inputs=base_inputs,
        name=str(prepared.scenario.name) if hasattr(prepared.scenario, "name") else "",
        tfr=np.asarray(prepared.tfr, dtype=float),
        e0=np.asarray(prepared.e0, dtype=float),
        varied_from=_first_planned_step(prepared),
        participation=participation,
        french_non_immigrant=non_immigrant,
        francization=francization,
        grid=grid,
    )


def _reducer(base: EnsembleBase) -> Callable[[FloatArray], FloatArray]:
    """Each year's state ``(R, S, K, X, A)`` → ages, labour force, French ``(R, A + 2)``."""
    participation = base.participation
    non_immigrant = base.french_non_immigrant
    space = base.inputs.space
    ni = space.state("non_immigrant") if "non_immigrant" in space.groups else None

    def reduce(state: FloatArray) -> FloatArray:
        p = state if state.ndim == 5 else state[None]  # one run: R = 1
        by_state_age = p.sum(axis=(2, 3))  # (R, S, A)
        ages = by_state_age.sum(axis=1)  # (R, A)
        lf = (
            np.einsum("rsa,sa->r", by_state_age, participation)
            if participation is not None
            else np.zeros(ages.shape[:1])
        )
        if non_immigrant is not None:
            known = np.einsum("rsxa->r", p[:, :, 1])  # einsum: one pass over a strided view
            if ni is not None:
                known = known + non_immigrant * p[:, ni, 0, :, 0].sum(axis=1)
        else:
            known = np.zeros(ages.shape[:1])
        kept = np.concatenate([ages, lf[:, None], known[:, None]], axis=1)
        return kept if state.ndim == 5 else kept[0]

    return reduce


def _indicators(base: EnsembleBase, kept: FloatArray, multipliers: FloatArray | None) -> FloatArray:
    """``(R, Y, A + 2)`` reduced states → ``(R, Y, I)`` indicators."""
    ages = kept[..., :N_AGES]
    total = ages.sum(axis=-1)
    young = ages[..., :20].sum(axis=-1)
    working = ages[..., 20:65].sum(axis=-1)
    old = ages[..., 65:].sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns = [
            total,
            working,
            old,
            np.where(working > 0, (young + old) / working * 100.0, np.nan),
        ]
        if base.french_non_immigrant is not None:
            columns.append(np.where(total > 0, kept[..., N_AGES + 1] / total, np.nan))
    if base.participation is not None:
        columns.append(kept[..., N_AGES])
    if base.francization is not None:
        steps = base.francization.shape[0]
        cost = np.full(total.shape, np.nan)
        mult = (
            np.ones((total.shape[0], steps, base.francization.shape[1]))
            if multipliers is None
            else multipliers
        )
        cost[:, :steps] = np.einsum("rtc,tc->rt", mult, base.francization)
        columns.append(cost)
    return np.stack(columns, axis=-1)


def batch_inputs(
    base: EnsembleBase, model: StochasticModel, seed: int, start: int, stop: int
) -> tuple[ProjectionInputs, FloatArray]:
    """Engine inputs of trajectories ``start .. stop − 1`` and their admission multipliers."""
    inp = base.inputs
    steps = inp.steps
    d = draw(model, seed, start, stop, steps)
    adm = d.admissions.copy()
    adm[:, : base.varied_from] = 1.0  # observed admissions are not uncertain
    changes: dict[str, Any] = {
        "asfr": inp.asfr[None] * d.tfr[:, :, None],
        "immigrants": inp.immigrants[None] * adm[:, :, :, None, None],
        "emigration_scale": d.emigration
        if inp.emigration_scale is None
        else d.emigration * inp.emigration_scale,
        "interprovincial_scale": d.interprovincial
        if inp.interprovincial_scale is None
        else d.interprovincial * inp.interprovincial_scale,
    }
    if inp.npr_stock is not None:
        changes["npr_stock"] = inp.npr_stock[None] * d.npr[:, :, None, None]
    if base.grid is not None:
        survival, newborn = base.grid.survival(
            base.e0[None] + d.e0, inp.survival, inp.newborn_survival, base.e0
        )
        changes["survival"] = survival
        changes["newborn_survival"] = newborn
    return dataclasses.replace(inp, **changes), adm


def run_chunk(
    base: EnsembleBase, model: StochasticModel, seed: int, start: int, stop: int
) -> FloatArray:
    """Indicators ``(stop − start, Y, I)`` of trajectories ``start .. stop − 1`` of ``seed``."""
    if stop <= start:
        raise InputError(
            "a chunk needs at least one trajectory", field="trajectories", value=stop - start
        )
    batch, adm = batch_inputs(base, model, seed, start, stop)
    out = project(batch, reduce=_reducer(base))
    return _indicators(base, np.asarray(out.population), adm)


def deterministic_indicators(base: EnsembleBase) -> FloatArray:
    """The scenario's own indicators ``(Y, I)`` (one unbatched run)."""
    out = project(base.inputs, reduce=_reducer(base))
    return _indicators(base, np.asarray(out.population)[None], None)[0]


def chunk_ranges(n: int, chunk: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``0 .. n − 1`` in chunks of at most ``chunk``."""
    return [(s, min(s + chunk, n)) for s in range(0, n, chunk)]


def run_ensemble(
    base: EnsembleBase,
    model: StochasticModel,
    *,
    trajectories: int = 1000,
    seed: int = 0,
    chunk: int = DEFAULT_CHUNK,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> EnsembleResult:
    """Every trajectory's indicators, in this process or on a Dask ``client``.

    Parameters
    ----------
    base:
        From :func:`ensemble_base`.
    model:
        The stochastic model (e.g. ``calibrate().model``).
    trajectories:
        ``n`` ≥ 1.
    seed:
        Seed of the trajectories' streams (any non-negative integer).
    chunk:
        Trajectories per engine call.
    client:
        A ``dask.distributed.Client``, or ``None`` to run here.
    progress:
        Called with the number of trajectories each finished chunk adds.
    """
    if isinstance(trajectories, bool) or int(trajectories) < 1:
        raise InputError(
            "the number of trajectories must be at least 1",
            field="trajectories",
            value=trajectories,
        )
    if int(seed) < 0:
        raise InputError("the seed must be a non-negative integer", field="seed", value=seed)
    if int(chunk) < 1:
        raise InputError("the chunk size must be at least 1", field="chunk", value=chunk)
    ranges = chunk_ranges(int(trajectories), int(chunk))
    if client is None:
        parts = []
        for start, stop in ranges:
            parts.append(run_chunk(base, model, int(seed), start, stop))
            if progress is not None:
                progress(stop - start)
    else:
        from immiplan.ensembles.cluster import map_chunks

        parts = map_chunks(client, base, model, int(seed), ranges, progress)
    values = np.concatenate(parts, axis=0)
    return EnsembleResult(
        values=values,
        years=np.asarray(base.years),
        indicators=base.indicators,
        seed=int(seed),
        model=model,
        scenario=base.name,
        deterministic=deterministic_indicators(base),
        metadata={"trajectories": int(trajectories), "chunk": int(chunk)},
    )


def indicator_units(names: Sequence[str]) -> dict[str, str]:
    """The unit of each named indicator."""
    return {n: INDICATORS[n] for n in names}
