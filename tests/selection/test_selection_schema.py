"""The profile table: reading, validating (row and column named), writing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from immiplan.errors import InputError
from immiplan.selection import (
    COLUMNS,
    from_frame,
    generate_pool,
    read_profiles,
    schema_frame,
    write_profiles,
)

Row = Callable[..., dict[str, Any]]


def frame(make_row: Row, *changes: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame([{"id": f"c{i}", **make_row(**c)} for i, c in enumerate(changes)])


def error(data: pd.DataFrame, uses: tuple[str, ...] = ("crs", "prtq")) -> InputError:
    with pytest.raises(InputError) as caught:
        from_frame(data, source="p.csv", uses=uses)
    return caught.value


def test_unknown_education_names_row_and_column(make_row: Row) -> None:
    exc = error(frame(make_row, {}, {"education": "bachelors"}))
    assert exc.source == "p.csv"
    assert exc.field == "row 2, column education"
    assert exc.value == "bachelors"
    assert "allowed" in exc.message and "doctorate" in exc.message


def test_negative_age(make_row: Row) -> None:
    exc = error(frame(make_row, {"age": -3}))
    assert exc.field == "row 1, column age" and "negative" in exc.message


def test_missing_and_non_numeric_age(make_row: Row) -> None:
    data = frame(make_row, {}, {}, {})
    data["age"] = data["age"].astype(object)
    data.loc[2, "age"] = np.nan
    exc = error(data)
    assert exc.field == "row 3, column age" and "missing" in exc.message
    data.loc[2, "age"] = "thirty"
    assert "not a whole number" in error(data).message
    data.loc[2, "age"] = 30.5
    assert "not a whole number" in error(data).message


def test_missing_column(make_row: Row) -> None:
    data = frame(make_row, {}).drop(columns=["age"])
    exc = error(data)
    assert exc.field == "column age" and "missing column 'age'" in exc.message


def test_a_column_is_required_only_by_its_grid(make_row: Row) -> None:
    data = frame(make_row, {}).drop(columns=["experience_months"])
    assert "experience_months" in error(data, ("prtq",)).message
    from_frame(data, uses=("crs",))  # the CRS does not read it


def test_spouse_columns_are_required_where_there_is_a_spouse(make_row: Row) -> None:
    data = frame(make_row, {}, {"has_spouse": True})
    exc = error(data)
    assert exc.field == "row 2, column spouse_age"
    data["spouse_age"] = [None, 31]
    data["spouse_education"] = [None, "phd"]
    exc = error(data)
    assert exc.field == "row 2, column spouse_education" and exc.value == "phd"
    data["spouse_education"] = [None, "doctorate"]
    profiles = from_frame(data)
    assert profiles["spouse_age"].tolist() == [0, 31]


def test_bad_boolean_and_level(make_row: Row) -> None:
    assert error(frame(make_row, {"has_spouse": "maybe"})).field == "row 1, column has_spouse"
    exc = error(frame(make_row, {"english_reading": 13}))
    assert exc.field == "row 1, column english_reading" and "out of range" in exc.message


def test_duplicate_ids(make_row: Row) -> None:
    data = frame(make_row, {}, {})
    data["id"] = ["a", "a"]
    exc = error(data)
    assert exc.field == "row 2, column id" and "duplicate" in exc.message


def test_defaults_fill_optional_columns(make_row: Row) -> None:
    profiles = from_frame(frame(make_row, {}))
    assert profiles.labels("arranged_employment")[0] == "none"
    assert bool(profiles["self_sufficiency"][0]) is True
    assert "provincial_nomination" not in profiles.present


def test_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    pool = generate_pool(50, seed=4)
    for name in ("pool.csv", "pool.parquet"):
        path = tmp_path / name
        write_profiles(pool, path)
        back = read_profiles(path, uses=("crs", "prtq", "rounds", "cohort"))
        assert back.synthetic
        for column in COLUMNS:
            assert np.array_equal(back[column.name], pool[column.name]), (name, column.name)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_profiles(tmp_path / "none.csv")
    bad = tmp_path / "p.xlsx"
    bad.write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        read_profiles(bad)


def test_schema_is_documented() -> None:
    table = schema_frame()
    assert set(table["column"]) == {c.name for c in COLUMNS}
    assert table.set_index("column").loc["education", "allowed"].startswith("none, secondary")
    docs = Path(__file__).resolve().parents[2] / "docs" / "selection.md"
    text = docs.read_text(encoding="utf-8")
    missing = [c.name for c in COLUMNS if f"`{c.name}`" not in text]
    assert not missing, f"docs/selection.md does not document {missing}"


def test_every_shipped_selection_number_has_a_reference() -> None:
    from immiplan.system.parameters import data_root, load_yaml, parameters
    from immiplan.system.references import (
        parse_references,
        sidecar_reference,
        unreferenced_numbers,
    )

    root = Path(str(data_root()))
    files = sorted((root / "parameters" / "selection").rglob("*.yaml"))
    files += sorted(
        p for p in (root / "selection").rglob("*.yaml") if not p.name.endswith(".source.yaml")
    )
    assert len(files) > 40
    for path in files:
        assert not list(unreferenced_numbers(load_yaml(path))), path
    for csv in (root / "selection").rglob("*.csv"):
        assert parse_references(load_yaml(sidecar_reference(csv))), csv
    for name in parameters().names():
        if name.startswith("selection."):
            assert all(v.references for v in parameters().get(name).values), name
