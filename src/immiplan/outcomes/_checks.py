"""Checks of outcome parameters: a bad value raises :class:`~immiplan.errors.InputError`.

Every message names the parameter (its dotted name in the parameter tree, or the field of
the object it was given to) and the offending value, so a user can find and fix it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.system.parameters import DatedValue, Parameter, ParameterTree

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


# --- Reading parameter files: errors name the file, the field and the value -----------------


def parameter_file(name: str) -> str:
    """The file of the dotted parameter ``name``, relative to the package's data folder."""
    return f"parameters/{name.replace('.', '/')}.yaml"


def read(tree: ParameterTree, name: str) -> Parameter:
    """The parameter ``name``; a missing or malformed file names that file."""
    source = parameter_file(name)
    try:
        return tree.get(name)
    except InputError as exc:
        if exc.message == "unknown parameter":
            raise InputError("missing parameter file", source=source, value=name) from None
        raise InputError(
            exc.message, source=source, field=exc.field, value=exc.value, has_value=exc.has_value
        ) from None


def entry_field(entry: DatedValue, key: str | None = None) -> str:
    """The dotted field of a dated value (``values.2017-01-01.value[.key]``)."""
    base = f"values.{entry.start.isoformat()}.value"
    return base if key is None else f"{base}.{key}"


def checked(
    parameter: Parameter,
    entry: DatedValue,
    check: Callable[[Any, str], float] = share,
    key: str | None = None,
) -> float:
    """One value of a parameter file, checked; an error names the file, field and value.

    ``key`` picks a field of a mapping value (a missing key is an error naming it).
    """
    source = parameter_file(parameter.name)
    field = entry_field(entry, key)
    raw = entry.value
    if key is not None:
        if not isinstance(raw, Mapping) or key not in raw:
            raise InputError("missing field", source=source, field=field)
        raw = raw[key]
    if raw is None:
        raise InputError("missing value", source=source, field=field)
    try:
        return check(raw, field)
    except InputError as exc:
        raise InputError(
            exc.message, source=source, field=field, value=exc.value, has_value=exc.has_value
        ) from None


def checked_all(
    parameter: Parameter, check: Callable[[Any, str], float] = share, key: str | None = None
) -> Parameter:
    """Check every non-missing value of a dated parameter file; return the parameter."""
    for entry in parameter.values:
        if entry.value is not None:
            checked(parameter, entry, check, key)
    return parameter


def at(parameter: Parameter, when: dt.date) -> DatedValue:
    """The dated value in force on ``when`` (a base date or a census date)."""
    try:
        return parameter.entry_at(when)
    except InputError:
        raise InputError(
            f"no value in force on {when.isoformat()}",
            source=parameter_file(parameter.name),
            field="values",
            value=when.isoformat(),
        ) from None


def branch_defaults(branch: str | None, when: dt.date | None) -> tuple[str, dt.date, Any]:
    """The parameter branch and date to read at, defaulting to the default base's."""
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    manifest = load_manifest(DEFAULT_BASE)
    return (
        manifest.parameters if branch is None else branch,
        manifest.base_date if when is None else when,
        manifest,
    )


def latest(parameter: Parameter) -> DatedValue:
    """The last dated value (a file whose last value is missing is an error)."""
    if not parameter.values:
        raise InputError("no values", source=parameter_file(parameter.name), field="values")
    return parameter.values[-1]


def year_of(parameter: Parameter, entry: DatedValue, key: str) -> int:
    """An integer year stored under ``key`` of a mapping value."""

    def check(value: Any, name: str) -> float:
        out = number(value, name)
        if out != int(out) or not 1800 <= out <= 2300:
            raise InputError("must be a year (1800-2300)", field=name, value=value)
        return out

    return int(checked(parameter, entry, check, key))
