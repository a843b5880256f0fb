"""Shipped plans and admissions: known values from the published record."""

from __future__ import annotations

import pytest

from immiplan.errors import InputError
from immiplan.plans import actual_admissions, admission_years, all_plans, load_plan, resolve
from immiplan.plans.validate import validate


def test_quebec_2018_admissions_match_ircc() -> None:
    actual = load_plan("2018 actual")
    assert actual.total(2018) == 51_125
    assert actual.level("economic", 2018) == 29_195
    assert actual.level("family", 2018) == 12_285
    assert actual.level("refugees", 2018) == 8_835
    assert actual.level("other", 2018) == 810
    assert actual.level("refugees.protected_in_canada", 2018) == 3_150
    # Resettled refugees are composed from their sub-categories.
    assert actual.level("refugees.government_assisted+privately_sponsored+blended", 2018) == 5_685


def test_admissions_cover_2005_to_2021_for_quebec_and_2015_to_2020_for_canada() -> None:
    # At least these years, without a gap (later years are added as IRCC publishes them).
    quebec, canada = admission_years("quebec"), admission_years("canada")
    assert quebec[0] == 2005 and quebec[-1] >= 2021
    assert quebec == list(range(quebec[0], quebec[-1] + 1))
    assert canada[0] == 2015 and canada[-1] >= 2020
    assert canada == list(range(canada[0], canada[-1] + 1))
    assert actual_admissions("quebec", 2005).total(2005) == 43_315
    assert actual_admissions("quebec", 2005).level("economic", 2005) is None
    assert actual_admissions("canada", 2018).total(2018) == 321_055


def test_ircc_rounding_keeps_subcategories_within_a_few_persons_of_totals() -> None:
    for year in range(2015, 2022):
        plan = actual_admissions("quebec", year)
        for cat in plan.year(year).categories:
            if cat.lines:
                parts = sum(line.target or 0 for line in cat.lines)
                assert abs(parts - (cat.target or 0)) <= 5 * len(cat.lines), (year, cat.key)


@pytest.mark.parametrize(
    ("name", "year", "low", "target", "high"),
    [
        ("quebec-2018", 2018, 49_000, 51_000, 53_000),
        ("quebec-2019", 2019, 38_000, 40_000, 42_000),
        ("quebec-2020", 2020, 43_000, 43_750, 44_500),
        ("canada-2018-2020", 2018, 290_000, 310_000, 330_000),
        ("canada-2019-2021", 2021, None, 350_000, None),
    ],
)
def test_published_totals(name: str, year: int, low: float, target: float, high: float) -> None:
    plan = load_plan(name)
    assert plan.total(year, "low") == low
    assert plan.total(year, "target") == target
    assert plan.total(year, "high") == high


def test_2019_plan_point_targets_and_french_target() -> None:
    plan = load_plan("quebec-2019")
    assert plan.level("economic", 2019) == 23_450
    assert plan.level("economic.skilled_workers", 2019) == 19_500
    assert plan.level("family", 2019) == pytest.approx(9_150)  # midpoint: only a range is published
    assert plan.year(2019).french_knowledge_target == 0.41
    assert plan.year(2019).quebec_selected_share == (0.70, 0.71)


def test_federal_quebec_line_and_programmes_sharing_a_subcategory() -> None:
    plan = load_plan("canada-2018-2020")
    quebec_line = [n for n in plan.year(2019).nodes() if n.jurisdiction == "quebec"]
    assert [(n.low, n.target, n.high) for n in quebec_line] == [(31_500, 32_500, 33_500)]
    # The Atlantic pilot and the PNP both map to "other economic": their levels add up.
    assert plan.level("economic.other_economic", 2018) == 56_000


@pytest.mark.parametrize("plan", all_plans(), ids=lambda p: p.name)
def test_every_shipped_plan_is_free_of_errors(plan) -> None:  # type: ignore[no-untyped-def]
    errors = [f for f in validate(plan) if f.severity == "error"]
    assert errors == []


def test_plan_names_resolve_with_years() -> None:
    plan, year = resolve("canada-2019-2021:2020")
    assert (plan.name, year) == ("canada-2019-2021", 2020)
    plan, year = resolve("actual 2017")
    assert (plan.total(year), year) == (52_380, 2017)
    plan, year = resolve("canada 2018 actual")
    assert plan.jurisdiction == "canada"


def test_unknown_names_and_years_are_clear_errors() -> None:
    with pytest.raises(InputError, match="unknown plan"):
        load_plan("quebec-1999")
    with pytest.raises(InputError, match="no admissions data for quebec in 1999"):
        load_plan("1999 actual")
    with pytest.raises(InputError, match="has no year 2020"):
        resolve("quebec-2019:2020")
