"""Comparing plans side by side."""

from __future__ import annotations

import pytest

from immiplan.plans import load_plan
from immiplan.plans.compare import compare


def test_2018_actual_against_the_2019_plan() -> None:
    frame = compare(load_plan("2018 actual"), 2018, load_plan("quebec-2019"), 2019).set_index(
        "category"
    )
    assert frame.at["total", "2018 actual"] == 51_125
    assert frame.at["total", "quebec-2019"] == 40_000
    assert frame.at["total", "change"] == -11_125
    assert frame.at["total", "change_pct"] == pytest.approx(-21.76, abs=0.01)
    assert frame.at["economic", "change"] == 23_450 - 29_195
    # A line one side does not publish shows no value rather than a zero.
    assert frame["quebec-2019"].isna()["family.children"]
    # Nested lines sit under their parent.
    assert frame.at["refugees.government_assisted", "depth"] == 2


def test_years_of_a_multi_year_plan() -> None:
    plan = load_plan("canada-2018-2020")
    frame = compare(plan, 2018, plan, 2020).set_index("category")
    assert frame.at["total", "change"] == 30_000
    assert "canada-2018-2020:2018" in frame.columns
