"""Period life tables by single year of age (or abridged), old-age closure and calibration.

Conventions (Preston, Heuveline & Guillot 2001, ch. 3; HMD Methods Protocol v6):

* ``mx`` are central death rates (deaths per person-year) for the age groups
  ``[x, x+n)``; the last group is open-ended (``[ω, ∞)``).
* ``ax`` (person-years lived in the group by those who die in it) is ``n/2`` for every
  closed group except the first ones: age 0 uses the Andreev–Kingkade rule (HMD v6, the
  m0-based version) by default, or Coale–Demeny (Preston et al. table 3.3); in an abridged
  table the 1–4 group uses Coale–Demeny's ``4a1``.
* ``nqx = n·mx / (1 + (n - ax)·mx)`` (capped at 1), ``q = 1`` in the open group;
  ``Lx = n·l_{x+n} + ax·dx`` and, for the open group, ``L_ω = l_ω / m_ω``.
* ``Tx`` sums ``Lx`` from ``x`` up, ``ex = Tx / lx``.

Old ages are closed with the Kannisto (1994) logistic model
``μ(x) = a·e^{b(x-x0)} / (1 + a·e^{b(x-x0)})``. It is the model the HMD uses above 80: its
hazard levels off towards 1 at the highest ages, as observed, where a Gompertz curve keeps
growing exponentially and understates survival above 100. It is fitted to grouped central
rates (e.g. 70–74 … 90+) by least squares on log rates, each model rate being the exact
life-table central rate of the Kannisto hazard over the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, optimize

from immiplan.errors import InputError

Sex = Literal["female", "male"]
A0Rule = Literal["andreev-kingkade", "coale-demeny"]

FloatArray = NDArray[np.float64]

__all__ = [
    "Calibration",
    "KannistoFit",
    "LifeTable",
    "calibrate_to_e0",
    "fit_kannisto",
    "graduate_grouped_rates",
    "infant_ax",
    "life_expectancy",
    "life_table",
]

_SEXES = ("female", "male")


def _check_sex(sex: str) -> None:
    if sex not in _SEXES:
        raise InputError("sex must be 'female' or 'male'", field="sex", value=sex)


def infant_ax(m0: float, sex: Sex, rule: A0Rule = "andreev-kingkade") -> float:
    """Average years lived in the first year of life by infants who die in it (``1a0``).

    Parameters
    ----------
    m0:
        Infant central death rate (deaths under 1 per person-year lived under 1).
    sex:
        ``"female"`` or ``"male"``.
    rule:
        ``"andreev-kingkade"`` (default): the m0-based Andreev–Kingkade (2015) rule of
        the HMD Methods Protocol v6, fitted on low-mortality populations such as Quebec's.
        ``"coale-demeny"``: Coale–Demeny West as in Preston et al. (2001) table 3.3,
        written for higher infant mortality (it gives ``a0 ≈ 0.06`` at ``m0 = 0.004``,
        against the ``≈ 0.14`` observed today).

    Returns
    -------
    float
        ``1a0`` in years.
    """
    _check_sex(sex)
    if rule == "andreev-kingkade":
        if sex == "male":
            if m0 < 0.0230:
                return 0.14929 - 1.99545 * m0
            return 0.02832 + 3.26201 * m0 if m0 < 0.08307 else 0.29915
        if m0 < 0.01724:
            return 0.14903 - 2.05527 * m0
        return 0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411
    if rule == "coale-demeny":
        if sex == "male":
            return 0.045 + 2.684 * m0 if m0 < 0.107 else 0.330
        return 0.053 + 2.800 * m0 if m0 < 0.107 else 0.350
    raise InputError(
        "unknown a0 rule (expected 'andreev-kingkade' or 'coale-demeny')", field="rule", value=rule
    )


def _coale_demeny_4a1(m0: float, sex: Sex) -> float:
    if sex == "male":
        return 1.651 - 2.816 * m0 if m0 < 0.107 else 1.352
    return 1.522 - 1.518 * m0 if m0 < 0.107 else 1.361


@dataclass(frozen=True)
class LifeTable:
    """A period life table. Every column is a float array indexed like ``age``.

    Attributes
    ----------
    age:
        Exact age at the start of each group (years); the last group is open-ended.
    width:
        Width of each group in years (``inf`` for the open group).
    mx:
        Central death rate (deaths per person-year).
    ax:
        Years lived in the group by those who die in it (for the open group ``1/m_ω``).
    qx:
        Probability of dying in the group for those reaching its start (1 in the open group).
    lx:
        Survivors to the start of the group, out of ``radix`` births.
    dx:
        Deaths in the group (``lx - l_{x+n}``).
    Lx:
        Person-years lived in the group (for the open group, its total ``T_ω``).
    Tx:
        Person-years lived from the start of the group onwards.
    ex:
        Life expectancy at the start of the group (years).
    radix:
        ``l_0``.
    """

    age: FloatArray
    width: FloatArray
    mx: FloatArray
    ax: FloatArray
    qx: FloatArray
    lx: FloatArray
    dx: FloatArray
    Lx: FloatArray
    Tx: FloatArray
    ex: FloatArray
    radix: float

    @property
    def e0(self) -> float:
        """Life expectancy at birth (years)."""
        return float(self.ex[0])

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame indexed by ``age`` with one column per function."""
        columns = ("width", "mx", "ax", "qx", "lx", "dx", "Lx", "Tx", "ex")
        frame = pd.DataFrame({name: getattr(self, name) for name in columns})
        frame.index = pd.Index(self.age, name="age")
        return frame

    def regroup(self, width: int) -> LifeTable:
        """The same table in groups of ``width`` years (e.g. 5 for a 5×5 projection).

        The groups are ``[0, width)``, ``[width, 2·width)``…; the open group starts at the
        last multiple of ``width`` not above this table's open age. ``lx`` and ``Tx`` are
        read at the new group starts, ``Lx`` is summed, ``mx = dx / Lx`` and
        ``ax = (Lx - n·l_{x+n}) / dx``, so the life table identities still hold.
        """
        if width < 1 or int(width) != width:
            raise InputError("width must be a positive whole number of years", value=width)
        open_age = self.age[-1]
        starts = np.arange(0.0, open_age + 1e-9, float(width))
        starts = starts[starts <= open_age]
        if not np.all(np.isin(starts, self.age)):
            raise InputError(
                f"cannot regroup: ages {starts.tolist()} are not all group starts of this table",
                value=width,
            )
        index = np.searchsorted(self.age, starts)
        lx = self.lx[index]
        tx = self.Tx[index]
        big_l = np.append(tx[:-1] - tx[1:], tx[-1])
        dx = np.append(lx[:-1] - lx[1:], lx[-1])
        n = np.append(np.diff(starts), np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            mx = np.where(big_l > 0, dx / big_l, 0.0)
            qx = np.where(lx > 0, dx / lx, 1.0)
            closed_a = (big_l[:-1] - n[:-1] * lx[1:]) / dx[:-1]
            ex = np.where(lx > 0, tx / lx, 0.0)
        ax = np.append(np.where(dx[:-1] > 0, closed_a, n[:-1] / 2), ex[-1])
        qx[-1] = 1.0
        return LifeTable(starts, n, mx, ax, qx, lx, dx, big_l, tx, ex, self.radix)


def _as_rates(mx: ArrayLike, name: str = "mx") -> FloatArray:
    rates = np.asarray(mx, dtype=float)
    if rates.ndim != 1 or rates.size < 2:
        raise InputError(f"{name} must be a 1-D array of at least 2 age groups", field=name)
    if not np.all(np.isfinite(rates)):
        raise InputError(f"{name} must be finite (no NaN or infinity)", field=name)
    if np.any(rates < 0):
        raise InputError(f"{name} must not be negative", field=name, value=float(rates.min()))
    if rates[-1] <= 0:
        raise InputError(
            f"{name} of the open age group must be positive (it closes the table)",
            field=name,
            value=float(rates[-1]),
        )
    return rates


def _widths(ages: ArrayLike | None, size: int) -> tuple[FloatArray, FloatArray]:
    if ages is None:
        start = np.arange(size, dtype=float)
    else:
        start = np.asarray(ages, dtype=float)
        if start.shape != (size,):
            raise InputError(
                f"ages must have one start per rate ({size}), got shape {start.shape}",
                field="ages",
            )
        if start[0] != 0 or np.any(np.diff(start) <= 0):
            raise InputError("ages must start at 0 and increase strictly", field="ages")
    width = np.append(np.diff(start), np.inf)
    return start, width


def life_table(
    mx: ArrayLike,
    *,
    sex: Sex,
    ages: ArrayLike | None = None,
    radix: float = 100_000.0,
    a0_rule: A0Rule = "andreev-kingkade",
) -> LifeTable:
    """Build a period life table from central death rates.

    Parameters
    ----------
    mx:
        Central death rates (deaths per person-year) by age group; the last is open-ended.
    sex:
        ``"female"`` or ``"male"`` (for the infant ``ax``).
    ages:
        Start of each age group in years. ``None`` means single years ``0, 1, …, ω``.
        Abridged tables use ``0, 1, 5, 10, …``: the first group must be one year wide.
    radix:
        ``l_0``, the number of births the table follows.
    a0_rule:
        Rule for ``1a0`` (see :func:`infant_ax`).

    Returns
    -------
    LifeTable
    """
    _check_sex(sex)
    rates = _as_rates(mx)
    start, width = _widths(ages, rates.size)
    if width[0] != 1:
        raise InputError(
            "the first age group must be 0-1 (use ages 0, 1, 5, 10, ... or regroup a "
            "single-year table)",
            field="ages",
        )
    if not radix > 0:
        raise InputError("radix must be positive", field="radix", value=radix)
    closed = width[:-1]
    ax = closed / 2.0
    ax[0] = infant_ax(float(rates[0]), sex, a0_rule)
    if closed.size > 1 and start[1] == 1 and closed[1] == 4:
        ax[1] = _coale_demeny_4a1(float(rates[0]), sex)
    m_closed = rates[:-1]
    qx_closed = np.minimum(closed * m_closed / (1.0 + (closed - ax) * m_closed), 1.0)
    qx = np.append(qx_closed, 1.0)
    lx = radix * np.concatenate(([1.0], np.cumprod(1.0 - qx_closed)))
    dx = lx * qx
    big_l = np.empty_like(lx)
    big_l[:-1] = closed * lx[1:] + ax * dx[:-1]
    big_l[-1] = lx[-1] / rates[-1]
    tx = np.cumsum(big_l[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ex = np.where(lx > 0, tx / lx, 0.0)
    ax_all = np.append(ax, 1.0 / rates[-1])
    # Ages no one reaches (a q of 1 earlier, or underflow) still get the expectation of
    # life their own rates imply, by the backward recursion e_x = q·a + p·(n + e_{x+n}).
    unreached = np.flatnonzero(lx <= 0)
    for i in unreached[::-1]:
        if i == rates.size - 1:
            ex[i] = 1.0 / rates[-1]
        else:
            ex[i] = qx[i] * ax[i] + (1.0 - qx[i]) * (width[i] + ex[i + 1])
    return LifeTable(start, width, rates, ax_all, qx, lx, dx, big_l, tx, ex, float(radix))


def life_expectancy(
    mx: ArrayLike, *, sex: Sex, ages: ArrayLike | None = None, a0_rule: A0Rule = "andreev-kingkade"
) -> float:
    """Life expectancy at birth (years) of the period life table of ``mx``."""
    return life_table(mx, sex=sex, ages=ages, a0_rule=a0_rule).e0


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate_to_e0`.

    Attributes
    ----------
    factor:
        The multiplier applied to every ``mx`` (dimensionless).
    mx:
        The calibrated rates, ``factor * mx``.
    table:
        The life table of the calibrated rates.
    e0_before:
        Life expectancy at birth of the rates before calibration (years).
    """

    factor: float
    mx: FloatArray
    table: LifeTable
    e0_before: float


def calibrate_to_e0(
    mx: ArrayLike,
    target_e0: float,
    *,
    sex: Sex,
    ages: ArrayLike | None = None,
    a0_rule: A0Rule = "andreev-kingkade",
    tolerance: float = 1e-10,
) -> Calibration:
    """Scale every death rate by one factor so that the life table hits ``target_e0``.

    The factor ``k`` solves ``e0(k·mx) = target_e0`` by Brent's method. ``e0`` decreases
    strictly in ``k``, so the root is unique; the bracket starts at ``[0.5, 2]`` and widens
    tenfold until it holds the root. A proportional shift keeps the age shape of mortality
    (a uniform change in log-rates), the usual way to align a schedule with a published
    life expectancy when only the level is known.

    Parameters
    ----------
    mx:
        Central death rates by age group (last open), deaths per person-year.
    target_e0:
        Life expectancy at birth to reach (years).
    sex, ages, a0_rule:
        As in :func:`life_table`.
    tolerance:
        Absolute tolerance on the factor passed to ``brentq``.

    Returns
    -------
    Calibration
    """
    rates = _as_rates(mx)
    if not np.isfinite(target_e0) or target_e0 <= 0:
        raise InputError("target_e0 must be a positive number of years", value=target_e0)

    def gap(factor: float) -> float:
        return life_table(factor * rates, sex=sex, ages=ages, a0_rule=a0_rule).e0 - target_e0

    low, high = 0.5, 2.0
    for _ in range(12):
        if gap(low) > 0 > gap(high):
            break
        low, high = low / 10.0, high * 10.0
    else:
        raise InputError(
            "no proportional change of mx reaches this life expectancy",
            field="target_e0",
            value=target_e0,
        )
    factor = float(optimize.brentq(gap, low, high, xtol=tolerance, rtol=4 * np.finfo(float).eps))
    table = life_table(factor * rates, sex=sex, ages=ages, a0_rule=a0_rule)
    before = life_table(rates, sex=sex, ages=ages, a0_rule=a0_rule).e0
    return Calibration(factor=factor, mx=factor * rates, table=table, e0_before=before)


# --- Old ages: Kannisto -------------------------------------------------------------------

_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(32)


@dataclass(frozen=True)
class KannistoFit:
    """Kannisto hazard ``μ(x) = a·e^{b(x-x0)} / (1 + a·e^{b(x-x0)})`` (per year).

    Attributes
    ----------
    a:
        Level: the odds of dying at age ``x0`` (dimensionless, > 0).
    b:
        Slope of the log-odds per year of age.
    x0:
        Reference age (years).
    """

    a: float
    b: float
    x0: float = 80.0

    def hazard(self, x: ArrayLike) -> FloatArray:
        """The force of mortality at exact ages ``x`` (per year)."""
        z = self.a * np.exp(self.b * (np.asarray(x, dtype=float) - self.x0))
        return np.asarray(z / (1.0 + z), dtype=float)

    def survival(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """Probability of surviving from exact age ``x`` to exact age ``y ≥ x``."""
        # Far beyond any lifespan the odds overflow to inf and survival is 0, as it should.
        with np.errstate(over="ignore"):
            zx = self.a * np.exp(self.b * (np.asarray(x, dtype=float) - self.x0))
            zy = self.a * np.exp(self.b * (np.asarray(y, dtype=float) - self.x0))
            return np.asarray(((1.0 + zx) / (1.0 + zy)) ** (1.0 / self.b), dtype=float)

    def central_rates(self, start: ArrayLike, width: ArrayLike) -> FloatArray:
        """Life-table central rates ``d/L`` over ``[start, start+width)``; ``inf`` = open."""
        x = np.atleast_1d(np.asarray(start, dtype=float))
        n = np.broadcast_to(np.asarray(width, dtype=float), x.shape)
        out = np.empty_like(x)
        for i, (xi, ni) in enumerate(zip(x, n, strict=True)):
            if np.isinf(ni):
                years, _ = integrate.quad(
                    lambda t, xi=xi: float(self.survival(xi, xi + t)), 0, np.inf
                )
                out[i] = 1.0 / years
            else:
                t = 0.5 * ni * (_GAUSS_X + 1.0)
                years = 0.5 * ni * float(np.sum(_GAUSS_W * self.survival(xi, xi + t)))
                out[i] = (1.0 - float(self.survival(xi, xi + ni))) / years
        return out

    def single_age_rates(self, first: int, open_age: int) -> FloatArray:
        """Central rates for ages ``first … open_age-1`` and the open group ``open_age+``."""
        ages = np.arange(first, open_age + 1, dtype=float)
        widths = np.append(np.ones(ages.size - 1), np.inf)
        return self.central_rates(ages, widths)


def fit_kannisto(
    starts: ArrayLike,
    widths: ArrayLike,
    rates: ArrayLike,
    *,
    x0: float = 80.0,
    exposure: ArrayLike | None = None,
) -> KannistoFit:
    """Fit a Kannisto hazard to grouped central death rates.

    Least squares on log rates. Without ``exposure`` each model value is the life-table
    (stationary-population) central rate of the Kannisto hazard over the group, ``inf``
    width marking an open group such as 90+. With ``exposure`` (the population by single
    age) each model value is the exposure-weighted mean of the single-age Kannisto rates,
    so the fitted curve reproduces the deaths the published rates imply in the real
    population, whose age structure inside a wide or open group is not stationary.

    Parameters
    ----------
    starts, widths:
        Start (years) and width (years, ``inf`` for open) of each group.
    rates:
        Observed central death rates, deaths per person-year, all positive.
    x0:
        Reference age of the parameter ``a``.
    exposure:
        Persons (or person-years) by single age from ``starts[0]``; its last value is the
        open group that closes the age range (e.g. 100+).

    Returns
    -------
    KannistoFit
    """
    x = np.asarray(starts, dtype=float)
    n = np.asarray(widths, dtype=float)
    m = np.asarray(rates, dtype=float)
    if not (x.shape == n.shape == m.shape) or x.size < 2:
        raise InputError("starts, widths and rates must have the same length (at least 2)")
    if np.any(m <= 0) or np.any(m >= 1) or not np.all(np.isfinite(m)):
        raise InputError("Kannisto needs rates strictly between 0 and 1", field="rates")
    if exposure is not None:
        weights = np.asarray(exposure, dtype=float)
        first, open_age = int(x[0]), int(x[0]) + weights.size - 1
        if weights.ndim != 1 or open_age < x[-1] or np.any(weights < 0):
            raise InputError("exposure must cover every group, by single age", field="exposure")
        single = np.arange(first, open_age + 1)
        ends = np.where(np.isinf(n), open_age + 1, x + n)
        member = (single[None, :] >= x[:, None]) & (single[None, :] < ends[:, None])
        weight_matrix = member * weights[None, :]
        weight_matrix /= np.where(weight_matrix.sum(axis=1) > 0, weight_matrix.sum(axis=1), 1)[
            :, None
        ]
    mid = np.where(np.isinf(n), x + 5.0, x + n / 2.0)
    slope, intercept = np.polyfit(mid - x0, np.log(m / (1 - m)), 1)

    def model(fit: KannistoFit) -> FloatArray:
        if exposure is None:
            return fit.central_rates(x, n)
        return np.asarray(weight_matrix @ fit.single_age_rates(first, open_age), dtype=float)

    def residuals(theta: FloatArray) -> FloatArray:
        fit = KannistoFit(a=float(np.exp(theta[0])), b=float(theta[1]), x0=x0)
        return np.log(model(fit)) - np.log(m)

    result = optimize.least_squares(
        residuals, np.array([intercept, max(slope, 1e-3)]), bounds=([-20, 1e-4], [5, 1.0])
    )
    return KannistoFit(a=float(np.exp(result.x[0])), b=float(result.x[1]), x0=x0)


# --- Graduation of grouped rates to single ages ------------------------------------------


def graduate_grouped_rates(
    starts: Sequence[int] | ArrayLike,
    rates: ArrayLike,
    end: int,
    *,
    exposure: ArrayLike | None = None,
    scale: Literal["log", "linear"] = "log",
    iterations: int = 200,
) -> FloatArray:
    """Spread grouped rates over single ages, piecewise linearly, keeping each group's mean.

    The single-age values lie on a piecewise linear curve (in log rates when
    ``scale="log"``, in the rates themselves when ``scale="linear"``, which allows the
    negative values of net migration) through one knot per group, at the group's
    mid-point. Beyond the first and last knots the end slopes continue in log scale (the
    tails of fertility and of an age profile keep falling); in linear scale the curve stays
    flat there, so that a signed rate does not drift across zero in a wide end group. The knots are
    adjusted until every group's exposure-weighted mean equals its published value, i.e.
    the implied number of events in each group is kept; a final exact adjustment within
    groups (a factor in log scale, a shift in linear scale) absorbs what is left.

    Parameters
    ----------
    starts:
        First single age of each group, ascending; group ``i`` covers
        ``starts[i] … starts[i+1]-1``, the last ends at ``end - 1``.
    rates:
        Group rates (events per person-year); positive when ``scale="log"``.
    end:
        One past the last single age to produce.
    exposure:
        Person-years (or population) by single age ``starts[0] … end-1`` used to weight the
        group means; equal weights when ``None``.
    scale:
        ``"log"`` (rates of events that cannot be negative) or ``"linear"``.
    iterations:
        Fixed-point iterations on the knots.

    Returns
    -------
    numpy.ndarray
        Rates for single ages ``starts[0] … end-1``.
    """
    first = np.asarray(starts, dtype=int)
    target = np.asarray(rates, dtype=float)
    if first.shape != target.shape or first.size < 2 or np.any(np.diff(first) <= 0):
        raise InputError("starts must be ascending, one per rate (at least 2 groups)")
    if scale not in ("log", "linear"):
        raise InputError("scale must be 'log' or 'linear'", field="scale", value=scale)
    if end <= first[-1] or not np.all(np.isfinite(target)):
        raise InputError("rates must be finite and the last group must hold an age")
    if scale == "log" and np.any(target <= 0):
        raise InputError("log-scale graduation needs positive rates", field="rates")
    bounds = np.append(first, end)
    ages = np.arange(first[0], end)
    weights = np.ones(ages.size) if exposure is None else np.asarray(exposure, dtype=float)
    if weights.shape != ages.shape or np.any(weights < 0):
        raise InputError(f"exposure must have {ages.size} non-negative values", field="exposure")
    group = np.searchsorted(bounds, ages, side="right") - 1
    knots_x = (bounds[:-1] + bounds[1:]) / 2.0  # group mid-points, in exact ages
    centre = ages + 0.5
    forward, backward = (np.log, np.exp) if scale == "log" else (_identity, _identity)

    def curve(knots: FloatArray) -> FloatArray:
        inner = np.interp(centre, knots_x, knots)
        keep_slope = scale == "log"
        low_slope = keep_slope * (knots[1] - knots[0]) / (knots_x[1] - knots_x[0])
        high_slope = keep_slope * (knots[-1] - knots[-2]) / (knots_x[-1] - knots_x[-2])
        inner = np.where(centre < knots_x[0], knots[0] + low_slope * (centre - knots_x[0]), inner)
        above = knots[-1] + high_slope * (centre - knots_x[-1])
        inner = np.where(centre > knots_x[-1], above, inner)
        return np.asarray(backward(inner), dtype=float)

    def group_means(values: FloatArray) -> FloatArray:
        num = np.bincount(group, weights * values, minlength=target.size)
        den = np.bincount(group, weights, minlength=target.size)
        return num / np.where(den > 0, den, 1.0)

    knots = np.asarray(forward(target), dtype=float)
    for _ in range(iterations):
        knots = knots + forward(target) - forward(group_means(curve(knots)))
    values = curve(knots)
    if scale == "log":
        return values * (target / group_means(values))[group]
    return values + (target - group_means(values))[group]


def _identity(values: FloatArray) -> FloatArray:
    return values
