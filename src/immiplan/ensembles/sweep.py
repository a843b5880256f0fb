"""Sweeps: one scenario under a grid of yearly admission levels, and the response to the level.

From the scenario's first planned year on, each level ``L`` replaces the calendar-year
admissions by ``L`` split by a category mix (the scenario's own mix of each year, or a
given ``--mix``); earlier, observed years are kept. Each category keeps the scenario's
age-sex profile. A deterministic sweep is one batched engine call (one trajectory per
level); with trajectories, every level runs the same draws (common random numbers), so
the differences between levels are the plans' effects, not noise.

The response of an indicator in a year is the least-squares slope of its value (the
median with trajectories) against the level, given per 10,000 admissions a year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.ensembles.model import StochasticModel
from immiplan.ensembles.run import INDICATORS, EnsembleBase, _indicators, _reducer, run_ensemble
from immiplan.errors import InputError
from immiplan.projection.engine import project
from immiplan.projection.quebec import admissions_by_period
from immiplan.projection.state import CATEGORIES

FloatArray = NDArray[np.float64]

__all__ = ["PER", "SweepResult", "parse_levels", "parse_mix", "response_table", "sweep"]

PER = 10_000.0
"""Responses are given per this many admissions a year."""


def parse_levels(text: str) -> tuple[float, ...]:
    """``"30000:80000:5000"`` (first:last:step, last included) or ``"30000,45000,60000"``."""
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            first, last, step = parts
            if step <= 0:
                raise InputError(
                    "the step of --levels must be positive", field="levels", value=text
                )
            if last < first:
                raise InputError(
                    "--levels is upside down (last < first)", field="levels", value=text
                )
            values = tuple(float(v) for v in np.arange(first, last + step / 2, step))
        else:
            values = tuple(float(p) for p in text.split(","))
    except ValueError:
        raise InputError(
            "--levels takes first:last:step or a comma-separated list", field="levels", value=text
        ) from None
    bad = [v for v in values if not np.isfinite(v) or v < 0]
    if bad:
        raise InputError("a level must be a non-negative number", field="levels", value=bad[0])
    if not values:
        raise InputError("--levels gives no level", field="levels", value=text)
    return values


def parse_mix(text: str | None) -> FloatArray | None:
    """``"economic=0.65,family=0.2,refugees=0.13,other=0.02"`` → shares by category."""
    if text is None:
        return None
    shares = dict.fromkeys(CATEGORIES, 0.0)
    for item in text.split(","):
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in shares:
            raise InputError(
                f"unknown category in --mix (known: {', '.join(CATEGORIES)})",
                field="mix",
                value=name,
            )
        try:
            share = float(value)
        except ValueError:
            raise InputError(
                "a share in --mix must be a number", field=f"mix.{name}", value=value
            ) from None
        if not 0.0 <= share <= 1.0:
            raise InputError(
                "a share in --mix must lie in [0, 1]", field=f"mix.{name}", value=share
            )
        shares[name] = share
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise InputError("the shares of --mix must sum to 1", field="mix", value=round(total, 6))
    return np.array([shares[c] for c in CATEGORIES])


@dataclasses.dataclass(frozen=True)
class SweepResult:
    """Indicators by level.

    Attributes
    ----------
    levels:
        ``(L,)`` admissions a year.
    values:
        ``(L, Y, I)``: the deterministic value, or the median over trajectories.
    low, high:
        The 10 % and 90 % quantiles ``(L, Y, I)`` with trajectories, else ``None``.
    """

    levels: FloatArray
    years: NDArray[np.int64]
    indicators: tuple[str, ...]
    values: FloatArray
    low: FloatArray | None = None
    high: FloatArray | None = None
    trajectories: int = 0


def _multipliers(
    prepared: Any, base: EnsembleBase, levels: Sequence[float], mix: FloatArray | None
) -> FloatArray:
    """Admission multipliers ``(L, T, C)`` of every level against the scenario's own."""
    calendar: Mapping[int, FloatArray] = prepared.levels
    first_year = int(base.inputs.base_year) + base.varied_from
    years = sorted(calendar)
    steps = base.inputs.steps
    old = admissions_by_period(dict(calendar), years[0], years[0] + steps - 1)
    out = np.ones((len(levels), steps, len(CATEGORIES)))
    for k, level in enumerate(levels):
        new: dict[int, FloatArray] = {}
        for year in years:
            given = np.asarray(calendar[year], dtype=float)
            if year < first_year:
                new[year] = given
                continue
            shares = mix
            if shares is None:
                total = given.sum()
                shares = given / total if total > 0 else _fallback_mix(calendar)
            new[year] = level * shares
        periods = admissions_by_period(new, years[0], years[0] + steps - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(old > 0, periods / old, np.nan)
        missing = np.isnan(ratio) & (periods > 0)
        if np.any(missing):
            c = int(np.argwhere(missing)[0][1])
            raise InputError(
                "the scenario has no admissions of this category to take an age-sex profile from",
                field="mix",
                value=CATEGORIES[c],
            )
        out[k] = np.where(np.isnan(ratio), 0.0, ratio)
    return out


def _fallback_mix(calendar: Mapping[int, FloatArray]) -> FloatArray:
    for year in sorted(calendar, reverse=True):
        given = np.asarray(calendar[year], dtype=float)
        if given.sum() > 0:
            return given / given.sum()
    raise InputError(
        "the scenario has no admissions to take a category mix from: give --mix", field="mix"
    )


def sweep(
    prepared: Any,
    base: EnsembleBase,
    levels: Sequence[float],
    *,
    mix: FloatArray | None = None,
    model: StochasticModel | None = None,
    trajectories: int = 0,
    seed: int = 0,
    client: Any = None,
) -> SweepResult:
    """Project ``prepared`` at every level (see the module docstring)."""
    mult = _multipliers(prepared, base, levels, mix)
    inp = base.inputs
    if trajectories <= 0 or model is None:
        batch = dataclasses.replace(
            inp, immigrants=inp.immigrants[None] * mult[:, :, :, None, None]
        )
        out = project(batch, reduce=_reducer(base))
        values = _indicators(base, np.asarray(out.population), mult)
        return SweepResult(np.asarray(levels, dtype=float), inp.years, base.indicators, values)
    medians, lows, highs = [], [], []
    for k in range(len(levels)):
        scaled = dataclasses.replace(
            base,
            inputs=dataclasses.replace(inp, immigrants=inp.immigrants * mult[k][:, :, None, None]),
            francization=None if base.francization is None else base.francization * mult[k],
        )
        result = run_ensemble(scaled, model, trajectories=trajectories, seed=seed, client=client)
        with np.errstate(all="ignore"):
            q = np.nanquantile(result.values, [0.1, 0.5, 0.9], axis=0)
        lows.append(q[0])
        medians.append(q[1])
        highs.append(q[2])
    return SweepResult(
        np.asarray(levels, dtype=float),
        inp.years,
        base.indicators,
        np.stack(medians),
        np.stack(lows),
        np.stack(highs),
        trajectories,
    )


def response_table(result: SweepResult, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Slope of each indicator against the level, per :data:`PER` admissions a year.

    One row per indicator and year (default: every tenth year after the first and the last).
    """
    all_years = [int(y) for y in result.years]
    chosen = list(years) if years is not None else sorted({*all_years[10::10], all_years[-1]})
    rows = []
    x = result.levels
    for name in result.indicators:
        k = result.indicators.index(name)
        for year in chosen:
            if year not in all_years:
                raise InputError("year outside the sweep", field="year", value=year)
            y = result.values[:, all_years.index(year), k]
            ok = np.isfinite(y)
            if ok.sum() < 2 or np.ptp(x[ok]) == 0:
                continue
            slope = float(np.polyfit(x[ok], y[ok], 1)[0])
            rows.append(
                {
                    "indicator": name,
                    "year": year,
                    "unit": INDICATORS[name],
                    "per_10000_a_year": slope * PER,
                    "at_lowest": float(y[ok][0]),
                    "at_highest": float(y[ok][-1]),
                }
            )
    return pd.DataFrame(rows)


def level_table(result: SweepResult, year: int) -> pd.DataFrame:
    """Every indicator at ``year`` for each level (median with trajectories)."""
    all_years = [int(y) for y in result.years]
    if year not in all_years:
        raise InputError("year outside the sweep", field="year", value=year)
    j = all_years.index(year)
    frame = pd.DataFrame({"level": result.levels})
    for k, name in enumerate(result.indicators):
        frame[name] = result.values[:, j, k]
    return frame
