"""The selection link: a selection scenario's cohort shapes the economic admissions, and a
reformed grid moves the French outcomes the expected way; the scenario's outcome switches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.outcomes.run import (
    OutcomeOptions,
    OutcomeResult,
    add_french,
    economic_entry,
    project_french,
    run_with_outcomes,
)
from immiplan.projection.scenario import (
    EconomicSelection,
    PreparedScenario,
    load_scenario,
    prepare,
)
from immiplan.projection.state import CATEGORIES, QUEBEC
from immiplan.system.parameters import data_root

ECON = CATEGORIES.index("economic")


def _doc(**changes: Any) -> dict[str, Any]:
    text = (Path(str(data_root())) / "scenarios" / "quebec-2019-plan.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    doc.update(changes)
    return dict(doc)


def _write(folder: Path, name: str, doc: dict[str, Any]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def grids(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OutcomeResult]:
    """The reference plan with the 2019 grid and with the reformed grid (more French points)."""
    folder = tmp_path_factory.mktemp("scenarios")
    out = {}
    for name in ("quebec-2019", "quebec-2019-more-french"):
        path = _write(folder, name, _doc(name=name, selection={"scenario": name}))
        out[name] = run_with_outcomes(path, horizon=2035)
    return out


def _indicator(result: OutcomeResult, group: str, indicator: str) -> np.ndarray:
    return result.table(group).set_index("year")[indicator].to_numpy()


def test_more_french_points_raise_the_french_outcomes(grids: dict[str, OutcomeResult]) -> None:
    base, reform = grids["quebec-2019"], grids["quebec-2019-more-french"]
    base_share = base.calibration["selection"]["french_share"]
    reform_share = reform.calibration["selection"]["french_share"]
    assert reform_share > base_share + 0.05  # docs/selection.md §9: 76.8 % -> 86.6 %
    # Same base year; from the first projected year on, more French at every level.
    for group in ("all", "immigrants", "landed_under_5", "economic"):
        low = _indicator(base, group, "french_share")
        high = _indicator(reform, group, "french_share")
        assert high[0] == pytest.approx(low[0], abs=1e-12)
        assert np.all(high[1:] > low[1:]), group
    # Fewer adults admitted without French, so fewer francization students and a lower cost.
    for indicator in ("admitted_adults_without_french", "francization_students"):
        low, high = _indicator(base, "all", indicator), _indicator(reform, "all", indicator)
        assert np.all(high[:-1] < low[:-1]), indicator


def test_the_economic_entry_share_is_the_selected_cohorts(
    grids: dict[str, OutcomeResult],
) -> None:
    result = grids["quebec-2019-more-french"]
    prepared = result.projection.prepared
    selection = prepared.selection
    assert selection is not None
    french = add_french(prepared.inputs, selection=selection)
    full = selection.weight >= 1.0
    np.testing.assert_allclose(french.entry[full, ECON], selection.french_share)
    # The admissions-weighted all-category share is recomputed from the categories.
    weights = prepared.inputs.immigrants.sum(axis=(2, 3))
    np.testing.assert_allclose(
        french.all_shares, (french.entry * weights).sum(axis=1) / weights.sum(axis=1)
    )


@pytest.fixture(scope="module")
def short() -> PreparedScenario:
    return prepare(load_scenario("quebec-2019-plan"), horizon=2026)


def _selection(share: float, steps: int, weight: float = 1.0) -> EconomicSelection:
    profile = np.zeros((2, 101))
    profile[:, 30] = 0.5
    return EconomicSelection(
        scenario="test",
        from_year=2019,
        french_share=share,
        profile=profile,
        weight=np.full(steps, weight),
        principals=1,
        persons=1.0,
        mean_age=30.0,
    )


@settings(max_examples=30, deadline=None)
@given(
    low=st.floats(0.0, 1.0),
    bump=st.floats(0.0, 1.0),
    weight=st.floats(0.0, 1.0),
)
def test_economic_entry_is_monotone_in_the_selected_share(
    low: float, bump: float, weight: float
) -> None:
    high = min(low + bump, 1.0)
    rng = np.random.default_rng(7)
    entry = rng.uniform(0, 1, (5, 4))
    a = economic_entry(entry, _selection(low, 5, weight))
    b = economic_entry(entry, _selection(high, 5, weight))
    assert np.all(b[:, ECON] >= a[:, ECON] - 1e-15)
    np.testing.assert_array_equal(a[:, 1:], entry[:, 1:])
    assert np.all((a >= 0) & (a <= 1))


@settings(max_examples=6, deadline=None)
@given(low=st.floats(0.0, 1.0), bump=st.floats(0.0, 0.6))
def test_a_higher_selected_french_share_never_lowers_future_knowledge(
    short: PreparedScenario, low: float, bump: float
) -> None:
    from immiplan.outcomes.french import known_french

    high = min(low + bump, 1.0)
    known = []
    for share in (low, high):
        french = add_french(short.inputs, selection=_selection(share, short.inputs.steps))
        out = project_french(french)
        known.append(known_french(out.population, QUEBEC, french.model.non_immigrant).sum(axis=1))
    assert np.all(known[1] >= known[0] - 1e-6)


# --- Conservation: the French split never changes totals ----------------------------------------


@settings(max_examples=6, deadline=None)
@given(
    targets=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4),
    share=st.floats(0.0, 1.0),
)
def test_the_french_split_never_changes_totals(
    short: PreparedScenario, targets: list[float], share: float
) -> None:
    """Whatever the entry shares (plan targets by year, a selected economic share), every
    cell's persons summed over the trait equal the one-trait projection's."""
    from immiplan.projection.engine import project

    plan = {2019 + i: value for i, value in enumerate(targets)}
    french = add_french(
        short.inputs, targets=plan, selection=_selection(share, short.inputs.steps, 0.5)
    )
    two = project_french(french)
    one = project(short.inputs)
    np.testing.assert_allclose(
        two.population.sum(axis=2), one.population.sum(axis=2), rtol=1e-10, atol=1e-6
    )
    assert two.population.min() >= -1e-9


# --- The scenario's outcome switches -------------------------------------------------------------


def test_run_with_outcomes_honours_the_scenario_switches(tmp_path: Path) -> None:
    path = _write(tmp_path, "s", _doc(outcomes={"french": False, "francization": False}))
    result = run_with_outcomes(path, horizon=2022)
    indicators = set(result.outcomes["indicator"])
    assert "labour_force" in indicators and "french_share" not in indicators
    assert result.options == OutcomeOptions(french=False, labour=True, francization=False)
    assert "trait" not in result.projection.dataset.dims
    # Explicit options win over the scenario's.
    forced = run_with_outcomes(path, horizon=2022, options=OutcomeOptions())
    assert "french_share" in set(forced.outcomes["indicator"])
