"""``immiplan project`` through the real ``main`` (exit status 2 on a user's mistake)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import immiplan.cli as cli
from immiplan.output import console
from immiplan.system.parameters import data_root

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``immiplan ARGS`` through the real root command, output captured."""
    # Patch the private width, not ``console.file``: undoing a patched ``file`` would pin the
    # console to this test's (soon closed) capture stream.
    monkeypatch.setattr(console, "_width", 160)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_prints_the_headline_every_five_years(run: Run) -> None:
    code, out, _ = run("project", "quebec-2019-plan")
    assert code == 0
    assert "Population" in out and "Median age" in out and "Dependency" in out
    for year in ("2018", "2023", "2063", "2066"):
        assert year in out
    assert "8,387,632" in out
    assert "sha256" in out


def test_csv_and_json_for_scripts(run: Run) -> None:
    code, out, _ = run("project", "quebec-2019-plan", "--format", "csv", "--horizon", "2030")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["year"]) == [2018, 2023, 2028, 2030]
    assert frame["population"].iloc[0] == pytest.approx(8387632)
    code, out, _ = run("project", "no-immigration", "--format", "json", "--horizon", "2025")
    assert code == 0 and '"scenario": "no-immigration"' in out


def test_out_writes_csv_and_parquet(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("project", "quebec-2019-plan", "--out", str(tmp_path), "--horizon", "2030")
    assert code == 0
    assert (tmp_path / "indicators.csv").is_file() and (tmp_path / "indicators.parquet").is_file()
    assert (tmp_path / "population_cells.parquet").is_file()
    assert "Tables written" in out


def test_several_scenarios_get_one_folder_each(run: Run, tmp_path: Path) -> None:
    code, out, _ = run(
        "project",
        "quebec-2019-plan",
        "no-immigration",
        "--out",
        str(tmp_path),
        "--horizon",
        "2025",
    )
    assert code == 0
    assert (tmp_path / "quebec-2019-plan" / "indicators.csv").is_file()
    assert (tmp_path / "no-immigration" / "indicators.csv").is_file()
    assert out.count("— Quebec, 2018–2025") == 2


def test_a_bad_scenario_exits_2_with_one_line_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    doc = yaml.safe_load(
        (Path(str(data_root())) / "scenarios" / "quebec-2019-plan.yaml").read_text("utf-8")
    )
    doc["immigration"]["plans"] = ["quebec-2099"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out_dir = tmp_path / "out"
    code, _, err = run("project", str(bad), "--out", str(out_dir))
    assert code == 2
    assert "bad.yaml" in err and "immigration.plans[0]" in err and "quebec-2099" in err
    assert "Traceback" not in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_a_second_bad_scenario_writes_nothing_for_the_first(run: Run, tmp_path: Path) -> None:
    code, _, err = run("project", "quebec-2019-plan", "no-such-scenario", "--out", str(tmp_path))
    assert code == 2 and "unknown scenario" in err
    assert list(tmp_path.iterdir()) == []


def test_a_horizon_before_the_base_exits_2(run: Run) -> None:
    code, _, err = run("project", "quebec-2019-plan", "--horizon", "2010")
    assert code == 2 and "horizon" in err


# --- Integration outcomes ---------------------------------------------------------------------


def _scenario(tmp_path: Path, name: str = "s.yaml", **changes: object) -> Path:
    doc = yaml.safe_load(
        (Path(str(data_root())) / "scenarios" / "quebec-2019-plan.yaml").read_text("utf-8")
    )
    doc.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_the_table_view_adds_the_integration_outcomes(run: Run) -> None:
    code, out, _ = run("project", "quebec-2019-plan", "--horizon", "2030")
    assert code == 0
    assert "Integration outcomes" in out
    for label in ("French %", "French % imm.", "Labour force", "Unemp. %", "Students", "Grant M$"):
        assert label in out
    row = next(line for line in out.splitlines() if "2018" in line and "94.5" in line)
    assert "5.4" in row  # the base year's unemployment rate, 15+
    assert "docs/outcomes.md" in out
    # The headline itself is unchanged.
    assert "8,387,632" in out and "Median age" in out


def test_json_and_csv_carry_every_outcome_indicator(run: Run) -> None:
    from immiplan.outcomes.indicators import UNITS

    code, out, _ = run("project", "quebec-2019-plan", "--format", "csv", "--horizon", "2030")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert set(UNITS) <= set(frame.columns)
    for extra in ("french_share_immigrants", "french_share_landed_under_5"):
        assert extra in frame.columns
    first = frame.iloc[0]
    assert first["french_share"] == pytest.approx(0.945, abs=0.005)
    assert first["population"] == pytest.approx(8387632)
    assert frame["labour_force"].gt(4e6).all()
    code, out, _ = run("project", "quebec-2019-plan", "--format", "json", "--horizon", "2025")
    assert code == 0 and '"francization_students"' in out and '"unemployment_rate"' in out


def test_no_outcomes_gives_the_bare_projection(run: Run, tmp_path: Path) -> None:
    code, out, _ = run(
        "project", "quebec-2019-plan", "--no-outcomes", "--horizon", "2025", "-o", str(tmp_path)
    )
    assert code == 0
    assert "Integration outcomes" not in out and "Population" in out
    assert (tmp_path / "indicators.csv").is_file()
    assert not (tmp_path / "outcomes.csv").exists()
    code, out, _ = run(
        "project", "quebec-2019-plan", "--no-outcomes", "-f", "csv", "--horizon", "2025"
    )
    assert code == 0 and "french_share" not in out.splitlines()[0]


def test_out_writes_the_outcomes_and_the_french_split(run: Run, tmp_path: Path) -> None:
    code, _, _ = run("project", "quebec-2019-plan", "--out", str(tmp_path), "--horizon", "2025")
    assert code == 0
    for name in ("outcomes.csv", "outcomes.parquet", "outcomes_calibration.json", "metadata.json"):
        assert (tmp_path / name).is_file(), name
    outcomes = pd.read_parquet(tmp_path / "outcomes.parquet")
    assert {"year", "group", "indicator", "value", "unit"} <= set(outcomes.columns)
    assert {"french_share", "labour_force", "francization_cost"} <= set(outcomes["indicator"])
    cells = pd.read_parquet(tmp_path / "population_cells.parquet")
    assert set(cells["trait"]) == {"cannot", "can"}
    total = cells.loc[cells["year"] == 2018, "population"].sum()
    assert total == pytest.approx(8387632, rel=1e-9)


def test_a_scenario_switches_outcomes_off(run: Run, tmp_path: Path) -> None:
    path = _scenario(tmp_path, outcomes={"labour": False, "francization": False})
    code, out, _ = run("project", str(path), "--format", "csv", "--horizon", "2025")
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert "french_share" in header and "labour_force" not in header
    assert "francization_students" not in header
    code, out, _ = run("project", str(path), "--horizon", "2025")
    assert code == 0 and "Switched off by the scenario: labour, francization" in out


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"outcomes": {"french": "maybe"}}, "outcomes.french", "maybe"),
        ({"outcomes": {"languages": True}}, "outcomes.languages", "True"),
        ({"selection": {"scenario": "no-such-grid"}}, "selection.scenario", "no-such-grid"),
    ],
)
def test_a_bad_outcomes_or_selection_block_exits_2_and_writes_nothing(
    run: Run, tmp_path: Path, changes: dict[str, object], field: str, value: str
) -> None:
    path = _scenario(tmp_path, **changes)
    out_dir = tmp_path / "out"
    code, _, err = run("project", str(path), "--out", str(out_dir))
    assert code == 2
    assert "s.yaml" in err and f"'{field}'" in err and value in err
    assert "Traceback" not in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_a_selection_scenario_shapes_economic_admissions(run: Run, tmp_path: Path) -> None:
    path = _scenario(tmp_path, selection={"scenario": "quebec-2019"})
    code, out, _ = run("project", str(path), "--horizon", "2025")
    assert code == 0
    assert "selection scenario quebec-2019" in out


# --- Bad outcome parameters through the command line ------------------------------------------


def _clear_outcome_caches() -> None:
    from immiplan.outcomes import francization, french, labour, run

    for cached in (
        french.load_french_parameters,
        labour.load_labour_parameters,
        francization.load_francization_parameters,
        run.french_model,
    ):
        cached.cache_clear()


def _edit_yaml(path: Path, edit: Callable[[dict[str, object]], None]) -> None:
    doc = yaml.safe_load(path.read_text("utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _dated(doc: dict[str, object], day: str) -> Any:
    """The entry of ``values`` dated ``day`` (YAML reads the keys as dates)."""
    values: Any = doc["values"]
    return next(entry for key, entry in values.items() if str(key) == day)


def _school_rate(doc: dict[str, object]) -> None:
    _dated(doc, "1977-08-26")["value"] = 1.5


def _no_recent_unemployment(doc: dict[str, object]) -> None:
    del _dated(doc, "2017-01-01")["value"]["landed_under_5"]


def _negative_grant(doc: dict[str, object]) -> None:
    _dated(doc, "2021-04-01")["value"]["total"] = -697000000


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (
            "provinces/qc/outcomes/french/school_acquisition.yaml",
            _school_rate,
            ("field 'values.1977-08-26.value'", "value 1.5", "[0, 1]"),
        ),
        (
            "provinces/qc/outcomes/labour/unemployment_25_54.yaml",
            _no_recent_unemployment,
            ("field 'values.2017-01-01.value.landed_under_5'", "missing field"),
        ),
        (
            "provinces/qc/outcomes/francization/federal_grant.yaml",
            _negative_grant,
            ("field 'values.2021-04-01.value.total'", "-697000000", "negative"),
        ),
        ("provinces/qc/outcomes/french/census_share_total.yaml", None, ("missing parameter file",)),
    ],
)
def test_a_bad_outcome_parameter_file_exits_2_and_writes_nothing(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    edit: Callable[[dict[str, object]], None] | None,
    expected: tuple[str, ...],
) -> None:
    import shutil

    from immiplan.outcomes import francization, french, labour
    from immiplan.system.parameters import ParameterTree

    root = tmp_path / "parameters"
    shutil.copytree(Path(str(data_root())) / "parameters", root)
    if edit is None:
        (root / file).unlink()
    else:
        _edit_yaml(root / file, edit)
    tree = ParameterTree(root)
    for module in (french, labour, francization):
        monkeypatch.setattr(module, "parameters", lambda: tree)
    _clear_outcome_caches()
    out_dir = tmp_path / "out"
    try:
        code, out, err = run("project", "quebec-2019-plan", "--horizon", "2025", "-o", str(out_dir))
    finally:
        _clear_outcome_caches()
    assert code == 2, out
    assert f"parameters/{file}" in err
    for text in expected:
        assert text in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 3
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
