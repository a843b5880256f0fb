"""Checks of outcome parameters: a bad value raises :class:`~immiplan.errors.InputError`.

Every message names the parameter (its dotted name in the parameter tree, or the field of
the object it was given to) and the offending value, so a user can find and fix it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.system.parameters import Parameter

FloatArray = NDArray[np.float64]


def number(value: Any, name: str) -> float:
    """``value`` as a finite float, or an :class:`InputError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError("must be a number", field=name, value=value, has_value=True)
    out = float(value)
    if not math.isfinite(out):
        raise InputError("must be a finite number", field=name, value=value)
    return out


def share(value: Any, name: str) -> float:
    """A rate or share: a number in [0, 1]."""
    out = number(value, name)
    if not 0.0 <= out <= 1.0:
        raise InputError("must lie in [0, 1] (a rate or share)", field=name, value=out)
    return out


def non_negative(value: Any, name: str) -> float:
    """A count or an amount: a number >= 0."""
    out = number(value, name)
    if out < 0.0:
        raise InputError("must not be negative", field=name, value=out)
    return out


def shares(mapping: Any, name: str, keys: tuple[str, ...]) -> dict[str, float]:
    """A mapping holding exactly the shares ``keys`` (each in [0, 1])."""
    if not isinstance(mapping, Mapping):
        raise InputError(f"must map {', '.join(keys)} to shares", field=name, value=mapping)
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise InputError(f"is missing {', '.join(missing)}", field=name, value=dict(mapping))
    return {k: share(mapping[k], f"{name}.{k}") for k in keys}


def share_array(values: Any, name: str) -> FloatArray:
    """An array of shares (finite, each in [0, 1])."""
    array = np.asarray(values, dtype=float)
    if array.size and not np.all(np.isfinite(array)):
        raise InputError("must be finite (no NaN or infinity)", field=name)
    if array.size and (array.min() < 0.0 or array.max() > 1.0):
        bad = float(array.min() if array.min() < 0.0 else array.max())
        raise InputError("must lie in [0, 1] (a rate or share)", field=name, value=bad)
    return array


def dated_shares(parameter: Parameter) -> Parameter:
    """Check every non-missing value of a dated parameter is a share; return it."""
    for item in parameter.values:
        if item.value is not None:
            share(item.value, f"{parameter.name} ({item.start.isoformat()})")
    return parameter
