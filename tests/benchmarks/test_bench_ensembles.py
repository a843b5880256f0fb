"""Speed of ensembles (pytest-benchmark; measurements, never assertions on time).

    pytest tests/benchmarks/test_bench_ensembles.py --benchmark-enable

Budgets (docs/benchmarks.md, issue 15): 10,000 trajectories of the full state 2018-2066 with
the population indicators in 30 s or less, with French and the labour force in 60 s or less.
In the ordinary test run (benchmarks disabled) every benchmark runs once on a few
trajectories, as a test of what it builds; ``IMMIPLAN_BENCH_TRAJECTORIES`` sets the number
of trajectories when benchmarking (default 10,000).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from immiplan.ensembles.model import StochasticModel, calibrate
from immiplan.ensembles.run import EnsembleBase, batch_inputs, ensemble_base, run_ensemble
from immiplan.projection.engine import BATCHED_FIELDS, project
from immiplan.projection.scenario import load_scenario, prepare

CORE = {
    "emigration_scale": 1,
    "interprovincial_scale": 1,
    "population": 4,
    "survival": 3,
    "newborn_survival": 2,
    "asfr": 2,
    "birth_sex_shares": 2,
    "emigration": 4,
    "interprovincial": 4,
    "immigrants": 4,
    "npr_transition_share": 2,
    "npr_stock": 3,
    "net_migration": 4,
}


def _n(benchmark: BenchmarkFixture, small: int = 8) -> int:
    if benchmark.disabled:
        return small
    return int(os.environ.get("IMMIPLAN_BENCH_TRAJECTORIES", "10000"))


@pytest.fixture(scope="module")
def model() -> StochasticModel:
    return calibrate().model


@pytest.fixture(scope="module")
def prepared() -> Any:
    return prepare(load_scenario("quebec-2019-plan"))


@pytest.fixture(scope="module")
def population(prepared: Any, model: StochasticModel) -> EnsembleBase:
    return ensemble_base(prepared, outcomes=False, model=model)


@pytest.fixture(scope="module")
def outcomes(prepared: Any, model: StochasticModel) -> EnsembleBase:
    return ensemble_base(prepared, outcomes=True, model=model)


def _once(benchmark: BenchmarkFixture, fn: Any) -> Any:
    return benchmark.pedantic(fn, rounds=1, iterations=1)


def test_bench_ensemble_population_2018_2066(
    benchmark: BenchmarkFixture, population: EnsembleBase, model: StochasticModel
) -> None:
    """Population indicators of n trajectories, full state, 48 steps, in this process."""
    n = _n(benchmark)
    result = _once(benchmark, lambda: run_ensemble(population, model, trajectories=n, seed=1))
    assert result.values.shape == (n, 49, 4)


def test_bench_ensemble_with_french_and_labour_2018_2066(
    benchmark: BenchmarkFixture, outcomes: EnsembleBase, model: StochasticModel
) -> None:
    """The same with knowledge of French (K = 2), the labour force and francization cost."""
    n = _n(benchmark)
    result = _once(benchmark, lambda: run_ensemble(outcomes, model, trajectories=n, seed=1))
    assert "french_share" in result.indicators and "labour_force" in result.indicators


@pytest.mark.parametrize("workers", [1, 2])
def test_bench_ensemble_on_dask_workers(
    benchmark: BenchmarkFixture, population: EnsembleBase, model: StochasticModel, workers: int
) -> None:
    """The population ensemble on a LocalCluster of 1 or 2 worker processes (cluster started
    outside the timing)."""
    from immiplan.ensembles.cluster import dask_client

    n = _n(benchmark) // 5 or 4
    with dask_client(workers=workers) as client:
        result = _once(
            benchmark,
            lambda: run_ensemble(population, model, trajectories=n, seed=1, client=client),
        )
    assert result.trajectories == n


def test_bench_ensemble_in_process_same_work_as_dask(
    benchmark: BenchmarkFixture, population: EnsembleBase, model: StochasticModel
) -> None:
    """The work of the Dask benchmarks, in this process (Dask's overhead is the ratio)."""
    n = _n(benchmark) // 5 or 4
    result = _once(benchmark, lambda: run_ensemble(population, model, trajectories=n, seed=1))
    assert result.trajectories == n


def _one(batch: Any, r: int) -> Any:
    fields = {
        f: getattr(batch, f)[r]
        for f in BATCHED_FIELDS
        if getattr(batch, f) is not None and np.ndim(getattr(batch, f)) > CORE[f]
    }
    return dataclasses.replace(batch, **fields)


def test_bench_loop_over_the_deterministic_engine(
    benchmark: BenchmarkFixture, population: EnsembleBase, model: StochasticModel
) -> None:
    """The bayesPop way: one deterministic run per trajectory (same draws, same reduction)."""
    from immiplan.ensembles.run import _reducer

    n = _n(benchmark) // 20 or 4
    reduce = _reducer(population)

    def loop() -> list[Any]:
        batch, _ = batch_inputs(population, model, 1, 0, n)
        return [project(_one(batch, r), reduce=reduce).population for r in range(n)]

    assert len(_once(benchmark, loop)) == n


def test_bench_vectorised_same_work_as_the_loop(
    benchmark: BenchmarkFixture, population: EnsembleBase, model: StochasticModel
) -> None:
    """The same trajectories through the trajectory axis (the ratio to the loop)."""
    n = _n(benchmark) // 20 or 4
    result = _once(benchmark, lambda: run_ensemble(population, model, trajectories=n, seed=1))
    assert result.trajectories == n
