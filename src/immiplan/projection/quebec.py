"""Quebec's default engine inputs: base-year groups, retention, survival by e0, rates.

Everything here turns published figures (the base data of :mod:`immiplan.projection.base`,
the dated assumptions under ``data/parameters/projection/`` and the observed admissions of
:mod:`immiplan.plans`) into the arrays of :class:`~immiplan.projection.engine.ProjectionInputs`.
Each derived figure follows a method documented in ``docs/projection.md``:

* **Retention.** Recent immigrants (durations 0–9) leave Quebec faster than other
  residents. Their net emigration and net interprovincial rates are the base rates plus
  an excess: ``rate + (M − 1)·loss`` where ``loss`` is the base schedule's net loss at
  that age (zero where the schedule is a net gain), with a multiplier ``M`` per category
  for durations 0–4 and another for 5–9 (10+ uses the base rates). The multipliers are
  solved so that a landing cohort with the category's age-sex profile, followed through
  the base-year rates (mortality aside), keeps the 5- and 10-year retention targets.
* **Base rates of everyone else** are scaled by one factor per component so that, in the
  base year, all groups together reproduce the published net emigration and net
  interprovincial totals (the published rates describe the whole population, recent
  immigrants' departures included).
* **Base-year groups.** Recent immigrants are rebuilt by running the engine itself over
  the ten admission years before 1 July 2018; the NPR stock is the documented 2018 stock
  with ISQ's age pattern; immigrants landed ten years or more earlier are rebuilt landing
  cohort by landing cohort (ISQ/IRCC admissions since 1980, a calibrated constant level
  before) and calibrated on the 2016 Census counts; non-immigrants are the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from immiplan.errors import InputError
from immiplan.projection.base import BaseData, load_quebec_2018
from immiplan.projection.ccmpp import survival_ratios
from immiplan.projection.engine import ProjectionInputs, project
from immiplan.projection.lifetable import calibrate_to_e0, life_table
from immiplan.projection.state import CATEGORIES, N_AGES, N_DURATIONS, QUEBEC, SEXES
from immiplan.system.parameters import parameters
from immiplan.system.references import Reference

FloatArray = NDArray[np.float64]

__all__ = [
    "BaseSplit",
    "LongTermStock",
    "QuebecAssumptions",
    "Retention",
    "admissions_by_period",
    "base_split",
    "calendar_admissions",
    "calibrate_retention",
    "cohort_retention",
    "load_assumptions",
    "long_term_stock",
    "migration_rates",
    "survival_for_e0",
]

EARLY_DURATIONS = 5
"""Durations 0..4 share the first multiplier, 5..9 the second."""
HISTORY_FROM = 2008
"""First calendar year of admissions used to rebuild the recent immigrants of 2018."""
MIX_YEARS = (2010, 2011, 2012, 2013, 2014)
"""Years whose category mix stands in where only totals were published (assumption)."""
OBSERVED_FROM = 1980
"""First calendar year of the observed admission totals that rebuild the 10+ immigrants."""
IRCC_FROM = 2005
"""First calendar year taken from the IRCC series (earlier years: ISQ's totals)."""
CENSUS_YEAR = 2016
"""Year of the census counts of immigrants (treated as of 1 July; assumption)."""


@dataclass(frozen=True)
class QuebecAssumptions:
    """The dated assumptions of ``data/parameters/projection/``.

    Attributes
    ----------
    retention_5, retention_10:
        Share of an admission cohort still in Quebec 5 and 10 years after landing.
    category_retention_5:
        Canada's 5-year retention by category (only the differences are used).
    npr_transition_share:
        Share of each category's admissions coming from the NPR stock.
    npr_stock:
        NPR stock on 1 July 2018 (persons).
    npr_age_counts:
        NPRs by single age (both sexes) giving the stock's age shape, ``(101,)``.
    immigrants_2016:
        Immigrants in Quebec at the 2016 Census (persons).
    immigrants_2016_by_period:
        The same count by period of immigration (``before_2001``, ``2001_2005``, ...).
    admissions_before_ircc:
        Quebec admissions by calendar year, 1980-2004 (ISQ totals).
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
    immigrants_2016: float
    immigrants_2016_by_period: dict[str, float]
    admissions_before_ircc: dict[int, float]
    landings_from: int
    references: dict[str, tuple[Reference, ...]]


@cache
def load_assumptions() -> QuebecAssumptions:
    """Read the projection's dated assumptions (their latest values)."""
    tree = parameters()
    names = {
        "retention_5": "projection.retention.five_year",
        "retention_10": "projection.retention.ten_year",
        "category_retention_5": "projection.retention.canada_five_year_by_category",
        "npr_transition_share": "projection.npr.transition_share",
        "npr_stock": "projection.npr.stock",
        "npr_age_counts": "projection.npr.age_distribution",
        "immigrants_2016": "projection.immigrants.census_2016",
        "by_period": "projection.immigrants.census_2016_by_period",
        "admissions": "projection.immigrants.admissions_1980_2004",
        "pre_1980": "projection.immigrants.pre_1980_landings",
    }
    values = {}
    refs = {}
    for key, name in names.items():
        entry = tree.get(name).values[-1]
        values[key] = entry.value
        refs[name] = entry.references
    ages = np.asarray(values["npr_age_counts"], dtype=float)
    if ages.shape != (N_AGES,):
        raise InputError(
            f"the NPR age distribution needs {N_AGES} values (ages 0..100)",
            source="projection.npr.age_distribution",
            value=ages.size,
        )
    return QuebecAssumptions(
        retention_5=float(values["retention_5"]),
        retention_10=float(values["retention_10"]),
        category_retention_5={k: float(v) for k, v in values["category_retention_5"].items()},
        npr_transition_share={k: float(v) for k, v in values["npr_transition_share"].items()},
        npr_stock=float(values["npr_stock"]),
        npr_age_counts=ages,
        immigrants_2016=float(values["immigrants_2016"]),
        immigrants_2016_by_period={str(k): float(v) for k, v in values["by_period"].items()},
        admissions_before_ircc={int(k): float(v) for k, v in values["admissions"].items()},
        landings_from=int(values["pre_1980"]["first_year"]),
        references=refs,
    )


def _survival_from_lx(lx_big: FloatArray) -> tuple[FloatArray, float]:
    """Engine survival ``S[a]`` (``(101,)``) and ``L_0/l_0`` from a life table's ``Lx``."""
    ratios = survival_ratios(lx_big)
    out = np.empty(N_AGES)
    out[:-2] = ratios[1:-1]
    out[-2:] = ratios[-1]  # those entering 100+ and those in it: T_100/T_99
    return out, float(ratios[0])


@cache
def _base_mx(sex: str) -> FloatArray:
    base = load_quebec_2018()
    return base.mx[SEXES.index(sex)]


@cache
def survival_for_e0(sex: str, e0: float) -> tuple[FloatArray, float]:
    """Survival by age and newborn survival for the base schedule moved to ``e0``.

    The 2018 death rates of ``sex`` are scaled by one factor so that the life table's
    life expectancy at birth is ``e0`` (:func:`~immiplan.projection.lifetable.calibrate_to_e0`),
    then turned into the engine's cohort survival (cached by ``(sex, e0)``).

    Returns
    -------
    tuple
        ``S[a]`` for ages 0..100 (share of those aged ``a`` on 1 July alive a year later)
        and ``L_0/l_0`` (share of a year's births alive at its end).
    """
    table = calibrate_to_e0(_base_mx(sex), e0, sex=sex).table  # type: ignore[arg-type]
    return _survival_from_lx(table.Lx)


def base_survival(base: BaseData) -> tuple[FloatArray, FloatArray]:
    """Survival ``(2, 101)`` and newborn survival ``(2,)`` of the base-year rates."""
    rows = [_survival_from_lx(life_table(base.mx[i], sex=sex).Lx) for i, sex in enumerate(SEXES)]  # type: ignore[arg-type]
    return np.stack([r[0] for r in rows]), np.array([r[1] for r in rows])


# --- Retention -----------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """Calibrated out-migration multipliers of recent immigrants.

    Attributes
    ----------
    targets_5, targets_10:
        Retention targets by category (5 and 10 years after landing).
    multipliers:
        ``M`` by category and duration, ``(4, 11)``; 1 at duration 10+.
    achieved_5, achieved_10:
        Retention the multipliers give, by category (checks the solve).
    """

    targets_5: FloatArray
    targets_10: FloatArray
    multipliers: FloatArray
    achieved_5: FloatArray
    achieved_10: FloatArray


def _excess(rate_loss: FloatArray) -> FloatArray:
    """The part of a net-loss rate that multipliers scale (zero where it is a gain)."""
    return np.maximum(rate_loss, 0.0)


def recent_rates(
    emigration: FloatArray, interprovincial: FloatArray, multiplier: float | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Net emigration and interprovincial rates of recent immigrants with multiplier ``M``.

    ``e + (M − 1)·max(e, 0)`` and ``m + (M − 1)·min(m, 0)``: the multiplier scales net
    losses and leaves net gains at the base rate.
    """
    m1 = np.asarray(multiplier, dtype=float) - 1.0
    return emigration + m1 * _excess(emigration), interprovincial - m1 * _excess(-interprovincial)


def cohort_retention(
    profile: FloatArray, emigration: FloatArray, interprovincial: FloatArray, mults: FloatArray
) -> FloatArray:
    """Share of a landing cohort left after each of ``len(mults)`` years (no mortality)."""
    weights = np.zeros_like(profile)
    weights[:, 1:] = profile[:, :-1]  # landed during the step: one year older on 1 July
    weights[:, -1] += profile[:, -1]
    out = np.empty(len(mults))
    for d, mult in enumerate(mults):
        e, m = recent_rates(emigration, interprovincial, mult)
        weights = weights * (1.0 - e + m)
        aged = np.zeros_like(weights)
        aged[:, 1:] = weights[:, :-1]
        aged[:, -1] += weights[:, -1]
        weights = aged
        out[d] = weights.sum() / profile.sum()
    return out


def calibrate_retention(
    base: BaseData,
    assumptions: QuebecAssumptions,
    admissions_mix: FloatArray,
) -> Retention:
    """Solve the recent-immigrant multipliers for the retention targets.

    Category targets: the all-category loss ``1 − R5`` (Quebec) is spread over the
    categories in proportion to Canada's category losses, weighted by ``admissions_mix``
    (the base year's admissions by category), so that the admission-weighted mean equals
    Quebec's target. The 10-year targets keep Quebec's 10-to-5-year ratio in every
    category (assumption).

    Parameters
    ----------
    base:
        The base data (profiles and rates).
    assumptions:
        Retention targets.
    admissions_mix:
        Weights of the categories, ``(4,)``.
    """
    canada = assumptions.category_retention_5
    loss = np.array([1.0 - canada[c] if c in canada else np.nan for c in CATEGORIES])
    weights = np.asarray(admissions_mix, dtype=float) / np.sum(admissions_mix)
    known = ~np.isnan(loss)
    loss[~known] = np.sum(weights[known] * loss[known]) / np.sum(weights[known])
    scale = (1.0 - assumptions.retention_5) / np.sum(weights * loss)
    targets_5 = 1.0 - scale * loss
    targets_10 = targets_5 * assumptions.retention_10 / assumptions.retention_5
    e, m = base.emigration_rates, base.interprovincial_rates
    mults = np.ones((len(CATEGORIES), N_DURATIONS))
    achieved_5 = np.empty(len(CATEGORIES))
    achieved_10 = np.empty(len(CATEGORIES))
    early = EARLY_DURATIONS
    for c, profile in enumerate(base.category_profiles):

        def gap5(mult: float, profile: FloatArray = profile, c: int = c) -> float:
            path = cohort_retention(profile, e, m, np.full(early, mult))
            return float(path[-1] - targets_5[c])

        m_early = float(optimize.brentq(gap5, 1.0, 1e4, xtol=1e-10))

        def gap10(
            mult: float, profile: FloatArray = profile, c: int = c, m_early: float = m_early
        ) -> float:
            seq = np.r_[np.full(early, m_early), np.full(N_DURATIONS - 1 - early, mult)]
            return float(cohort_retention(profile, e, m, seq)[-1] - targets_10[c])

        m_late = float(optimize.brentq(gap10, 1.0, 1e4, xtol=1e-10))
        mults[c, :early] = m_early
        mults[c, early : N_DURATIONS - 1] = m_late
        path = cohort_retention(profile, e, m, mults[c, : N_DURATIONS - 1])
        achieved_5[c], achieved_10[c] = path[early - 1], path[-1]
    return Retention(targets_5, targets_10, mults, achieved_5, achieved_10)


# --- Admissions by projection period ---------------------------------------------------


def calendar_admissions(year: int) -> FloatArray:
    """Observed Quebec admissions of a calendar year by category (IRCC; mix filled in)."""
    from immiplan.plans import actual_admissions

    plan = actual_admissions("quebec", year)
    levels = [plan.level(c, year, "target") for c in CATEGORIES]
    if all(v is not None for v in levels):
        return np.array(levels, dtype=float)
    total = float(plan.total(year, "target") or 0.0)
    return total * _category_mix()


@cache
def _category_mix() -> FloatArray:
    """Mean category mix of :data:`MIX_YEARS` (stands in where only totals exist)."""
    from immiplan.plans import actual_admissions

    rows = []
    for year in MIX_YEARS:
        plan = actual_admissions("quebec", year)
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


# --- Base-year groups ------------------------------------------------------------------


@dataclass(frozen=True)
class BaseSplit:
    """The 1 July 2018 population by group (compact states), with how it was made.

    Attributes
    ----------
    population:
        Persons by state, sex and age, ``(46, 2, 101)``.
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
    """Immigrants landed before 1 July 2008, rebuilt landing cohort by landing cohort.

    Attributes
    ----------
    population_2016, population_2018:
        Survivors still in Quebec on 1 July 2016 and 2018 by state, sex and age,
        ``(46, 2, 101)`` (all in the 10+ states by 2018).
    pre_1980_level:
        Calibrated constant annual landings before 1980 (persons a year; assumption).
    before_2001_2016:
        Survivors on 1 July 2016 of the landings before 2001 (= the census count).
    since_2001_scale:
        Factor applied to the landings of January 2001 - June 2008 so that all immigrants
        on 1 July 2016 add up to the census count (1 = the model's retention is exact).
    landed_since_2008_2016:
        Survivors on 1 July 2016 of the landings since July 2008 (the recent-immigrant
        run), persons.
    """

    population_2016: FloatArray
    population_2018: FloatArray
    pre_1980_level: float
    before_2001_2016: float
    since_2001_scale: float
    landed_since_2008_2016: float

    @property
    def immigrants_2016(self) -> float:
        """All immigrants on 1 July 2016 (rebuilt stock plus landings since July 2008)."""
        return float(self.population_2016.sum()) + self.landed_since_2008_2016


def _empty_inputs(
    base: BaseData,
    steps: int,
    admissions: FloatArray,
    retention: Retention,
    population: FloatArray | None = None,
) -> ProjectionInputs:
    """Engine inputs with base-year rates and given admissions, no births and no NPRs."""
    sv, s0 = base_survival(base)
    s, x, a, c = QUEBEC.n_states, 2, N_AGES, len(CATEGORIES)
    emig, interp = migration_rates(base, retention, 1.0, 1.0)
    immigrants = admissions[:, :, None, None] * base.category_profiles[None]
    pop = np.zeros((s, 1, x, a)) if population is None else population
    return ProjectionInputs(
        space=QUEBEC,
        base_year=2018 - steps,
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


def migration_rates(
    base: BaseData, retention: Retention, factor_emigration: float, factor_interprovincial: float
) -> tuple[FloatArray, FloatArray]:
    """Net emigration and interprovincial rates by state, ``(46, 2, 101)`` each.

    Recent immigrants (durations 0..9): :func:`recent_rates` with their multiplier; the
    NPR group: zero (its flows are the NPR path's); everyone else: the base rates times
    ``factor_emigration`` / ``factor_interprovincial``.
    """
    e, m = base.emigration_rates, base.interprovincial_rates
    emig = np.empty((QUEBEC.n_states, *e.shape))
    interp = np.empty_like(emig)
    emig[:] = factor_emigration * e
    interp[:] = factor_interprovincial * m
    blk = QUEBEC.block
    mult = retention.multipliers.reshape(-1)[:, None, None]
    recent = (retention.multipliers.reshape(-1) != 1.0) | (
        np.tile(np.arange(N_DURATIONS), len(CATEGORIES)) < N_DURATIONS - 1
    )
    e_rec, m_rec = recent_rates(e, m, mult)
    emig[blk][recent] = e_rec[recent]
    interp[blk][recent] = m_rec[recent]
    npr = QUEBEC.state("npr")
    emig[npr] = 0.0
    interp[npr] = 0.0
    return emig, interp


def _landing_stock(
    base: BaseData,
    retention: Retention,
    calendar: dict[int, FloatArray],
    first: int,
    last_period: int,
) -> tuple[FloatArray, FloatArray]:
    """Survivors on 1 July 2016 and 2018 of the landings in ``calendar``.

    The engine runs from 1 July ``first`` to 1 July 2018 with the base-year rates
    (survival, recent immigrants' calibrated departures for durations 0..9, base rates
    after) and the admissions of the July-June periods ``first..last_period`` taken from
    ``calendar`` (missing years are zero); later periods have none.
    """
    zero = np.zeros(len(CATEGORIES))
    cal = {y: calendar.get(y, zero) for y in range(first, 2019)}
    steps = 2018 - first
    periods = np.zeros((steps, len(CATEGORIES)))
    periods[: last_period - first + 1] = admissions_by_period(cal, first, last_period)
    out = project(_empty_inputs(base, steps, periods, retention)).population
    return out[CENSUS_YEAR - first][:, 0], out[-1][:, 0]


def long_term_stock(
    base: BaseData,
    assumptions: QuebecAssumptions,
    retention: Retention,
    landed_since_2008_2016: float,
) -> LongTermStock:
    """Rebuild the immigrants landed before 1 July 2008 (the base year's 10+ group).

    Each calendar year's landings (ISQ totals 1980-2004, IRCC from 2005, split by the
    2010-2014 category mix; one calibrated constant level for ``landings_from``-1979)
    enter with their category's age-sex profile and are followed to 2018 through the
    base-year survival and departure rates. Two 2016 Census counts calibrate the stock:

    * the pre-1980 level makes the survivors of all landings before 2001 equal the
      census "before 2001" count on 1 July 2016;
    * the landings of 2001 - June 2008 are scaled so that all immigrants on 1 July 2016
      (with ``landed_since_2008_2016``, the survivors of the recent-immigrant run) equal
      the census total.
    """
    mix = _category_mix()
    first = assumptions.landings_from - 1  # the period from 1 July of that year
    if not first < OBSERVED_FROM:
        raise InputError(
            "pre-1980 landings must start before 1980",
            source="projection.immigrants.pre_1980_landings",
            value=assumptions.landings_from,
        )
    observed = {y: v * mix for y, v in assumptions.admissions_before_ircc.items()}
    for year in range(IRCC_FROM, HISTORY_FROM + 1):
        observed[year] = calendar_admissions(year)
    missing = [y for y in range(OBSERVED_FROM, HISTORY_FROM + 1) if y not in observed]
    if missing:
        raise InputError(
            "admissions missing for the rebuilt long-term immigrants",
            source="projection.immigrants.admissions_1980_2004",
            value=missing,
        )
    pre = {y: mix for y in range(assumptions.landings_from, OBSERVED_FROM)}
    old = {y: v for y, v in observed.items() if y <= 2000}
    since_2001 = {y: v for y, v in observed.items() if y > 2000}
    last = HISTORY_FROM - 1  # the July 2007 - June 2008 period; later ones are "recent"
    pre_16, pre_18 = _landing_stock(base, retention, pre, first, last)
    old_16, old_18 = _landing_stock(base, retention, old, first, last)
    new_16, new_18 = _landing_stock(base, retention, since_2001, first, last)

    by_period = assumptions.immigrants_2016_by_period
    before_2001 = by_period["before_2001"]
    level = (before_2001 - old_16.sum()) / pre_16.sum()
    target_new = assumptions.immigrants_2016 - landed_since_2008_2016 - before_2001
    scale = target_new / new_16.sum()
    if level <= 0.0 or scale <= 0.0:
        raise InputError(
            "the 2016 Census counts cannot be reached by the rebuilt landing cohorts",
            source="projection.immigrants.census_2016_by_period",
            value={"pre_1980_level": level, "since_2001_scale": scale},
        )
    return LongTermStock(
        population_2016=level * pre_16 + old_16 + scale * new_16,
        population_2018=level * pre_18 + old_18 + scale * new_18,
        pre_1980_level=float(level),
        before_2001_2016=float(level * pre_16.sum() + old_16.sum()),
        since_2001_scale=float(scale),
        landed_since_2008_2016=float(landed_since_2008_2016),
    )


def base_split(base: BaseData, assumptions: QuebecAssumptions, retention: Retention) -> BaseSplit:
    """Split the 1 July 2018 population into the 46 states (method in the module doc)."""
    calendar = {y: calendar_admissions(y) for y in range(HISTORY_FROM, 2019)}
    steps = 2018 - HISTORY_FROM
    periods = admissions_by_period(calendar, HISTORY_FROM, 2017)
    recent = project(_empty_inputs(base, steps, periods, retention)).population
    recent_2018 = recent[-1][:, 0]  # (S, X, A)
    # Landed since 1 July 2008 and still in Quebec on 1 July 2016: durations 0..7 then.
    landed_by_2016 = recent[CENSUS_YEAR - HISTORY_FROM][:, 0].sum()

    stock = long_term_stock(base, assumptions, retention, float(landed_by_2016))
    long_term = stock.population_2018

    npr = np.zeros((2, N_AGES))
    ages = assumptions.npr_age_counts / assumptions.npr_age_counts.sum()
    npr[:] = 0.5 * assumptions.npr_stock * ages

    population = base.population
    groups = recent_2018 + long_term
    groups[QUEBEC.state("npr")] += npr
    others = groups.sum(axis=0)
    excess = np.maximum(others - population, 0.0)
    lt_cell = long_term.sum(axis=0)
    cut = np.minimum(excess, lt_cell)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(lt_cell > 0, 1.0 - cut / lt_cell, 1.0)
    groups -= long_term * (1.0 - keep)
    rest = groups.sum(axis=0)
    if np.any(rest > population + 1e-6):
        raise InputError("immigrants and NPRs exceed the base population in some cell")
    groups[QUEBEC.state("non_immigrant")] = population - (rest - groups[0])
    return BaseSplit(
        population=groups,
        recent=float(recent_2018.sum()),
        long_term=float((long_term * keep).sum()),
        npr=float(npr.sum()),
        capped=float(cut.sum()),
        reconstruction=stock,
    )
