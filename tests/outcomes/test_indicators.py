"""The outcome table, the Dataset variables, the run with outcomes and its files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from immiplan.errors import InputError
from immiplan.outcomes.french import CAN, CANNOT, FrenchModel
from immiplan.outcomes.indicators import (
    UNITS,
    OutcomeArrays,
    OutcomeModels,
    attach_outcomes,
    group_masks,
    outcome_indicators,
)
from immiplan.outcomes.run import OutcomeOptions, OutcomeResult, french_model, run_with_outcomes
from immiplan.projection.state import N_AGES, QUEBEC


@pytest.fixture(scope="module")
def result() -> OutcomeResult:
    return run_with_outcomes("quebec-2019-plan", horizon=2030)


def _model(level: float) -> FrenchModel:
    return dataclasses.replace(french_model(), non_immigrant=level)


def _flat_population(value: float = 1.0) -> np.ndarray:
    pop = np.zeros((2, QUEBEC.n_states, 2, 2, N_AGES))
    pop[:, QUEBEC.state("non_immigrant"), CANNOT] = value
    return pop


def test_age_structure_indicators_on_a_flat_population() -> None:
    table = outcome_indicators(
        OutcomeArrays(np.array([2018, 2019]), _flat_population(), QUEBEC),
        OutcomeModels(french=_model(0.9)),
    )
    row = table.query("year == 2018 and group == 'all'").set_index("indicator")["value"]
    assert row["population_15_64"] == 2 * 50
    assert row["population_20_64"] == 2 * 45
    assert row["population_65_plus"] == 2 * 36
    assert row["old_age_dependency"] == pytest.approx(36 / 45)
    # Only age-0 non-immigrants can count as French-speaking here (census convention).
    assert row["knows_french"] == pytest.approx(2 * 0.9)
    assert row["french_share"] == pytest.approx(2 * 0.9 / (2 * N_AGES))


def test_french_share_counts_the_can_trait() -> None:
    pop = _flat_population()
    pop[:, QUEBEC.state("family", 3), CAN, :, 30] = 10.0
    table = outcome_indicators(
        OutcomeArrays(np.array([2018, 2019]), pop, QUEBEC), OutcomeModels(french=_model(0.5))
    )
    family = table.query("year == 2019 and group == 'family' and indicator == 'french_share'")
    assert family["value"].item() == 1.0
    recent = table.query(
        "year == 2019 and group == 'landed_under_5' and indicator == 'knows_french'"
    )
    assert recent["value"].item() == 20.0
    everyone = table.query("year == 2019 and group == 'all' and indicator == 'knows_french'")
    assert everyone["value"].item() == pytest.approx(20.0 + 0.5 * 2)


def test_groups_of_the_quebec_layout() -> None:
    names, masks = group_masks(QUEBEC)
    assert names[0] == "all" and "landed_10_plus" in names and "npr" in names
    index = dict(zip(names, masks, strict=True))
    np.testing.assert_array_equal(
        index["immigrants"],
        index["landed_under_5"] + index["landed_5_to_10"] + index["landed_10_plus"],
    )
    np.testing.assert_array_equal(
        index["all"], index["non_immigrant"] + index["immigrants"] + index["npr"]
    )


def test_the_french_trait_is_required_for_french_outcomes() -> None:
    pop = np.ones((2, QUEBEC.n_states, 1, 2, N_AGES))
    with pytest.raises(InputError, match="2 traits"):
        outcome_indicators(
            OutcomeArrays(np.array([2018, 2019]), pop, QUEBEC), OutcomeModels(french=_model(0.9))
        )
    with pytest.raises(InputError, match="no non-immigrant share"):
        outcome_indicators(
            OutcomeArrays(np.array([2018, 2019]), _flat_population(), QUEBEC),
            OutcomeModels(french=french_model()),
        )


def test_attach_outcomes_on_a_synthetic_dataset() -> None:
    table = outcome_indicators(
        OutcomeArrays(np.array([2018, 2019]), _flat_population(), QUEBEC),
        OutcomeModels(french=_model(0.9)),
    )
    ds = xr.Dataset(
        {"population": (("year", "trait"), np.ones((2, 2)))},
        coords={"year": [2018, 2019], "trait": [0, 1]},
    )
    out = attach_outcomes(ds, table)
    assert list(out["trait"].values) == ["cannot", "can"]
    dep = out["outcome_old_age_dependency"].sel(year=2019, outcome_group="all").item()
    assert dep == pytest.approx(36 / 45)
    assert np.isnan(out["outcome_french_share"].sel(year=2019, outcome_group="npr").item())
    assert "trait" not in ds.coords or list(ds["trait"].values) == [0, 1]  # input untouched


def test_the_run_reports_the_base_year_targets(result: OutcomeResult) -> None:
    table = result.table()
    first = table.iloc[0]
    assert int(first["year"]) == 2018
    assert first["french_share"] == pytest.approx(0.945, abs=0.005)
    assert set(result.outcomes["indicator"]) <= set(UNITS)
    assert result.calibration["french"]["recent_immigrants_fit"] == pytest.approx(0.807, abs=5e-3)
    grant = table.set_index("year")["federal_grant"]
    assert grant[2020] == pytest.approx(650.27e6) and np.isnan(grant[2019])
    assert np.isnan(table.iloc[-1]["admissions"])  # no flows after the horizon


def test_the_dataset_carries_the_outcomes(result: OutcomeResult) -> None:
    ds = result.dataset
    assert list(ds["trait"].values) == ["cannot", "can"]
    assert ds["outcome_french_share"].dims == ("year", "outcome_group")
    share = ds["outcome_french_share"].sel(year=2018, outcome_group="all").item()
    pop = ds["population"].sel(year=2018)
    assert share >= float(pop.sel(trait="can").sum() / pop.sum())
    np.testing.assert_allclose(
        ds["population"].sum(dim="trait").sum(dim=["group", "duration", "sex", "age"]).values,
        result.projection.indicators["population"].to_numpy(),
    )


def test_write_adds_the_outcome_files(result: OutcomeResult, tmp_path: Path) -> None:
    written = result.write(tmp_path / "run")
    names = {p.name for p in written}
    assert {
        "outcomes.csv",
        "outcomes.parquet",
        "outcomes_calibration.json",
        "indicators.csv",
    } <= names
    back = pd.read_parquet(tmp_path / "run" / "outcomes.parquet")
    pd.testing.assert_frame_equal(back, result.outcomes)
    csv = pd.read_csv(tmp_path / "run" / "outcomes.csv")
    assert len(csv) == len(result.outcomes)


def test_outcomes_switch_off(result: OutcomeResult) -> None:
    none = run_with_outcomes(
        "quebec-2019-plan",
        horizon=2022,
        options=OutcomeOptions(french=False, labour=False, francization=False),
    )
    assert none.outcomes.empty
    assert "trait" not in none.projection.dataset.dims
    labour_only = run_with_outcomes(
        "quebec-2019-plan", horizon=2022, options=OutcomeOptions(french=False, francization=False)
    )
    assert "french_share" not in set(labour_only.outcomes["indicator"])
    assert "labour_force" in set(labour_only.outcomes["indicator"])
    # Totals are the same with or without the French trait.
    np.testing.assert_allclose(
        labour_only.projection.indicators["population"].to_numpy(),
        result.projection.indicators["population"].to_numpy()[:5],
    )
