"""Temporary residents as flows through a scenario file (``npr.flows``) and the 2025 debate.

The accounting identity closes with the flows, the stock by permit type adds up to the
stock, transitions stay inside the plan's levels at the plan's "already living in Quebec"
share, and the 2025 scenarios start from ISQ's 1 July 2023 estimate (8,874,683 persons,
470,976 non-permanent residents) and follow the plan's path of temporary residents.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from immiplan.errors import InputError
from immiplan.pipeline import NO_OUTCOMES, run
from immiplan.projection.scenario import load_scenario, prepare

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from badinput import assert_refused, run_cli

ISQ_POPULATION_2023 = 8_874_683  # ISQ, population on 1 July 2023 (the quebec-2023 base)
ISQ_NPR_2023 = 470_976  # ISQ / Statistics Canada, NPRs in Quebec on 1 July 2023
STATCAN_NPR_2024 = 588_263  # Statistics Canada 17-10-0121-01, 1 July 2024 (Dec 2024 vintage)
STATCAN_NPR_2025 = 562_000  # about 562,000 on 1 July 2025 (rounded as published)

DEBATE_2025 = (
    "quebec-2023-plan-2026-2029",
    "quebec-2023-consultation-25000",
    "quebec-2023-consultation-35000",
    "quebec-2023-2025-plan-held",
    "quebec-2023-isq-reference",
)


def _scenario(**npr: Any) -> dict[str, Any]:
    return {
        "name": "flows",
        "base": "quebec-2023",
        "horizon": 2034,
        "immigration": {"plans": ["quebec-2024-2025", "quebec-2025", "quebec-2026-2029"]},
        "fertility": {"tfr": {2023: 1.38}},
        "mortality": {"e0": {"female": {2023: 84.3}, "male": {2023: 80.7}}},
        "npr": {
            "flows": {
                "entries": {"work": {2023: 90_000, 2027: 70_000}, "study": 40_000, "other": 8_000},
                "exit_rate": {"work": 0.15, "study": 0.25, "other": 0.2},
                "already_resident_share": "plan",
                "asylum_stock": {2023: 146_723, 2025: 180_000, 2029: 120_000},
                **npr,
            }
        },
    }


def _write(tmp_path: Path, raw: dict[str, Any], name: str = "flows.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = _write(tmp_path_factory.mktemp("flows"), _scenario())
    return run(path, options=NO_OUTCOMES).projection


def test_the_accounting_identity_closes_with_flows_from_a_scenario_file(flows: Any) -> None:
    out = flows.outputs
    totals = out.totals
    error = np.abs(np.diff(totals) - out.growth_from_components()) / totals[1:]
    assert error.max() < 1e-9
    assert out.npr_exits is not None and np.all(out.npr_exits > 0)
    # The indicators add up the same way, NPR entries and exits inside npr_change.
    f = flows.indicators.iloc[:-1]
    growth = (
        f.births
        - f.deaths
        + f.immigrants
        - f.net_emigration
        + f.net_interprovincial
        + f.npr_change
        + f.other_migration
    )
    np.testing.assert_allclose(growth, f.growth, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(
        f.npr_change, f.npr_entries - f.npr_exits - f.npr_transitions, rtol=1e-9, atol=1e-6
    )


def test_the_stock_by_type_adds_up_and_starts_from_the_observed_split(flows: Any) -> None:
    f = flows.indicators.set_index("year")
    types = [c for c in f.columns if c.startswith("npr_stock_")]
    assert set(types) == {
        "npr_stock_work",
        "npr_stock_study",
        "npr_stock_asylum",
        "npr_stock_other",
    }
    np.testing.assert_allclose(f[types].sum(axis=1), f["npr_stock"], rtol=1e-12)
    # Statistics Canada's 1 July 2023 split (via La Presse), the unassigned 21,074 as other.
    assert f.loc[2023, "npr_stock_work"] == pytest.approx(200_522)
    assert f.loc[2023, "npr_stock_asylum"] == pytest.approx(146_723)
    assert f.loc[2023, "npr_stock_study"] == pytest.approx(102_657)
    assert f.loc[2023, "npr_stock_other"] == pytest.approx(21_074)
    # Each type heads to its own balance, entries / (exits + transitions): work permits
    # (70,000 / ~0.2) gain on study permits (40,000 / ~0.3) and asylum claimants (a path).
    share = f["npr_stock_work"] / f["npr_stock"]
    assert share[2034] > share[2023] + 0.05


def test_transitions_are_the_plans_share_inside_its_levels(flows: Any) -> None:
    f = flows.indicators.set_index("year")
    # July 2026 to June 2027: 45,000 a year (the plan), 54 % (2026) and 57.7 % (2027,
    # linear to 65 % in 2029) already in Quebec: their mean is asked of the stock. The
    # engine takes no more than each age-sex cell holds (few temporary residents are of
    # the ages of the parents and grandparents admitted), so slightly less comes from it.
    assert f.loc[2026, "immigrants"] == pytest.approx(45_000)
    asked = 0.5 * (0.54 + (0.54 + (0.65 - 0.54) / 3))
    share = f.loc[2026, "already_resident_share"] / 100
    assert 0.95 * asked < share <= asked + 1e-12
    later = f.loc[2030, "already_resident_share"] / 100  # 65 % held after 2029
    assert 0.95 * 0.65 < later <= 0.65 + 1e-12
    assert (f["npr_transitions"].dropna() <= f["immigrants"].dropna()).all()


def test_the_2025_plan_counts_its_peq_graduates_outside_the_cap(flows: Any) -> None:
    # 2025: 48,500-51,500 inside the cap, 62,500-67,000 with PEQ graduates and business.
    assert flows.prepared.levels[2025].sum() == pytest.approx(64_750)
    assert flows.prepared.levels[2024].sum() == pytest.approx(56_500)


@pytest.mark.parametrize("name", DEBATE_2025)
def test_the_2025_scenarios_start_from_isq_1_july_2023(name: str) -> None:
    result = run(name, horizon=2026, options=NO_OUTCOMES).projection
    first = result.indicators.iloc[0]
    assert first["year"] == 2023
    assert first["population"] == pytest.approx(ISQ_POPULATION_2023, abs=1e-3)
    assert first["npr_stock"] == pytest.approx(ISQ_NPR_2023, abs=1e-3)


def test_the_plan_scenario_follows_its_temporary_resident_path() -> None:
    f = run("quebec-2023-plan-2026-2029", horizon=2033, options=NO_OUTCOMES).projection
    stock = f.indicators.set_index("year")["npr_stock"]
    assert stock[2024] == pytest.approx(STATCAN_NPR_2024, rel=1e-3)
    assert stock[2025] == pytest.approx(STATCAN_NPR_2025, rel=1e-3)
    assert stock[2029] / stock[2024] == pytest.approx(0.87, abs=1e-3)  # −13 % by 2029
    assert stock[2033] == pytest.approx(stock[2029], rel=5e-3)  # then held


def test_fewer_permanent_admissions_leave_more_temporary_residents() -> None:
    # Same entries, exits and share: a lower plan takes fewer transitions out of the stock.
    low = run("quebec-2023-consultation-25000", horizon=2030, options=NO_OUTCOMES).projection
    plan = run("quebec-2023-plan-2026-2029", horizon=2030, options=NO_OUTCOMES).projection
    low_f, plan_f = low.indicators.set_index("year"), plan.indicators.set_index("year")
    assert low_f.loc[2029, "npr_transitions"] < plan_f.loc[2029, "npr_transitions"]
    assert low_f.loc[2030, "npr_stock"] > plan_f.loc[2030, "npr_stock"]


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (
            {"exit_rate": 0.7, "transition_rate": 0.4, "already_resident_share": None},
            "npr.flows.transition_rate",
            "0.4",
        ),
        ({"entries": {"visitors": 1000}}, "npr.flows.entries.visitors", "visitors"),
        ({"asylum_stock": {2019: 100_000}}, "npr.flows.asylum_stock.2019", "2019"),
        ({"stock_by_type": {"tourists": 5}}, "npr.flows.stock_by_type.tourists", "tourists"),
    ],
)
def test_bad_flows_are_refused_on_the_command_line(
    tmp_path: Path, change: dict[str, Any], field: str, value: str
) -> None:
    raw = _scenario()
    flows = raw["npr"]["flows"]
    for key, item in change.items():
        if item is None:
            flows.pop(key, None)
        else:
            flows[key] = item
    path = _write(tmp_path, raw)
    out = tmp_path / "out"
    result = run_cli(["project", str(path), "--no-outcomes", "--out", str(out)])
    line = assert_refused(result, source=path.name, field=field, value=value)
    assert "exceed the stock" in line or field != "npr.flows.transition_rate"
    assert not out.exists()


def test_a_plan_before_the_base_is_refused(tmp_path: Path) -> None:
    raw = _scenario()
    raw["immigration"]["plans"] = ["quebec-2019", "quebec-2026-2029"]
    path = _write(tmp_path, raw)
    result = run_cli(["project", str(path), "--no-outcomes", "--out", str(tmp_path / "out")])
    assert_refused(result, source=path.name, field="immigration.plans[0]", value="quebec-2019")
    assert not (tmp_path / "out").exists()


def test_a_stock_path_and_flows_together_are_refused(tmp_path: Path) -> None:
    raw = _scenario()
    raw["npr"]["stock"] = {2023: 470_976}
    with pytest.raises(InputError, match="stock path or as flows"):
        prepare(load_scenario(_write(tmp_path, raw)))


def test_immsims_default_policy_in_a_scenario_file_reaches_its_balance(tmp_path: Path) -> None:
    # pcmichaud/immsim's defaults: 150,000 entries a year by the stock's age shape, renewal
    # 0.88, transitions 6 % of the stock inside 50,000 permanent admissions. With the UN
    # timing (half the entries at the start face the year's exits and transitions) the
    # balance is 150,000 / 0.18 − 150,000 / 2 = 758,333; deaths keep the stock a little below.
    raw = _scenario()
    raw["horizon"] = 2070
    raw["immigration"] = {
        "levels": {2023: {"economic": 30_000, "family": 12_000, "refugees": 7_000, "other": 1_000}}
    }
    raw["npr"] = {
        "flows": {"entries": {"work": 150_000}, "renewal_rate": 0.88, "transition_rate": 0.06}
    }
    result = run(_write(tmp_path, raw), options=NO_OUTCOMES).projection
    f = result.indicators.set_index("year")
    balance = 150_000 / 0.18 - 150_000 / 2
    assert 0.98 * balance < f.loc[2070, "npr_stock"] < balance
    assert abs(f.loc[2070, "npr_stock"] - f.loc[2069, "npr_stock"]) < 1e-4 * balance
    flows = f.dropna(subset=["npr_exits"])
    np.testing.assert_allclose(flows["npr_transitions"], 0.5 * flows["npr_exits"], rtol=1e-12)
    np.testing.assert_allclose(flows["immigrants"], 50_000, rtol=1e-12)  # transitions inside
    out = result.outputs
    error = np.abs(np.diff(out.totals) - out.growth_from_components()) / out.totals[1:]
    assert error.max() < 1e-9


def test_an_unknown_debate_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run_cli(["run", "--debate", "1999", "--out", str(out)])
    line = assert_refused(result, field="--debate", value=1999)
    assert "2018" in line and "2025" in line
    assert not out.exists()
