"""``immiplan ensemble`` and ``immiplan sweep`` through the real ``main``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import immiplan.cli as cli
from immiplan.output import console

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setattr(console, "_width", 200)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_ensemble_writes_quantiles_and_answers_a_probability(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "ens"
    code, text, _ = run(
        "ensemble", "quebec-2019-plan", "-n", "12", "--seed", "5", "--horizon", "2030",
        "--population-only", "--quantiles", "0.1,0.5,0.9", "--out", str(out),
        "--probability", "population_20_64[2030] < population_20_64[2018]",
    )  # fmt: skip
    assert code == 0, text
    assert "P(population_20_64[2030] < population_20_64[2018]) =" in text
    table = pd.read_parquet(out / "quantiles.parquet")
    assert set(table["indicator"]) == {
        "population", "population_20_64", "population_65_plus", "dependency_ratio",
    }  # fmt: skip
    assert {"q0.1", "q0.5", "q0.9", "mean", "deterministic"} <= set(table.columns)
    assert table["year"].min() == 2018 and table["year"].max() == 2030
    pd.testing.assert_frame_equal(pd.read_csv(out / "quantiles.csv"), table, check_dtype=False)
    meta = json.loads((out / "ensemble.json").read_text())
    assert meta["trajectories"] == 12 and meta["seed"] == 5
    assert 0.0 <= meta["probabilities"][0]["probability"] <= 1.0
    # The same seed prints the same numbers (JSON output for scripts).
    _, one, _ = run("ensemble", "quebec-2019-plan", "-n", "4", "--horizon", "2022",
                    "--population-only", "--seed", "9", "--format", "json")  # fmt: skip
    _, two, _ = run("ensemble", "quebec-2019-plan", "-n", "4", "--horizon", "2022",
                    "--population-only", "--seed", "9", "--format", "json")  # fmt: skip
    assert one == two and json.loads(one)[0]["indicator"] == "population"


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        (("-n", "0"), "--trajectories", "0"),
        (("--quantiles", "0.5,1.2"), "quantiles", "1.2"),
        (("--probability", "population_15_64[2030] < 1"), "probability", "population_15_64"),
        (("--probability", "population[2099] < 1"), "probability", "2099"),
        (("--scheduler", "tcp://127.0.0.1:9"), "scheduler", "tcp://127.0.0.1:9"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    run: Run, tmp_path: Path, args: tuple[str, ...], field: str, value: str
) -> None:
    out = tmp_path / "never"
    code, text, err = run(
        "ensemble", "quebec-2019-plan", "--horizon", "2030", "-n", "3", "--population-only",
        "--out", str(out), *args,
    )  # fmt: skip
    assert code == 2, text + err
    message = " ".join(err.split())
    assert field in message and value in message
    assert "Traceback" not in err
    assert not out.exists()


def test_a_negative_variance_in_a_model_file_is_refused(run: Run, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("tfr: {sigma: -0.01}\n", encoding="utf-8")
    out = tmp_path / "never"
    code, _, err = run("ensemble", "quebec-2019-plan", "-n", "3", "--model", str(model),
                       "--out", str(out))  # fmt: skip
    assert code == 2
    assert "tfr.sigma" in err and "-0.01" in err and str(model.name) in err
    assert not out.exists()


def test_sweep_gives_a_positive_response_of_the_population(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code, text, _ = run(
        "sweep", "quebec-2019-plan", "--levels", "30000:60000:10000", "--horizon", "2040",
        "--population-only", "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    levels = pd.read_csv(out / "sweep.csv")
    assert list(levels["level"]) == [30000, 40000, 50000, 60000]
    assert levels["population"].is_monotonic_increasing
    response = pd.read_csv(out / "response.csv")
    row = response[(response.indicator == "population_20_64") & (response.year == 2040)]
    # Each extra 10,000 admissions a year for 2019-2040 adds people aged 20-64 in 2040:
    # fewer than the 220,000 admitted (deaths, departures, ageing past 64), more than none.
    assert 0 < float(row["per_10000_a_year"].iloc[0]) < 220_000
    assert (out / "chart.html").is_file()


@pytest.mark.parametrize(
    ("levels", "mix", "field"),
    [
        ("80000:30000:5000", None, "levels"),
        ("30000:80000:0", None, "levels"),
        ("30000,-5", None, "levels"),
        ("30000", "economic=0.5,family=0.2", "mix"),
        ("30000", "economic=0.7,pirates=0.3", "mix"),
    ],
)
def test_sweep_bad_input(
    run: Run, tmp_path: Path, levels: str, mix: str | None, field: str
) -> None:
    out = tmp_path / "never"
    args = ["sweep", "quebec-2019-plan", "--levels", levels, "--out", str(out)]
    if mix:
        args += ["--mix", mix]
    code, _, err = run(*args)
    assert code == 2 and field in err
    assert not out.exists()
