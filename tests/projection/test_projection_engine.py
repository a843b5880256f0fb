"""The multistate engine on synthetic inputs: accounting, null conditions, traits, ccmpp."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.projection.ccmpp import ccmpp, survival_ratios
from immiplan.projection.engine import ProjectionInputs, project, with_traits
from immiplan.projection.lifetable import life_table
from immiplan.projection.state import QUEBEC, StateSpace, one_group
from immiplan.projection.synthetic import synthetic_inputs


def _identity_error(inputs: ProjectionInputs) -> float:
    out = project(inputs)
    totals = out.totals
    growth = out.growth_from_components()
    return float(np.max(np.abs(np.diff(totals) - growth) / totals[1:]))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    steps=st.integers(1, 12),
    h=st.sampled_from([0.0, 0.5, 1.0, 0.3]),
    w=st.sampled_from([0.0, 0.5, 1.0]),
    k=st.integers(1, 3),
    npr=st.booleans(),
    exo=st.booleans(),
)
def test_accounting_identity_closes_every_year(
    seed: int, steps: int, h: float, w: float, k: int, npr: bool, exo: bool
) -> None:
    inputs = synthetic_inputs(
        seed,
        steps=steps,
        n_traits=k,
        migration_at_start=h,
        birth_exposure_end=w,
        with_npr=npr,
        with_exogenous=exo,
        with_transition=k > 1,
    )
    assert _identity_error(inputs) < 1e-9


def test_the_identity_check_would_catch_a_lost_cohort() -> None:
    inputs = synthetic_inputs(5, steps=3)
    out = project(inputs)
    damaged = out.population.copy()
    damaged[2, 0, 0, 0, 40] *= 0.5  # lose half of one cell
    totals = damaged.sum(axis=(1, 2, 3, 4))
    assert np.max(np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:]) > 1e-9


def _pure_ageing_inputs(steps: int = 6) -> ProjectionInputs:
    base = synthetic_inputs(7, steps=steps, with_npr=False, scale=0.0)
    return dataclasses.replace(
        base,
        survival=np.ones_like(base.survival),
        newborn_survival=np.ones_like(base.newborn_survival),
    )


def test_no_deaths_births_or_migration_is_pure_ageing() -> None:
    inputs = _pure_ageing_inputs()
    out = project(inputs)
    p0 = inputs.population
    p1 = out.population[1]
    blk = QUEBEC.block
    # Single states: a -> a + 1, the open group keeps its own.
    for s in (QUEBEC.state("non_immigrant"), QUEBEC.state("npr")):
        np.testing.assert_allclose(p1[s, ..., 1:100], p0[s, ..., 0:99])
        np.testing.assert_allclose(p1[s, ..., 100], p0[s, ..., 99] + p0[s, ..., 100])
        np.testing.assert_array_equal(p1[s, ..., 0], 0.0)
    # Immigrant block: d -> d + 1 with 10+ absorbing, and a -> a + 1.
    src = p0[blk].reshape(4, 11, *p0.shape[1:])
    dst = p1[blk].reshape(4, 11, *p0.shape[1:])
    np.testing.assert_array_equal(dst[:, 0], 0.0)
    np.testing.assert_allclose(dst[:, 1:10, ..., 1:100], src[:, 0:9, ..., 0:99])
    np.testing.assert_allclose(dst[:, 10, ..., 1:100], src[:, 9, ..., 0:99] + src[:, 10, ..., 0:99])
    np.testing.assert_allclose(dst[:, 10, ..., 100], src[:, 9:, ..., 99:].sum(axis=(1, -1)))
    np.testing.assert_allclose(out.totals, out.totals[0])
    assert np.all(out.births == 0) and np.all(out.deaths == 0)


def test_equal_sexes_stay_equal() -> None:
    base = synthetic_inputs(11, steps=10, with_npr=True)
    pop = base.population.copy()
    pop[:, :, 1] = pop[:, :, 0]

    def same(arr: np.ndarray, axis: int) -> np.ndarray:
        out = arr.copy()
        np.moveaxis(out, axis, 0)[1] = np.moveaxis(arr, axis, 0)[0]
        return out

    inputs = dataclasses.replace(
        base,
        population=pop,
        survival=same(base.survival, 1),
        newborn_survival=same(base.newborn_survival, 1),
        birth_sex_shares=np.full_like(base.birth_sex_shares, 0.5),
        emigration=same(base.emigration, 2),
        interprovincial=same(base.interprovincial, 2),
        immigrants=same(base.immigrants, 2),
        npr_stock=same(np.asarray(base.npr_stock), 1),
    )
    out = project(inputs)
    np.testing.assert_allclose(
        out.population[:, :, :, 0], out.population[:, :, :, 1], rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(out.births[:, 0], out.births[:, 1])


def test_totals_do_not_depend_on_the_trait_split() -> None:
    one = synthetic_inputs(3, steps=15, with_npr=True, with_exogenous=True)
    rng = np.random.default_rng(9)
    split = rng.uniform(0.0, 1.0, one.population.shape[:1] + one.population.shape[2:])
    pop2 = np.stack([one.population[:, 0] * split, one.population[:, 0] * (1 - split)], axis=1)
    two = dataclasses.replace(
        one,
        population=pop2,
        n_traits=2,
        entry_traits=rng.dirichlet([1.0, 1.0], (4, 2, 101)),
        npr_entry_traits=rng.dirichlet([1.0, 1.0], (2, 101)),
        newborn_trait=1,
        trait_transition=rng.uniform(0.0, 0.3, (15, 46, 1, 2, 101)),
    )
    out1 = project(one)
    out2 = project(two)
    np.testing.assert_allclose(
        out2.population.sum(axis=2), out1.population[:, :, 0], rtol=1e-10, atol=1e-6
    )
    np.testing.assert_allclose(out2.births, out1.births, rtol=1e-12)
    np.testing.assert_allclose(out2.deaths, out1.deaths, rtol=1e-12)
    np.testing.assert_allclose(out2.npr_transitions, out1.npr_transitions, rtol=1e-12)
    # ... and the traits do move: trait 1 gains from the progression.
    assert out2.population[-1, :, 1].sum() > pop2[:, 1].sum()


def test_a_trait_transition_function_sees_survivors_and_moves_people() -> None:
    base = synthetic_inputs(4, steps=5, n_traits=2, with_npr=False)
    seen: list[tuple[int, int, tuple[int, ...]]] = []

    def everyone_learns(step: int, year: int, survivors: np.ndarray) -> np.ndarray:
        seen.append((step, year, survivors.shape))
        return np.ones((1, 1, 1, 1))

    inputs = dataclasses.replace(base, trait_transition=everyone_learns, newborn_trait=0)
    out = project(inputs)
    assert seen[0] == (0, 2018, (46, 2, 2, 101)) and len(seen) == 5
    # After a step only arrivals and newborns can be in trait 0.
    stock = out.population[1][:, 0].copy()
    stock[QUEBEC.entry_states()] = 0.0
    stock[0, :, 0] = 0.0
    stock[QUEBEC.state("npr")] = 0.0
    assert stock.sum() == pytest.approx(0.0, abs=1e-6)


def test_newborns_are_non_immigrants_whatever_the_mothers_group() -> None:
    inputs = synthetic_inputs(2, steps=3)
    out = project(inputs)
    age0 = out.population[1][..., 0]  # (S, K, X)
    npr = QUEBEC.state("npr")
    others = np.delete(age0, [0, npr], axis=0)
    assert others.sum() == 0.0
    expected = out.births[0] * inputs.newborn_survival[0]
    # The NPR path may also hold children aged 0 (arrivals); non-immigrants hold only births.
    np.testing.assert_allclose(age0[0, 0], expected)


def test_immigrants_land_at_duration_zero_and_transitions_stay_inside_the_level() -> None:
    base = synthetic_inputs(8, steps=1, with_npr=True)
    share = np.full_like(base.npr_transition_share, 0.5)
    stock = base.population.copy()
    stock[QUEBEC.state("npr")] = 1e6  # plenty of NPRs: every demanded transition happens
    inputs = dataclasses.replace(base, npr_transition_share=share, population=stock)
    out = project(inputs)
    np.testing.assert_allclose(out.immigrants[0], base.immigrants[0].sum(axis=(1, 2)))
    np.testing.assert_allclose(out.npr_transitions[0], 0.5 * out.immigrants[0])
    # Arrivals from abroad are only the other half.
    growth = out.growth_from_components()[0]
    assert growth == pytest.approx(np.diff(out.totals)[0], rel=1e-12)


def test_transitions_are_capped_by_the_npr_stock() -> None:
    base = synthetic_inputs(8, steps=1, with_npr=True)
    pop = base.population.copy()
    pop[QUEBEC.state("npr")] = 0.0
    inputs = dataclasses.replace(
        base, population=pop, npr_transition_share=np.ones_like(base.npr_transition_share)
    )
    out = project(inputs)
    assert out.npr_transitions.sum() == 0.0
    assert out.immigrants.sum() > 0


def _ccmpp_case(timing: Literal["even", "end"]) -> tuple[np.ndarray, ProjectionInputs]:
    rng = np.random.default_rng(3)
    a, t = 101, 6
    ages = np.arange(a)
    mx = np.minimum(np.stack([4e-4 * np.exp(0.09 * ages), 5e-4 * np.exp(0.09 * ages)]), 0.9)
    tables = [life_table(mx[0], sex="female"), life_table(mx[1], sex="male")]
    ratios = np.stack([survival_ratios(lt.Lx) for lt in tables])
    pop = rng.uniform(1000, 5000, (2, a))
    asfr = np.zeros(a)
    asfr[15:50] = 0.05
    nm = rng.uniform(-20, 50, (t, 2, a))
    ref = ccmpp(
        pop[0],
        pop[1],
        tables[0].Lx,
        tables[1].Lx,
        asfr,
        nm[:, 0],
        nm[:, 1],
        srb=1.05,
        steps=t,
        migration_timing=timing,
    )
    sv = np.empty((2, a))
    sv[:, :99] = ratios[:, 1:100]
    sv[:, 99:] = ratios[:, 100:]
    space = StateSpace(leading=(), categories=("population",), n_durations=1, trailing=())
    inputs = ProjectionInputs(
        space=space,
        base_year=2000,
        population=pop[None, None],
        survival=np.broadcast_to(sv, (t, 2, a)),
        newborn_survival=np.broadcast_to(ratios[:, 0], (t, 2)),
        asfr=np.broadcast_to(asfr, (t, a)),
        birth_sex_shares=np.broadcast_to([1 / 2.05, 1.05 / 2.05], (t, 2)),
        emigration=np.zeros((t, 1, 2, a)),
        interprovincial=np.zeros((t, 1, 2, a)),
        immigrants=np.zeros((t, 1, 2, a)),
        npr_transition_share=np.zeros((t, 1)),
        net_migration=nm[:, None],
        migration_at_start=0.5 if timing == "even" else 0.0,
    )
    return ref.population, inputs


def test_one_state_reproduces_the_un_ccmpp_even_timing() -> None:
    # (With "end" timing ccmpp leaves the end migrants out of the births' exposure; the
    # engine counts the whole end population, as the ISQ's crude birth rate does.)
    expected, inputs = _ccmpp_case("even")
    out = project(inputs)
    np.testing.assert_allclose(out.population[:, 0, 0], expected, rtol=1e-12, atol=1e-9)


def test_one_group_layout_has_a_single_state() -> None:
    space = one_group()
    assert space.n_states == 1 and space.n_sexes == 1
    assert list(space.entry_states()) == [0] and space.newborn_state == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"survival": 1.5}, "survival"),
        ({"asfr": -0.1}, "asfr"),
        ({"immigrants": -1.0}, "immigrants"),
        ({"npr_transition_share": 2.0}, "npr_transition_share"),
        ({"emigration": 3.0}, "emigration"),
        ({"population": -5.0}, "population"),
    ],
)
def test_bad_arrays_are_input_errors(change: dict[str, float], field: str) -> None:
    base = synthetic_inputs(1, steps=2)
    ((name, value),) = change.items()
    array = np.array(getattr(base, name), dtype=float)
    array.flat[0] = value
    changes: dict[str, Any] = {name: array}
    with pytest.raises(InputError) as err:
        dataclasses.replace(base, **changes)
    assert err.value.field == field


def test_wrong_shape_is_an_input_error() -> None:
    base = synthetic_inputs(1, steps=2)
    with pytest.raises(InputError, match="shape"):
        dataclasses.replace(base, immigrants=np.zeros((2, 3, 2, 101)))


def test_state_layout_round_trips_through_group_and_duration() -> None:
    rng = np.random.default_rng(0)
    compact = rng.uniform(size=(3, 46, 2, 101))
    full = QUEBEC.unflatten(compact, axis=1)
    assert full.shape == (3, 6, 11, 2, 101)
    np.testing.assert_array_equal(QUEBEC.flatten(full, axis=1), compact)
    assert full[:, 0, 1:].sum() == 0 and full[:, 5, 1:].sum() == 0
    np.testing.assert_array_equal(full[:, 2, 4], compact[:, QUEBEC.state("family", 4)])
    assert QUEBEC.n_states == 46 and QUEBEC.state("npr") == 45
    assert QUEBEC.state("economic", 0) == 1 and QUEBEC.state("other", 10) == 44


def test_with_traits_splits_the_population_and_keeps_totals() -> None:
    one = synthetic_inputs(6, steps=8)
    rng = np.random.default_rng(2)
    shares = rng.dirichlet([1.0, 2.0], (46, 2, 101))
    two = with_traits(
        one,
        shares,
        entry_traits=np.broadcast_to([0.3, 0.7], (4, 2, 101, 2)),
        npr_entry_traits=np.broadcast_to([0.5, 0.5], (2, 101, 2)),
        trait_transition=np.full((8, 46, 1, 2, 101), 0.1),
    )
    assert two.n_traits == 2 and two.population.shape == (46, 2, 2, 101)
    np.testing.assert_allclose(two.population[:, 1], one.population[:, 0] * shares[..., 1])
    np.testing.assert_allclose(
        project(two).population.sum(axis=2), project(one).population[:, :, 0], rtol=1e-10
    )
    with pytest.raises(InputError, match="sum to 1"):
        with_traits(one, np.full((46, 2, 101, 2), 0.7))
    with pytest.raises(InputError, match="already"):
        with_traits(two, shares)


def test_arrivals_trait_shares_may_change_step_by_step() -> None:
    base = synthetic_inputs(12, steps=4, n_traits=2, with_npr=True)
    by_step = np.zeros((4, 4, 2, 101, 2))
    by_step[..., 0] = np.array([1.0, 0.0, 1.0, 0.0])[:, None, None, None]
    by_step[..., 1] = 1.0 - by_step[..., 0]
    npr_by_step = np.zeros((4, 2, 101, 2))
    npr_by_step[..., 1] = 1.0
    inputs = dataclasses.replace(
        base,
        population=np.zeros_like(base.population),
        entry_traits=by_step,
        npr_entry_traits=npr_by_step,
        npr_transition_share=np.zeros_like(base.npr_transition_share),
    )
    out = project(inputs)
    entry = QUEBEC.entry_states()
    # Step 0 arrivals all in trait 0, step 1 all in trait 1 (duration 0 on 1 July).
    assert out.population[1][entry, 1].sum() == 0 and out.population[1][entry, 0].sum() > 0
    assert out.population[2][entry, 0].sum() == 0 and out.population[2][entry, 1].sum() > 0
    assert out.population[1][QUEBEC.state("npr"), 0].sum() == 0
