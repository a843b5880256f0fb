"""Field types shared by every schema: strict, finite and ranged.

A user's file is read by pydantic models whose fields use these types, so that the same
mistake gets the same refusal everywhere: ``NaN`` and infinity are never numbers, a boolean
is never a count (``tfr: false`` is refused, not read as 0), a string is never a number
(``"7"`` is refused where 7 is meant), and years and counts stay in a sane range.

Strict mode still accepts an integer where a float is expected (YAML's ``40000``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StrictBool, StrictStr

__all__ = [
    "MAX_COUNT",
    "MAX_YEAR",
    "MIN_YEAR",
    "Count",
    "Date",
    "Finite",
    "Flag",
    "Multiplier",
    "PositiveCount",
    "Rate",
    "Share",
    "Text",
    "Year",
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
