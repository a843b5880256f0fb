"""Reproduce ISQ's 2024 reference projection, and backtest 2001-2019 (needs ../shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from immiplan.projection.engine import project
from immiplan.projection.validation import (
    IsqData,
    backtest,
    closure_residual,
    isq_inputs,
    read_isq,
    reproduce_isq,
)

pytestmark = pytest.mark.validation

REPO = Path(__file__).resolve().parents[2]
SHARED_ISQ = REPO / ".." / "shared" / "validation" / "isq"


@pytest.fixture(scope="module")
def isq() -> IsqData:
    if not (SHARED_ISQ / "tx_isq.xlsx").is_file():
        pytest.skip(f"../shared/validation/isq not found: no ISQ workbooks at {SHARED_ISQ}")
    return read_isq(SHARED_ISQ)


def test_reproduces_the_isq_projection_2023_2070(isq: IsqData) -> None:
    rep = reproduce_isq(isq)
    assert list(rep.years) == list(range(2023, 2071))
    total = np.abs(rep.total_error)
    # Within 0.1 % for the first 25 years; the drift after is the inputs' own closure
    # residual accumulating (see the next test and docs/validation.md).
    assert total[rep.years <= 2047].max() < 0.001
    assert total.max() < 0.003
    assert np.abs(rep.age_error).max() < 0.02


def test_one_step_from_the_published_population_misses_only_the_data_residual(
    isq: IsqData,
) -> None:
    """Started from ISQ's own population every year, the engine's step leaves exactly the
    residual that ISQ's published components leave in the cohort accounting."""
    inputs = isq_inputs(isq, 2023, 2070)
    residual = closure_residual(isq, 2023, 2070)  # (47, 99), ages 0..98 -> 1..99
    for step in range(inputs.steps):
        year = 2023 + step
        single = isq_inputs(isq, year, year + 1)
        out = project(single)
        got = out.population[1, 0, 0, 0, 1:100]
        published = isq.tx_population[step + 1, 1:100]
        np.testing.assert_allclose(published - got, residual[step], rtol=0, atol=1e-6)
    # The residual is small but systematic: about 20 persons per age and year.
    assert 5 < np.abs(residual).mean() < 50


def test_backtest_2001_2019_follows_the_estimates_closure_error(isq: IsqData) -> None:
    bt = backtest(isq, 2001, 2019)
    assert list(bt.years) == list(range(2001, 2020))
    err = bt.total_error
    assert err[0] == 0.0
    # Up to 2010 the estimates and their components agree to 0.25 %.
    assert np.abs(err[bt.years <= 2010]).max() < 0.0025
    # From 2011 the estimates fall below their components (the 2016 Census revision):
    # the error is that gap, about 1.3 % by 2019.
    assert 0.005 < err[-1] < 0.015
    table = bt.by_age_group()
    assert table.shape == (19, 21) and table.columns[-1] == "100+"
