"""Speed of a projection with its outcomes (pytest-benchmark; run with --benchmark-enable).

    pytest tests/benchmarks/test_bench_outcomes.py --benchmark-enable

Budget (docs/benchmarks/outcomes.md): a 2018-2066 run of the reference scenario with the
French trait and the labour force (and francization) in 40 ms or less, calibrations
excluded (they are computed once per process). Measurements, not assertions: nothing here
fails on time.
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from immiplan.outcomes.french import FrenchModel
from immiplan.outcomes.indicators import OutcomeArrays, OutcomeModels, outcome_indicators
from immiplan.outcomes.labour import calibrate_labour
from immiplan.outcomes.run import (
    OutcomeOptions,
    add_french,
    french_model,
    outcomes_for,
    plan_targets,
    project_french,
)
from immiplan.projection.base import load_quebec_2018
from immiplan.projection.scenario import PreparedScenario, load_scenario, prepare
from immiplan.projection.state import QUEBEC


@pytest.fixture(scope="module")
def prepared() -> PreparedScenario:
    prep = prepare(load_scenario("quebec-2019-plan"))
    outcomes_for(prep.inputs)  # warm the calibration caches
    return prep


def test_bench_run_with_french_and_labour_2018_2066(
    benchmark: BenchmarkFixture, prepared: PreparedScenario
) -> None:
    """Base split + engine with K = 2 (segments) + French and labour indicators."""
    targets = plan_targets(prepared.scenario.immigration.plans)
    options = OutcomeOptions(french=True, labour=True, francization=False)
    outputs, table, _ = benchmark(outcomes_for, prepared.inputs, options, targets=targets)
    assert outputs.population.shape == (49, 46, 2, 2, 101)
    assert {"french_share", "labour_force"} <= set(table["indicator"])


def test_bench_run_with_every_outcome_2018_2066(
    benchmark: BenchmarkFixture, prepared: PreparedScenario
) -> None:
    """The same with francization demand, cost and the grant."""
    targets = plan_targets(prepared.scenario.immigration.plans)
    _, table, _ = benchmark(outcomes_for, prepared.inputs, targets=targets)
    assert "francization_cost" in set(table["indicator"])


def test_bench_engine_with_french_only(
    benchmark: BenchmarkFixture, prepared: PreparedScenario
) -> None:
    """The engine part alone (48 steps, chained over the segments of entry shares)."""
    french = add_french(prepared.inputs, targets=plan_targets(prepared.scenario.immigration.plans))
    out = benchmark(project_french, french)
    assert np.isfinite(out.population).all()


def test_bench_indicators_only(benchmark: BenchmarkFixture, prepared: PreparedScenario) -> None:
    """The outcome table from the arrays (French + labour)."""
    french = add_french(prepared.inputs)
    out = project_french(french)
    labour = calibrate_labour(prepared.inputs.population, QUEBEC)
    arrays = OutcomeArrays.from_outputs(out, entry_french=french.entry)
    table = benchmark(outcome_indicators, arrays, OutcomeModels(french.model, labour))
    assert not table.empty


def test_bench_french_calibration_once(benchmark: BenchmarkFixture) -> None:
    """The one-off calibration of the first-year acquisition (Brent's method)."""
    profiles = load_quebec_2018().category_profiles
    model = benchmark(FrenchModel.build, profiles)
    assert model.calibration.first_year == pytest.approx(french_model().calibration.first_year)
