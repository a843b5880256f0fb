"""Results: the Dataset, the indicators, the tables and the atomic files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from immiplan.projection.indicators import median_age
from immiplan.projection.results import ProjectionResult, run_scenario


@pytest.fixture(scope="module")
def result() -> ProjectionResult:
    return run_scenario("quebec-2019-plan", horizon=2040)


def test_dataset_has_named_dimensions_and_sums_to_the_totals(result: ProjectionResult) -> None:
    ds = result.dataset
    pop = ds["population"]
    assert pop.dims == ("year", "group", "duration", "sex", "age")
    assert list(ds["group"].values) == [
        "non_immigrant",
        "economic",
        "family",
        "refugees",
        "other",
        "npr",
    ]
    assert ds["duration"].size == 11 and ds["age"].size == 101
    assert list(ds["year"].values) == list(range(2018, 2041))
    np.testing.assert_allclose(
        pop.sum(dim=["group", "duration", "sex", "age"]), result.outputs.totals
    )
    # Single groups live at duration 0 only.
    assert float(pop.sel(group=["non_immigrant", "npr"]).isel(duration=slice(1, None)).sum()) == 0
    # Flows of the last year fall after the horizon.
    assert np.isnan(ds["births"].sel(year=2040)).all()
    assert float(ds["immigrants"].sel(year=2019).sum()) == pytest.approx(0.5 * (40000 + 43750))
    assert ds.attrs["scenario"] == "quebec-2019-plan" and len(ds.attrs["sha256"]) == 64


def test_indicators_follow_their_definitions(result: ProjectionResult) -> None:
    ind = result.indicators
    ds = result.dataset
    by_age = ds["population"].sum(dim=["group", "duration", "sex"]).values
    young, working, old = by_age[:, :20].sum(1), by_age[:, 20:65].sum(1), by_age[:, 65:].sum(1)
    np.testing.assert_allclose(ind["dependency_ratio"], 100 * (young + old) / working)
    np.testing.assert_allclose(ind["share_0_19"] + ind["share_20_64"] + ind["share_65_plus"], 100)
    growth = ind["population"].diff().shift(-1)
    np.testing.assert_allclose(ind["growth"].iloc[:-1], growth.iloc[:-1])
    components = (
        ind["births"]
        - ind["deaths"]
        + ind["immigrants"]
        - ind["net_emigration"]
        + ind["net_interprovincial"]
        + ind["npr_change"]
        + ind["other_migration"]
    )
    np.testing.assert_allclose(components.iloc[:-1], ind["growth"].iloc[:-1], rtol=1e-9)
    # 2018: ISQ published 21 % under 20, 60 % aged 20-64, 19 % 65+ (1 July 2018).
    first = ind.iloc[0]
    assert round(first["share_0_19"]) == 21 and round(first["share_20_64"]) == 60
    assert round(first["share_65_plus"]) == 19
    # Median age 2018: 42.5 (ISQ, both sexes).
    assert first["median_age"] == pytest.approx(42.5, abs=0.1)
    assert first["share_of_parent"] == pytest.approx(22.6, abs=0.05)
    assert 10 < first["immigrant_share"] < 16


def test_median_age_by_linear_interpolation() -> None:
    flat = np.ones(101)
    assert median_age(flat) == pytest.approx(50.5)
    two = np.zeros(101)
    two[[10, 30]] = 1.0
    assert median_age(two) == pytest.approx(11.0)
    stacked = median_age(np.stack([flat, two]))
    np.testing.assert_allclose(stacked, [50.5, 11.0])


def test_headline_is_every_five_years_and_the_last(result: ProjectionResult) -> None:
    head = result.headline()
    assert list(head["year"]) == [2018, 2023, 2028, 2033, 2038, 2040]
    assert "share_of_parent" in head


def test_tidy_tables(result: ProjectionResult) -> None:
    by_age = result.population_by_age()
    assert list(by_age.columns) == ["year", "sex", "age", "population"]
    assert len(by_age) == 23 * 2 * 101
    by_group = result.population_by_group()
    assert len(by_group) == 23 * (4 * 11 + 2)
    assert by_group.groupby("year")["population"].sum().to_numpy() == pytest.approx(
        result.outputs.totals
    )


def test_write_puts_every_table_in_csv_and_parquet(
    result: ProjectionResult, tmp_path: Path
) -> None:
    files = result.write(tmp_path / "out")
    names = {f.name for f in files}
    assert {
        "indicators.csv",
        "indicators.parquet",
        "population_by_age.csv",
        "population_cells.parquet",
        "metadata.json",
        "scenario.yaml",
    } <= names
    assert all(f.is_file() for f in files)
    csv = pd.read_csv(tmp_path / "out" / "indicators.csv")
    parquet = pd.read_parquet(tmp_path / "out" / "indicators.parquet")
    np.testing.assert_allclose(csv["population"], parquet["population"])
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text("utf-8"))
    assert meta["scenario"] == "quebec-2019-plan" and "immiplan_version" in meta
    assert (tmp_path / "out" / "scenario.yaml").read_text("utf-8") == result.source_text


def test_a_failed_write_leaves_nothing_behind(
    result: ProjectionResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    original = pd.DataFrame.to_parquet

    def failing(self: pd.DataFrame, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        result.write(out)
    assert list(out.iterdir()) == []
