"""The report's input contract: what it accepts and what it refuses, in plain words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from immiplan.errors import InputError
from immiplan.report.model import ReportInput, ScenarioInfo


def test_the_fixture_is_valid(report_input: ReportInput) -> None:
    report_input.validate()
    assert report_input.scenario_keys == ["plan-2018", "plan-2019", "increase-60k"]
    assert report_input.plan_columns == ["2017 actual", "2018 plan", "2019 plan"]
    assert report_input.indicators()[0] == "population"


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("series", "value"),
        ("series", "scenario"),
        ("plans", "label_en"),
        ("selectors", "accord-1991"),
        ("cut", "change_pct"),
        ("cut", "regime"),
    ],
)
def test_a_missing_column_is_named(report_input: ReportInput, table: str, column: str) -> None:
    frame = getattr(report_input, table).drop(columns=[column])
    setattr(report_input, table, frame)
    with pytest.raises(InputError) as info:
        report_input.validate()
    assert column in str(info.value) and table in str(info.value)


def _break(report_input: ReportInput, table: str, column: str, row: int, value: object) -> None:
    frame = getattr(report_input, table).copy()
    if isinstance(value, str) and frame[column].dtype != object:
        frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    setattr(report_input, table, frame)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _break(d, "series", "scenario", 0, "plan-2030"), "unknown scenario"),
        (lambda d: _break(d, "series", "indicator", 0, "happiness"), "unknown indicator"),
        (lambda d: _break(d, "selectors", "accord-1991", 0, "ottawa"), "who selects"),
        (lambda d: _break(d, "cut", "regime", 0, "treaty"), "unknown regime"),
        (lambda d: _break(d, "cut", "category", 0, "economic.other"), "not in the selectors"),
        (lambda d: _break(d, "cut", "change", 0, 5.0), "new - base"),
        (lambda d: _break(d, "plans", "2018 plan", 0, "many"), "must hold numbers"),
        (lambda d: _break(d, "series", "value", 2, 19.4), "fraction between 0 and 1"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(
    report_input: ReportInput, change: Callable[[ReportInput], None], message: str
) -> None:
    change(report_input)
    with pytest.raises(InputError) as info:
        report_input.validate()
    assert message in str(info.value)


def test_a_share_given_where_a_percentage_is_expected_is_caught(report_input: ReportInput) -> None:
    cut = report_input.cut.copy()
    cut["change_pct"] = cut["change_pct"] / 100
    report_input.cut = cut
    with pytest.raises(InputError, match="a percentage, not a fraction"):
        report_input.validate()


def test_the_unknown_scenario_is_named(report_input: ReportInput) -> None:
    _break(report_input, "series", "scenario", 0, "plan-2030")
    with pytest.raises(InputError) as info:
        report_input.validate()
    assert "plan-2030" in str(info.value) and "plan-2018" in str(info.value)


def test_duplicate_series_rows_are_refused(report_input: ReportInput) -> None:
    import pandas as pd

    series = report_input.series
    report_input.series = pd.concat([series, series.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="more than one value"):
        report_input.validate()


def test_the_horizon_must_be_in_the_series_and_after_the_base_year(
    report_input: ReportInput,
) -> None:
    report_input.horizon = 2050
    with pytest.raises(InputError, match="horizon"):
        report_input.validate()
    report_input.horizon = 2010
    with pytest.raises(InputError, match="before the base year"):
        report_input.validate()


def test_every_scenario_is_named_in_both_languages(report_input: ReportInput) -> None:
    first = report_input.scenarios[0]
    report_input.scenarios[0] = dataclasses.replace(first, label={"fr": first.label["fr"]})
    with pytest.raises(InputError, match="missing label in language 'en'"):
        report_input.validate()


def test_a_scenario_listed_twice_is_refused(report_input: ReportInput) -> None:
    report_input.scenarios.append(report_input.scenarios[0])
    with pytest.raises(InputError, match="listed twice"):
        report_input.validate()


def test_no_scenario_is_refused(report_input: ReportInput) -> None:
    report_input.scenarios = []
    with pytest.raises(InputError, match="no scenario"):
        report_input.validate()


def test_assumptions_in_an_unknown_language_are_refused(report_input: ReportInput) -> None:
    report_input.assumptions = {"de": ["Annahme"]}
    with pytest.raises(InputError, match="unknown language"):
        report_input.validate()
    report_input.assumptions = {}
    report_input.scenarios[0] = ScenarioInfo(
        key="plan-2018",
        label={"fr": "a", "en": "a"},
        description={"fr": "b", "en": "b"},
        assumptions={"es": ["x"]},
    )
    with pytest.raises(InputError, match="unknown language"):
        report_input.validate()


def test_plan_labels_must_name_existing_columns_in_both_languages(
    report_input: ReportInput,
) -> None:
    report_input.plan_labels = {"2030 plan": {"fr": "Plan 2030", "en": "2030 plan"}}
    with pytest.raises(InputError, match="does not exist"):
        report_input.validate()
    report_input.plan_labels = {"2018 plan": {"fr": "Plan 2018"}}
    with pytest.raises(InputError, match="missing label in language 'en'"):
        report_input.validate()


def test_selectors_finer_than_the_categories_are_combined(report_input: ReportInput) -> None:
    import pandas as pd

    report_input.selectors = pd.DataFrame(
        [
            ("economic.skilled_workers", "province", "province", "federal"),
            ("economic.caregivers", "province", "province", "federal"),
            ("economic.other_economic", "province", "province", "federal"),
            ("refugees.government_assisted", "province", "province", "federal"),
            ("refugees.protected_in_canada", "federal", "province", "federal"),
            ("family", "federal", "province", "federal"),
        ],
        columns=["category", "accord-1991", "quebec-control", "federal"],
    )
    assert report_input.selector("economic", "accord-1991") == "province"
    assert report_input.selector("refugees", "accord-1991") == "shared"
    assert report_input.selector("refugees", "quebec-control") == "province"
    assert report_input.selector("economic.caregivers+other_economic", "accord-1991") == "province"
    assert report_input.selector("refugees+family", "accord-1991") == "shared"
    assert report_input.selector("family.children", "accord-1991") == "federal"  # its parent
    assert report_input.selector("other", "accord-1991") is None
