"""``immiplan project`` through the real ``main`` (exit status 2 on a user's mistake)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

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
