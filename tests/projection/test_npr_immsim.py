"""immsim's default NPR policy run in immiplan's engine on the ISQ 2024 inputs.

pcmichaud/immsim (``immsim.py``, ``proj(2025)``) starts from 614,577 NPRs on 1 July 2024,
spreads 150,000 entries a year by ISQ's NPR age shape, takes exits of 12 % and transitions of
6 % of the stock a year of age younger the year before, and caps transitions at 50,000
permanent admissions. Its NPRs neither die nor migrate, and its 100+ NPRs are dropped each
year. immiplan runs the same policy with the same start and entries; its NPRs die at ISQ's
rates. The stock with deaths sits below immsim's by what those deaths explain; the flow
balance 150,000 / 0.18 = 833,333 bounds both. docs/validation.md tabulates the paths.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from immiplan.projection.engine import ProjectionInputs, ProjectionOutputs, project
from immiplan.projection.state import N_AGES, StateSpace

LAYOUT = StateSpace(
    leading=("resident",),
    categories=("permanent",),
    n_durations=1,
    trailing=("npr",),
    sexes=("both",),
)
NPR = LAYOUT.state("npr")
START_STOCK = 614_577.0  # immsim's 1 July 2024 NPR stock (its proj() rescales ISQ's to it)
BALANCE = 150_000 / 0.18
# immsim's NPR stock on 1 July, from running its proj(2025) with the default policy
# (pcmichaud/immsim at 9921ad4, on the ISQ 2024 inputs in ../shared/validation/isq).
IMMSIM_NPR = {
    2025: 656_576,
    2026: 688_393,
    2027: 714_482,
    2030: 767_803,
    2035: 809_030,
    2040: 824_304,
    2050: 832_051,
    2060: 833_106,
    2070: 833_247,
}


def _table(frame: pd.DataFrame, column: str, years: range) -> np.ndarray:
    wide = frame.pivot(index="year", columns="age", values=column).astype(float)
    return wide.loc[list(years)].to_numpy()


def immsim_policy_inputs(folder: Path, *, deaths: bool = True) -> ProjectionInputs:
    """The engine inputs of immsim's default policy from 1 July 2024 to 1 July 2070."""
    data = pd.read_excel(folder / "tx_isq.xlsx", sheet_name="tx_by_age")
    births = pd.read_excel(folder / "tx_isq.xlsx", sheet_name="tx_naissance").set_index("year")
    years = range(2025, 2071)  # step i ends on 1 July of years[i]
    t = len(years)
    mx = _table(data, "mx", years)
    npr = _table(data, "NPR", years)
    npr_shape = npr / npr.sum(axis=1, keepdims=True)
    pop24 = _table(data, "population", range(2024, 2025))[0]
    npr24 = _table(data, "NPR", range(2024, 2025))[0]
    stock = START_STOCK * npr24 / npr24.sum()
    population = np.zeros((LAYOUT.n_states, 1, 1, N_AGES))
    population[0, 0, 0] = np.maximum(pop24 - stock, 0.0)
    population[NPR, 0, 0] = stock
    # immsim's deaths hit the cell aged a at the end at mx(t, a): those aged a at the start
    # survive at 1 − mx(t, a + 1) (the open group at its own rate).
    survival = np.ones((t, 1, N_AGES))
    if deaths:
        survival[:, 0, :-1] = 1.0 - mx[:, 1:]
        survival[:, 0, -1] = 1.0 - mx[:, -1]
    asfr = np.zeros((t, N_AGES))
    asfr[:, 15:46] = births.loc[list(years), "tx_naissance"].to_numpy()[:, None]
    emigration = np.zeros((t, LAYOUT.n_states, 1, N_AGES))
    emigration[:, :NPR, 0, :-1] = _table(data, "tx_net_emmigrant", years)[:, None, 1:]
    interprovincial = np.zeros((t, LAYOUT.n_states, 1, N_AGES))
    interprovincial[:, :NPR, 0, :-1] = _table(data, "tx_net_interp_migration", years)[:, None, 1:]
    prop = _table(data, "prop_immig", years)
    immigrants = (50_000.0 * prop / prop.sum(axis=1, keepdims=True))[:, None, None, :]
    entries = np.zeros((t, LAYOUT.n_states, 1, N_AGES))
    entries[:, NPR, 0] = 150_000.0 * npr_shape
    return ProjectionInputs(
        space=LAYOUT,
        base_year=2024,
        population=population,
        survival=survival,
        newborn_survival=np.ones((t, 1)) if not deaths else 1.0 - mx[:, :1],
        asfr=asfr,
        birth_sex_shares=np.ones((t, 1)),
        emigration=emigration,
        interprovincial=interprovincial,
        immigrants=immigrants,
        npr_transition_share=np.zeros((t, 1)),
        net_migration=entries,
        migration_at_start=0.0,  # immsim: every flow at the end of the step
        birth_exposure_end=0.0,  # immsim: births on the start population
        npr_state=NPR,
        npr_exit_rate=np.full((t, 1, N_AGES), 0.12),
        npr_transition_rate=np.full((t, 1, N_AGES), 0.06),
    )


def npr_path(out: ProjectionOutputs) -> dict[int, float]:
    stock = out.population[:, NPR].sum(axis=(-3, -2, -1))
    return {int(y): float(v) for y, v in zip(out.years, stock, strict=True)}


SHARED_ISQ = (
    Path(os.environ.get("IMMIPLAN_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
    / "validation"
    / "isq"
)


@pytest.fixture(scope="module")
def paths() -> tuple[dict[int, float], dict[int, float], Any]:
    folder = SHARED_ISQ
    if not (folder / "tx_isq.xlsx").is_file():
        pytest.skip(f"../shared/validation/isq not found at {folder}: validation data absent")
    with_deaths = project(immsim_policy_inputs(folder))
    without = project(immsim_policy_inputs(folder, deaths=False))
    return npr_path(with_deaths), npr_path(without), with_deaths


def test_without_deaths_the_stock_follows_immsims(paths: Any) -> None:
    _, without, _ = paths
    for year, theirs in IMMSIM_NPR.items():
        # immsim's first-year exits read ISQ's 600,003 instead of its own 614,577, and it
        # drops its 100+ NPRs; the rest is the same recursion.
        assert without[year] == pytest.approx(theirs, rel=0.01), year
    assert without[2070] == pytest.approx(BALANCE, rel=2e-3)


def test_deaths_keep_the_stock_below_the_balance_by_a_little(paths: Any) -> None:
    with_deaths, without, _ = paths
    for year in IMMSIM_NPR:
        assert with_deaths[year] < without[year]
    gap = 1.0 - with_deaths[2070] / without[2070]
    assert 0.0 < gap < 0.02  # young temporary residents, about five years' stay


def test_transitions_fill_the_cap_at_the_balance(paths: Any) -> None:
    _, _, out = paths
    assert out.npr_transitions[-1].sum() <= 50_000.0 + 1e-6
    assert out.npr_transitions[-1].sum() == pytest.approx(50_000.0, rel=0.02)
    np.testing.assert_allclose(out.immigrants.sum(axis=1), 50_000.0, rtol=1e-12)
    totals = out.totals
    error = np.max(np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:])
    assert error < 1e-9
