"""Lines outside a cap: validated, compared and cut the way the government counts them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from immiplan.errors import InputError
from immiplan.plans import load_plan, parse_plan
from immiplan.plans.compare import compare
from immiplan.plans.cut import cut
from immiplan.plans.validate import validate
from immiplan.system.regimes import regime

CAPPED: dict[str, Any] = {
    "name": "capped",
    "jurisdiction": "quebec",
    "years": {
        2025: {
            "total": {"low": 48500, "high": 51500},
            "total_with_outside": {"low": 62500, "high": 67000},
            "categories": {
                "economic": {"low": 31000, "high": 32900},
                "family": {"low": 10200, "high": 10600},
                "refugees": {"low": 6600, "high": 7200},
                "other": {"high": 800},
            },
            "outside_cap": {
                "peq": {"covers": ["economic.skilled_workers"], "low": 14000, "high": 15000},
                "business": {"covers": ["economic.business"], "high": 500},
            },
        }
    },
}


def capped(**year_changes: Any) -> Any:
    doc = copy.deepcopy(CAPPED)
    for path, value in year_changes.items():
        node = doc["years"][2025]
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return parse_plan(doc, "capped.yaml")


def errors(plan: Any) -> list[tuple[str, str]]:
    return [(f.rule, f.field) for f in validate(plan) if f.severity == "error"]


def test_a_consistent_capped_plan_has_no_error() -> None:
    assert errors(capped()) == []


def test_the_cap_categories_exclude_the_outside_lines() -> None:
    # The categories' highs (51,500) fit the cap; with the graduates they would not.
    plan = capped()
    assert plan.total(2025, "high") == 51_500
    assert plan.level("economic", 2025, "high") == 32_900
    assert plan.level("economic", 2025, "high", include_outside=True) == 48_400


def test_outside_lows_above_the_published_total_are_an_error() -> None:
    plan = capped(
        outside_cap__peq__low=20000, outside_cap__peq__high=20000, outside_cap__business__low=0
    )
    assert ("outside-cap-sum", "years.2025.total_with_outside") in errors(plan)


def test_outside_highs_below_the_published_total_are_an_error() -> None:
    plan = capped(outside_cap__peq__high=5000, outside_cap__peq__low=4000)
    assert ("outside-cap-sum", "years.2025.total_with_outside") in errors(plan)


def test_an_outside_range_upside_down_is_an_error() -> None:
    plan = capped(outside_cap__peq__low=16000)
    assert ("range-order", "years.2025.outside_cap.peq.low") in errors(plan)


def test_a_negative_outside_line_is_an_error() -> None:
    plan = capped(outside_cap__business__high=-5)
    assert ("non-negative", "years.2025.outside_cap.business.high") in errors(plan)


def test_a_published_total_below_the_cap_is_an_error() -> None:
    plan = capped(total_with_outside={"low": 40000, "high": 45000})
    assert ("outside-cap-sum", "years.2025.total_with_outside") in errors(plan)


def test_a_total_with_outside_lines_needs_the_lines() -> None:
    doc = copy.deepcopy(CAPPED)
    del doc["years"][2025]["outside_cap"]
    with pytest.raises(InputError) as info:
        parse_plan(doc, "capped.yaml")
    assert info.value.field == "years.2025.total_with_outside"
    assert info.value.source == "capped.yaml"


def test_an_outside_line_of_an_unknown_category_is_refused() -> None:
    doc = copy.deepcopy(CAPPED)
    doc["years"][2025]["outside_cap"]["peq"]["covers"] = ["economic.graduates"]
    with pytest.raises(InputError) as info:
        parse_plan(doc, "capped.yaml")
    assert info.value.field == "years.2025.outside_cap.peq.covers"


def test_compare_shows_the_cap_the_outside_lines_and_both_totals() -> None:
    frame = compare(load_plan("quebec-2023"), 2023, capped(), 2025, which="high").set_index(
        "category"
    )
    assert frame.loc["total", "capped"] == 51_500
    assert frame.loc["total_with_outside", "capped"] == 67_000
    assert frame.loc["total_with_outside", "quebec-2023"] == 52_500  # no outside line: the cap
    assert frame.loc["outside_cap:economic.skilled_workers", "capped"] == 15_000
    assert frame.loc["economic", "capped"] == 32_900  # the cap's economic line only


def test_compare_without_outside_lines_keeps_a_single_total() -> None:
    frame = compare(load_plan("quebec-2018"), 2018, load_plan("quebec-2019"), 2019)
    assert list(frame["category"]).count("total") == 1
    assert "total_with_outside" not in set(frame["category"])


def test_cut_moves_the_cap_and_keeps_the_outside_lines() -> None:
    base = load_plan("quebec-2024-2025")
    result = cut(base, 2024, 40_000, regime("quebec-control"))
    rows = result.by_category.set_index("category")
    assert rows.loc["total", "new"] == 40_000
    peq = rows.loc["outside_cap:economic.skilled_workers"]
    assert peq["base"] == peq["new"] == 6_500
    assert rows.loc["total_with_outside", "new"] == 46_500
    # Conservation: the cap's lines add up to the new total exactly.
    inside = result.lines[~result.lines["category"].str.startswith("outside_cap")]
    assert inside["new"].sum() == 40_000


def test_cut_of_a_base_with_an_unquantified_outside_line_says_so() -> None:
    base = load_plan("quebec-2024-2025")
    with pytest.raises(InputError) as info:
        cut(base, 2025, 40_000, regime("quebec-control"))
    assert info.value.field == "years.2025.outside_cap.peq_graduates"
