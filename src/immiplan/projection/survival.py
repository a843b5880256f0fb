"""From death rates to the engine's survival: the base schedule moved to an e0 path.

:func:`survival_paths` is the one place where a scenario's life-expectancy path becomes the
engine's ``survival`` ``(T, X, A)`` and ``newborn_survival`` ``(T, X)`` arrays. Its method:
Lee–Carter's age pattern of improvement (:mod:`immiplan.projection.mortality`), solved each
step so that e0 equals the path's value at the step's midpoint (1 January).
:func:`survival_for_e0` keeps the former one-factor method for callers that ask for it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.base import BaseData
from immiplan.projection.ccmpp import survival_ratios
from immiplan.projection.lifetable import calibrate_to_e0, life_table
from immiplan.projection.mortality import AGE_PATTERN, age_pattern, survival_from_e0
from immiplan.projection.state import N_AGES, SEXES
from immiplan.system.parameters import DateLike

FloatArray = NDArray[np.float64]

__all__ = ["base_survival", "survival_for_e0", "survival_from_lx", "survival_paths"]


def survival_from_lx(lx_big: FloatArray) -> tuple[FloatArray, float]:
    """Engine survival ``S[a]`` (``(101,)``) and ``L_0/l_0`` from a life table's ``Lx``."""
    ratios = survival_ratios(lx_big)
    out = np.empty(N_AGES)
    out[:-2] = ratios[1:-1]
    out[-2:] = ratios[-1]  # those entering 100+ and those in it: T_100/T_99
    return out, float(ratios[0])


@cache
def _survival(mx_key: bytes, sex: str, e0: float) -> tuple[FloatArray, float]:
    mx = np.frombuffer(mx_key, dtype=float)
    table = calibrate_to_e0(mx, e0, sex=sex).table  # type: ignore[arg-type]
    return survival_from_lx(table.Lx)


def survival_for_e0(sex: str, e0: float, mx: FloatArray | None = None) -> tuple[FloatArray, float]:
    """Survival by age and newborn survival for a death schedule moved to ``e0``.

    Parameters
    ----------
    sex:
        ``female`` or ``male``.
    e0:
        Target life expectancy at birth (years).
    mx:
        The base death rates of ``sex``, ``(101,)``; default the default base's.

    Returns
    -------
    tuple
        ``S[a]`` for ages 0..100 and ``L_0/l_0`` (cached by schedule, sex and ``e0``).
    """
    if mx is None:
        from immiplan.projection.bases import DEFAULT_BASE, load_base

        mx = load_base(DEFAULT_BASE).mx[SEXES.index(sex)]
    return _survival(np.ascontiguousarray(mx, dtype=float).tobytes(), sex, float(e0))


def survival_paths(
    mx: FloatArray,
    e0_path: FloatArray,
    *,
    source: str = "scenario",
    pattern: str = AGE_PATTERN,
    when: DateLike = "2018-07-01",
) -> tuple[FloatArray, FloatArray]:
    """The engine's survival arrays for an e0 path by sex (age-specific improvement).

    The base death rates move by Lee–Carter's age pattern ``b_x``
    (:func:`immiplan.projection.mortality.survival_from_e0`), one period index per step and
    sex solved so that the life table's e0 equals ``e0_path`` exactly.

    Parameters
    ----------
    mx:
        Base death rates by sex and age, ``(X, 101)``.
    e0_path:
        Life expectancy at birth of each step and sex, ``(..., T, X)``: the value at each
        step's midpoint (1 January).
    source:
        The scenario file, for error messages.
    pattern, when:
        The age-pattern parameter (the base's jurisdiction branch) and the date it is read at
        (the base date).

    Returns
    -------
    tuple
        ``survival`` ``(..., T, X, 101)`` and ``newborn_survival`` ``(..., T, X)``.
    """
    try:
        return survival_from_e0(mx, e0_path, bx=age_pattern(when, pattern))
    except InputError as exc:
        field = f"mortality.{exc.field}" if exc.field else "mortality.e0"
        raise InputError(exc.message, source=source, field=field, value=exc.value) from None


def base_survival(base: BaseData) -> tuple[FloatArray, FloatArray]:
    """Survival ``(2, 101)`` and newborn survival ``(2,)`` of a base's own death rates."""
    mx = base.mx
    rows = [survival_from_lx(life_table(mx[i], sex=sex).Lx) for i, sex in enumerate(SEXES)]  # type: ignore[arg-type]
    return np.stack([r[0] for r in rows]), np.array([r[1] for r in rows])
