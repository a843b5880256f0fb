"""A scenario turned into engine inputs, on its base.

:func:`prepare` reads the scenario's base (:func:`base_inputs`: data, assumptions at the base
date, retention, the split into states, the rate factors; computed once per base), turns the
fertility and mortality paths into rates by step (the e0 path through
:func:`~immiplan.projection.survival.survival_paths`, one swappable call), the immigration
block into admissions by period and category (:mod:`immiplan.projection.levels`, with the
selection link of :mod:`immiplan.projection.selection_link`), and the NPR block into a stock
path or net flows. The engine runs from the base date; outputs are reported from the
scenario's ``base_year`` (the base's year by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan import __version__
from immiplan.errors import InputError
from immiplan.projection.assumptions import ProjectionAssumptions, load_assumptions
from immiplan.projection.base import BaseData
from immiplan.projection.base_split import BaseSplit, base_split
from immiplan.projection.bases import load_base
from immiplan.projection.engine import ProjectionInputs
from immiplan.projection.history import admissions_by_period, calendar_admissions
from immiplan.projection.levels import by_category, interpolate, prepare_levels
from immiplan.projection.loading import LoadedScenario
from immiplan.projection.npr_policy import NprFlowPolicy, TypedFlowInputs, typed_flow_inputs
from immiplan.projection.retention import Retention, calibrate_retention, migration_rates
from immiplan.projection.schema import Scenario
from immiplan.projection.selection_link import EconomicSelection, economic_selection
from immiplan.projection.state import CATEGORIES, N_AGES, SEXES
from immiplan.projection.survival import survival_paths

FloatArray = NDArray[np.float64]

__all__ = ["BaseInputs", "PreparedScenario", "base_inputs", "prepare", "rate_factors"]


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario turned into engine inputs, with everything needed to report on it.

    Attributes
    ----------
    scenario:
        The validated scenario.
    inputs:
        Engine inputs from the base date to 1 July of the horizon.
    levels:
        Calendar-year admissions by category used, ``{year: (4,)}``.
    canada:
        The parent country's population by output year (or ``None``); see :attr:`parent`.
    metadata:
        Scenario name, source, SHA-256, package version, base year, horizon.
    retention, split:
        The calibrated multipliers and the base's groups.
    rate_factors:
        The factors applied to non-recent residents' base emigration and interprovincial
        rates (so that base-year totals match the published ones).
    selection:
        The economic profile from the scenario's ``selection`` block (or ``None``).
    """

    scenario: Scenario
    inputs: ProjectionInputs
    levels: dict[int, FloatArray]
    canada: FloatArray | None
    metadata: dict[str, Any]
    retention: Retention
    split: BaseSplit
    rate_factors: tuple[float, float]
    first_output_year: int = 0
    tfr: FloatArray = field(default_factory=lambda: np.zeros(0))
    e0: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    selection: EconomicSelection | None = None
    base: BaseData | None = None
    npr_flows: TypedFlowInputs | None = None
    """The NPR flow policy's arrays and the stock's split by permit type (or ``None``)."""

    @property
    def parent(self) -> FloatArray | None:
        """The parent country's population by output year (the neutral name of ``canada``)."""
        return self.canada


@cache
def base_inputs(name: str) -> BaseInputs:
    """A base's data, assumptions, retention, split and rate factors (once per base)."""
    base = load_base(name)
    assumptions = load_assumptions(base)
    mix_year = base.manifest.calibration.retention_mix_year
    retention = calibrate_retention(base, assumptions, calendar_admissions(mix_year, base))
    split = base_split(base, assumptions, retention)
    factors = rate_factors(base, retention, split.population)
    return BaseInputs(base, assumptions, retention, split, factors)


@dataclass(frozen=True)
class BaseInputs:
    """What a base gives every scenario on it (:func:`base_inputs`)."""

    base: BaseData
    assumptions: ProjectionAssumptions
    retention: Retention
    split: BaseSplit
    rate_factors: tuple[float, float]


def rate_factors(
    base: BaseData, retention: Retention, population: FloatArray
) -> tuple[float, float]:
    """Factors on non-recent residents' base rates that keep the published base totals.

    Solves ``Σ rate·P`` over all groups (recent immigrants at their own rates, the NPR
    group at zero) ``= Σ base_rate·P_total``, one factor for net emigration and one for
    net interprovincial migration. A factor below zero means recent immigrants' own
    departures exceed the published net total, so everyone else is a small net gain.
    """
    totals = []
    for k, published in enumerate((base.emigration_rates, base.interprovincial_rates)):
        target = float((published * base.population).sum())
        at_one = migration_rates(base, retention, 1.0, 1.0)[k]
        at_zero = migration_rates(base, retention, 0.0, 0.0)[k]
        fixed = float((at_zero * population).sum())
        slope = float(((at_one - at_zero) * population).sum())
        totals.append((target - fixed) / slope if slope else 1.0)
    return totals[0], totals[1]


def prepare(loaded: LoadedScenario | Scenario, *, horizon: int | None = None) -> PreparedScenario:
    """Turn a scenario into engine inputs (rates by year, admissions, NPR path).

    Parameters
    ----------
    loaded:
        A loaded scenario (or a bare :class:`Scenario`).
    horizon:
        Overrides the scenario's horizon (year of the last 1 July projected).
    """
    if isinstance(loaded, Scenario):
        loaded = LoadedScenario(loaded, source=f"<{loaded.name}>", sha256="")
    sc = loaded.scenario
    source = loaded.source
    first_year = sc.first_year
    end = sc.horizon if horizon is None else int(horizon)
    if end <= first_year:
        raise InputError(
            f"the horizon must be after the base year ({first_year})",
            source=source,
            field="horizon",
            value=end,
        )
    given = base_inputs(sc.base)
    base, retention, split, factors = given.base, given.retention, given.split, given.rate_factors
    space = base.manifest.space
    start = base.year
    steps = end - start
    years = np.arange(start, end)  # start year of each step
    x, a, c = space.n_sexes, N_AGES, len(space.categories)

    tfr = interpolate({int(k): v for k, v in sc.fertility.tfr.items()}, years)
    asfr = base.asfr[None, :] * (tfr / base.asfr.sum())[:, None]
    srb = float(sc.fertility.srb if sc.fertility.srb is not None else base.srb)
    sex_shares = np.broadcast_to([1.0 / (1.0 + srb), srb / (1.0 + srb)], (steps, x))

    # Each step uses the e0 at its midpoint, 1 January of t + 1 (a path's years are calendar
    # years, centred on 1 July): the mean of the path at years t and t + 1.
    paths = [{int(k): v for k, v in sc.mortality.e0[s].items()} for s in SEXES]  # type: ignore[index]
    e0_path = np.stack(
        [0.5 * (interpolate(p, years) + interpolate(p, years + 1)) for p in paths], axis=-1
    )
    # The one place an e0 path becomes survival (the method is immiplan.projection.survival's).
    survival, newborn = survival_paths(
        base.mx,
        e0_path,
        source=source,
        pattern=base.manifest.parameter("projection.mortality.age_pattern"),
        when=base.manifest.base_date,
    )

    emig_base, interp_base = migration_rates(base, retention, *factors, space)
    emig_mult = _multiplier(sc.migration.emigration_multiplier, years)
    interp_mult = _multiplier(sc.migration.interprovincial_multiplier, years)
    emigration = emig_mult[:, None, None, None] * emig_base[None]
    interprovincial = interp_mult[:, None, None, None] * interp_base[None]

    levels = prepare_levels(sc.immigration, start, end, source=source, base=base)
    periods = admissions_by_period(levels, start, end - 1)
    profiles = np.broadcast_to(base.category_profiles, (steps, c, x, a)).copy()
    selection = None
    if sc.selection is not None:
        selection = economic_selection(
            sc.selection, levels, start, steps, source, default_from=first_year + 1
        )
        econ = CATEGORIES.index("economic")
        w = selection.weight[:, None, None]
        profiles[:, econ] = (1.0 - w) * base.category_profiles[econ] + w * selection.profile
    immigrants = periods[:, :, None, None] * profiles

    shares_map = sc.npr.transition_share or given.assumptions.npr_transition_share
    shares = by_category(shares_map)
    transition_share = np.broadcast_to(shares, (steps, c))

    population = split.population.copy()
    npr_index = space.state("npr")
    if sc.npr.age_distribution is not None:
        shape = np.asarray(sc.npr.age_distribution, dtype=float)
        shape = np.stack([0.5 * shape, 0.5 * shape]) / shape.sum()
        stock0 = population[npr_index].sum()
        population[0] += population[npr_index] - stock0 * shape
        population[npr_index] = stock0 * shape
        if population[0].min() < 0:
            raise InputError(
                "this NPR age distribution puts more NPRs than residents in some age",
                source=source,
                field="npr.age_distribution",
            )
    npr_shape = population[npr_index] / population[npr_index].sum()
    net_migration = None
    npr_flows = None
    exit_rate = transition_rate = None
    if sc.npr.flows is not None:
        npr_stock = None
        transition_share = _flow_transition_share(sc.npr.flows, sc, years, c, source)
        npr_flows = _npr_flows(
            sc.npr.flows,
            base,
            steps,
            npr_shape,
            float(population[npr_index].sum()),
            source,
            (transition_share * periods).sum(axis=1)
            if sc.npr.flows.transition_rate is None
            else None,
        )
        net_migration = np.zeros((steps, space.n_states, x, a))
        net_migration[:, npr_index] = npr_flows.inputs.entries
        exit_rate = npr_flows.inputs.exit_rate
        transition_rate = npr_flows.inputs.transition_rate
    elif sc.npr.stock == "closed":
        npr_stock = None
        if sc.npr.net_arrivals:
            flows = interpolate({int(k): float(v) for k, v in sc.npr.net_arrivals.items()}, years)
            net_migration = np.zeros((steps, space.n_states, x, a))
            net_migration[:, npr_index] = flows[:, None, None] * npr_shape[None]
    elif sc.npr.stock == "hold":
        npr_stock = np.broadcast_to(population[npr_index], (steps, x, a))
    else:
        totals = interpolate({int(k): v for k, v in sc.npr.stock.items()}, years + 1)
        npr_stock = totals[:, None, None] * npr_shape[None]

    inputs = ProjectionInputs(
        space=space,
        base_year=start,
        population=population[:, None],
        survival=survival,
        newborn_survival=newborn,
        asfr=asfr,
        birth_sex_shares=sex_shares,
        emigration=emigration,
        interprovincial=interprovincial,
        immigrants=immigrants,
        npr_transition_share=transition_share,
        npr_stock=npr_stock,
        npr_state=npr_index,
        net_migration=net_migration,
        npr_exit_rate=exit_rate,
        npr_transition_rate=transition_rate,
    )
    out_years = np.arange(first_year, end + 1)
    parent = (
        interpolate({int(k): v for k, v in sc.parent.population.items()}, out_years)
        if sc.parent is not None
        else None
    )
    metadata: dict[str, Any] = {
        "scenario": sc.name,
        "title": sc.title_in("en"),
        "source": source,
        "sha256": loaded.sha256,
        "immiplan_version": __version__,
        "base": base.name,
        "base_date": base.manifest.base_date.isoformat(),
        "jurisdiction": base.jurisdiction,
        "base_year": first_year,
        "horizon": end,
        "which": sc.immigration.which,
        "plans": list(sc.immigration.plans),
        "outcomes": sc.outcomes.model_dump(include={"french", "labour", "francization"}),
    }
    if selection is not None:
        metadata["selection"] = selection.to_metadata()
    return PreparedScenario(
        scenario=sc,
        inputs=inputs,
        levels=levels,
        canada=parent,
        metadata=metadata,
        retention=retention,
        split=split,
        rate_factors=factors,
        first_output_year=first_year,
        tfr=tfr,
        e0=e0_path,
        selection=selection,
        base=base,
        npr_flows=npr_flows,
    )


def _multiplier(points: dict[int, float], years: NDArray[np.int64]) -> FloatArray:
    if not points:
        return np.ones(years.size)
    return interpolate({int(k): float(v) for k, v in points.items()}, years)


def _npr_flows(
    policy: NprFlowPolicy,
    base: BaseData,
    steps: int,
    npr_shape: FloatArray,
    stock0: float,
    source: str,
    expected_transitions: FloatArray | None,
) -> TypedFlowInputs:
    """The scenario's NPR flow policy as engine arrays, with the stock followed by type."""
    dated: list[tuple[str, dict[int, float]]] = [
        (f"npr.flows.entries.{k}", v) for k, v in policy.entries.items() if isinstance(v, dict)
    ]
    if policy.asylum_stock is not None:
        dated.append(("npr.flows.asylum_stock", policy.asylum_stock))
    if isinstance(policy.already_resident_share, dict):
        dated.append(("npr.flows.already_resident_share", policy.already_resident_share))
    for name, path in dated:
        early = [int(y) for y in path if int(y) < base.year]
        if early:
            raise InputError(
                f"a year before the base year {base.year}: the base already holds it",
                source=source,
                field=f"{name}.{early[0]}",
                value=early[0],
            )
    profiles: dict[str, FloatArray] = {}
    for kind in (*policy.entries, "asylum"):
        given = (policy.profiles or {}).get(kind)
        if given is None:
            profiles[kind] = npr_shape
        else:
            shape = np.asarray(given, dtype=float)
            profiles[kind] = np.stack([0.5 * shape, 0.5 * shape]) / shape.sum()
    by_type = _stock_by_type(policy, base, stock0, source)
    return typed_flow_inputs(policy, steps, profiles, base.year, by_type, expected_transitions)


def _stock_by_type(
    policy: NprFlowPolicy, base: BaseData, stock0: float, source: str
) -> dict[str, float]:
    """The base's NPR stock by permit type: given, or the shipped observation at the base date.

    The observation's part left without a type (family members without a permit, work-and-
    study holders where a restatement leaves them out) is ``other``; the split is scaled to
    the base's NPR stock. Without either, the stock is split like the first year's entries
    (assumption).
    """
    if policy.stock_by_type is not None:
        given = {str(k): float(v) for k, v in policy.stock_by_type.items()}
    else:
        given = _observed_by_type(base, stock0)
        if not given:
            first = {
                str(k): float(policy.entries_at(k, np.array([base.year]))[0])
                for k in policy.entries
            }
            given = first if sum(first.values()) > 0 else {"other": 1.0}
    total = sum(given.values())
    if total <= 0:
        raise InputError(
            "the NPR stock by type must have a positive total",
            source=source,
            field="npr.flows.stock_by_type",
            value=total,
        )
    if isinstance(policy.exit_rate, dict):
        missing = [
            k
            for k, v in given.items()
            if v > 0 and k not in policy.exit_rate and not (k == "asylum" and policy.asylum_stock)
        ]
        if missing:
            raise InputError(
                f"the base's NPR stock has {missing[0]} permit holders and exit_rate gives "
                "no rate for them",
                source=source,
                field="npr.flows.exit_rate",
                value=missing[0],
            )
    return {k: v * stock0 / total for k, v in given.items()}


def _observed_by_type(base: BaseData, stock0: float) -> dict[str, float]:
    """The shipped NPR observation by type on the base date, or ``{}``.

    Of the observations on that date that split the permit holders by permit, the one of the
    base's own vintage: the one whose total is nearest the base's NPR stock (the latest vintage
    among equals). The 2023 base (470,976 on 1 July 2023) thus reads the September 2023
    vintage, not the revised ones of 2025 (406,878), whose split belongs to another total.
    """
    from immiplan.plans.npr import PERMIT_PARTS, npr_stock

    try:
        data = npr_stock(base.jurisdiction)
    except InputError:
        return {}
    on_date = [
        o
        for o in data.observations
        if o.date == base.manifest.base_date and any(k in o.by_type for k in PERMIT_PARTS)
    ]
    if not on_date:
        return {}
    obs = min(
        on_date,
        key=lambda o: (abs(o.total - stock0), -(o.vintage or o.date).toordinal()),
    )
    out = obs.split()
    rest = obs.total - sum(out.values())
    if rest > 0:
        out["other"] = out.get("other", 0.0) + rest
    return out


def _flow_transition_share(
    policy: NprFlowPolicy, sc: Scenario, years: NDArray[np.int64], c: int, source: str
) -> FloatArray:
    """Share of each step's admissions from the NPR stock, ``(T, C)`` (0 without a share).

    A step runs from 1 July of ``t`` to 30 June of ``t + 1``: its share is the mean of the
    calendar years ``t`` and ``t + 1``. ``plan`` reads each plan year's already-resident
    share (its low bound: "65 % or more" is 0.65), linear between the years that give one.
    """
    share = policy.already_resident_share
    steps = years.size
    if share is None:
        return np.zeros((steps, c))
    if isinstance(share, float | int):
        return np.full((steps, c), float(share))
    points: dict[int, float]
    if share == "plan":
        from immiplan.plans import load_plan

        points = {}
        for name in sc.immigration.plans:
            plan = load_plan(name)
            for year in plan.years:
                low = plan.year(year).already_resident_share
                if low is not None:
                    points[int(year)] = float(low[0])
        if not points:
            raise InputError(
                "already_resident_share: plan needs a plan that gives the share of admissions "
                "already living in the province",
                source=source,
                field="npr.flows.already_resident_share",
                value="plan",
            )
    else:
        points = {int(k): float(v) for k, v in share.items()}
    path = 0.5 * (interpolate(points, years) + interpolate(points, years + 1))
    return np.broadcast_to(path[:, None], (steps, c)).copy()
