"""Each validation rule, on small plans written for the purpose."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from immiplan.errors import InputError
from immiplan.plans import parse_plan
from immiplan.plans.validate import ensure_valid, validate

BASE: dict[str, Any] = {
    "name": "test",
    "jurisdiction": "quebec",
    "years": {
        2019: {
            "total": {"low": 38000, "target": 40000, "high": 42000},
            "categories": {
                "economic": {
                    "low": 21700,
                    "target": 23450,
                    "high": 24300,
                    "lines": {
                        "skilled_workers": {"low": 18000, "target": 19500, "high": 20100},
                        "business": {"low": 3100, "target": 3200, "high": 3400},
                        "caregivers+other_economic": {"low": 600, "target": 750, "high": 800},
                    },
                },
                "family": {"low": 8900, "high": 9400},
                "refugees": {"low": 6800, "high": 7500},
                "other": {"low": 600, "high": 800},
            },
        }
    },
}


def plan_with(**changes: Any) -> Any:
    """BASE with dotted-path changes, e.g. ``{"categories.family.low": 9500}``."""
    doc = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = doc["years"][2019]
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return parse_plan(doc, "test.yaml")


def rules(plan: Any, severity: str = "error") -> list[tuple[str, str]]:
    return [(f.rule, f.field) for f in validate(plan) if f.severity == severity]


def test_the_base_plan_is_valid() -> None:
    assert rules(plan_with()) == []


def test_upside_down_range() -> None:
    assert ("range-order", "years.2019.categories.family.low") in rules(
        plan_with(categories__family__low=9500)
    )


def test_target_outside_range() -> None:
    assert ("range-order", "years.2019.total.target") in rules(plan_with(total__target=45000))


def test_negative_level() -> None:
    found = rules(plan_with(categories__other__low=-5))
    assert ("non-negative", "years.2019.categories.other.low") in found


def test_subcategory_targets_must_fit_the_parent_range() -> None:
    found = rules(
        plan_with(
            categories__economic__lines__skilled_workers__target=20000,
            categories__economic__lines__business__target=3400,
            categories__economic__lines__skilled_workers__high=21000,
        )
    )
    # 20,000 + 3,400 + 750 = 24,150 still fits 21,700–24,300; push it over:
    assert found == []
    found = rules(
        plan_with(
            categories__economic__lines__skilled_workers__target=20900,
            categories__economic__lines__skilled_workers__high=21000,
        )
    )
    assert ("sum-within-parent", "years.2019.categories.economic") in found


def test_category_lows_cannot_exceed_the_total_high() -> None:
    found = rules(plan_with(categories__family__low=12000, categories__family__high=13000))
    assert ("sum-within-parent", "years.2019.total") in found


def test_shares_are_fractions() -> None:
    found = rules(plan_with(french_knowledge_target=41))
    assert ("share-bounds", "years.2019.french_knowledge_target") in found


def test_accord_objective_warning_for_a_low_quebec_plan() -> None:
    warnings = rules(plan_with(), "warning")
    assert ("accord-share", "years.2019.total") in warnings


def test_accord_margin_warning_names_each_reading() -> None:
    # 80,000 of the federal 330,800 is 24.2 %: above 22.6 % × 1.05 = 23.7 % (relative
    # reading) but below 22.6 % + 5 points = 27.6 %.
    plan = plan_with(
        total__low=78000,
        total__target=80000,
        total__high=82000,
        categories={"economic": {"target": 80000}},
    )
    messages = [f.message for f in validate(plan) if f.rule == "accord-margin"]
    assert len(messages) == 1 and "relative reading" in messages[0]
    plan = plan_with(
        total__low=98000,
        total__target=100000,
        total__high=102000,
        categories={"economic": {"target": 100000}},
    )
    readings = [f.message for f in validate(plan) if f.rule == "accord-margin"]
    assert len(readings) == 2 and any("percentage points" in m for m in readings)


def test_refugee_share_commitment_warning() -> None:
    plan = plan_with(categories__refugees={"low": 500, "high": 700})
    assert ("accord-refugees", "years.2019.categories.refugees") in rules(plan, "warning")


def test_level_far_outside_history_is_a_warning_not_an_error() -> None:
    plan = plan_with(categories__family={"low": 30000, "high": 31000})
    assert ("history", "years.2019.categories.family") in rules(plan, "warning")


def test_ensure_valid_raises_the_first_error_with_file_field_and_value() -> None:
    with pytest.raises(InputError) as info:
        ensure_valid(plan_with(categories__family__low=9500))
    text = str(info.value)
    assert "test.yaml" in text and "categories.family.low" in text and "9500" in text


@pytest.mark.parametrize(
    ("doc", "field", "message"),
    [
        (
            {"jurisdiction": "quebec", "years": {2019: {"total": {"target": 1}}}},
            "name",
            "missing required field",
        ),
        (
            {"name": "x", "jurisdiction": "mars", "years": {2019: {}}},
            "jurisdiction",
            "unknown jurisdiction",
        ),
        (
            {
                "name": "x",
                "jurisdiction": "quebec",
                "years": {2019: {"categories": {"economics": {"target": 1}}}},
            },
            "years.2019.categories.economics",
            "unknown category",
        ),
        (
            {
                "name": "x",
                "jurisdiction": "quebec",
                "years": {2019: {"categories": {"economic": {"target": "lots"}}}},
            },
            "years.2019.categories.economic.target",
            "must be a number",
        ),
        (
            {"name": "x", "jurisdiction": "quebec", "years": {"next": {"total": {"target": 1}}}},
            "years",
            "calendar year",
        ),
        (
            {
                "name": "x",
                "jurisdiction": "quebec",
                "years": {2019: {"total": {"target": 1}, "colour": "red"}},
            },
            "years.2019.colour",
            "unknown field",
        ),
        (
            {
                "name": "x",
                "jurisdiction": "quebec",
                "years": {
                    2019: {
                        "categories": {
                            "family": {"target": 1, "lines": {"business": {"target": 1}}}
                        }
                    }
                },
            },
            "years.2019.categories.family.lines.business",
            "unknown sub-category",
        ),
    ],
)
def test_structural_errors_name_the_field(doc: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_plan(doc, "bad.yaml")
    assert info.value.field == field
    assert message in info.value.message
    assert info.value.source == "bad.yaml"
