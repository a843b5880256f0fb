"""Ensembles: calibration against the shipped series, the centre, reproducibility, Dask."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from immiplan.ensembles.draws import draw
from immiplan.ensembles.model import AR1, StochasticModel, ar1_fit, calibrate, plan_ratios
from immiplan.ensembles.run import EnsembleResult, ensemble_base, run_ensemble
from immiplan.ensembles.summary import parse_quantiles, probability, quantile_table
from immiplan.errors import InputError
from immiplan.projection.engine import project
from immiplan.projection.scenario import load_scenario, prepare

HORIZON = 2030


@pytest.fixture(scope="module")
def prepared() -> Any:
    return prepare(load_scenario("quebec-2019-plan"), horizon=HORIZON)


@pytest.fixture(scope="module")
def model() -> StochasticModel:
    return calibrate().model


@pytest.fixture(scope="module")
def population_base(prepared: Any, model: StochasticModel) -> Any:
    return ensemble_base(prepared, outcomes=False, model=model)


@pytest.fixture(scope="module")
def outcome_base(prepared: Any, model: StochasticModel) -> Any:
    return ensemble_base(prepared, outcomes=True, model=model)


# --- calibration ----------------------------------------------------------------------


def test_admission_ratios_come_from_the_shipped_plans_and_admissions() -> None:
    rows = {r["year"]: r for r in plan_ratios()}
    # 2020: IRCC counted 25,240 admissions against the 2020 plan's 43,750 (target/midpoint).
    assert rows[2020]["total_actual"] == 25240 and rows[2020]["total_plan"] == 43750
    # 2021: the plan's 46,000 plus its 7,000 catch-up.
    assert rows[2021]["total_plan"] == 53000
    assert rows[2018]["economic_actual"] == 29195 and rows[2018]["economic_plan"] == 30000


def test_the_calibrated_model_reproduces_its_series_spread() -> None:
    cal = calibrate()
    m = cal.model
    # The e0 walks' steps are the standard deviation of the observed yearly changes.
    male = [r["male"] for r in cal.tables["e0"]]
    assert m.e0_male.phi == 1.0
    assert m.e0_male.sigma == pytest.approx(np.std(np.diff(male), ddof=1))
    # Net interprovincial migration varied between -818 and -17,199 a year (1989-2022):
    # its stationary spread in log is wide, far wider than the TFR's.
    for ar in (m.emigration, m.interprovincial, m.npr, m.tfr):
        assert -0.95 <= ar.phi <= 0.95 and ar.sigma > 0
    spread = m.interprovincial.sigma / np.sqrt(1 - m.interprovincial.phi**2)
    devs = [r["interprovincial_log_deviation"] for r in cal.tables["migration"]]
    assert spread == pytest.approx(np.std(devs, ddof=1), rel=1e-12)
    assert m.tfr.sigma < m.emigration.sigma


def test_the_ar1_fit_recovers_a_known_process() -> None:
    rng = np.random.default_rng(4)
    x = np.zeros(20_000)
    for t in range(1, x.size):
        x[t] = 0.6 * x[t - 1] + 0.1 * rng.standard_normal()
    fit = ar1_fit(x)
    assert fit.phi == pytest.approx(0.6, abs=0.02)
    assert fit.sigma == pytest.approx(0.1, rel=0.03)


def test_draws_follow_the_model() -> None:
    m = StochasticModel(
        tfr=AR1(0.5, 0.02),
        e0_female=AR1(1.0, 0.3),
        e0_male=AR1(1.0, 0.4),
        admissions=AR1(0.0, 0.0),
        admissions_category_sigma=0.0,
        emigration=AR1(0.0, 0.1),
        interprovincial=AR1(0.0, 0.0),
        npr=AR1(0.0, 0.0),
    )
    d = draw(m, seed=11, start=0, stop=4000, steps=9)
    # A random walk's spread grows with the square root of time.
    assert np.std(d.e0[:, 8, 1]) == pytest.approx(0.4 * 3.0, rel=0.06)
    assert np.std(d.e0[:, 0, 0]) == pytest.approx(0.3, rel=0.06)
    # AR(1) stationary spread sigma / sqrt(1 - phi^2) after a few years.
    assert np.std(np.log(d.tfr[:, 8])) == pytest.approx(0.02 / np.sqrt(0.75), rel=0.06)
    assert np.all(d.admissions == 1.0) and np.all(d.interprovincial == 1.0)


# --- the centre and reproducibility ---------------------------------------------------


def test_zero_variances_give_the_deterministic_run(
    prepared: Any, outcome_base: Any, model: StochasticModel
) -> None:
    zero = model.scaled(0.0)
    assert zero.is_deterministic
    result = run_ensemble(outcome_base, zero, trajectories=5, seed=3, chunk=2)
    finite = np.isfinite(result.deterministic)
    for r in range(5):
        np.testing.assert_allclose(
            result.values[r][finite], result.deterministic[finite], rtol=1e-12, atol=0.0
        )
    # ... and the centre is the projection's own: the engine's totals for the scenario.
    totals = project(prepared.inputs).totals
    k = result.indicators.index("population")
    np.testing.assert_allclose(result.deterministic[:, k], totals, rtol=1e-12)


def test_the_centre_matches_the_outcomes_of_immiplan_run(prepared: Any, outcome_base: Any) -> None:
    from immiplan.outcomes.run import project_with_outcomes

    table = project_with_outcomes(prepared).outcomes
    r = run_ensemble(outcome_base, calibrate().model.scaled(0.0), trajectories=1)
    year = 2028
    j = list(r.years).index(year)

    def published(name: str) -> float:
        row = table[(table.year == year) & (table.group == "all") & (table.indicator == name)]
        return float(row["value"].iloc[0])

    for name in ("french_share", "labour_force", "francization_cost", "population_20_64"):
        assert r.deterministic[j, r.indicators.index(name)] == pytest.approx(
            published(name), rel=1e-9
        ), name


def test_the_same_seed_gives_the_same_numbers_whatever_the_chunks(
    population_base: Any, model: StochasticModel
) -> None:
    a = run_ensemble(population_base, model, trajectories=9, seed=42, chunk=9)
    b = run_ensemble(population_base, model, trajectories=9, seed=42, chunk=4)
    c = run_ensemble(population_base, model, trajectories=5, seed=42, chunk=1)
    np.testing.assert_allclose(b.values, a.values, rtol=1e-12)
    np.testing.assert_allclose(c.values, a.values[:5], rtol=1e-12)
    other = run_ensemble(population_base, model, trajectories=9, seed=43, chunk=9)
    assert not np.allclose(other.values, a.values)
    # Trajectories differ from one another and spread around the centre.
    k = a.indicators.index("population")
    last = a.values[:, -1, k]
    assert np.ptp(last) > 1000.0


def test_a_dask_cluster_of_two_workers_gives_the_single_process_numbers(
    population_base: Any, model: StochasticModel
) -> None:
    from immiplan.ensembles.cluster import dask_client

    here = run_ensemble(population_base, model, trajectories=6, seed=7, chunk=2)
    with dask_client(workers=2) as client:
        assert client is not None
        assert len(client.scheduler_info()["workers"]) == 2
        there = run_ensemble(population_base, model, trajectories=6, seed=7, chunk=2, client=client)
    np.testing.assert_array_equal(there.values, here.values)


def test_the_same_inputs_sent_again_and_again_to_one_cluster_are_never_lost(
    population_base: Any, model: StochasticModel
) -> None:
    """Back-to-back runs on one client: scattered under their content hash, the inputs of a
    run were at times forgotten as the previous run released them ("lost dependencies",
    dask/distributed#8576; about one call in 30 here, and once in CI's benchmarks)."""
    from immiplan.ensembles.cluster import dask_client, map_chunks
    from immiplan.ensembles.run import run_chunk

    expected = run_chunk(population_base, model, 5, 0, 1)
    with dask_client(workers=1) as client:
        parts = [map_chunks(client, population_base, model, 5, [(0, 1)]) for _ in range(40)]
    for part in parts:
        np.testing.assert_array_equal(part[0], expected)


def test_quantiles_are_ordered_and_bracket_the_median(
    population_base: Any, model: StochasticModel
) -> None:
    r = run_ensemble(population_base, model, trajectories=40, seed=1, chunk=20)
    table = quantile_table(r, (0.025, 0.1, 0.5, 0.9, 0.975))
    q = table[["q0.025", "q0.1", "q0.5", "q0.9", "q0.975"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    later = table[table.year > 2020]
    assert np.all(later["q0.975"] > later["q0.025"])


# --- probabilities --------------------------------------------------------------------


def _result(values: np.ndarray) -> EnsembleResult:
    return EnsembleResult(
        values=values,
        years=np.array([2018, 2019]),
        indicators=("population", "population_20_64"),
        seed=0,
        model=calibrate().model,
        scenario="test",
        deterministic=values.mean(axis=0),
    )


def test_a_probability_is_the_share_of_trajectories() -> None:
    values = np.zeros((4, 2, 2))
    values[:, 0, 1] = 10.0  # 20-64 in 2018
    values[:, 1, 1] = [9.0, 11.0, 8.0, 10.0]  # 20-64 in 2019
    r = _result(values)
    assert probability(r, "population_20_64[2019] < population_20_64[2018]") == 0.5
    assert probability(r, "population_20_64[2019] <= 10") == 0.75
    assert probability(r, "population_20_64[2019] < 9 or population_20_64[2019] > 10.5") == 0.5
    assert probability(r, "population_20_64[2019] >= 9 and population_20_64[2019] <= 10") == 0.5


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("population_15_64[2019] < 3", "population_15_64"),
        ("population[2031] < 3", 2031),
        ("population[2019]", "population[2019]"),
        ("pop(2019) < 1", "pop(2019) < 1"),
    ],
)
def test_a_bad_probability_names_what_is_wrong(expression: str, value: object) -> None:
    with pytest.raises(InputError) as err:
        probability(_result(np.zeros((2, 2, 2))), expression)
    assert err.value.field == "probability" and err.value.value == value


@pytest.mark.parametrize("text", ["0", "1", "1.5", "-0.1", "a"])
def test_quantiles_outside_the_open_unit_interval_are_refused(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_quantiles(f"0.5,{text}")
    assert err.value.field == "quantiles"


def test_a_negative_variance_is_refused(model: StochasticModel) -> None:
    with pytest.raises(InputError) as err:
        dataclasses.replace(model, tfr=AR1(0.5, -0.1))
    assert err.value.field == "tfr.sigma" and err.value.value == -0.1
    with pytest.raises(InputError) as err2:
        dataclasses.replace(model, admissions_category_sigma=-1.0)
    assert err2.value.field == "admissions_category_sigma"


def test_zero_trajectories_are_refused(population_base: Any, model: StochasticModel) -> None:
    with pytest.raises(InputError) as err:
        run_ensemble(population_base, model, trajectories=0)
    assert err.value.field == "trajectories" and err.value.value == 0
