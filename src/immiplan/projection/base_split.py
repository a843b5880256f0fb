"""A base population split into the state space's groups and durations.

Two ways, as the base's manifest says (``state.method``):

* ``file``: the base ships every cell (a derived base, e.g. one advanced from an earlier
  base with observed components); it is used as shipped.
* ``rebuild``: recent immigrants are rebuilt by running the engine itself over the ten
  admission years before the base date (from ``history.admissions_from``); the NPR stock is
  the dated stock of the base date with its age pattern; immigrants landed ten years or more
  earlier are rebuilt landing cohort by landing cohort (the jurisdiction's totals from
  ``history.observed_from``, IRCC from ``history.ircc_from``, a calibrated constant level
  before) and calibrated on the census of ``census``; non-immigrants are the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.assumptions import ProjectionAssumptions
from immiplan.projection.base import BaseData
from immiplan.projection.engine import ProjectionInputs, project
from immiplan.projection.history import admissions_by_period, calendar_admissions, category_mix
from immiplan.projection.retention import Retention, migration_rates
from immiplan.projection.state import CATEGORIES, N_AGES
from immiplan.projection.survival import base_survival

FloatArray = NDArray[np.float64]

__all__ = ["BaseSplit", "LongTermStock", "base_split", "long_term_stock"]


@dataclass(frozen=True)
class BaseSplit:
    """The base-date population by group (compact states), with how it was made.

    Attributes
    ----------
    population:
        Persons by state, sex and age, ``(S, 2, 101)``.
    recent:
        Immigrants landed in the ten years before (durations 0..9), persons.
    long_term:
        Immigrants landed ten years or more before, persons.
    npr:
        Non-permanent residents, persons.
    capped:
        Persons removed from the 10+ group where groups exceeded a cell's population.
    reconstruction:
        How the 10+ group was rebuilt (:class:`LongTermStock`), or ``None``.
    """

    population: FloatArray
    recent: float
    long_term: float
    npr: float
    capped: float
    reconstruction: LongTermStock | None = None


@dataclass(frozen=True)
class LongTermStock:
    """Immigrants landed ten years or more before the base date, rebuilt by landing cohort.

    Attributes
    ----------
    population_census, population_base:
        Survivors still in the jurisdiction on 1 July of the census year and on the base
        date by state, sex and age, ``(S, 2, 101)``.
    pre_1980_level:
        Calibrated constant annual landings before ``history.observed_from`` (assumption).
    before_2001_census:
        Survivors at the census of the landings before 2001 (= the census count).
    since_2001_scale:
        Factor applied to the landings of January 2001 to the start of the recent history so
        that all immigrants at the census add up to the census count.
    landed_recent_census:
        Survivors at the census of the landings of the recent history, persons.
    """

    population_census: FloatArray
    population_base: FloatArray
    pre_1980_level: float
    before_2001_census: float
    since_2001_scale: float
    landed_recent_census: float

    @property
    def immigrants_census(self) -> float:
        """All immigrants at the census (rebuilt stock plus the recent landings)."""
        return float(self.population_census.sum()) + self.landed_recent_census

    # Old names (the Quebec 2018 base: census 2016, base 2018).
    @property
    def population_2016(self) -> FloatArray:
        """Old name of :attr:`population_census`."""
        return self.population_census

    @property
    def population_2018(self) -> FloatArray:
        """Old name of :attr:`population_base`."""
        return self.population_base

    @property
    def before_2001_2016(self) -> float:
        """Old name of :attr:`before_2001_census`."""
        return self.before_2001_census

    @property
    def landed_since_2008_2016(self) -> float:
        """Old name of :attr:`landed_recent_census`."""
        return self.landed_recent_census

    @property
    def immigrants_2016(self) -> float:
        """Old name of :attr:`immigrants_census`."""
        return self.immigrants_census


def _empty_inputs(
    base: BaseData,
    steps: int,
    admissions: FloatArray,
    retention: Retention,
    population: FloatArray | None = None,
) -> ProjectionInputs:
    """Engine inputs with the base rates and given admissions, no births and no NPRs."""
    space = base.manifest.space
    sv, s0 = base_survival(base)
    s, x, a, c = space.n_states, space.n_sexes, N_AGES, len(space.categories)
    emig, interp = migration_rates(base, retention, 1.0, 1.0, space)
    immigrants = admissions[:, :, None, None] * base.category_profiles[None]
    pop = np.zeros((s, 1, x, a)) if population is None else population
    return ProjectionInputs(
        space=space,
        base_year=base.year - steps,
        population=pop,
        survival=np.broadcast_to(sv, (steps, x, a)),
        newborn_survival=np.broadcast_to(s0, (steps, x)),
        asfr=np.zeros((steps, a)),
        birth_sex_shares=np.broadcast_to([0.5, 0.5], (steps, x)),
        emigration=np.broadcast_to(emig, (steps, s, x, a)),
        interprovincial=np.broadcast_to(interp, (steps, s, x, a)),
        immigrants=immigrants,
        npr_transition_share=np.zeros((steps, c)),
    )


def _landing_stock(
    base: BaseData,
    retention: Retention,
    calendar: dict[int, FloatArray],
    first: int,
    last_period: int,
) -> tuple[FloatArray, FloatArray]:
    """Survivors at the census and on the base date of the landings in ``calendar``.

    The engine runs from 1 July ``first`` to the base date with the base rates and the
    admissions of the July-June periods ``first..last_period`` taken from ``calendar``
    (missing years are zero); later periods have none.
    """
    year = base.year
    census_year = base.manifest.census.date.year
    zero = np.zeros(len(CATEGORIES))
    cal = {y: calendar.get(y, zero) for y in range(first, year + 1)}
    steps = year - first
    periods = np.zeros((steps, len(CATEGORIES)))
    periods[: last_period - first + 1] = admissions_by_period(cal, first, last_period)
    out = project(_empty_inputs(base, steps, periods, retention)).population
    return out[census_year - first][:, 0], out[-1][:, 0]


def long_term_stock(
    base: BaseData,
    assumptions: ProjectionAssumptions,
    retention: Retention,
    landed_recent_census: float,
) -> LongTermStock:
    """Rebuild the immigrants landed ten years or more before the base date.

    Each calendar year's landings (the jurisdiction's totals from ``history.observed_from``,
    IRCC from ``history.ircc_from``, split by the mix years' category mix; one calibrated
    constant level from ``landings_from``) enter with their category's age-sex profile and
    are followed to the base date through the base survival and departure rates. Two census
    counts calibrate the stock:

    * the early level makes the survivors of all landings before 2001 equal the census
      "before 2001" count on 1 July of the census year;
    * the landings of 2001 to the start of the recent history are scaled so that all
      immigrants at the census (with ``landed_recent_census``) equal the census total.
    """
    history = base.manifest.history
    mix = category_mix(base.jurisdiction, (history.mix_years[0], history.mix_years[1]))
    observed_from, ircc_from, recent_from = (
        history.observed_from,
        history.ircc_from,
        history.admissions_from,
    )
    first = assumptions.landings_from - 1  # the period from 1 July of that year
    if not first < observed_from:
        raise InputError(
            f"early landings must start before {observed_from}",
            source="projection.immigrants.pre_1980_landings",
            value=assumptions.landings_from,
        )
    observed = {y: v * mix for y, v in assumptions.admissions_before_ircc.items()}
    for year in range(ircc_from, recent_from + 1):
        observed[year] = calendar_admissions(year, base)
    missing = [y for y in range(observed_from, recent_from + 1) if y not in observed]
    if missing:
        raise InputError(
            "admissions missing for the rebuilt long-term immigrants",
            source="projection.immigrants.admissions_1980_2004",
            value=missing,
        )
    pre = {y: mix for y in range(assumptions.landings_from, observed_from)}
    old = {y: v for y, v in observed.items() if y <= 2000}
    since_2001 = {y: v for y, v in observed.items() if y > 2000}
    last = recent_from - 1  # the last period before the recent history
    pre_c, pre_b = _landing_stock(base, retention, pre, first, last)
    old_c, old_b = _landing_stock(base, retention, old, first, last)
    new_c, new_b = _landing_stock(base, retention, since_2001, first, last)

    by_period = assumptions.immigrants_census_by_period
    before_2001 = by_period["before_2001"]
    level = (before_2001 - old_c.sum()) / pre_c.sum()
    target_new = assumptions.immigrants_census - landed_recent_census - before_2001
    scale = target_new / new_c.sum()
    if level <= 0.0 or scale <= 0.0:
        raise InputError(
            "the census counts cannot be reached by the rebuilt landing cohorts",
            source=base.manifest.census.immigrants_by_period,
            value={"pre_1980_level": level, "since_2001_scale": scale},
        )
    return LongTermStock(
        population_census=level * pre_c + old_c + scale * new_c,
        population_base=level * pre_b + old_b + scale * new_b,
        pre_1980_level=float(level),
        before_2001_census=float(level * pre_c.sum() + old_c.sum()),
        since_2001_scale=float(scale),
        landed_recent_census=float(landed_recent_census),
    )


def base_split(
    base: BaseData, assumptions: ProjectionAssumptions, retention: Retention
) -> BaseSplit:
    """Split the base population into the states (method in the module docstring)."""
    space = base.manifest.space
    if base.state is not None:
        state = base.state
        recent = [space.state(c, d) for c in space.categories for d in range(space.n_durations - 1)]
        long_term = [space.state(c, space.n_durations - 1) for c in space.categories]
        npr_total = float(state[space.state("npr")].sum()) if "npr" in space.groups else 0.0
        return BaseSplit(
            population=state.copy(),
            recent=float(state[recent].sum()),
            long_term=float(state[long_term].sum()),
            npr=npr_total,
            capped=0.0,
        )
    year = base.year
    recent_from = base.manifest.history.admissions_from
    census_year = base.manifest.census.date.year
    calendar = {y: calendar_admissions(y, base) for y in range(recent_from, year + 1)}
    steps = year - recent_from
    periods = admissions_by_period(calendar, recent_from, year - 1)
    recent_run = project(_empty_inputs(base, steps, periods, retention)).population
    recent_base = recent_run[-1][:, 0]  # (S, X, A)
    # Landed since the start of the recent history and still here at the census.
    landed_by_census = recent_run[census_year - recent_from][:, 0].sum()

    stock = long_term_stock(base, assumptions, retention, float(landed_by_census))
    long_term_cells = stock.population_base

    npr = np.zeros((2, N_AGES))
    ages = assumptions.npr_age_counts / assumptions.npr_age_counts.sum()
    npr[:] = 0.5 * assumptions.npr_stock * ages

    population = base.population
    groups = recent_base + long_term_cells
    groups[space.state("npr")] += npr
    others = groups.sum(axis=0)
    excess = np.maximum(others - population, 0.0)
    lt_cell = long_term_cells.sum(axis=0)
    cut = np.minimum(excess, lt_cell)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(lt_cell > 0, 1.0 - cut / lt_cell, 1.0)
    groups -= long_term_cells * (1.0 - keep)
    rest = groups.sum(axis=0)
    if np.any(rest > population + 1e-6):
        raise InputError("immigrants and NPRs exceed the base population in some cell")
    groups[space.state("non_immigrant")] = population - (rest - groups[0])
    return BaseSplit(
        population=groups,
        recent=float(recent_base.sum()),
        long_term=float((long_term_cells * keep).sum()),
        npr=float(npr.sum()),
        capped=float(cut.sum()),
        reconstruction=stock,
    )
