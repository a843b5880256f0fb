"""Reproduce ISQ's 2024 reference projection, and backtest 2001-2019 (needs ../shared).

What is asserted is what is achieved (docs/validation.md): the engine adds no error of its
own (its error is the data's own cohort residual and that residual's consequences through
the rates, to rounding); the ISQ total is within 0.1 % through 2047 only, and single ages
within 1.9 %, because ISQ's published components do not close its own cohort accounting.
"""

from __future__ import annotations

import dataclasses
import functools
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


@functools.cache
def _read(folder: str) -> IsqData:
    return read_isq(folder)


@pytest.fixture
def isq(shared_isq: Path) -> IsqData:
    """The ISQ workbooks (the ``shared_isq`` fixture skips with a reason where absent)."""
    return _read(str(shared_isq))


def test_reproduces_the_isq_projection_2023_2070(isq: IsqData) -> None:
    rep = reproduce_isq(isq)
    assert list(rep.years) == list(range(2023, 2071))
    total = np.abs(rep.total_error)
    # The target (0.1 % every year) holds through 2047; the drift after is the
    # inputs' own residual and its consequences (next tests), 0.27 % by 2070.
    assert total[rep.years <= 2047].max() < 0.001
    assert total.max() < 0.0027
    # Single ages: 1.9 % at worst (the target is 1 %), same cause.
    assert np.abs(rep.age_error).max() < 0.019


def test_one_step_from_the_published_population_misses_only_the_data_residual(
    isq: IsqData,
) -> None:
    """Started from ISQ's own population every year, the engine's step leaves exactly the
    residual that ISQ's published components leave in the cohort accounting."""
    residual = closure_residual(isq, 2023, 2070)  # (47, 100): end ages 1..100
    assert residual.shape == (47, 100)
    for step in range(47):
        year = 2023 + step
        out = project(isq_inputs(isq, year, year + 1))
        got = out.population[1, 0, 0, 0]
        published = isq.tx_population[step + 1]
        np.testing.assert_allclose(published[1:] - got[1:], residual[step], rtol=0, atol=1e-6)
        # Age 0 is the birth input times the end population aged 15-45: off only by the
        # residual at those ages.
        born_off = isq.birth_rate[step + 1] * residual[step, 14:45].sum()
        assert published[0] - got[0] == pytest.approx(born_off, abs=1e-6)
    # Small but systematic: about 20 persons per age and year, -37 a year in total.
    assert 5 < np.abs(residual).mean() < 50
    assert -60 < residual.sum(axis=1).mean() < -20


def test_the_isq_error_is_the_data_residual_and_its_consequences(isq: IsqData) -> None:
    rep = reproduce_isq(isq)
    dec = rep.decomposition(isq)
    # The parts add up to the error: what the engine adds itself is rounding.
    assert np.abs(dec.unexplained / dec.reference).max() < 1e-12
    np.testing.assert_allclose(dec.error / dec.reference, rep.total_error, atol=1e-15)
    # The residual itself is small (0.016 % by 2070); most of the drift is its feedback:
    # ISQ's residual puts persons at old ages (they die at ISQ's rates) and takes them from
    # the parents' ages (their children are born at ISQ's rates).
    last = dec.table().iloc[-1]
    assert int(last["year"]) == 2070
    assert 0.01 < float(last["data_residual_pct"]) < 0.02
    assert 0.13 < float(last["via_deaths_pct"]) < 0.17
    assert 0.09 < float(last["via_births_pct"]) < 0.12


def test_with_the_residual_added_back_the_engine_reproduces_isq_at_every_age(
    isq: IsqData,
) -> None:
    """A diagnostic, not the validation result: adding the data's residual as one more
    migration flow (end of the year, by end age) closes every age and year."""
    inputs = isq_inputs(isq)
    extra = np.zeros((inputs.steps, 101))
    extra[:, 1:] = closure_residual(isq, 2023, 2070)
    assert inputs.net_migration is not None
    closed = dataclasses.replace(inputs, net_migration=inputs.net_migration + extra[:, None, None])
    got = project(closed).population[:, 0, 0, 0]
    np.testing.assert_allclose(got, isq.tx_population, rtol=1e-9)


def test_backtest_2001_2019_follows_the_estimates_own_residual(isq: IsqData) -> None:
    bt = backtest(isq, 2001, 2019)
    assert list(bt.years) == list(range(2001, 2020))
    err = bt.total_error
    assert err[0] == 0.0
    # Up to 2011 the estimates and their components agree to 0.25 %.
    assert np.abs(err[bt.years <= 2011]).max() < 0.0025
    # From 2012 the estimates fall below their own components: 1.32 % by 2019, against the
    # issue's 0.5 % target.
    assert 0.013 < err[-1] < 0.0135
    dec = bt.decomposition(isq)
    table = dec.table()
    # The error is the estimates' own residual to within 0.05 points every year ...
    gap = (table["error_pct"] - table["data_residual_pct"]).abs()
    assert gap.max() < 0.05
    # ... and that gap is the residual's feedback through the rates: nothing from the engine.
    assert np.abs(dec.unexplained / dec.reference).max() < 1e-12
    by_group = bt.by_age_group()
    assert by_group.shape == (19, 21) and by_group.columns[-1] == "100+"
