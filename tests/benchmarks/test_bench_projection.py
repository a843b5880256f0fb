"""Speed of the projection engine (pytest-benchmark; run with --benchmark-enable).

    pytest tests/benchmarks/test_bench_projection.py --benchmark-enable

Budgets (docs/benchmarks/projection.md): the full Quebec state 2018-2066 in 20 ms or
less per deterministic run; the ISQ validation run 2023-2070 in 5 ms or less. These are
measurements, not assertions: nothing here fails on time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from immiplan.projection.engine import ProjectionInputs, ProjectionOutputs, project
from immiplan.projection.scenario import load_scenario, prepare
from immiplan.projection.validation import isq_inputs, read_isq

SHARED_ISQ = Path(__file__).resolve().parents[2] / ".." / "shared" / "validation" / "isq"


@pytest.fixture(scope="module")
def quebec() -> ProjectionInputs:
    return prepare(load_scenario("quebec-2019-plan")).inputs


def _check(out: ProjectionOutputs) -> None:
    totals = out.totals
    assert np.max(np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:]) < 1e-9


def test_bench_quebec_full_state_2018_2066(
    benchmark: BenchmarkFixture, quebec: ProjectionInputs
) -> None:
    """46 states x 2 sexes x 101 ages, 48 annual steps."""
    out = benchmark(project, quebec)
    assert out.population.shape == (49, 46, 1, 2, 101)
    _check(out)


def test_bench_quebec_2023_full_state_2023_2070(benchmark: BenchmarkFixture) -> None:
    """The same full state on the quebec-2023 base (ISQ 2024 reference), 47 steps."""
    inputs = prepare(load_scenario("quebec-2023-isq-reference")).inputs
    out = benchmark(project, inputs)
    assert out.population.shape == (48, 46, 1, 2, 101)
    _check(out)


def test_bench_quebec_with_two_traits_and_a_transition(
    benchmark: BenchmarkFixture, quebec: ProjectionInputs
) -> None:
    """The same with K = 2 traits and a yearly trait transition (the outcomes' use)."""
    rng = np.random.default_rng(0)
    share = rng.uniform(0.0, 1.0, quebec.population.shape[:1] + quebec.population.shape[2:])
    pop = np.concatenate(
        [quebec.population * share[:, None], quebec.population * (1 - share[:, None])], axis=1
    )
    two = dataclasses.replace(
        quebec,
        population=pop,
        n_traits=2,
        entry_traits=np.stack([np.full((4, 2, 101), 0.4), np.full((4, 2, 101), 0.6)], axis=-1),
        npr_entry_traits=np.stack([np.full((2, 101), 0.5), np.full((2, 101), 0.5)], axis=-1),
        trait_transition=np.full((quebec.steps, 46, 1, 2, 101), 0.05),
    )
    out = benchmark(project, two)
    _check(out)


def test_bench_scenario_preparation(benchmark: BenchmarkFixture) -> None:
    """Scenario file to engine inputs (life tables cached after the first call)."""
    loaded = load_scenario("quebec-2019-plan")
    prepared = benchmark(prepare, loaded)
    assert prepared.inputs.steps == 48


def test_bench_isq_validation_run_2023_2070(benchmark: BenchmarkFixture) -> None:
    """One state, one sex, 101 ages, 47 annual steps."""
    if not (SHARED_ISQ / "tx_isq.xlsx").is_file():
        pytest.skip(f"../shared/validation/isq not found: no ISQ workbooks at {SHARED_ISQ}")
    inputs = isq_inputs(read_isq(SHARED_ISQ))
    out = benchmark(project, inputs)
    _check(out)
