"""Speed of selection: scoring a million profiles, a year of rounds over a million, and the
cohort profile the projection asks for (pytest-benchmark; run with --benchmark-enable).

    pytest tests/benchmarks/test_bench_selection.py --benchmark-enable

Targets (the selection issue, docs/benchmarks/selection.md): scoring at least 1 million
profiles per second on one core; a year of invitation rounds over a pool of 1 million profiles
in at most 1 second. These are measurements, not assertions: nothing here fails on time (the
project's rule: no timed tests). Each benchmark checks the result of the run it timed. NumPy's
element-wise operations run on one thread, so the timings are single-core.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from immiplan.selection import (
    Profiles,
    RoundSpec,
    economic_profile,
    generate_pool,
    load_grid,
    run_rounds,
)
from immiplan.selection.rounds import cadence

MILLION = 1_000_000


@pytest.fixture(scope="module")
def pool() -> Profiles:
    # Two years of submissions so that a round in 2019 sees entries and expiries.
    return generate_pool(MILLION, seed=1, start="2018-01-01", end="2020-01-01")


@pytest.mark.parametrize("grid_name", ["crs-2019", "prtq-2018"])
def test_bench_score_one_million(benchmark: Any, pool: Profiles, grid_name: str) -> None:
    grid = load_grid(grid_name)
    table = benchmark(grid.score, pool)
    assert len(table) == MILLION
    assert int(table.total.min()) >= 0
    assert int(table.total.max()) <= grid.maximum
    # The factors add up to the total on every row (nothing skipped for speed).
    summed = np.sum([v.astype(np.int32) for v in table.factors.values()], axis=0)
    assert np.array_equal(summed, table.total)


def test_bench_a_year_of_rounds_over_one_million(benchmark: Any, pool: Profiles) -> None:
    scores = load_grid("crs-2019").score(pool).total
    rounds = [
        RoundSpec(day, 3_500) for day in cadence(dt.date(2019, 1, 9), dt.date(2019, 12, 31), 14)
    ]
    result = benchmark(run_rounds, pool, scores, rounds)
    assert len(result.rounds) == 26
    assert result.total_invitations == 26 * 3_500
    assert np.all(result.rounds["cutoff"].to_numpy(dtype=float) > 0)


def test_bench_economic_profile_of_a_scenario(benchmark: Any) -> None:
    """What the projection pays the first time it asks for a selected cohort's profile."""
    profile = benchmark(economic_profile, "quebec-2019", cached=False)
    shares = profile.to_dataarray()
    assert shares.dims == ("sex", "age")
    assert float(shares.sum()) == pytest.approx(1.0)
    assert 0 < profile.french_share < 1


def test_bench_economic_profile_again(benchmark: Any) -> None:
    """The same profile asked for again (kept after the first run)."""
    first = economic_profile("quebec-2019")
    again = benchmark(economic_profile, "quebec-2019")
    assert np.array_equal(again.age_sex, first.age_sex)
    assert again.french_share == first.french_share
