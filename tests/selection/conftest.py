"""Builders for selection tests: one profile by keyword, a table of profiles, the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from immiplan.selection import Profiles, from_frame

# A plain single candidate with nothing that scores beyond the basics; tests change what they
# test. Language levels default to "no test" (0).
BASE: dict[str, Any] = {
    "age": 30,
    "has_spouse": False,
    "education": "bachelor",
    "area_of_training": "none",
    "canadian_work_years": 0,
    "foreign_work_years": 0,
    "experience_months": 0,
    "sex": "female",
    "submitted": "2018-06-01T00:00:00Z",
    **{
        f"{lang}_{a}": 0
        for lang in ("french", "english")
        for a in ("listening", "speaking", "reading", "writing")
    },
}


def row(**changes: Any) -> dict[str, Any]:
    """One profile: :data:`BASE` with ``changes``; ``english=9`` sets all four English levels."""
    out = dict(BASE)
    for key in ("english", "french", "spouse_english", "spouse_french"):
        if key in changes:
            level = changes.pop(key)
            for a in ("listening", "speaking", "reading", "writing"):
                out[f"{key}_{a}"] = level
    out.update(changes)
    return out


def table(*rows: dict[str, Any]) -> Profiles:
    """Validate rows into :class:`Profiles` (ids c0, c1, ... unless given)."""
    frame = pd.DataFrame([{"id": r.get("id", f"c{i}"), **r} for i, r in enumerate(rows)])
    return from_frame(frame, uses=("crs", "prtq", "rounds", "cohort"))


@pytest.fixture
def make_row() -> Callable[..., dict[str, Any]]:
    return row


@pytest.fixture
def make_table() -> Callable[..., Profiles]:
    return table


@pytest.fixture
def select_cli(cli: Callable[..., Any]) -> Callable[..., Any]:
    """The shared ``cli`` runner (``select`` is registered on the root command)."""
    return cli
