"""Bad input, generated: one defect anywhere in a valid table is reported with its row and
column, in the API and on the command line (exit status 2, nothing printed, nothing written)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.selection import EDUCATION, from_frame, load_grid, resolve_grid_name
from immiplan.selection.schema import (
    AREAS,
    ARRANGED_EMPLOYMENT,
    CANADIAN_EDUCATION,
    JOB_OFFER_REGIONS,
    QUEBEC_STAY,
)

Cli = Callable[..., Any]

CATEGORIES = {
    "education": EDUCATION,
    "area_of_training": AREAS,
    "job_offer_region": JOB_OFFER_REGIONS,
    "quebec_stay": QUEBEC_STAY,
    "canadian_education": CANADIAN_EDUCATION,
    "arranged_employment": ARRANGED_EMPLOYMENT,
}
COUNTS = (
    "age",
    "experience_months",
    "canadian_work_years",
    "foreign_work_years",
    "french_listening",
    "english_writing",
    "children_0_12",
)
# Columns every table needs for both grids (no default).
REQUIRED = (
    "id",
    "age",
    "has_spouse",
    "education",
    "french_listening",
    "french_speaking",
    "french_reading",
    "french_writing",
    "english_listening",
    "english_speaking",
    "english_reading",
    "english_writing",
)
BY_GRID = {
    "crs-2019": ("canadian_work_years", "foreign_work_years"),
    "prtq-2018": ("experience_months",),
}
ABILITIES = ("listening", "speaking", "reading", "writing")


def row(english: int = 0, french: int = 0, **changes: Any) -> dict[str, Any]:
    """A valid single candidate for both grids (the columns without defaults), changed."""
    out: dict[str, Any] = {
        "age": 30,
        "has_spouse": False,
        "education": "bachelor",
        "canadian_work_years": 0,
        "foreign_work_years": 0,
        "experience_months": 0,
        **{f"english_{a}": english for a in ABILITIES},
        **{f"french_{a}": french for a in ABILITIES},
    }
    out.update(changes)
    return out


# Words that survive a CSV round trip unchanged (no quotes, separators or line ends).
WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. ",
    min_size=1,
    max_size=20,
)


@st.composite
def valid_tables(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 8))
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": f"c{i}",
                **row(
                    age=draw(st.integers(18, 70)),
                    education=draw(st.sampled_from(EDUCATION)),
                    area_of_training=draw(st.sampled_from(AREAS)),
                    english=draw(st.integers(0, 12)),
                    french=draw(st.integers(0, 12)),
                    experience_months=draw(st.integers(0, 120)),
                    canadian_work_years=draw(st.integers(0, 8)),
                    foreign_work_years=draw(st.integers(0, 8)),
                    job_offer_region=draw(st.sampled_from(JOB_OFFER_REGIONS)),
                    children_0_12=draw(st.integers(0, 3)),
                ),
            }
        )
    return pd.DataFrame(rows)


@st.composite
def defects(draw: Any) -> tuple[pd.DataFrame, str, str, int | None]:
    """A table with exactly one defect: (table, grid, column, row counted from 1 or None)."""
    table = draw(valid_tables())
    grid = draw(st.sampled_from(sorted(BY_GRID)))
    kind = draw(st.sampled_from(["category", "negative", "missing column"]))
    if kind == "missing column":
        column = draw(st.sampled_from(REQUIRED + BY_GRID[grid]))
        return table.drop(columns=[column]), grid, column, None
    at = draw(st.integers(0, len(table) - 1))
    table = table.astype(object)
    if kind == "category":
        column = draw(st.sampled_from(sorted(CATEGORIES)))
        allowed = CATEGORIES[column]
        value: Any = draw(WORD.filter(lambda w: w.strip() and w.strip() not in allowed))
    else:
        column = draw(st.sampled_from(COUNTS))
        value = draw(st.integers(-10_000, -1))
    table.loc[at, column] = value
    return table, grid, column, at + 1


@settings(max_examples=150, deadline=None)
@given(case=defects())
def test_one_defect_is_named_by_row_and_column(
    case: tuple[pd.DataFrame, str, str, int | None],
) -> None:
    table, grid, column, at = case
    with pytest.raises(InputError) as caught:
        from_frame(table, source="p.csv", uses=(load_grid(grid).system,))
    exc = caught.value
    assert exc.source == "p.csv"
    if at is None:
        assert exc.field == f"column {column}"
        assert f"missing column '{column}'" in exc.message
    else:
        assert exc.field == f"row {at}, column {column}"
        assert "unknown" in exc.message or "negative" in exc.message, exc.message


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=defects(), parquet=st.booleans())
def test_cli_exits_2_names_row_and_column_and_writes_nothing(
    select_cli: Cli, case: tuple[pd.DataFrame, str, str, int | None], parquet: bool
) -> None:
    table, grid, column, at = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("bad.parquet" if parquet else "bad.csv")
        if parquet:
            table.astype(str).to_parquet(path, index=False)
        else:
            table.to_csv(path, index=False)
        result = select_cli("select", "score", str(path), "--grid", grid, "--format", "csv")
        assert result.code == 2
        assert result.out == ""  # nothing printed on standard output
        assert sorted(p.name for p in Path(folder).iterdir()) == [path.name]  # nothing written
    assert result.err.count("\n") == 1, result.err  # one line
    assert "Traceback" not in result.err
    assert path.name in result.err
    where = f"column {column}" if at is None else f"row {at}, column {column}"
    assert f"'{where}'" in result.err


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=WORD)
def test_unknown_grid_names(select_cli: Cli, name: str) -> None:
    try:
        resolve_grid_name(name)
    except InputError as exc:
        assert exc.field == "grid"
        assert "unknown grid" in exc.message or "not a date" in exc.message
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "p.csv"
            pd.DataFrame([{"id": "a", **row()}]).to_csv(path, index=False)
            result = select_cli("select", "score", str(path), "--grid", name)
            assert result.code == 2 and result.out == ""
            assert "field '--grid'" in result.err
            assert sorted(p.name for p in Path(folder).iterdir()) == ["p.csv"]
    else:  # a name that means a grid: it must load or say it is not encoded
        try:
            load_grid(name)
        except InputError as exc:
            assert "not encoded" in exc.message
