"""Retention of recent immigrants: their extra departures, solved for published targets.

Recent immigrants (durations 0–9) leave faster than other residents. Their net emigration
and net interprovincial rates are the base rates plus an excess: ``rate + (M − 1)·loss``
where ``loss`` is the base schedule's net loss at that age (zero where the schedule is a net
gain), with a multiplier ``M`` per category for durations 0–4 and another for 5–9 (10+ uses
the base rates). The multipliers are solved so that a landing cohort with the category's
age-sex profile, followed through the base rates (mortality aside), keeps the 5- and 10-year
retention targets (``docs/projection.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from immiplan.projection.assumptions import ProjectionAssumptions
from immiplan.projection.base import BaseData
from immiplan.projection.state import CATEGORIES, N_DURATIONS, QUEBEC, StateSpace

FloatArray = NDArray[np.float64]

__all__ = [
    "EARLY_DURATIONS",
    "Retention",
    "calibrate_retention",
    "cohort_retention",
    "migration_rates",
    "recent_rates",
]

EARLY_DURATIONS = 5
"""Durations 0..4 share the first multiplier, 5..9 the second."""


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
    assumptions: ProjectionAssumptions,
    admissions_mix: FloatArray,
) -> Retention:
    """Solve the recent-immigrant multipliers for the retention targets.

    Category targets: the all-category loss ``1 − R5`` (the jurisdiction's) is spread over the
    categories in proportion to Canada's category losses, weighted by ``admissions_mix``
    (the base year's admissions by category), so that the admission-weighted mean equals
    the target. The 10-year targets keep the jurisdiction's 10-to-5-year ratio in every
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
    r5, r10 = assumptions.retention_5, assumptions.retention_10
    loss = np.array([1.0 - canada[c] if c in canada else np.nan for c in CATEGORIES])
    weights = np.asarray(admissions_mix, dtype=float) / np.sum(admissions_mix)
    known = ~np.isnan(loss)
    loss[~known] = np.sum(weights[known] * loss[known]) / np.sum(weights[known])
    scale = (1.0 - r5) / np.sum(weights * loss)
    targets_5 = 1.0 - scale * loss
    targets_10 = targets_5 * r10 / r5
    e = base.emigration_rates
    m = base.interprovincial_rates
    profiles = base.category_profiles
    mults = np.ones((len(CATEGORIES), N_DURATIONS))
    achieved_5 = np.empty(len(CATEGORIES))
    achieved_10 = np.empty(len(CATEGORIES))
    early = EARLY_DURATIONS
    for c, profile in enumerate(profiles):

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


def migration_rates(
    base: BaseData,
    retention: Retention,
    factor_emigration: float,
    factor_interprovincial: float,
    space: StateSpace = QUEBEC,
) -> tuple[FloatArray, FloatArray]:
    """Net emigration and interprovincial rates by state, ``(46, 2, 101)`` each.

    Recent immigrants (durations 0..9): :func:`recent_rates` with their multiplier; the
    NPR group: zero (its flows are the NPR path's); everyone else: the base rates times
    ``factor_emigration`` / ``factor_interprovincial``.
    """
    e = base.emigration_rates
    m = base.interprovincial_rates
    emig = np.empty((space.n_states, *e.shape))
    interp = np.empty_like(emig)
    emig[:] = factor_emigration * e
    interp[:] = factor_interprovincial * m
    blk = space.block
    mult = retention.multipliers.reshape(-1)[:, None, None]
    recent = (retention.multipliers.reshape(-1) != 1.0) | (
        np.tile(np.arange(N_DURATIONS), len(CATEGORIES)) < N_DURATIONS - 1
    )
    e_rec, m_rec = recent_rates(e, m, mult)
    emig[blk][recent] = e_rec[recent]
    interp[blk][recent] = m_rec[recent]
    if "npr" in space.groups:
        npr = space.state("npr")
        emig[npr] = 0.0
        interp[npr] = 0.0
    return emig, interp
