"""The inverse planner against independent forward runs of its answers.

Each answer is written as an ordinary scenario file (levels year by year) and run through
``run_with_outcomes`` — the same pipeline as ``immiplan project`` — so the checks do not
reuse the solver's own arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiplan.projection.state import CATEGORIES
from immiplan.solver import build_context, solve

Forward = Callable[..., pd.DataFrame]
YEARS = (2019, 2050)


def test_constant_level_meets_the_target_and_one_percent_less_does_not(forward: Forward) -> None:
    answer = solve(["population_20_64 >= population_20_64[base]"], years=YEARS)
    assert answer.feasible and answer.constant_level is not None
    base = forward(answer).loc[2018, "population_20_64"]
    at = forward(answer)["population_20_64"].loc[2019:2050]
    assert (at >= base * (1 - 1e-9)).all()
    below = forward(answer, scale=0.99)["population_20_64"].loc[2019:2050]
    assert (below < base).any()
    # The binding year is where the floor is reached exactly.
    year = answer.targets[0].binding_years[0]
    assert at.loc[year] == pytest.approx(base, rel=1e-9)


def test_ratio_target_holds_at_the_answer_and_fails_one_percent_below(forward: Forward) -> None:
    answer = solve(["support_ratio[2050] >= 2.35"], years=YEARS)
    assert answer.feasible
    assert forward(answer).loc[2050, "support_ratio"] >= 2.35 * (1 - 1e-9)
    assert forward(answer, scale=0.99).loc[2050, "support_ratio"] < 2.35


def test_path_optimum_equals_the_forward_run(forward: Forward) -> None:
    targets = [
        "population_20_64 >= population_20_64[base]",
        "population[2050] >= 9_800_000",
        "support_ratio[2050] >= 2.3",
    ]
    answer = solve(targets, years=YEARS, shape="path")
    assert answer.feasible
    assert answer.verification.max_relative_error <= 1e-6
    table = forward(answer)
    # The linear programme's indicators are the forward run's, to 1e-6 relative.
    mine = answer.indicators.set_index("year")
    for name in ("population", "population_20_64", "support_ratio"):
        np.testing.assert_allclose(mine[name].loc[2018:2050], table[name].loc[2018:2050], rtol=1e-6)
    # Every binding row sits exactly on its bound in the forward run.
    floor = table.loc[2018, "population_20_64"]
    for year in answer.targets[0].binding_years:
        assert table.loc[year, "population_20_64"] == pytest.approx(floor, rel=1e-6)
    for result in answer.targets:
        assert result.holds


def test_ottawas_categories_keep_their_path() -> None:
    ctx = build_context("quebec-2018", None, YEARS[1])
    accord = solve(["population[2050] >= 9.5e6"], years=YEARS, regime="accord-1991")
    control = solve(["population[2050] >= 9.5e6"], years=YEARS, regime="quebec-control")
    family = CATEGORIES.index("family")
    base_family = [ctx.levels[y][family] for y in range(YEARS[0], YEARS[1] + 1)]
    np.testing.assert_allclose(accord.levels["family"], base_family, rtol=1e-12)
    assert "family" not in accord.decision.controlled
    assert "family" in control.decision.controlled
    # Both reach the same population; with every category in hand it takes fewer of the
    # province's own admissions, since Ottawa's part now counts toward the level.
    assert control.levels["total"].iloc[0] == pytest.approx(
        accord.levels["total"].iloc[0], rel=0.05
    )


def test_shadow_price_matches_a_second_solve() -> None:
    low = solve(["population_20_64[2050] >= 5_200_000"], years=YEARS)
    high = solve(["population_20_64[2050] >= 5_210_000"], years=YEARS)
    per_person = low.targets[0].shadow_price / 1000.0  # quoted per 1,000 persons
    years = len(low.decision.years)
    observed = (high.constant_level - low.constant_level) * years / 10_000
    assert per_person == pytest.approx(observed, rel=0.02)
    assert low.constant_level < high.constant_level


def test_a_cap_that_binds_is_found_and_the_model_rebuilt(forward: Forward) -> None:
    answer = solve(["population[2050] >= 13_000_000"], years=YEARS)
    assert answer.feasible
    assert answer.verification.linearisations >= 2
    assert answer.verification.max_relative_error <= 1e-9
    assert forward(answer).loc[2050, "population"] >= 13e6 * (1 - 1e-9)


def test_out_of_reach_is_an_answer_with_the_closest_value() -> None:
    answer = solve(["share_65_plus[2040] <= 15%"], years=YEARS, bounds=(0, 100_000))
    assert answer.status == "infeasible"
    assert not answer.targets[0].holds
    # The closest is as many admissions as the bounds allow.
    assert answer.constant_level == pytest.approx(100_000, rel=1e-9)
    assert answer.targets[0].value > 0.15
    assert "No level" in answer.summary()[0] and "closest" in answer.targets[0].words


def test_un_scenario_iv_by_name(forward: Forward) -> None:
    answer = solve(["un-iv"], years=YEARS, regime="quebec-control")
    assert answer.feasible
    table = forward(answer)
    reference = answer.targets[0].required
    start = min(answer.targets[0].binding_years)
    assert (table["population_15_64"].loc[start:2050] >= reference * (1 - 1e-9)).all()
    assert forward(answer, scale=0.99)["population_15_64"].loc[start:2050].min() < reference


def test_more_ambitious_targets_need_more(forward: Forward) -> None:
    levels = [
        solve([f"labour_force[2045] >= {x}"], years=YEARS).constant_level
        for x in (4.7e6, 4.8e6, 4.9e6)
    ]
    assert levels == sorted(levels) and levels[0] < levels[-1]


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    year=st.integers(2030, 2050),
    floor=st.floats(4.9e6, 5.6e6),
    regime=st.sampled_from(["accord-1991", "quebec-control"]),
)
def test_any_reachable_floor_holds_at_the_answer_and_not_below(
    year: int, floor: float, regime: str
) -> None:
    answer = solve([f"population_20_64[{year}] >= {floor}"], years=YEARS, regime=regime)
    value = answer.indicators.set_index("year").loc[year, "population_20_64"]
    if answer.feasible and answer.constant_level and answer.constant_level > 0:
        assert value >= floor * (1 - 1e-9)
        assert answer.verification.max_relative_error <= 1e-6
    else:  # met with no admissions at all, or out of reach: never short of a reachable floor
        assert answer.feasible or answer.constant_level == pytest.approx(answer.decision.upper)


def test_an_equality_is_met_exactly(forward: Forward) -> None:
    answer = solve(["population[2050] = 9_600_000"], years=YEARS)
    assert answer.feasible
    assert forward(answer).loc[2050, "population"] == pytest.approx(9.6e6, rel=1e-9)


def test_a_path_keeps_its_yearly_change_bound() -> None:
    answer = solve(
        ["population_20_64[2030:2050] >= population_20_64[base]"],
        years=YEARS,
        shape="path",
        max_change=8000,
    )
    level = answer.levels["controlled"].to_numpy()
    steps = np.abs(np.diff(np.concatenate([[answer.decision.previous], level])))
    assert steps.max() <= 8000 * (1 + 1e-9)
    assert answer.feasible and answer.targets[0].holds


def test_a_free_mix_stays_in_its_category_bounds() -> None:
    bounds = {"economic": (20_000, 90_000), "refugees": (2_000, 5_000), "other": (0, 1_000)}
    answer = solve(
        ["labour_force[2050] >= 5_000_000"], years=YEARS, mix="free", category_bounds=bounds
    )
    assert answer.feasible
    for name, (low, high) in bounds.items():
        column = answer.levels[name].to_numpy()
        fixed = answer.decision.fixed[:, CATEGORIES.index(name)]
        assert ((column - fixed >= low - 1e-6) & (column - fixed <= high + 1e-6)).all()
    ctx = build_context("quebec-2018", None, YEARS[1])
    family = CATEGORIES.index("family")
    np.testing.assert_allclose(
        answer.levels["family"], [ctx.levels[y][family] for y in range(2019, 2051)], rtol=1e-12
    )


def test_chance_constrained_level_is_met_in_that_share_of_the_draws() -> None:
    target = ["population_20_64[2050] >= population_20_64[base]"]
    central = solve(target, years=YEARS)
    chance = solve(target, years=YEARS, probability=0.9, draws=40, seed=3)
    assert chance.level is not None and chance.achieved >= 0.9
    # The draws' own least levels: the answer is their 90th percentile (the 36th of 40).
    ordered = np.sort(chance.required)
    assert ordered[35] == pytest.approx(chance.level, rel=1e-9)
    assert ordered[0] < central.constant_level < ordered[-1]
    # Half as sure needs less.
    half = solve(target, years=YEARS, probability=0.5, draws=40, seed=3)
    assert half.level < chance.level


def test_chance_constraint_on_knowledge_of_french_uses_the_same_draws() -> None:
    # More admissions raise the 20-64 group and lower the French share: a floor and a cap.
    floor = "population_20_64[2040] >= population_20_64[base]"
    years = (2019, 2040)
    alone = solve([floor], years=years, probability=0.9, draws=40, seed=3)
    both = solve(
        [floor, "french_share[2040] >= 0.93"], years=years, probability=0.9, draws=40, seed=3
    )
    assert alone.level is not None and both.level is not None
    # A cap no draw comes near leaves the answer as it was: the two-trait model gets the
    # same draws, and totals never depend on the trait.
    loose = solve(
        [floor, "french_share[2040] >= 0.5"], years=years, probability=0.9, draws=40, seed=3
    )
    assert loose.level == pytest.approx(alone.level, rel=1e-9)
    assert both.achieved >= 0.9
    # The cap removes draws' intervals from above: it can only raise the least level.
    assert both.level >= alone.level - 1e-6
    # A cap tighter than most draws allow: no answer, but the closest one and its share.
    tight = solve(
        [floor, "french_share[2040] >= 0.935"], years=years, probability=0.9, draws=40, seed=3
    )
    assert tight.level is None and tight.closest is not None
    assert 0.0 <= tight.achieved < 0.9
    assert "the most any level reaches" in tight.summary()[0]
    assert np.isfinite(list(tight.to_dict()["required_quantiles"].values())).any()


@settings(max_examples=200, deadline=None)
@given(
    floors=st.lists(st.floats(-1e5, 1e5) | st.just(-np.inf), min_size=10, max_size=40),
    caps=st.lists(st.floats(-1e5, 2e5) | st.just(np.inf), min_size=40, max_size=40),
    low=st.floats(0, 5e4),
    width=st.floats(1, 1e5),
    probability=st.floats(0.05, 0.95),
)
def test_each_draws_least_level_and_the_answer_agree(
    floors: list[float], caps: list[float], low: float, width: float, probability: float
) -> None:
    from immiplan.solver.chance import _least, _required

    lower = np.array(floors)
    high = low + width
    need = int(np.ceil(probability * lower.size - 1e-9))
    # Floors alone: the answer is the need-th smallest least level (inf: none).
    no_cap = np.full(lower.size, np.inf)
    required = _required(lower, no_cap, low, high)
    answer = _least(lower, no_cap, probability, low, high)
    kth = np.sort(required)[need - 1]
    assert (answer is None and kth > high) or answer == pytest.approx(kth, abs=1e-6)
    # With caps: a draw whose interval misses the bounds needs no level (inf), and the
    # answer, when there is one, lies in the intervals of at least ``need`` draws, at or
    # above the need-th smallest least level.
    upper = np.array(caps[: lower.size])
    required = _required(lower, upper, low, high)
    misses = (lower > upper) | (upper < low - 1e-9) | (lower > high + 1e-9)
    assert np.isinf(required[misses]).all() and np.isfinite(required[~misses]).all()
    answer = _least(lower, upper, probability, low, high)
    if answer is not None:
        inside = (lower <= answer + 1e-9) & (answer <= upper + 1e-9)
        assert inside.sum() >= need and low - 1e-9 <= answer <= high + 1e-9
        assert answer >= np.sort(required)[need - 1] - 1e-6
