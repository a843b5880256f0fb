"""Temporary residents as flows: accounting, the flow balance and immsim's default policy.

immsim (pcmichaud/immsim, ``set_npr_policy``/``set_imm_policy``): 150,000 NPR entries a year
spread by the stock's age shape, a renewal rate of 0.88 (exits 12 % of the stock), transitions
of 6 % of the stock to permanent residence inside a 50,000 permanent cap. Its stock tends to
entries / (exit + transition) = 833,333, less what deaths, emigration and ageing explain.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from immiplan.errors import InputError
from immiplan.projection.engine import ProjectionInputs, project
from immiplan.projection.npr_policy import NprFlowPolicy, npr_flow_inputs
from immiplan.projection.state import N_AGES, QUEBEC
from immiplan.projection.synthetic import synthetic_inputs

NPR = QUEBEC.state("npr")
IMMSIM = NprFlowPolicy(entries={"work": 150_000}, renewal_rate=0.88, transition_rate=0.06)
IMMSIM_BALANCE = 150_000 / 0.18


def _young_profile() -> np.ndarray:
    """Entries aged 18–40, both sexes alike (an age shape like the NPR stock's)."""
    profile = np.zeros((2, N_AGES))
    profile[:, 18:41] = 1.0
    return profile / profile.sum()


def _with_policy(
    base: ProjectionInputs,
    policy: NprFlowPolicy,
    *,
    cap: float | None = None,
    npr_migration: bool = True,
) -> ProjectionInputs:
    """``base`` with the NPR stock following ``policy`` (and admissions scaled to ``cap``)."""
    steps = base.steps
    flows = npr_flow_inputs(policy, steps, {k: _young_profile() for k in policy.entries})
    exo = np.zeros_like(base.emigration) if base.net_migration is None else base.net_migration
    exo = exo.copy()
    exo[:, NPR] += flows.entries
    immigrants = base.immigrants
    if cap is not None:  # the cap, split evenly over categories, aged like the entries
        n_c = immigrants.shape[1]
        immigrants = np.broadcast_to(cap / n_c * _young_profile(), (steps, n_c, 2, N_AGES)).copy()
    emigration, interprovincial = base.emigration.copy(), base.interprovincial.copy()
    if not npr_migration:
        emigration[:, NPR] = 0.0
        interprovincial[:, NPR] = 0.0
    share = np.zeros_like(base.npr_transition_share)
    if flows.transition_share is not None:
        share[:] = flows.transition_share
    return dataclasses.replace(
        base,
        immigrants=immigrants,
        net_migration=exo,
        emigration=emigration,
        interprovincial=interprovincial,
        npr_state=NPR,
        npr_stock=None,
        npr_transition_share=share,
        npr_exit_rate=flows.exit_rate,
        npr_transition_rate=flows.transition_rate,
    )


def _npr_total(out: object) -> np.ndarray:
    return out.population[:, NPR].sum(axis=(-3, -2, -1))  # type: ignore[attr-defined]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    exit_rate=st.floats(0.0, 0.6),
    transition=st.floats(0.0, 0.4),
    h=st.sampled_from([0.0, 0.5, 1.0]),
    traits=st.sampled_from([1, 2]),
)
def test_the_accounting_identity_closes_with_npr_flows(
    seed: int, exit_rate: float, transition: float, h: float, traits: int
) -> None:
    base = synthetic_inputs(seed, steps=12, with_npr=False, n_traits=traits, migration_at_start=h)
    policy = NprFlowPolicy(
        entries={"work": 4000.0, "asylum": 1500.0}, exit_rate=exit_rate, transition_rate=transition
    )
    out = project(_with_policy(base, policy))
    totals = out.totals
    error = np.max(np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:])
    assert error < 1e-9
    assert out.npr_exits is not None and np.all(out.npr_exits >= 0)
    assert np.all(out.population >= -1e-9)


def test_transitions_are_inside_the_permanent_levels() -> None:
    base = synthetic_inputs(3, steps=10, with_npr=False)
    out = project(_with_policy(base, IMMSIM, cap=50_000.0))
    # Admissions stay the plan's level; transitions are a part of it, never more.
    np.testing.assert_allclose(out.immigrants.sum(axis=1), 50_000.0, rtol=1e-12)
    assert np.all(out.npr_transitions.sum(axis=1) <= 50_000.0 + 1e-6)
    assert np.all(out.npr_transitions.sum(axis=1) > 0)


def test_immsim_default_policy_reaches_the_flow_balance_without_deaths() -> None:
    # No deaths, births or migration rates (scale 0), entries at the end of the step as in
    # immsim (h = 0): the stock tends to exactly 150,000 / 0.18 = 833,333.
    base = synthetic_inputs(5, steps=120, with_npr=False, scale=0.0, migration_at_start=0.0)
    out = project(_with_policy(base, IMMSIM, cap=50_000.0))
    stock = _npr_total(out)
    assert stock[-1] == pytest.approx(IMMSIM_BALANCE, rel=1e-9)
    # At the balance transitions are 6 % of 833,333 = the whole 50,000 cap.
    assert out.npr_transitions[-1].sum() == pytest.approx(50_000.0, rel=1e-6)
    assert out.npr_exits is not None and out.npr_exits[-1] == pytest.approx(100_000.0, rel=1e-6)


def test_the_balance_is_reached_from_above_too() -> None:
    base = synthetic_inputs(6, steps=120, with_npr=False, scale=0.0, migration_at_start=0.0)
    inputs = _with_policy(base, IMMSIM, cap=50_000.0)
    population = inputs.population.copy()
    population[NPR] *= 2_000_000.0 / population[NPR].sum()  # far above the balance
    out = project(dataclasses.replace(inputs, population=population))
    stock = _npr_total(out)
    assert np.all(np.diff(stock) < 0)
    assert stock[-1] == pytest.approx(IMMSIM_BALANCE, rel=1e-6)


def test_mid_year_entries_face_the_years_exits() -> None:
    # With the UN timing (half the entries at the start), half the entries are exposed to
    # the year's exits and transitions: the balance is E/r − h·E (a convention, not a bug).
    base = synthetic_inputs(5, steps=120, with_npr=False, scale=0.0, migration_at_start=0.5)
    out = project(_with_policy(base, IMMSIM, cap=50_000.0))
    assert _npr_total(out)[-1] == pytest.approx(IMMSIM_BALANCE - 0.5 * 150_000, rel=1e-9)


def test_deaths_and_emigration_keep_the_stock_below_the_balance() -> None:
    base = synthetic_inputs(8, steps=120, with_npr=False, migration_at_start=0.0)
    no_migration = project(_with_policy(base, IMMSIM, cap=50_000.0, npr_migration=False))
    with_migration = project(_with_policy(base, IMMSIM, cap=50_000.0))
    deaths_only = _npr_total(no_migration)[-1]
    # Deaths of young temporary residents staying about five years are few (the synthetic
    # mortality is above Quebec's: 0.05 % at birth rising 8.9 % a year of age).
    assert 0.9 * IMMSIM_BALANCE < deaths_only < IMMSIM_BALANCE
    # The synthetic rates give net emigration of NPRs on average: the stock is lower still.
    assert _npr_total(with_migration)[-1] < deaths_only
    # Near the balance: the last step's change is small (the synthetic mortality varies
    # from year to year by ±20 %, so the stock never settles exactly).
    stock = _npr_total(no_migration)
    assert abs(stock[-1] - stock[-2]) < 2e-3 * stock[-1]


def test_the_already_resident_share_takes_transitions_as_a_share_of_admissions() -> None:
    base = synthetic_inputs(9, steps=8, with_npr=False, scale=0.0, migration_at_start=0.0)
    policy = NprFlowPolicy(entries={"study": 80_000}, exit_rate=0.2, already_resident_share=0.54)
    out = project(_with_policy(base, policy, cap=45_000.0))
    # Once the entries fill the stock at those ages, 54 % of the 45,000 come from it (the
    # 2026–2029 plan's 2026 share); before, no more than the cells hold.
    taken = out.npr_transitions.sum(axis=1)
    np.testing.assert_allclose(taken[1:], 0.54 * 45_000, rtol=1e-9)
    assert taken[0] <= 0.54 * 45_000
    np.testing.assert_allclose(out.immigrants.sum(axis=1), 45_000, rtol=1e-12)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"entries": {"work": 1}, "exit_rate": 0.7, "transition_rate": 0.4}, "exceed the stock"),
        ({"entries": {"work": 1}}, "exit_rate or renewal_rate"),
        ({"entries": {"work": 1}, "exit_rate": 0.1, "renewal_rate": 0.9}, "exit_rate or renewal"),
        ({"entries": {"visitors": 1}, "exit_rate": 0.1}, "Input should be"),
        ({"entries": {"work": float("nan")}, "exit_rate": 0.1}, "finite"),
        ({"entries": {"work": 1}, "exit_rate": True}, "valid number"),
        (
            {
                "entries": {"work": 1},
                "exit_rate": 0.1,
                "transition_rate": 0.1,
                "already_resident_share": 0.5,
            },
            "not both",
        ),
    ],
)
def test_bad_policies_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NprFlowPolicy.model_validate(fields)


def test_the_engine_refuses_rates_that_exceed_the_stock_and_mixed_policies() -> None:
    base = synthetic_inputs(1, steps=3, with_npr=True)
    rate = np.full((3, 2, N_AGES), 0.6)
    with pytest.raises(InputError, match="path or as flows"):
        dataclasses.replace(base, npr_exit_rate=rate)
    flows = dataclasses.replace(base, npr_stock=None, npr_transition_share=np.zeros((3, 4)))
    with pytest.raises(InputError, match="exceed the stock"):
        dataclasses.replace(flows, npr_exit_rate=rate, npr_transition_rate=rate)
    with pytest.raises(InputError, match="exclude a share"):
        dataclasses.replace(base, npr_stock=None, npr_transition_rate=rate)


def test_a_batched_run_of_npr_flows_equals_its_single_runs() -> None:
    base = synthetic_inputs(11, steps=10, with_npr=False)
    single = [
        _with_policy(base, NprFlowPolicy(entries={"work": 9000.0}, exit_rate=e, transition_rate=t))
        for e, t in ((0.12, 0.06), (0.3, 0.1))
    ]
    batched = dataclasses.replace(
        single[0],
        npr_exit_rate=np.stack([s.npr_exit_rate for s in single]),
        npr_transition_rate=np.stack([s.npr_transition_rate for s in single]),
    )
    out = project(batched)
    for r, inputs in enumerate(single):
        one = project(inputs)
        np.testing.assert_allclose(out.population[r], one.population, rtol=1e-12, atol=1e-9)
        assert out.npr_exits is not None and one.npr_exits is not None
        np.testing.assert_allclose(out.npr_exits[r], one.npr_exits, rtol=1e-12)
        np.testing.assert_allclose(out.npr_transitions[r], one.npr_transitions, rtol=1e-12)


def test_asylum_claimants_follow_their_own_path_beside_the_npr_flows() -> None:
    from immiplan.projection.state import CATEGORIES, N_DURATIONS, StateSpace

    space = StateSpace(
        leading=("non_immigrant",),
        categories=CATEGORIES,
        n_durations=N_DURATIONS,
        trailing=("npr", "asylum"),
    )
    npr, asylum = space.state("npr"), space.state("asylum")
    base = synthetic_inputs(4, steps=10, space=space, with_npr=False)
    runs = []
    for path in ({2019: 150_000, 2028: 100_000}, {2019: 80_000}):
        policy = NprFlowPolicy(
            entries={"work": 9000.0, "study": 3000.0},
            renewal_rate=0.88,
            transition_rate=0.06,
            asylum_stock=path,
        )
        profiles = {k: _young_profile() for k in ("work", "study", "asylum")}
        flows = npr_flow_inputs(policy, base.steps, profiles, base_year=base.base_year)
        exo = np.zeros_like(base.emigration)
        exo[:, npr] = flows.entries
        inputs = dataclasses.replace(
            base,
            net_migration=exo,
            npr_state=npr,
            npr_exit_rate=flows.exit_rate,
            npr_transition_rate=flows.transition_rate,
            asylum_state=asylum,
            asylum_stock=flows.asylum_stock,
        )
        out = project(inputs)
        held = out.population[1:, asylum].sum(axis=(-3, -2, -1))
        np.testing.assert_allclose(held, flows.asylum_stock.sum(axis=(1, 2)), rtol=1e-12)
        totals = out.totals
        error = np.max(np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:])
        assert error < 1e-9
        runs.append(out.population[:, npr].sum(axis=(-3, -2, -1)))
    # The path of asylum claimants does not move the NPR stock under its own policy.
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12)
    assert held[-1] == pytest.approx(80_000)


def test_asylum_claimants_on_a_path_have_no_entries() -> None:
    with pytest.raises(ValidationError, match="no entries"):
        NprFlowPolicy(entries={"asylum": 1.0}, exit_rate=0.1, asylum_stock={2026: 1.0})
