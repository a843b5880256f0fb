"""``immiplan select``: output, formats, and bad input (exit 2, nothing written)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

Row = Callable[..., dict[str, Any]]
Cli = Callable[..., Any]


@pytest.fixture
def profiles_csv(tmp_path: Path, make_row: Row) -> Path:
    rows = [
        {"id": "ana", **make_row(age=29, education="bachelor", english=9, canadian_work_years=1)},
        {
            "id": "bo",
            **make_row(
                age=45,
                education="master",
                french=9,
                english=6,
                area_of_training="A",
                experience_months=48,
            ),
        },
    ]
    path = tmp_path / "profiles.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_score_table_and_json(select_cli: Cli, profiles_csv: Path) -> None:
    result = select_cli("select", "score", str(profiles_csv), "--grid", "crs-2019")
    assert result.code == 0, result.err
    assert "ana" in result.out and "432" in result.out  # 110+120+124+40 + 25+13
    result = select_cli(
        "select", "score", str(profiles_csv), "--grid", "prtq-2018", "--format", "json"
    )
    records = json.loads(result.out)
    assert [r["id"] for r in records] == ["ana", "bo"]
    assert {"total", "employability", "selected"} <= set(records[0])


def test_score_explain(select_cli: Cli, profiles_csv: Path) -> None:
    result = select_cli(
        "select",
        "score",
        str(profiles_csv),
        "--grid",
        "crs-2019",
        "--explain",
        "ana",
        "--format",
        "csv",
    )
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert lines[0] == "block,factor,inputs,points"
    assert lines[-1].endswith(",432")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"education": "bachelors"}, "row 2, column education"),
        ({"age": -1}, "row 2, column age"),
    ],
)
def test_score_bad_profiles_exit_2(
    select_cli: Cli, tmp_path: Path, make_row: Row, change: dict[str, Any], where: str
) -> None:
    path = tmp_path / "bad.csv"
    pd.DataFrame([{"id": "a", **make_row()}, {"id": "b", **make_row(**change)}]).to_csv(
        path, index=False
    )
    result = select_cli("select", "score", str(path), "--grid", "crs-2019")
    assert result.code == 2
    assert where in result.err and "bad.csv" in result.err
    assert "Traceback" not in result.err


def test_score_missing_column_and_unknown_grid(
    select_cli: Cli, tmp_path: Path, make_row: Row, profiles_csv: Path
) -> None:
    path = tmp_path / "no-age.csv"
    pd.DataFrame([{"id": "a", **make_row()}]).drop(columns=["age"]).to_csv(path, index=False)
    result = select_cli("select", "score", str(path), "--grid", "prtq-2018")
    assert result.code == 2 and "missing column 'age'" in result.err
    result = select_cli("select", "score", str(profiles_csv), "--grid", "prtq-1999")
    assert result.code == 2 and "unknown grid" in result.err


def test_pool_writes_a_labelled_file(select_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "pool.parquet"
    result = select_cli("select", "pool", str(out), "--size", "300", "--seed", "5")
    assert result.code == 0, result.err
    frame = pd.read_parquet(out)
    assert len(frame) == 300 and frame["synthetic"].all()
    assert "Synthetic" in result.out


def test_pool_bad_input_writes_nothing(select_cli: Cli, tmp_path: Path) -> None:
    for args in (["--size", "0"], ["--kind", "mars"], ["--start", "2019-13-01"]):
        out = tmp_path / "pool.csv"
        result = select_cli("select", "pool", str(out), *args)
        assert result.code == 2, args
        assert not out.exists()
        assert list(tmp_path.iterdir()) == []
    result = select_cli("select", "pool", str(tmp_path / "pool.xlsx"))
    assert result.code == 2 and "unknown file type" in result.err


def test_rounds_views(select_cli: Cli) -> None:
    result = select_cli("select", "rounds", "quebec-2019")
    assert result.code == 0, result.err
    assert "cohort:" in result.out and "Invitation rounds" in result.out
    result = select_cli("select", "rounds", "quebec-2019", "--view", "cohort", "--format", "json")
    measures = {r["measure"]: r["value"] for r in json.loads(result.out)}
    assert measures["principal applicants"] == 8_667
    result = select_cli("select", "rounds", "quebec-2019", "--view", "age-sex", "--format", "csv")
    frame = pd.read_csv(__import__("io").StringIO(result.out))
    assert list(frame.columns) == ["age", "female", "male"] and len(frame) == 101
    assert abs(frame[["female", "male"]].to_numpy().sum() - 1) < 1e-9


def test_rounds_bad_input(select_cli: Cli, tmp_path: Path) -> None:
    assert select_cli("select", "rounds", "nowhere-2019").code == 2
    assert select_cli("select", "rounds", "quebec-2019", "--view", "pie").code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("grid: [", encoding="utf-8")
    result = select_cli("select", "rounds", str(bad))
    assert result.code == 2 and "malformed YAML" in result.err


def test_listings(select_cli: Cli) -> None:
    assert "crs-2025" in select_cli("select", "grids").out
    assert "quebec-2019" in select_cli("select", "scenarios").out
    assert "spouse_french_listening" in select_cli("select", "schema", "--format", "csv").out
