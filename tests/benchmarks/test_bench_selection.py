"""Speed of selection: scoring a million profiles, and a year of rounds over a million.

Targets (the selection issue): scoring at least 1 million profiles per second on one core;
a year of invitation rounds over a pool of 1 million profiles in at most 1 second. NumPy's
element-wise operations run on one thread, so these timings are single-core. Run with
``pytest tests/benchmarks/test_bench_selection.py --benchmark-enable``; results are in
docs/benchmarks/selection.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from immiplan.selection import Profiles, RoundSpec, generate_pool, load_grid, run_rounds
from immiplan.selection.rounds import cadence

MILLION = 1_000_000


@pytest.fixture(scope="module")
def pool() -> Profiles:
    # Two years of submissions so that a round in 2019 sees entries and expiries.
    return generate_pool(MILLION, seed=1, start="2018-01-01", end="2020-01-01")


def _check_speed(benchmark: Any, limit_s: float) -> None:
    if not benchmark.disabled:
        assert benchmark.stats.stats.min <= limit_s


@pytest.mark.parametrize("grid_name", ["crs-2019", "prtq-2018"])
def test_bench_score_one_million(benchmark: Any, pool: Profiles, grid_name: str) -> None:
    grid = load_grid(grid_name)
    table = benchmark(grid.score, pool)
    assert len(table) == MILLION
    assert int(table.total.min()) >= 0
    assert int(table.total.max()) <= grid.maximum
    _check_speed(benchmark, 1.0)


def test_bench_a_year_of_rounds_over_one_million(benchmark: Any, pool: Profiles) -> None:
    scores = load_grid("crs-2019").score(pool).total
    rounds = [RoundSpec(day, 3_500) for day in
              cadence(dt.date(2019, 1, 9), dt.date(2019, 12, 31), 14)]
    result = benchmark(run_rounds, pool, scores, rounds)
    assert len(result.rounds) == 26
    assert result.total_invitations == 26 * 3_500
    assert np.all(result.rounds["cutoff"].to_numpy(dtype=float) > 0)
    _check_speed(benchmark, 1.0)
