"""Quebec and federal plans after 2019: totals pinned to the published figures.

Each expected value is the figure the plan's references publish (see the plan files'
``references`` and ``notes``); a test fails if a file drifts from the published record.
"""

from __future__ import annotations

import pytest

from immiplan.plans import all_plans, load_plan
from immiplan.plans.validate import validate

QUEBEC_TOTALS = [
    # name, year, low, target, high (target None: the midpoint of the range is used)
    ("quebec-2020-2022", 2020, 43_000, None, 44_500),
    ("quebec-2020-2022", 2021, None, None, 47_500),
    ("quebec-2020-2022", 2022, 49_500, None, 52_500),
    ("quebec-2021", 2021, 44_500, None, 47_500),
    ("quebec-2022", 2022, 49_500, None, 52_500),
    ("quebec-2023", 2023, 49_500, None, 52_500),
    ("quebec-2024-2025", 2024, None, 50_000, None),
    ("quebec-2024-2025", 2025, None, 50_000, None),
    ("quebec-2025", 2025, 48_500, None, 51_500),
    ("quebec-2026-2029", 2026, 43_000, 45_000, 47_000),
    ("quebec-2026-2029", 2029, 43_000, 45_000, 47_000),
]


@pytest.mark.parametrize(("name", "year", "low", "target", "high"), QUEBEC_TOTALS)
def test_quebec_caps_are_the_published_ones(
    name: str, year: int, low: float | None, target: float | None, high: float | None
) -> None:
    plan = load_plan(name)
    node = plan.year(year).total
    assert (node.low, node.target, node.high) == (low, target, high)


@pytest.mark.parametrize(
    ("name", "years"),
    [
        ("canada-2021-2023", {2021: 401_000, 2022: 411_000, 2023: 421_000}),
        ("canada-2022-2024", {2022: 431_645, 2023: 447_055, 2024: 451_000}),
        ("canada-2023-2025", {2023: 465_000, 2024: 485_000, 2025: 500_000}),
        ("canada-2024-2026", {2024: 485_000, 2025: 500_000, 2026: 500_000}),
        ("canada-2025-2027", {2025: 395_000, 2026: 380_000, 2027: 365_000}),
        ("canada-2026-2028", {2026: 380_000, 2027: 380_000, 2028: 380_000}),
    ],
)
def test_federal_targets_are_the_published_ones(name: str, years: dict[int, int]) -> None:
    plan = load_plan(name)
    assert plan.jurisdiction == "canada"
    assert {y: plan.total(y) for y in plan.years} == years


@pytest.mark.parametrize(
    ("name", "ranges"),
    [
        ("canada-2021-2023", {2021: (300_000, 410_000), 2023: (330_000, 430_000)}),
        ("canada-2022-2024", {2022: (360_000, 445_000), 2024: (390_000, 475_000)}),
        ("canada-2023-2025", {2023: (410_000, 505_000), 2025: (442_500, 550_000)}),
        ("canada-2025-2027", {2025: (367_000, 436_000), 2027: (338_000, 401_000)}),
    ],
)
def test_federal_ranges_are_the_published_ones(
    name: str, ranges: dict[int, tuple[int, int]]
) -> None:
    plan = load_plan(name)
    for year, (low, high) in ranges.items():
        assert (plan.total(year, "low"), plan.total(year, "high")) == (low, high)


def test_the_federal_quebec_line_defers_to_quebecs_plan() -> None:
    plan = load_plan("canada-2021-2023")
    for year in plan.years:
        line = [n for n in plan.year(year).nodes() if n.jurisdiction == "quebec"]
        assert len(line) == 1 and line[0].value() is None  # no number: Quebec sets its own
    assert "See Quebec" in line[0].label["en"] or "determined" in line[0].label["en"]


def test_the_2025_federal_plan_gives_quebec_a_number_again() -> None:
    """IRCC, CIMM briefing of 25 November 2024: Quebec Skilled Workers and Business 34,500
    (33,000 - 50,000) in 2025, "TBD" in 2026 (no line shipped for 2026)."""
    plan = load_plan("canada-2025-2027")
    line = [n for n in plan.year(2025).nodes() if n.jurisdiction == "quebec"]
    assert len(line) == 1
    assert (line[0].low, line[0].target, line[0].high) == (33_000, 34_500, 50_000)
    assert line[0].covers == frozenset({"economic.skilled_workers", "economic.business"})
    assert not [n for n in plan.year(2026).nodes() if n.jurisdiction == "quebec"]


def test_federal_2024_categories_add_up_to_the_published_total() -> None:
    plan = load_plan("canada-2024-2026")
    assert plan.level("economic", 2024) == 281_135
    assert plan.level("family", 2024) == 114_000
    assert plan.level("refugees", 2024) == 76_115
    assert plan.level("other", 2024) == 13_750
    for year in plan.years:
        parts = sum(plan.level(c, year) or 0 for c in ("economic", "family", "refugees", "other"))
        assert parts == plan.total(year)
    # Resettled refugees compose from their programme lines.
    assert plan.level("refugees.government_assisted+privately_sponsored+blended", 2024) == 49_115


def test_the_2025_plan_cap_and_the_graduates_outside_it() -> None:
    plan = load_plan("quebec-2025")
    assert plan.total(2025, "high") == 51_500  # the cap, as Quebec counts it
    assert plan.total(2025, "high", include_outside=True) == 67_000
    assert plan.total(2025, "low", include_outside=True) == 62_500
    # The published maxima add up exactly to both published highs.
    maxima = [plan.level(c, 2025, "high") for c in ("economic", "family", "refugees", "other")]
    assert sum(v or 0 for v in maxima) == 51_500
    outside = {line.key: line.high for line in plan.year(2025).outside_cap}
    assert outside == {"peq_graduates": 15_000, "business": 500}
    assert 51_500 + sum(outside.values()) == 67_000
    # Economic with the graduates, from the maxima: 72 % as the plan says.
    economic = plan.level("economic", 2025, "high", include_outside=True)
    assert economic == 32_900 + 15_000 + 500
    assert economic / 67_000 == pytest.approx(0.72, abs=0.005)


def test_the_2024_cap_excludes_the_peq_graduates() -> None:
    plan = load_plan("quebec-2024-2025")
    assert plan.total(2024) == 50_000
    assert plan.total(2024, include_outside=True) == 56_500
    assert plan.level("economic.skilled_workers", 2024) == 30_650
    assert plan.level("economic.skilled_workers", 2024, include_outside=True) == 37_150
    # The 2025 graduates are not quantified: the total with them is unknown, never guessed.
    assert plan.total(2025, include_outside=True) is None
    # 64 % economic is a share of the cap: 31,950 / 50,000.
    assert plan.level("economic", 2024) / plan.total(2024) == pytest.approx(0.64, abs=0.005)


def test_the_2026_2029_plan_targets_and_shares() -> None:
    plan = load_plan("quebec-2026-2029")
    assert plan.years == [2026, 2027, 2028, 2029]
    assert plan.year(2026).already_resident_share == (0.54, 0.54)
    assert plan.year(2029).already_resident_share == (0.65, 1.0)  # "65 % or more"
    assert plan.year(2029).french_knowledge_target == 0.77
    assert plan.year(2026).economic_share == (0.64, 0.64)
    assert plan.total(2026, "low") == 43_000
    assert plan.level("economic", 2026, "high") == 30_100
    assert plan.level("family", 2026, "low") == 9_600
    assert plan.level("refugees", 2026, "high") == 6_000


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        ("quebec-2024-2027-scenario-1", [50_000, 54_000, 57_000, 60_000]),
        ("quebec-2024-2027-scenario-2", [50_000] * 4),
        ("quebec-2026-2029-scenario-25000", [25_000] * 4),
        ("quebec-2026-2029-scenario-35000", [35_000] * 4),
        ("quebec-2026-2029-scenario-45000", [45_000] * 4),
    ],
)
def test_consultation_scenarios_are_plans_marked_as_scenarios(name: str, levels: list[int]) -> None:
    plan = load_plan(name)
    assert plan.status == "scenario"
    assert [plan.total(y) for y in plan.years] == levels


def test_tabled_plans_and_scenarios_are_told_apart() -> None:
    statuses = {p.name: p.status for p in all_plans()}
    assert statuses["quebec-2026-2029"] == "tabled"
    assert statuses["quebec-2019"] == "tabled"
    assert sum(1 for s in statuses.values() if s == "scenario") == 5


def test_every_quebec_plan_since_2019_is_shipped() -> None:
    names = {p.name for p in all_plans()}
    years = {y for p in all_plans() if p.jurisdiction == "quebec" for y in p.years}
    assert set(range(2018, 2030)) <= years
    assert {"canada-2021-2023", "canada-2026-2028", "quebec-2026-2029"} <= names


def test_accord_check_counts_every_admission_against_the_federal_plan() -> None:
    # Quebec's 2025 plan with the graduates: 64,750 of 395,000 = 16.4 %, below its share.
    findings = [f for f in validate(load_plan("quebec-2025")) if f.rule == "accord-share"]
    assert len(findings) == 1
    assert "64,750" in findings[0].message and "canada-2025-2027" in findings[0].message
