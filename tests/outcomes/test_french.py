"""Knowledge of French: calibration targets, conservation, consistency with the engine,
monotone responses and rejected parameters."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.outcomes.french import (
    CAN,
    FrenchModel,
    _recent_share,
    category_admissions,
    known_french,
    load_french_parameters,
    reference_category_shares,
    split_by_category,
)
from immiplan.outcomes.run import add_french, french_model, project_french
from immiplan.projection.bases import load_base
from immiplan.projection.engine import ProjectionInputs, project
from immiplan.projection.scenario import PreparedScenario, load_scenario, prepare
from immiplan.projection.state import CATEGORIES, N_AGES, QUEBEC


@pytest.fixture(scope="module")
def prepared() -> PreparedScenario:
    return prepare(load_scenario("quebec-2019-plan"))


@pytest.fixture(scope="module")
def short() -> PreparedScenario:
    return prepare(load_scenario("quebec-2019-plan"), horizon=2026)


# --- Calibration targets -------------------------------------------------------------------


def test_base_year_reproduces_the_census_share(prepared: PreparedScenario) -> None:
    french = add_french(prepared.inputs)
    known = known_french(french.inputs.population[None], QUEBEC, french.model.non_immigrant)
    share = known.sum() / french.inputs.population.sum()
    assert share == pytest.approx(0.945, abs=0.005)
    assert french.fit.total == pytest.approx(share, abs=1e-12)


def test_first_year_acquisition_reproduces_recent_immigrants_2016() -> None:
    model = french_model()
    params = load_french_parameters()
    cal = category_admissions()
    share, entry = _recent_share(
        params,
        model.calibration.first_year,
        cal,
        load_base("quebec-2018").category_profiles,
        reference_category_shares(params, cal),
    )
    assert share == pytest.approx(0.807, abs=0.005)
    assert 0.0 < model.calibration.first_year < 1.0
    assert entry < share  # acquisition adds French knowers after landing


def test_reference_shares_reproduce_the_2010_2014_admissions() -> None:
    params = load_french_parameters()
    cal = category_admissions()
    ref = reference_category_shares(params, cal)
    rows = np.array([cal[y] for y in range(2010, 2015)])
    knowers = sum(
        params.admission_share_at(y) * rows[i].sum() for i, y in enumerate(range(2010, 2015))
    )
    assert ref[0] == 0.754
    assert float((rows * ref).sum()) == pytest.approx(knowers, rel=1e-12)


# --- Conservation ----------------------------------------------------------------------------


def test_the_split_conserves_every_cell(prepared: PreparedScenario) -> None:
    french = add_french(prepared.inputs)
    np.testing.assert_allclose(
        french.inputs.population.sum(axis=1), prepared.inputs.population[:, 0], rtol=0, atol=1e-9
    )
    assert french.inputs.population.min() >= 0.0


def test_the_french_trait_never_changes_totals(prepared: PreparedScenario) -> None:
    one = project(prepared.inputs)
    two = project_french(add_french(prepared.inputs, targets={2019: 0.41, 2020: 0.49}))
    np.testing.assert_allclose(
        two.population.sum(axis=2), one.population.sum(axis=2), rtol=1e-10, atol=1e-6
    )
    np.testing.assert_allclose(two.births, one.births, rtol=1e-12)
    np.testing.assert_allclose(two.deaths, one.deaths, rtol=1e-12)


def test_step_varying_entry_shares_are_the_same_projection(short: PreparedScenario) -> None:
    """Entry shares A for four steps then B (one engine run with per-step entry arrays): the
    first four steps equal a run with A throughout, and every cell's total equals the
    one-trait run."""
    french = add_french(short.inputs)
    a_traits = FrenchModel.entry_traits(np.full(4, 0.3), 2)
    b_traits = FrenchModel.entry_traits(np.full(4, 0.9), 2)
    steps = short.inputs.steps
    entry = np.stack([a_traits] * 4 + [b_traits] * (steps - 4))
    cut = dataclasses.replace(french, entry_traits=entry)
    out = project_french(cut)
    ref = project(dataclasses.replace(french.inputs, entry_traits=a_traits))
    np.testing.assert_allclose(out.population[:5], ref.population[:5], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        out.population.sum(axis=2), project(short.inputs).population.sum(axis=2), rtol=1e-10
    )
    new_arrivals = out.population[5][QUEBEC.entry_states()]
    share = new_arrivals[:, CAN].sum() / new_arrivals.sum()
    assert share > ref.population[5][QUEBEC.entry_states()][:, CAN].sum() / new_arrivals.sum()


# --- The base split follows the engine's own dynamics ------------------------------------


def test_base_split_matches_the_engine_run_over_the_landing_years() -> None:
    """Landing cohorts 2008-2018 run through the engine (no deaths, no departures) end with
    the French shares the analytical base split gives, duration by duration."""
    model = french_model()
    fitted = dataclasses.replace(model, non_immigrant=0.97)
    profiles = load_base("quebec-2018").category_profiles
    cal = category_admissions()
    steps, start = 10, 2008
    weights = np.array([np.mean([cal[y], cal[y + 1]], axis=0) for y in range(start, start + steps)])
    immigrants = weights[:, :, None, None] * profiles[None]
    s, x, a, c = QUEBEC.n_states, 2, N_AGES, len(CATEGORIES)
    shares = fitted.all_category_shares(start, steps)
    entry = fitted.entry_shares(shares, weights)
    entry_traits = FrenchModel.entry_traits(entry, x)
    inputs = ProjectionInputs(
        space=QUEBEC,
        base_year=start,
        population=np.zeros((s, 2, x, a)),
        survival=np.ones((steps, x, a)),
        newborn_survival=np.ones((steps, x)),
        asfr=np.zeros((steps, a)),
        birth_sex_shares=np.full((steps, x), 0.5),
        emigration=np.zeros((steps, s, x, a)),
        interprovincial=np.zeros((steps, s, x, a)),
        immigrants=immigrants,
        npr_transition_share=np.zeros((steps, c)),
        n_traits=2,
        entry_traits=entry_traits[0],
        trait_transition=fitted.transition(QUEBEC, start, steps),
    )
    from immiplan.outcomes.run import FrenchInputs

    out = project_french(
        FrenchInputs(inputs, shares, entry, entry_traits, fitted, None)  # type: ignore[arg-type]
    )
    end = out.population[-1]  # (S, 2, X, A) on 1 July 2018
    expected = fitted.base_shares(QUEBEC, 2018)
    for cat in range(c):
        for d in range(steps):
            state = QUEBEC.state(CATEGORIES[cat], d)
            total = end[state].sum(axis=0)
            live = total > 1e-9
            np.testing.assert_allclose(
                end[state, CAN][live] / total[live], expected[state][live], rtol=1e-9
            )


# --- Entry shares ----------------------------------------------------------------------------


def test_split_by_category_hits_the_all_category_share() -> None:
    ref = np.array([0.754, 0.296, 0.296, 0.296])
    weights = np.array([[29195, 12285, 8835, 810], [20000, 20000, 1000, 0.0]])
    targets = np.array([0.42, 0.85])
    out = split_by_category(targets, weights, ref)
    means = (out * weights).sum(axis=1) / weights.sum(axis=1)
    np.testing.assert_allclose(means, targets, atol=1e-10)
    assert np.all((out >= 0) & (out <= 1))
    assert split_by_category(0.0, weights[0], ref).max() == 0.0
    assert split_by_category(1.0, weights[0], ref).min() == 1.0


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0.0, 1.0), high=st.floats(0.0, 1.0))
def test_split_by_category_is_monotone(low: float, high: float) -> None:
    low, high = min(low, high), max(low, high)
    ref = np.array([0.754, 0.296, 0.296, 0.296])
    weights = np.array([29195.0, 12285.0, 8835.0, 810.0])
    assert np.all(
        split_by_category(high, weights, ref) >= split_by_category(low, weights, ref) - 1e-12
    )


def test_plan_targets_override_the_published_share() -> None:
    model = french_model()
    shares = model.all_category_shares(2018, 4, {2019: 0.41, 2020: 0.49})
    np.testing.assert_allclose(shares, [0.41, 0.49, 0.49, 0.49])
    assert model.all_category_shares(2018, 2)[0] == load_french_parameters().admission_share_at(
        2019
    )


# --- Monotone response -----------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(low=st.floats(0.0, 1.0), bump=st.floats(0.0, 0.5))
def test_more_french_at_admission_never_lowers_future_knowledge(
    short: PreparedScenario, low: float, bump: float
) -> None:
    high = min(low + bump, 1.0)
    model = french_model()
    results = []
    for value in (low, high):
        french = add_french(short.inputs, targets={2019: value})
        out = project_french(french)
        results.append(known_french(out.population, QUEBEC, french.model.non_immigrant).sum(axis=1))
    assert np.all(results[1] >= results[0] - 1e-6)
    assert model.calibration.first_year > 0


# --- Bad parameters --------------------------------------------------------------------------


def test_a_french_target_above_one_is_rejected(short: PreparedScenario) -> None:
    with pytest.raises(InputError, match="french_knowledge_target") as info:
        add_french(short.inputs, targets={2019: 1.2})
    assert "1.2" in str(info.value)
    assert "[0, 1]" in str(info.value)


def test_a_rate_outside_the_unit_interval_is_rejected() -> None:
    params = load_french_parameters()
    with pytest.raises(InputError, match=r"outcomes\.french\.school_acquisition") as info:
        dataclasses.replace(params, school_acquisition=1.5)
    assert "1.5" in str(info.value)
    with pytest.raises(InputError, match="census_share_total"):
        dataclasses.replace(params, census_total=-0.1)


def test_an_unreachable_census_target_is_rejected(prepared: PreparedScenario) -> None:
    params = dataclasses.replace(load_french_parameters(), census_recent=0.999)
    with pytest.raises(InputError, match="census_share_recent_immigrants"):
        FrenchModel.build(load_base("quebec-2018").category_profiles, params)
    model = dataclasses.replace(
        french_model(), params=dataclasses.replace(load_french_parameters(), census_total=0.05)
    )
    with pytest.raises(InputError, match="non-immigrant share"):
        model.base_population(prepared.inputs.population[:, 0], QUEBEC, 2018)
