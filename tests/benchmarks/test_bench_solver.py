"""Speed of the inverse planner (pytest-benchmark; run with --benchmark-enable).

    pytest tests/benchmarks/test_bench_solver.py --benchmark-enable

Budgets (issue 14, docs/benchmarks.md): a constant-level solve in 100 ms or less; a 48-year
path with three targets in 1 s or less. The context (the assumptions prepared once per base)
is built before timing, as a second solve on the same base finds it cached. The engine's own
run is measured beside them, so the ratio holds on a loaded machine. These are measurements,
not assertions: nothing here fails on time.
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from immiplan.projection.engine import project
from immiplan.solver import Context, Solution, build_context, solve

YEARS = (2019, 2066)
THREE = [
    "population_20_64 >= population_20_64[base]",
    "population[2066] >= 10_000_000",
    "support_ratio[2066] >= 2",
]


@pytest.fixture(scope="module")
def context() -> Context:
    return build_context("quebec-2018", None, YEARS[1])


def test_bench_engine_run_beside_the_solves(benchmark: BenchmarkFixture, context: Context) -> None:
    """One forward run of the model the solves use (one trait, 48 steps)."""
    inputs = context.plain.inputs if context.plain is not None else context.inputs
    out = benchmark(project, inputs)
    assert out.population.shape[0] == 49


def test_bench_constant_level_solve(benchmark: BenchmarkFixture, context: Context) -> None:
    """One constant level for 2019-2066 that keeps the 20-64 group at its base level."""
    answer: Solution = benchmark(solve, [THREE[0]], years=YEARS)
    assert answer.feasible and answer.verification.max_relative_error < 1e-6


def test_bench_path_with_three_targets(benchmark: BenchmarkFixture, context: Context) -> None:
    """48 yearly levels, three targets (one each year, two at the horizon)."""
    answer: Solution = benchmark(solve, THREE, years=YEARS, shape="path")
    assert answer.feasible and answer.verification.max_relative_error < 1e-6
    assert len(answer.levels) == 48
