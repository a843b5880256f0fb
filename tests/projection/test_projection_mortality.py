"""Mortality that improves by age: e0 met exactly, the oldest improve slowest, men above women."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.projection.bases import load_base
from immiplan.projection.lifetable import life_table
from immiplan.projection.mortality import (
    age_pattern,
    estimate_age_pattern,
    life_expectancy,
    log_rates_from_prospective,
    rates_for_e0,
    read_prospective_probabilities,
    survival_from_e0,
)
from immiplan.projection.quebec import base_survival
from immiplan.projection.scenario import load_scenario, prepare

ISQ_2024 = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "validation" / "isq" / "tx_isq.xlsx"
)
SEXES: tuple[Literal["female"], Literal["male"]] = ("female", "male")


@pytest.fixture(scope="module")
def base_mx() -> np.ndarray:
    return load_base("quebec-2018").mx


@pytest.fixture(scope="module")
def bx() -> np.ndarray:
    return age_pattern("2018-07-01")


def isq_2019_path() -> np.ndarray:
    """ISQ 2018 e0 (84.2 women, 80.7 men) to the 2019 edition's 2066 (89.6, 88.1), midpoints."""
    mid = np.arange(2018, 2066) + 0.5
    female = np.interp(mid, [2018, 2066], [84.2, 89.6])
    male = np.interp(mid, [2018, 2066], [80.7, 88.1])
    return np.stack([female, male], axis=-1)


def test_every_year_and_sex_meets_its_e0_in_an_independent_life_table(base_mx, bx) -> None:
    e0 = isq_2019_path()
    rates = rates_for_e0(base_mx, e0, bx=bx)
    assert rates.shape == (48, 2, 101)
    for t in range(0, 48, 7):
        for j, sex in enumerate(SEXES):
            assert life_table(rates[t, j], sex=sex).e0 == pytest.approx(e0[t, j], abs=1e-6)
    np.testing.assert_allclose(life_expectancy(rates), e0, atol=1e-8)


def test_the_vectorised_life_table_is_the_scalar_one() -> None:
    rng = np.random.default_rng(3)
    ages = np.arange(101)
    mx = np.exp(-9.5 + 0.09 * ages)[None, None, :] * rng.uniform(0.3, 3.0, (20, 2, 101))
    mx[:, :, 0] = rng.uniform(0.001, 0.1, (20, 2))  # across the a0 rule's breakpoints
    vectorised = life_expectancy(mx)
    for i in range(20):
        for j, sex in enumerate(SEXES):
            assert vectorised[i, j] == pytest.approx(life_table(mx[i, j], sex=sex).e0, rel=1e-12)


def test_the_engine_survival_is_the_base_survival_at_the_base_e0(base_mx, bx) -> None:
    e0 = life_expectancy(base_mx)  # women's rates come back as they are (men's get the floor)
    survival, newborn = survival_from_e0(base_mx, e0, bx=bx)
    rates = rates_for_e0(base_mx, e0, bx=bx)
    np.testing.assert_allclose(rates[0], base_mx[0], rtol=1e-8)  # women: the base rates
    sv, s0 = base_survival(load_base("quebec-2018"))
    np.testing.assert_allclose(survival[0], sv[0], rtol=1e-8)
    assert newborn[0] == pytest.approx(s0[0], rel=1e-8)


def test_the_oldest_ages_improve_less_than_ages_60_to_85(base_mx, bx) -> None:
    rates = rates_for_e0(base_mx, isq_2019_path(), bx=bx)
    decline = np.log(base_mx) - np.log(rates[-1])  # log improvement by 2066
    for j in range(2):
        assert decline[j, 95:].max() < 0.5 * decline[j, 60:86].min()
        assert decline[j, 100] < 0.4 * decline[j, 60:86].mean()
    # The former single factor halved mortality at 100+ by 2066 (a log decline of ~0.7).
    assert np.all(decline[:, 100] < 0.3)


def test_mens_rates_stay_at_or_above_womens(base_mx, bx) -> None:
    rates = rates_for_e0(base_mx, isq_2019_path(), bx=bx)
    assert np.all(rates[:, 1] >= rates[:, 0])
    # Strictly above at 60+, where the sexes differ most (100+ included: the single factor
    # put men's 100+ rate below women's by 2066).
    assert np.all(rates[:, 1, 60:] > rates[:, 0, 60:] * 1.01)


def test_survival_is_a_probability(base_mx, bx) -> None:
    survival, newborn = survival_from_e0(base_mx, isq_2019_path(), bx=bx)
    assert np.all((survival > 0) & (survival <= 1))
    assert np.all((newborn > 0) & (newborn <= 1))


def test_leading_dimensions_are_independent_problems(base_mx, bx) -> None:
    rng = np.random.default_rng(7)
    female = rng.uniform(80.0, 92.0, (3, 4))
    e0 = np.stack([female, female - rng.uniform(1.0, 6.0, (3, 4))], axis=-1)
    survival, newborn = survival_from_e0(base_mx, e0, bx=bx)
    assert survival.shape == (3, 4, 2, 101) and newborn.shape == (3, 4, 2)
    one, one_newborn = survival_from_e0(base_mx, e0[2, 1], bx=bx)
    np.testing.assert_allclose(survival[2, 1], one, rtol=1e-9)
    np.testing.assert_allclose(newborn[2, 1], one_newborn, rtol=1e-9)


e0_paths = st.tuples(
    st.floats(76.0, 92.0),  # women's first e0
    st.floats(0.0, 6.0),  # women's gain over the path
    st.floats(0.3, 8.0),  # men's gap below women at the start
    st.floats(0.0, 1.0),  # share of the gap closed by the end
    st.integers(1, 12),  # steps
)


@settings(max_examples=40, deadline=None)
@given(path=e0_paths)
def test_any_rising_path_is_met_and_keeps_the_invariants(path, base_mx, bx) -> None:
    start, gain, gap, closed, steps = path
    female = start + gain * np.linspace(0.0, 1.0, steps)
    male = female - gap * (1.0 - closed * np.linspace(0.0, 1.0, steps)) - 0.3 * closed
    e0 = np.stack([female, male], axis=-1)
    rates = rates_for_e0(base_mx, e0, bx=bx)
    np.testing.assert_allclose(life_expectancy(rates), e0, atol=1e-6)
    assert np.all(rates[:, 1] >= rates[:, 0])
    survival, newborn = survival_from_e0(base_mx, e0, bx=bx)
    assert np.all((survival > 0) & (survival <= 1)) and np.all((newborn > 0) & (newborn <= 1))
    # Higher e0 for both sexes never lowers survival at any age.
    assert np.all(np.diff(survival, axis=0) >= -1e-12)


@settings(max_examples=30, deadline=None)
@given(
    bad=st.sampled_from([np.nan, np.inf, -1.0, 10.0, 20.0, 120.0, 150.0]),
    sex=st.integers(0, 1),
    steps=st.integers(1, 5),
    where=st.integers(0, 4),
)
def test_bad_e0_names_the_sex(bad, sex, steps, where, base_mx, bx) -> None:
    e0 = np.tile([84.0, 80.0], (steps, 1))
    e0[min(where, steps - 1), sex] = bad
    with pytest.raises(InputError) as info:
        survival_from_e0(base_mx, e0, bx=bx)
    assert info.value.field == f"e0.{SEXES[sex]}"


def test_men_at_or_above_women_cannot_be_reached(base_mx, bx) -> None:
    with pytest.raises(InputError, match="below women's") as info:
        survival_from_e0(base_mx, np.array([[84.0, 80.0], [84.0, 84.5]]), bx=bx)
    assert info.value.field == "e0.male" and info.value.value == 84.5


def test_bad_shapes_and_patterns_are_refused(base_mx, bx) -> None:
    with pytest.raises(InputError, match="last axis"):
        survival_from_e0(base_mx, np.array([84.0, 80.0, 1.0]), bx=bx)
    with pytest.raises(InputError, match="base_mx"):
        survival_from_e0(base_mx[:, :50], np.array([84.0, 80.0]), bx=bx)
    with pytest.raises(InputError) as info:
        survival_from_e0(base_mx, np.array([84.0, 80.0]), bx=-bx)
    assert info.value.field == "bx"
    with pytest.raises(InputError):
        survival_from_e0(base_mx, np.array([84.0, 80.0]), bx=bx[:, :100])


def test_a_scenario_with_men_above_women_names_the_file_and_field(tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load(load_scenario("quebec-2018-actual-held").text)
    doc["mortality"]["e0"] = {"female": {2018: 84.2}, "male": {2018: 80.7, 2030: 86.0}}
    path = tmp_path / "men-above.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(InputError) as info:
        prepare(load_scenario(str(path)))
    assert info.value.field == "mortality.e0.male"
    assert info.value.source and "men-above.yaml" in info.value.source


# --- The shipped age pattern ---------------------------------------------------------------


def test_the_shipped_pattern_is_the_lee_carter_estimate_of_the_shipped_probabilities(bx) -> None:
    data = read_prospective_probabilities()
    assert data["year"][0] == 2013 and data["year"][-1] == 2062 and data["year"].size == 50
    for j, sex in enumerate(SEXES):
        estimate = estimate_age_pattern(log_rates_from_prospective(data[sex]))
        np.testing.assert_allclose(bx[j], estimate, atol=1e-8)
        assert bx[j].sum() == pytest.approx(1.0, abs=1e-6) and np.all(bx[j] > 0)


def test_lee_carter_recovers_a_known_pattern() -> None:
    ages = np.arange(101)
    known = np.exp(-0.5 * ((ages - 55.0) / 25.0) ** 2) + 0.05
    known /= known.sum()
    kappa = np.linspace(0.0, -60.0, 30) + np.sin(np.arange(30))  # falling, not linear
    logs = (-9.0 + 0.09 * ages)[None, :] + kappa[:, None] * known[None, :]
    np.testing.assert_allclose(estimate_age_pattern(logs), known, rtol=1e-9)


def test_the_open_group_rate_of_a_constant_hazard_is_the_hazard() -> None:
    # q = 1 - e^{-h} at every age up to 110 (closed by q = 1): closed ages give back h.
    h = 0.3
    q = np.full((1, 111), 1.0 - np.exp(-h))
    q[0, -1] = 1.0
    logs = log_rates_from_prospective(q)
    np.testing.assert_allclose(np.exp(logs[0, :100]), h, rtol=1e-9)
    assert 0.25 < np.exp(logs[0, 100]) < 0.4


@pytest.mark.skipif(not ISQ_2024.is_file(), reason="../shared/validation/isq/tx_isq.xlsx absent")
def test_isq_2024_improves_the_oldest_as_slowly_as_the_shipped_pattern(bx) -> None:
    import pandas as pd

    table = pd.read_excel(ISQ_2024, sheet_name="tx_by_age")
    mx = table.pivot(index="year", columns="age", values="mx")
    isq = np.log(mx.loc[2023].to_numpy()) - np.log(mx.loc[2070].to_numpy())  # both sexes
    for pattern in (isq, bx[0], bx[1]):
        oldest, middle = pattern[95:100].mean(), pattern[60:86].mean()
        assert oldest < 0.3 * middle
