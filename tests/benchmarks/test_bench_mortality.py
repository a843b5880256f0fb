"""Speed of the age-specific mortality solve (pytest-benchmark; run with --benchmark-enable).

    pytest tests/benchmarks/test_bench_mortality.py --benchmark-enable

Measurements, not assertions. The scenario path is solved without the memory of earlier
results (``rates_for_e0``, the same solve ``survival_from_e0`` runs on a first call).
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from immiplan.projection.bases import load_base
from immiplan.projection.mortality import age_pattern, life_expectancy, rates_for_e0


@pytest.fixture(scope="module")
def inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mid = np.arange(2018, 2066) + 0.5
    e0 = np.stack(
        [np.interp(mid, [2018, 2066], [84.2, 89.6]), np.interp(mid, [2018, 2066], [80.7, 88.1])],
        axis=-1,
    )
    return load_base("quebec-2018").mx, e0, age_pattern("2018-07-01")


def test_bench_rates_for_a_scenario_path(benchmark: BenchmarkFixture, inputs) -> None:
    """48 steps x 2 sexes, every e0 met exactly."""
    mx, e0, bx = inputs
    rates = benchmark(rates_for_e0, mx, e0, bx=bx)
    np.testing.assert_allclose(life_expectancy(rates), e0, atol=1e-8)


def test_bench_rates_for_100_trajectories(benchmark: BenchmarkFixture, inputs) -> None:
    """100 trajectories x 48 steps x 2 sexes (an ensemble's shape)."""
    mx, e0, bx = inputs
    shift = np.random.default_rng(0).uniform(-2.0, 2.0, (100, 1, 1))
    paths = e0[None] + shift
    rates = benchmark.pedantic(rates_for_e0, args=(mx, paths), kwargs={"bx": bx}, rounds=3)
    np.testing.assert_allclose(life_expectancy(rates), paths, atol=1e-8)
