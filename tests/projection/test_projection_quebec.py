"""Quebec's default inputs: the 2018 base reproduces what it was built from."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pytest

from immiplan.projection.bases import load_base
from immiplan.projection.engine import ProjectionOutputs, project
from immiplan.projection.lifetable import life_table
from immiplan.projection.mortality import age_pattern, rates_for_e0
from immiplan.projection.quebec import (
    admissions_by_period,
    base_survival,
    calendar_admissions,
    cohort_retention,
    load_assumptions,
    long_term_stock,
    recent_rates,
    survival_for_e0,
)
from immiplan.projection.scenario import PreparedScenario, load_scenario, prepare
from immiplan.projection.state import CATEGORIES, QUEBEC

Ref = tuple[PreparedScenario, ProjectionOutputs]


@pytest.fixture(scope="module")
def reference() -> Ref:
    prepared = prepare(load_scenario("quebec-2019-plan"))
    return prepared, project(prepared.inputs)


def test_first_year_births_and_deaths_match_the_published_2018_totals(reference: Ref) -> None:
    _, out = reference
    base = load_base("quebec-2018")
    # Births: 83,840 in 2018 (ISQ); the first projected year is July 2018 - June 2019.
    assert out.births[0].sum() == pytest.approx(base.indicators["births"], rel=0.01)
    # Deaths: the 2018 rates on the 1 July 2018 population give ISQ's 68,600 ...
    assert (base.mx * base.population).sum() == pytest.approx(68600, rel=0.005)
    # ... and the cohort projection, which follows each cohort a full year older (and
    # counts the deaths of the year's newborns and immigrants), stays within 2 %.
    assert out.deaths[0].sum() == pytest.approx(68600, rel=0.02)
    # The sex ratio at birth is the base data's.
    assert out.births[0, 1] / out.births[0, 0] == pytest.approx(base.srb)


def test_first_year_fertility_and_life_expectancy_are_the_published_ones(reference: Ref) -> None:
    prepared, _ = reference
    assert prepared.inputs.asfr[0].sum() == pytest.approx(1.586)
    assert prepared.tfr[1] == pytest.approx(1.573)
    # Each step uses the e0 of its midpoint, 1 January 2019: the path is ISQ's 2018 values
    # (84.2 women, 80.7 men) rising linearly to the 2019 edition's 2066 values (89.6, 88.1).
    np.testing.assert_allclose(
        prepared.e0[0], [84.2 + 0.5 * (89.6 - 84.2) / 48, 80.7 + 0.5 * (88.1 - 80.7) / 48]
    )
    base = load_base("quebec-2018")
    pairs: list[tuple[int, Literal["female", "male"]]] = [(0, "female"), (1, "male")]
    rates = rates_for_e0(base.mx, prepared.e0[0], bx=age_pattern("2018-07-01"))
    for j, sex in pairs:
        assert life_table(rates[j], sex=sex).e0 == pytest.approx(prepared.e0[0, j], abs=1e-8)
    # The base rates, moved a little along the age pattern (half a year of improvement);
    # only boys of 8-12 lose a little: their graduated 2018 rates are a hair below girls'
    # (ISQ publishes 0.1 per 1,000 for both) and are raised to them.
    sv, s0 = base_survival(base)
    assert np.all(prepared.inputs.survival[0, 0] >= sv[0])
    assert np.all(prepared.inputs.survival[0, 1, 13:] >= sv[1, 13:])
    np.testing.assert_allclose(prepared.inputs.survival[0], sv, rtol=2e-3)
    np.testing.assert_allclose(prepared.inputs.newborn_survival[0], s0, rtol=1e-4)


def test_survival_improves_with_e0_and_is_cached() -> None:
    low = survival_for_e0("male", 80.7)
    high = survival_for_e0("male", 88.1)
    assert np.all(high[0] >= low[0]) and high[1] > low[1]
    assert survival_for_e0("male", 80.7) is low


def test_base_groups_add_up_to_the_base_population(reference: Ref) -> None:
    prepared, _ = reference
    base = load_base("quebec-2018")
    split = prepared.split.population
    assert split.min() >= 0.0
    np.testing.assert_allclose(split.sum(axis=0), base.population, rtol=1e-12)
    assert split[QUEBEC.state("npr")].sum() == pytest.approx(load_assumptions().npr_stock)
    blk = split[QUEBEC.block].reshape(4, 11, 2, 101)
    assert blk[:, :10].sum() == pytest.approx(prepared.split.recent)
    # Recent immigrants: roughly ten years of 45,000-55,000 admissions, less departures.
    assert 350_000 < prepared.split.recent < 500_000
    # All immigrants: of the order of the 2016 Census count (1.09 million).
    immigrants = split[QUEBEC.block].sum()
    assert 1.0e6 < immigrants < 1.3e6


def test_long_term_immigrants_are_rebuilt_on_the_2016_census(reference: Ref) -> None:
    prepared, _ = reference
    stock = prepared.split.reconstruction
    assert stock is not None
    assumptions = load_assumptions()
    by_period = assumptions.immigrants_2016_by_period
    # The census periods add up to the census total (Statistics Canada, 2016 Census).
    assert sum(by_period.values()) == pytest.approx(assumptions.immigrants_2016)
    # Published targets on 1 July 2016: all immigrants 1,091,305, landed before 2001 553,855.
    assert stock.immigrants_2016 == pytest.approx(1_091_305, rel=1e-12)
    assert stock.before_2001_2016 == pytest.approx(553_855, rel=1e-12)
    assert stock.landed_since_2008_2016 > 0
    # Calibrated values stay plausible: an effective pre-1980 level below the observed
    # 1980s-2000s landings, and a scale of the 2001-2008 landings at most 1.
    assert 1_000 < stock.pre_1980_level < 30_000
    assert 0.5 < stock.since_2001_scale <= 1.0
    # Everyone landed before July 2008 is at duration 10+ in 2018, and the base year's 10+
    # group is that stock, cell by cell (nothing capped).
    rebuilt = stock.population_2018[QUEBEC.block].reshape(4, 11, 2, 101)
    assert rebuilt[:, :10].sum() == 0.0
    assert stock.population_2018.sum() == pytest.approx(rebuilt[:, 10].sum(), rel=1e-12)
    assert prepared.split.capped == 0.0
    split = prepared.split.population[QUEBEC.block].reshape(4, 11, 2, 101)
    np.testing.assert_allclose(split[:, 10], rebuilt[:, 10], rtol=1e-12)
    assert split[:, 10].sum() == pytest.approx(prepared.split.long_term)
    # The age shape follows the landing history: about a fifth of immigrants 15+ are 65+
    # in 2018 (not a published target; 90 years of constant admissions gave 31 %).
    ages = prepared.split.population[QUEBEC.block].sum(axis=(0, 1))
    assert 0.15 < ages[65:].sum() / ages[15:].sum() < 0.25


def test_long_term_stock_conserves_the_census_total() -> None:
    """Another "before 2001" count moves the pre-1980 level, never the 2016 total."""
    prepared = prepare(load_scenario("quebec-2019-plan"))
    stock = prepared.split.reconstruction
    assert stock is not None
    assumptions = load_assumptions()
    moved = dict(assumptions.immigrants_census_by_period, before_2001=600_000.0)
    other = long_term_stock(
        load_base("quebec-2018"),
        dataclasses.replace(assumptions, immigrants_census_by_period=moved),
        prepared.retention,
        stock.landed_since_2008_2016,
    )
    assert other.immigrants_2016 == pytest.approx(stock.immigrants_2016, rel=1e-12)
    assert other.before_2001_2016 == pytest.approx(600_000, rel=1e-12)
    assert other.pre_1980_level > stock.pre_1980_level
    assert other.since_2001_scale < stock.since_2001_scale


def test_retention_multipliers_hit_their_targets(reference: Ref) -> None:
    prepared, _ = reference
    ret = prepared.retention
    np.testing.assert_allclose(ret.achieved_5, ret.targets_5, atol=1e-8)
    np.testing.assert_allclose(ret.achieved_10, ret.targets_10, atol=1e-8)
    mix = calendar_admissions(2018)
    assert np.sum(mix * ret.targets_5) / mix.sum() == pytest.approx(0.843)
    assert np.all(ret.multipliers[:, -1] == 1.0)
    assert np.all(ret.multipliers[:, :5] > ret.multipliers[:, 5:10])
    # Family immigrants stay most, economic immigrants least (Statistics Canada's order).
    order = np.argsort(ret.targets_5)
    assert [CATEGORIES[i] for i in order[[0, -1]]] == ["economic", "family"]
    # The engine's own rates give the same retention for a landing cohort.
    base = load_base("quebec-2018")
    path = cohort_retention(
        base.category_profiles[1],
        base.emigration_rates,
        base.interprovincial_rates,
        ret.multipliers[1, :10],
    )
    assert path[4] == pytest.approx(ret.targets_5[1])


def test_multipliers_scale_losses_and_keep_gains() -> None:
    e = np.array([0.01, -0.002])
    m = np.array([-0.01, 0.003])
    e3, m3 = recent_rates(e, m, 3.0)
    np.testing.assert_allclose(e3, [0.03, -0.002])
    np.testing.assert_allclose(m3, [-0.03, 0.003])


def test_base_year_migration_totals_are_the_published_ones(reference: Ref) -> None:
    _, out = reference
    base = load_base("quebec-2018")
    assert out.emigration[0] == pytest.approx((base.emigration_rates * base.population).sum())
    assert out.interprovincial[0] == pytest.approx(
        (base.interprovincial_rates * base.population).sum()
    )


def test_transitions_from_npr_stay_inside_the_plan_levels(reference: Ref) -> None:
    prepared, out = reference
    periods = admissions_by_period(prepared.levels, 2018, 2019)
    np.testing.assert_allclose(out.immigrants[:2], periods, rtol=1e-12)
    assert 0 < out.npr_transitions[0].sum() < out.immigrants[0].sum()
    # The NPR stock is held: transitions are replaced by net arrivals.
    npr = QUEBEC.state("npr")
    stock = out.population[:, npr].sum(axis=(1, 2, 3))
    np.testing.assert_allclose(stock, stock[0], rtol=1e-12)


def test_accounting_closes_on_the_reference_scenario(reference: Ref) -> None:
    _, out = reference
    totals = out.totals
    assert np.max(np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:]) < 1e-9


def test_no_immigration_is_smaller_and_older() -> None:
    ref = project(prepare(load_scenario("quebec-2019-plan")).inputs)
    none = project(prepare(load_scenario("no-immigration")).inputs)
    assert none.immigrants.sum() == 0 and none.npr_net.sum() == 0
    assert none.totals[-1] < ref.totals[-1] - 1_000_000
    old_share = none.population[-1][..., 65:].sum() / none.totals[-1]
    assert old_share > ref.population[-1][..., 65:].sum() / ref.totals[-1]
