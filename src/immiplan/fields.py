"""Field types shared by every schema: strict, finite and ranged.

A user's file is read by pydantic models whose fields use these types, so that the same
mistake gets the same refusal everywhere: ``NaN`` and infinity are never numbers, a boolean
is never a count (``tfr: false`` is refused, not read as 0), a string is never a number
(``"7"`` is refused where 7 is meant), and years and counts stay in a sane range.

Strict mode still accepts an integer where a float is expected (YAML's ``40000``).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictStr, TypeAdapter, ValidationError

from immiplan.errors import InputError

__all__ = [
    "MAX_CANDIDATES",
    "MAX_COUNT",
    "MAX_DAYS",
    "MAX_MONTHS",
    "MAX_YEAR",
    "MIN_YEAR",
    "Candidates",
    "Count",
    "Date",
    "Days",
    "Finite",
    "Flag",
    "Months",
    "Multiplier",
    "Nclc",
    "PositiveCount",
    "Rate",
    "Seed",
    "Share",
    "Text",
    "TextList",
    "Year",
    "check",
    "input_error",
]

MIN_YEAR = 1800
"""Earliest year any file may name (history of admissions starts well after it)."""
MAX_YEAR = 2300
"""Latest year any file may name (projections stop well before it)."""
MAX_COUNT = 1e10
"""Largest count of persons any file may give (above the world's population)."""

Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""Any finite number (may be negative: a net flow)."""
Count = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=MAX_COUNT)]
"""Persons (or admissions): finite, zero or more."""
PositiveCount = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0.0, le=MAX_COUNT)]
"""Persons, more than zero (a population a share is taken of)."""
Rate = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=1.0)]
"""A probability or rate per person and year, in [0, 1]."""
Share = Rate
"""A share of a whole, in [0, 1]."""
Multiplier = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=20.0)]
"""A factor on a published rate, in [0, 20]."""
Year = Annotated[int, Field(strict=True, ge=MIN_YEAR, le=MAX_YEAR)]
"""A calendar year."""
Date = Annotated[
    dt.date, Field(strict=False, ge=dt.date(MIN_YEAR, 1, 1), le=dt.date(MAX_YEAR, 12, 31))
]
"""A calendar date (YAML's ``2018-12-04``)."""
Text = Annotated[StrictStr, Field(min_length=1, max_length=10_000)]
"""A non-empty string (a number is not a name)."""
Flag = StrictBool
"""``true`` or ``false`` only (``"no"`` is not false)."""

MAX_CANDIDATES = 5_000_000
"""Most candidate profiles a pool may hold (Express Entry's pool is about 250,000)."""
MAX_DAYS = 3660
"""Longest span in days a file may give (a round cadence, a profile's validity): ten years."""
MAX_MONTHS = 240
"""Longest delay in months a file may give (invitation to admission): twenty years."""

Candidates = Annotated[int, Field(strict=True, ge=0, le=MAX_CANDIDATES)]
"""A number of candidate profiles or invitations: a whole number, 0 to 5 million."""
Days = Annotated[int, Field(strict=True, ge=1, le=MAX_DAYS)]
"""A span in whole days, 1 to 3,660."""
Months = Annotated[int, Field(strict=True, ge=0, le=MAX_MONTHS)]
"""A delay in whole months, 0 to 240."""
Seed = Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)]
"""A random seed: a whole number, 0 or more."""
Nclc = Annotated[int, Field(strict=True, ge=0, le=12)]
"""A Canadian Language Benchmark (NCLC/CLB) level, 0 to 12."""
TextList = Annotated[list[Text], Field(strict=True, max_length=10_000)]
"""A list of names (``regions: [montreal]``; ``regions: 5`` or a bare string is refused)."""


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def _dotted(prefix: str | None, loc: tuple[int | str, ...]) -> str | None:
    field = prefix or ""
    for part in loc:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field = f"{field}.{part}" if field else str(part)
    return field or None


def input_error(
    exc: ValidationError, *, source: Any = None, prefix: str | None = None
) -> InputError:
    """The first problem of a pydantic ``ValidationError`` as one :class:`InputError`.

    ``prefix`` is the dotted path of the validated node in the user's file, so the error
    names the full path of the user's field (``plan.admissions``, ``regions[0]``).
    """
    first = exc.errors(include_url=False)[0]
    message = str(first.get("msg", "invalid value"))
    kind = first.get("type")
    if kind in ("int_type", "int_from_float", "int_parsing"):
        message = "must be a whole number"
    elif kind in ("float_type", "float_parsing"):
        message = "must be a number"
    elif message.startswith("Input should be "):
        message = "must be " + message[len("Input should be ") :]
    if first.get("type") == "finite_number":
        message = "must be a finite number (not NaN or infinity)"
    elif first.get("type") in ("int_type", "float_type") and isinstance(first.get("input"), bool):
        message = "must be a number, not true or false"
    return InputError(
        message[0].lower() + message[1:],
        source=source,
        field=_dotted(prefix, tuple(first.get("loc", ()))),
        value=first.get("input"),
        has_value="input" in first,
    )


def check(kind: Any, value: Any, *, source: Any = None, field: str | None = None) -> Any:
    """Validate ``value`` against a field type of this module; return it (as that type).

    A refusal is one :class:`InputError` naming ``source``, ``field`` (with any position
    inside the value, ``regions[1]``) and the offending value.
    """
    try:
        return _adapter(kind).validate_python(value)
    except ValidationError as exc:
        raise input_error(exc, source=source, prefix=field) from None
