"""Mortality that improves by age: a Lee–Carter age pattern solved to a life-expectancy path.

A scenario states life expectancy at birth (e0) by sex and year. The death rates of year
*t* are the base year's rates moved along a fixed age pattern of improvement:

    log m_x(t) = log m_x(base) − b_x · κ(t)            (Lee & Carter 1992)

``b_x`` (``Σ_x b_x = 1``, ``b_x ≥ 0``) says how fast age *x* improves relative to the others;
the period index ``κ(t)`` is solved, for every year and sex, so that the life table of the
rates has exactly the scenario's e0 (a bracketed Illinois root search, vectorised over every
year, sex and trajectory at once). With ``b_x`` constant this is the single factor of the
former method; with an age pattern in which the oldest ages improve slowly, centenarians
stop multiplying as fast as middle-aged survival improves.

**The age pattern** shipped as ``projection.mortality.age_pattern`` is *derived*: the
Lee–Carter ``b_x`` (first singular vector of the centred log rates, :func:`estimate_age_pattern`)
of Statistics Canada's projected prospective death probabilities for Quebec, medium
scenario, 2013–2014 to 2062–2063 (91-620-X, 2014; ``data/mortality/``). Statistics
Canada projects improvement of 1.8 % (women) to 2.6 % (men) a year at 60, 0.5 % at 90 and
0.2–0.4 % at 100+, so the oldest ages improve several times more slowly than ages 60–85. ISQ's 2024
projection has the same shape (both sexes: 1.2 % a year at 60, 0.6 % at 80, 0.3 % at 90 and
0 at 100+, ``docs/projection.md``).

**Men's rates never fall below women's.** Each sex gets its own κ; where the male rate
would drop below the female rate of the same year and age it is raised to it
(``m_M = max(m_M^LC, m_F)``), and κ of men is solved with that floor inside the life table,
so men's e0 is still met exactly. A male e0 that could only be reached with some male rate
below the female one (in practice: men's e0 at or above women's) is an
:class:`~immiplan.errors.InputError` naming ``e0.male``.

**Life table** (the same as :func:`immiplan.projection.lifetable.life_table`): single years
0..99 and the open group 100+, ``a_0`` by the Andreev–Kingkade rule (HMD Methods Protocol
v6), ``a_x = 1/2`` at other closed ages, ``q_x = m_x/(1 + (1 − a_x)·m_x)``,
``L_100+ = l_100/m_100``. The engine's survival is ``S[a] = L_{a+1}/L_a`` (a = 0..98),
``S[99] = S[100] = T_100/T_99`` and newborn survival ``L_0/l_0``
(:func:`immiplan.projection.quebec.survival_for_e0`'s convention).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immiplan.errors import InputError
from immiplan.system.parameters import DateLike, data_root, parameters

FloatArray = NDArray[np.float64]

__all__ = [
    "AGE_PATTERN",
    "E0_RANGE",
    "age_pattern",
    "estimate_age_pattern",
    "life_expectancy",
    "log_rates_from_prospective",
    "rates_for_e0",
    "read_prospective_probabilities",
    "survival_from_e0",
]

AGE_PATTERN = "provinces.qc.projection.mortality.age_pattern"
"""Name of the shipped age pattern ``b_x`` in the parameter tree."""
PROSPECTIVE_FILE = "mortality/statcan_2013_quebec_medium_qx.csv"
"""The published death probabilities the shipped pattern is estimated from (below data/)."""
E0_RANGE = (20.0, 120.0)
"""Life expectancies at birth accepted (years, open interval; the scenario schema's range)."""

N_AGES = 101
SEX_ORDER = ("female", "male")
_MALE = 1
_TOLERANCE = 1e-10  # on e0, in years
_MAX_ITERATIONS = 200
_BLOCK = 4096  # rows solved together
_MEMO: dict[tuple[Any, ...], tuple[FloatArray, FloatArray]] = {}
"""Results of :func:`survival_from_e0` keyed by all its inputs (the base rates included):
the shipped scenarios share e0 paths, so a run of several solves each path once."""
_MEMO_ENTRIES = 64
_MEMO_MAX_VALUES = 2_000
_KAPPA_GRID = np.array(
    [-400.0, -100.0, -25.0, 0.0, 25.0, 50.0, 100.0, 150.0, 250.0, 400.0, 1e3, 4e3]
)
"""Period indices tried first (the shipped pattern moves e0 by about 1 year per 10 units)."""


# --- Life table, vectorised ------------------------------------------------------------


def _infant_ax(m0: FloatArray, male: ArrayLike) -> FloatArray:
    """Andreev–Kingkade ``1a0`` (HMD Methods Protocol v6), element-wise."""
    female_a = np.where(
        m0 < 0.01724,
        0.14903 - 2.05527 * m0,
        np.where(m0 < 0.06891, 0.04667 + 3.88089 * m0, 0.31411),
    )
    male_a = np.where(
        m0 < 0.0230, 0.14929 - 1.99545 * m0, np.where(m0 < 0.08307, 0.02832 + 3.26201 * m0, 0.29915)
    )
    return np.asarray(np.where(male, male_a, female_a), dtype=float)


def _survivors(mx: FloatArray, male: ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    """``l_x`` (ages 0..100, radix 1) and ``1a0`` of rates ``(..., 101)``.

    ``male`` broadcasts to ``mx.shape[:-1]`` and picks the infant rule; ``None`` means the
    sex is axis −2 (females, males). With ``a_x = 1/2``, ``p_x = (1 − m/2)/(1 + m/2)``
    (``q`` capped at 1).
    """
    if male is None:
        male = np.arange(mx.shape[-2]) == _MALE
    m0 = mx[..., 0]
    a0 = _infant_ax(m0, male)
    half = 0.5 * mx[..., :-1]
    p = (1.0 - half) / (1.0 + half)
    p[..., 0] = 1.0 - m0 / (1.0 + (1.0 - a0) * m0)
    np.maximum(p, 0.0, out=p)
    lx = np.empty(mx.shape)
    lx[..., 0] = 1.0
    np.cumprod(p, axis=-1, out=lx[..., 1:])
    return lx, a0


def _e0(mx: FloatArray, male: ArrayLike | None = None) -> FloatArray:
    """Life expectancy at birth of rates ``(..., 101)`` without building ``L_x``."""
    lx, a0 = _survivors(mx, male)
    l1, top = lx[..., 1], lx[..., -1]
    return np.asarray(
        l1 + a0 * (1.0 - l1) + lx[..., 1:].sum(axis=-1) - 0.5 * (l1 + top) + top / mx[..., -1],
        dtype=float,
    )


def _person_years(mx: FloatArray, male: ArrayLike | None = None) -> FloatArray:
    """``L_x`` of radix-1 life tables of rates ``(..., 101)`` (``male`` as in ``_survivors``)."""
    lx, a0 = _survivors(mx, male)
    big_l = np.empty(mx.shape)
    big_l[..., 0] = lx[..., 1] + a0 * (1.0 - lx[..., 1])
    np.add(lx[..., 1:-1], lx[..., 2:], out=big_l[..., 1:-1])
    big_l[..., 1:-1] *= 0.5
    big_l[..., -1] = lx[..., -1] / mx[..., -1]
    return big_l


def life_expectancy(mx: ArrayLike) -> FloatArray:
    """Life expectancy at birth (years) of rates ``(..., 2, 101)``: females, then males.

    Single years of age 0..99 and the open group 100+ (the conventions of the module doc).
    """
    return _e0(np.asarray(mx, dtype=float))


def _engine_survival(big_l: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Engine survival ``(..., 2, 101)`` and newborn survival ``(..., 2)`` from ``L_x``."""
    out = np.empty(big_l.shape)
    out[..., :-2] = big_l[..., 1:-1] / big_l[..., :-2]
    out[..., -2:] = (big_l[..., -1] / (big_l[..., -2] + big_l[..., -1]))[..., None]
    return out, big_l[..., 0].copy()


# --- The age pattern -------------------------------------------------------------------


def read_prospective_probabilities(path: Path | Any | None = None) -> dict[str, FloatArray]:
    """Published prospective death probabilities by year and single age 0..110, by sex.

    Parameters
    ----------
    path:
        A CSV with columns ``year, sex, q0 … q110``; ``None`` reads the shipped Statistics
        Canada file (``data/mortality/``, sources in its ``.source.yaml``).

    Returns
    -------
    dict
        ``{"year": (T,), "female": (T, 111), "male": (T, 111)}``.
    """
    import pandas as pd

    source = data_root().joinpath(*PROSPECTIVE_FILE.split("/")) if path is None else path
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle)
    columns = [f"q{a}" for a in range(111)]
    missing = [c for c in ("year", "sex", *columns) if c not in frame.columns]
    if missing:
        raise InputError("missing columns", source=str(source), field=missing[0])
    out: dict[str, FloatArray] = {}
    years: FloatArray | None = None
    for sex in SEX_ORDER:
        rows = frame[frame["sex"] == sex].sort_values("year")
        if rows.empty:
            raise InputError("no rows for this sex", source=str(source), field="sex", value=sex)
        these = rows["year"].to_numpy(dtype=float)
        if years is not None and not np.array_equal(years, these):
            raise InputError("both sexes need the same years", source=str(source), field="year")
        years = these
        q = rows[columns].to_numpy(dtype=float)
        if not np.all(np.isfinite(q)) or np.any(q < 0) or np.any(q > 1):
            raise InputError("probabilities must be in [0, 1]", source=str(source), field=sex)
        out[sex] = q
    assert years is not None
    out["year"] = years
    return out


def log_rates_from_prospective(q: ArrayLike, open_age: int = N_AGES - 1) -> FloatArray:
    """Log central rates for ages 0..``open_age - 1`` and ``open_age``+ from probabilities.

    Closed ages: the constant force ``−log(1 − q_x)``. The open group: ``1/e_ω``, the
    central rate of a life table started at ``open_age`` with the given ``q`` (the last
    ``q`` closes it: those reaching the last age live half a year on average).

    Parameters
    ----------
    q:
        Probabilities of dying by single age 0..ω, ``(T, ω + 1)``, the last equal to 1.
    open_age:
        First age of the open group.
    """
    prob = np.atleast_2d(np.asarray(q, dtype=float))
    closed = -np.log1p(-np.minimum(prob[:, :open_age], 1.0 - 1e-12))
    tail = prob[:, open_age:]
    lx = np.concatenate([np.ones((prob.shape[0], 1)), np.cumprod(1.0 - tail, axis=1)], axis=1)
    person_years = 0.5 * (lx[:, :-1] + lx[:, 1:]).sum(axis=1)
    return np.concatenate([np.log(closed), -np.log(person_years)[:, None]], axis=1)


def estimate_age_pattern(log_rates: ArrayLike) -> FloatArray:
    """Lee–Carter ``b_x`` of a period-by-age matrix of log death rates.

    ``a_x`` is the mean of each age's log rate over the periods; ``b_x`` the first left
    singular vector of the centred matrix, normalised to ``Σ b_x = 1`` (Lee & Carter 1992).
    Negative values (an age moving against the others) are set to 0 and the rest
    renormalised, so that the e0 solve is monotone. The direction of change is the e0
    path's: ``κ`` rises when e0 rises.

    Parameters
    ----------
    log_rates:
        ``(T, A)`` log central death rates, periods in rows, ``T ≥ 2``.

    Returns
    -------
    numpy.ndarray
        ``(A,)``, non-negative, summing to 1.
    """
    logs = np.asarray(log_rates, dtype=float)
    if logs.ndim != 2 or logs.shape[0] < 2 or not np.all(np.isfinite(logs)):
        raise InputError("log rates must be a finite (periods, ages) matrix with 2+ periods")
    centred = logs - logs.mean(axis=0)
    left = np.linalg.svd(centred.T, full_matrices=False)[0]
    bx = np.maximum(left[:, 0] / left[:, 0].sum(), 0.0)  # the sign of a singular vector is free
    return np.asarray(bx / bx.sum(), dtype=float)


@cache
def age_pattern(when: DateLike, name: str = AGE_PATTERN) -> FloatArray:
    """The shipped age pattern ``b_x`` at ``when``, ``(2, 101)`` (females, males; read-only).

    ``name`` is the parameter (a base reads its jurisdiction's:
    ``<branch>.projection.mortality.age_pattern``). Cached by date and name: the shipped
    files do not change while the package runs.
    """
    entry = parameters().get(name).at(when)
    try:
        bx = np.array([entry[sex] for sex in SEX_ORDER], dtype=float)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            "the age pattern needs 101 numbers for each of female and male", source=AGE_PATTERN
        ) from exc
    pattern = _checked_pattern(bx, AGE_PATTERN)
    pattern.flags.writeable = False
    return pattern


def _checked_pattern(bx: ArrayLike, source: str = "bx") -> FloatArray:
    pattern = np.asarray(bx, dtype=float)
    if pattern.shape == (N_AGES,):
        pattern = np.stack([pattern, pattern])
    if pattern.shape != (2, N_AGES):
        raise InputError(
            f"bx must have shape (2, {N_AGES}) or ({N_AGES},)",
            source=source,
            field="bx",
            value=pattern.shape,
        )
    if not np.all(np.isfinite(pattern)) or np.any(pattern < 0) or np.any(pattern.sum(axis=1) <= 0):
        raise InputError(
            "bx must be finite, non-negative and not all zero for each sex",
            source=source,
            field="bx",
        )
    return pattern


# --- The e0 solve ----------------------------------------------------------------------


def _checked_base(base_mx: ArrayLike) -> FloatArray:
    mx = np.asarray(base_mx, dtype=float)
    if mx.shape != (2, N_AGES):
        raise InputError(f"base_mx must have shape (2, {N_AGES})", field="base_mx", value=mx.shape)
    if not np.all(np.isfinite(mx)) or np.any(mx <= 0):
        raise InputError("base_mx must be finite and positive at every age", field="base_mx")
    return mx


def _checked_e0(e0: ArrayLike) -> FloatArray:
    target = np.asarray(e0, dtype=float)
    if target.ndim < 1 or target.shape[-1] != 2:
        raise InputError(
            "e0 must have a last axis of 2 (female, male)", field="e0", value=target.shape
        )
    low, high = E0_RANGE
    for j, sex in enumerate(SEX_ORDER):
        values = target[..., j]
        bad = ~np.isfinite(values) | (values <= low) | (values >= high)
        if np.any(bad):
            raise InputError(
                f"life expectancy at birth must be a number of years between {low:g} and {high:g}",
                field=f"e0.{sex}",
                value=float(values[bad].flat[0]),
            )
    return target


def _rates(log_base: FloatArray, bx: FloatArray, kappa: FloatArray) -> FloatArray:
    """``exp(log m_base − b_x κ)`` for one sex: shape ``(*kappa.shape, 101)``."""
    return np.asarray(np.exp(log_base - kappa[..., None] * bx), dtype=float)


def _secant(a: FloatArray, b: FloatArray, fa: FloatArray, fb: FloatArray) -> FloatArray:
    """The secant step's root, clipped to the κ grid (``a`` where the secant is flat)."""
    slope = fb - fa
    safe = np.where(slope != 0, slope, 1.0)
    step = np.where(slope != 0, a - fa * (b - a) / safe, a)
    return np.asarray(np.clip(step, _KAPPA_GRID[0], _KAPPA_GRID[-1]), dtype=float)


def _solve_sex(
    log_base: FloatArray,
    bx: FloatArray,
    target: FloatArray,
    sex: int,
    floor: FloatArray | None,
) -> FloatArray:
    """Rates ``(N, 101)`` of one sex whose e0 equals ``target`` ``(N,)``.

    ``floor`` (``(N, 101)``, men only) is the lowest rate allowed at each age. The e0 of
    ``max(rates(κ), floor)`` increases with κ, so a bracketed Illinois search converges.
    """
    n = target.size
    male = np.bool_(sex == _MALE)
    name = SEX_ORDER[sex]

    def e0_of(kappa: FloatArray, rows: Any = slice(None)) -> tuple[FloatArray, FloatArray]:
        rates = _rates(log_base, bx, kappa)  # (rows, 101) or (rows, k, 101)
        if floor is not None:
            low = floor[rows]
            rates = np.maximum(rates, low if kappa.ndim == 1 else low[:, None, :])
        return _e0(rates, male), rates

    # Two secant steps from κ = 0 and κ = 50, then a narrow bracket around the guess; rows
    # it misses (and unreachable targets) are bracketed on a wide grid of κ.
    pair = np.repeat(np.array([[0.0, 50.0]]), n, axis=0)
    f_pair = e0_of(pair)[0] - target[:, None]
    guess = _secant(pair[:, 0], pair[:, 1], f_pair[:, 0], f_pair[:, 1])
    f_guess = e0_of(guess)[0] - target
    near = np.abs(f_pair[:, 0]) < np.abs(f_pair[:, 1])
    guess = _secant(
        guess, np.where(near, 0.0, 50.0), f_guess, np.where(near, f_pair[:, 0], f_pair[:, 1])
    )
    width = np.maximum(0.5, 0.02 * np.abs(guess))
    pair = np.stack([guess - width, guess + width], axis=1)
    f_pair = e0_of(pair)[0] - target[:, None]
    lo, hi, f_lo, f_hi = pair[:, 0], pair[:, 1], f_pair[:, 0], f_pair[:, 1]
    missed = np.flatnonzero(~((f_lo <= 0) & (f_hi >= 0)))
    if missed.size:
        grid = np.repeat(_KAPPA_GRID[None, :], missed.size, axis=0)
        f_grid = e0_of(grid, missed)[0] - target[missed, None]
        reachable = (f_grid[:, 0] <= 0) & (f_grid[:, -1] >= 0)
        if not np.all(reachable):
            bad = int(missed[np.flatnonzero(~reachable)[0]])
            top = float(f_grid[np.flatnonzero(~reachable)[0], -1] + target[bad])
            reason = (
                "men's death rates would have to fall below women's at some age (men's e0 "
                "must stay below women's)"
                if floor is not None
                else "the age pattern of improvement cannot reach it"
            )
            raise InputError(
                f"life expectancy at birth out of reach: {reason}; at most {top:.3f} years here",
                field=f"e0.{name}",
                value=float(target[bad]),
            )
        index = np.arange(missed.size)
        upper = np.maximum(np.argmax(f_grid >= 0, axis=1), 1)
        lo[missed], hi[missed] = _KAPPA_GRID[upper - 1], _KAPPA_GRID[upper]
        f_lo[missed], f_hi[missed] = f_grid[index, upper - 1], f_grid[index, upper]
    exact = f_lo == 0  # also keeps f_hi − f_lo non-zero
    hi, f_hi = np.where(exact, lo, hi), np.where(exact, 0.0, f_hi)
    f_lo = np.where(exact, -1.0, f_lo)
    kappa = hi.copy()
    rates = np.empty((n, N_AGES))
    side = np.zeros(n)
    for _ in range(_MAX_ITERATIONS):
        kappa = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        value, rates = e0_of(kappa)
        gap = value - target
        if np.all(np.abs(gap) <= _TOLERANCE):
            return rates
        below = gap < 0
        # Illinois: halve the value kept at the end that did not move twice in a row.
        f_hi = np.where(below & (side < 0), 0.5 * f_hi, f_hi)
        f_lo = np.where(~below & (side > 0), 0.5 * f_lo, f_lo)
        lo = np.where(below, kappa, lo)
        f_lo = np.where(below, gap, f_lo)
        hi = np.where(below, hi, kappa)
        f_hi = np.where(below, f_hi, gap)
        side = np.where(below, -1.0, 1.0)
    raise InputError(  # not reached for life tables; kept so a failure is never silent
        "the life-expectancy solve did not converge", field=f"e0.{name}", value=float(target[0])
    )


def rates_for_e0(base_mx: ArrayLike, e0: ArrayLike, *, bx: ArrayLike) -> FloatArray:
    """Death rates by sex and age whose life expectancy at birth is ``e0``.

    Parameters
    ----------
    base_mx:
        Base-year central death rates ``(2, 101)`` (females, males; ages 0..99 and 100+).
    e0:
        Life expectancy at birth, ``(..., 2)`` (females, males), years, any leading shape.
    bx:
        Age pattern of improvement, ``(2, 101)`` or ``(101,)`` for both sexes
        (:func:`age_pattern` for the shipped one).

    Returns
    -------
    numpy.ndarray
        ``(..., 2, 101)`` central rates, deaths per person-year; their life tables have
        e0 within 1e-10 years of ``e0``, and men's rates are at least women's at every age.
    """
    mx = _checked_base(base_mx)
    target = _checked_e0(e0)
    pattern = _checked_pattern(bx)
    flat = target.reshape(-1, 2)
    log_base = np.log(mx)
    out = np.empty((flat.shape[0], 2, N_AGES))
    # Blocks of rows bound the memory of the batched grid (an ensemble has ~10^5 rows).
    for first in range(0, flat.shape[0], _BLOCK):
        rows = slice(first, first + _BLOCK)
        female = _solve_sex(log_base[0], pattern[0], flat[rows, 0], 0, None)
        out[rows, 0] = female
        out[rows, 1] = _solve_sex(log_base[1], pattern[1], flat[rows, 1], _MALE, female)
    return out.reshape((*target.shape[:-1], 2, N_AGES))


def survival_from_e0(
    base_mx: ArrayLike, e0: ArrayLike, *, bx: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Engine survival for an e0 path: :func:`rates_for_e0`, then the life table's ratios.

    Parameters
    ----------
    base_mx, e0, bx:
        As in :func:`rates_for_e0`; ``e0`` of shape ``(steps, 2)`` or
        ``(trajectories, steps, 2)`` or any ``(..., 2)``.

    Returns
    -------
    tuple
        ``survival`` ``(..., 2, 101)``: ``S[a]``, the share of those aged *a* at the start of
        the step alive at its end (``S[99] = S[100] = T_100/T_99``); ``newborn_survival``
        ``(..., 2)``: ``L_0/l_0``, the share of the step's births alive at its end.
        Both are read-only; results of small inputs (a scenario's path) are remembered by
        their inputs, so preparing several scenarios with one e0 path solves it once.
    """
    mx, target, pattern = (np.asarray(v, dtype=float) for v in (base_mx, e0, bx))
    key = (mx.tobytes(), mx.shape, target.tobytes(), target.shape, pattern.tobytes(), pattern.shape)
    if key in _MEMO:
        return _MEMO[key]
    survival, newborn = _engine_survival(_person_years(rates_for_e0(mx, target, bx=pattern)))
    survival.flags.writeable = False
    newborn.flags.writeable = False
    if target.size <= _MEMO_MAX_VALUES:  # scenario paths, not ensembles
        if len(_MEMO) >= _MEMO_ENTRIES:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = (survival, newborn)
    return survival, newborn
