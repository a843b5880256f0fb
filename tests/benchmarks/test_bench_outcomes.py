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
from immiplan.projection.bases import load_base
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
    profiles = load_base("quebec-2018").category_profiles
    model = benchmark(FrenchModel.build, profiles)
    assert model.calibration.first_year == pytest.approx(french_model().calibration.first_year)


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> PreparedScenario:
    """The reference scenario with its economic admissions from the quebec-2019 selection."""
    from pathlib import Path

    import yaml

    from immiplan.system.parameters import data_root

    doc = yaml.safe_load(
        (Path(str(data_root())) / "scenarios" / "quebec-2019-plan.yaml").read_text("utf-8")
    )
    doc["selection"] = {"scenario": "quebec-2019"}
    path = tmp_path_factory.mktemp("bench") / "linked.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    prep = prepare(load_scenario(path))
    outcomes_for(prep.inputs, selection=prep.selection)
    return prep


def test_bench_run_with_a_selection_link_2018_2066(
    benchmark: BenchmarkFixture, linked: PreparedScenario
) -> None:
    """French and labour with the economic French share from a selection scenario (the
    selection itself runs once, in the fixture)."""
    targets = plan_targets(linked.scenario.immigration.plans)
    options = OutcomeOptions(french=True, labour=True, francization=False)
    _, table, fit = benchmark(
        outcomes_for, linked.inputs, options, targets=targets, selection=linked.selection
    )
    assert "selection" in fit and "french_share" in set(table["indicator"])


def test_bench_run_with_outcomes_end_to_end(benchmark: BenchmarkFixture) -> None:
    """What ``immiplan project`` does per scenario: load and prepare the file, project with
    every outcome, build the result (calibrations warm)."""
    from immiplan.outcomes.run import run_with_outcomes

    run_with_outcomes("quebec-2019-plan")
    result = benchmark(run_with_outcomes, "quebec-2019-plan")
    assert not result.outcomes.empty
