"""``immiplan run``: the six scenarios of the 2018 debate, the report, and bad input."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from immiplan.cli import main
from immiplan.plans import load_plan
from immiplan.plans.cut import cut
from immiplan.projection.scenario import load_scenario, prepare_levels, shipped_scenarios
from immiplan.report.debate import DEBATE_SCENARIOS, SERIES, debate_report_input
from immiplan.system.parameters import data_root, parameters
from immiplan.system.regimes import regime

CATEGORIES = ("economic", "family", "refugees", "other")


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``immiplan run --lang en --out DIR`` once for the module (about 3 s)."""
    out = tmp_path_factory.mktemp("run") / "report"
    code = main(["run", "--lang", "en", "--out", str(out), "--format", "json"])
    return {"code": code, "out": out}


# --------------------------------------------------------------------------- the scenarios


def test_the_six_debate_scenarios_ship_with_sources() -> None:
    assert set(DEBATE_SCENARIOS) <= set(shipped_scenarios())
    for name in DEBATE_SCENARIOS:
        scenario = load_scenario(name).scenario
        assert scenario.title_in("fr") != scenario.title_in("en"), name
        assert "Admissions" in scenario.description_in("fr"), name
        assert "Admissions" in scenario.description_in("en"), name
        assert scenario.immigration.none or (
            scenario.immigration.reference or scenario.immigration.references
        ), f"{name}: admissions without a source"


def _levels(name: str, year: int) -> dict[str, float]:
    scenario = load_scenario(name).scenario
    levels = prepare_levels(scenario.immigration, 2018, 2030)
    return dict(zip(CATEGORIES, (float(v) for v in levels[year]), strict=True))


def test_pq_levels_are_the_accord_cut_of_2018_to_35000() -> None:
    result = cut(load_plan("2018 actual"), 2018, 35_000, regime("accord-1991"))
    expected = result.by_category.set_index("category")["new"]
    for year in (2019, 2030):
        levels = _levels("pq-proposal", year)
        assert levels == {c: float(expected[c]) for c in CATEGORIES}
        assert sum(levels.values()) == 35_000
    assert _levels("pq-proposal", 2018)["economic"] == 29_195  # 2018 is observed


def test_federal_share_levels_are_quebecs_population_share_of_the_federal_plan() -> None:
    share = parameters().get("demography.quebec_population_share").at("2019-07-01")
    assert share == pytest.approx(0.226)
    plan = load_plan("canada-2019-2021")
    for year in (2019, 2020):
        levels = _levels("federal-plan-quebec-share", year)
        for category in CATEGORIES:
            assert levels[category] == pytest.approx(share * plan.level(category, year), abs=0.5)
    totals = {y: sum(_levels("federal-plan-quebec-share", y).values()) for y in (2019, 2021, 2030)}
    assert totals[2019] == pytest.approx(share * 330_800, abs=2)
    assert totals[2021] == pytest.approx(share * 350_000, abs=2)
    assert totals[2030] == totals[2021]  # held


def test_liberal_and_status_quo_levels() -> None:
    assert sum(_levels("liberal-2017-2019-plan", 2018).values()) == pytest.approx(51_000)
    assert sum(_levels("liberal-2017-2019-plan", 2019).values()) == pytest.approx(52_500)
    assert sum(_levels("liberal-2017-2019-plan", 2030).values()) == pytest.approx(52_500)
    held = _levels("quebec-2018-actual-held", 2030)
    assert held == _levels("quebec-2018-actual-held", 2018)
    assert sum(held.values()) == 51_125


# --------------------------------------------------------------------------- the report input


def test_report_input_carries_every_series_for_every_scenario() -> None:
    run = debate_report_input(["quebec-2019-plan", "no-immigration"], horizon=2030)
    data = run.data
    series = data.series
    assert set(series["indicator"]) == set(SERIES)
    assert data.horizon == 2030 and data.base_year == 2018
    caq = series[series["scenario"] == "quebec-2019-plan"].set_index(["indicator", "year"])
    result = run.results["quebec-2019-plan"]
    headline = result.projection.indicators.set_index("year")
    assert caq.loc[("population", 2030), "value"] == headline.loc[2030, "population"]
    assert caq.loc[("share_65_plus", 2025), "value"] == pytest.approx(
        headline.loc[2025, "share_65_plus"] / 100
    )
    # July 2018 – June 2019 holds half of calendar 2018 (51,125) and half of 2019 (40,000).
    assert caq.loc[("immigrants", 2018), "value"] == pytest.approx((51_125 + 40_000) / 2)
    none = series[series["scenario"] == "no-immigration"]
    assert (none.loc[none["indicator"] == "immigrants", "value"] == 0).all()
    assert (none.loc[none["indicator"] == "francization_students", "value"] == 0).all()
    # Every scenario states sources and, per language, its assumptions.
    for info in data.scenarios:
        assert info.sources, info.key
        assert info.assumptions["fr"] and info.assumptions["en"], info.key
    assert data.sources and data.assumptions["fr"] and data.assumptions["en"]


def test_fewer_immigrants_mean_a_smaller_population_and_labour_force() -> None:
    data = debate_report_input(
        ["quebec-2018-actual-held", "quebec-2019-plan", "pq-proposal", "no-immigration"],
        horizon=2040,
    ).data
    at = data.series[data.series["year"] == 2040].pivot(
        index="scenario", columns="indicator", values="value"
    )
    order = ["no-immigration", "pq-proposal", "quebec-2019-plan", "quebec-2018-actual-held"]
    for indicator in ("population", "working_age_20_64", "labour_force"):
        values = at.loc[order, indicator].to_numpy()
        assert (values[1:] > values[:-1]).all(), indicator


# --------------------------------------------------------------------------- the command


def test_run_writes_the_report_and_prints_the_summary(default_run: dict[str, Any]) -> None:
    assert default_run["code"] == 0
    out: Path = default_run["out"]
    assert (out / "report.html").is_file()
    series = pd.read_csv(out / "series.csv")
    assert set(series["scenario"]) == set(DEBATE_SCENARIOS)
    workbook = pd.read_excel(out / "series.xlsx", sheet_name=None)
    assert len(workbook) >= 2
    suffixes = [p.suffix for p in (out / "charts").iterdir()]
    assert suffixes.count(".svg") == suffixes.count(".png") == suffixes.count(".csv") >= 10
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "PQ proposal: 35,000" in html and "Quebec&#39;s share of the federal plan" in html
    assert "<script src=" not in html  # self-contained: no external script


def test_run_summary_for_scripts(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli(
        "run",
        "--scenarios",
        "quebec-2019-plan,no-immigration",
        "--horizon",
        "2030",
        "--out",
        str(tmp_path / "r"),
        "--no-images",
        "--format",
        "json",
        "--lang",
        "fr",
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["scenario"] for r in rows] == ["quebec-2019-plan", "no-immigration"]
    assert rows[1]["immigrants_mean"] == 0
    assert rows[0]["population"] > rows[1]["population"]
    assert not (tmp_path / "r" / "charts").exists() or not any(
        p.suffix == ".png" for p in (tmp_path / "r" / "charts").iterdir()
    )


def test_run_table_in_french_by_locale(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_ALL", "fr_CA.UTF-8")
    result = cli(
        "run",
        "-s",
        "pq-proposal",
        "-s",
        "quebec-2019-plan",
        "--horizon",
        "2025",
        "--out",
        str(tmp_path / "r"),
        "--no-images",
    )
    assert result.code == 0, result.err
    assert "Le débat de 2018" in result.out and "Rapport" in result.out
    assert str((tmp_path / "r" / "report.html").resolve()) in result.out.replace("\n", "")
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in html and "Proposition du PQ" in html


def test_a_users_scenario_file_runs(cli: Callable[..., Any], tmp_path: Path) -> None:
    text = (data_root() / "scenarios" / "pq-proposal.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.yaml"
    mine.write_text(text.replace("name: pq-proposal", "name: my-scenario"), encoding="utf-8")
    result = cli(
        "run",
        "-s",
        f"quebec-2019-plan,{mine}",
        "--horizon",
        "2025",
        "--out",
        str(tmp_path / "r"),
        "--no-images",
        "--format",
        "csv",
    )
    assert result.code == 0, result.err
    assert "my-scenario" in result.out


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenarios", "no-such-scenario"], "unknown scenario"),
        (["--lang", "de"], "de"),
        (["--horizon", "2010"], "horizon"),
        (["--scenarios", "no-immigration,no-immigration"], "named twice"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    cli: Callable[..., Any], tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "report"
    result = cli("run", "--out", str(out), *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_exits_2_and_leaves_it_as_it_was(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = cli("run", "-s", "no-immigration", "--horizon", "2020", "--out", str(locked))
        assert result.code == 2
        assert "not writable" in result.err or "cannot" in result.err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)


def test_an_output_path_that_is_a_file_exits_2(cli: Callable[..., Any], tmp_path: Path) -> None:
    target = tmp_path / "report"
    target.write_text("keep me", encoding="utf-8")
    result = cli("run", "-s", "no-immigration", "--horizon", "2020", "--out", str(target))
    assert result.code == 2
    assert "not a folder" in result.err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_failed_run_leaves_an_earlier_report_untouched(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "report"
    assert (
        cli(
            "run", "-s", "no-immigration", "--horizon", "2020", "--out", str(out), "--no-images"
        ).code
        == 0
    )
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nimmigration: {levels: {2019: {economic: -5}}}\n", encoding="utf-8")
    result = cli("run", "-s", f"no-immigration,{bad}", "--out", str(out))
    assert result.code == 2 and "bad.yaml" in result.err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_folder_that_cannot_be_created_exits_2(cli: Callable[..., Any], tmp_path: Path) -> None:
    """Works as root too: the parent of the output folder is a file."""
    parent = tmp_path / "a-file"
    parent.write_text("x", encoding="utf-8")
    result = cli("run", "-s", "no-immigration", "--horizon", "2020", "--out", str(parent / "r"))
    assert result.code == 2
    assert "cannot create the output folder" in result.err and "Traceback" not in result.err
    assert parent.read_text(encoding="utf-8") == "x"
