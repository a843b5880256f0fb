"""A realistic report input, made here: a test fixture with synthetic numbers.

The shapes follow the 2018 debate (a 52,000 plan cut to 40,000) so that the report reads
like the real one, but every number below is invented for the tests; none is data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from immiplan.report.model import ReportInput, ScenarioInfo
from immiplan.solver.report import TakesRow
from immiplan.system.references import Reference

BASE_YEAR = 2018
HORIZON = 2040

FIXTURE_NOTE = "Test fixture: synthetic numbers."

GENERAL_SOURCES = [
    Reference(
        publisher="Fixture Statistics Office",
        document="Synthetic base population of Quebec on 1 July 2018",
        date="2018-07-01",
        url="https://example.org/fixture/base-population",
        note=FIXTURE_NOTE,
    ),
    Reference(
        publisher="Fixture Census Bureau",
        document="Synthetic knowledge of official languages",
        date="2017-08-02",
        note=FIXTURE_NOTE,
    ),
]

PLAN_SOURCE = Reference(
    publisher="Fixture Ministry of Immigration",
    document="Synthetic immigration plans 2018 and 2019",
    date="2018-12-04",
    url="https://example.org/fixture/plans",
    note=FIXTURE_NOTE,
)

# (key, yearly immigrants, label fr, label en)
SCENARIOS = (
    ("plan-2018", 52_000, "Plan 2018 : 52 000 par année", "2018 plan: 52,000 a year"),
    ("plan-2019", 40_000, "Plan 2019 : 40 000 par année", "2019 plan: 40,000 a year"),
    ("increase-60k", 60_000, "Hausse : 60 000 par année", "Increase: 60,000 a year"),
)

# category, label fr, label en, 2017 actual, 2018 plan, 2019 plan, who selects (accord)
PLAN_ROWS = (
    (
        "economic.skilled_workers",
        "Travailleurs qualifiés",
        "Skilled workers",
        30_300,
        26_800,
        19_000,
        "province",
    ),
    (
        "economic.business",
        "Gens d'affaires",
        "Business immigrants",
        4_900,
        4_600,
        2_500,
        "province",
    ),
    (
        "economic.caregivers+other_economic",
        "Autres immigrants économiques",
        "Other economic immigrants",
        600,
        500,
        400,
        "province",
    ),
    ("family", "Regroupement familial", "Family reunification", 10_600, 10_800, 9_600, "federal"),
    (
        "refugees.government_assisted+privately_sponsored+blended",
        "Réfugiés sélectionnés à l'étranger",
        "Refugees selected abroad",
        7_400,
        4_700,
        3_700,
        "province",
    ),
    (
        "refugees.protected_in_canada",
        "Personnes protégées au Canada",
        "Protected persons in Canada",
        2_700,
        4_100,
        4_400,
        "federal",
    ),
    ("other", "Autres immigrants", "Other immigrants", 400, 500, 400, "federal"),
)


def _series() -> pd.DataFrame:
    rows = []
    years = np.arange(BASE_YEAR, HORIZON + 1)
    for key, level, _, _ in SCENARIOS:
        population = 8_390_000.0
        working_age = 5_080_000.0
        seniors = 1_600_000.0
        immigrants_stock = 1_090_000.0
        for t, year in enumerate(years):
            births = 84_000 + 0.12 * (level - 52_000) * min(t, 10) / 10 - 150 * t
            deaths = 68_000 + 1_100 * t
            emigrants = 9_000 + 0.04 * level
            if t > 0:
                population += births - deaths + level - emigrants
                working_age += 0.70 * level - 0.014 * working_age + 0.011 * working_age - 1_500
                seniors += 0.029 * seniors - 0.001 * seniors * (level / 52_000)
                immigrants_stock += level - 0.012 * immigrants_stock
            share_65 = seniors / population
            recent = 5 * level
            french_recent = 0.58 + 0.03 * (52_000 - level) / 12_000
            french_immigrants = 0.80 - 0.0015 * t * (level - 40_000) / 12_000
            french_all = 0.945 - (1 - french_immigrants) * immigrants_stock / population * 0.5
            labour_force = 0.82 * working_age + 0.04 * seniors
            unemployment = 0.055 + 0.002 * np.sin(t / 3)
            students = 0.45 * level + 2_000
            values = {
                "population": population,
                "working_age_20_64": working_age,
                "share_65_plus": share_65,
                "births": births,
                "deaths": deaths,
                "immigrants": float(level),
                "emigrants": emigrants,
                "labour_force": labour_force,
                "employment": labour_force * (1 - unemployment),
                "unemployment_rate": unemployment,
                "french_share_all": french_all,
                "french_share_immigrants": french_immigrants,
                "french_share_recent": min(french_recent + 0.002 * t, 0.95),
                "francization_students": students,
                "francization_cost": students * 6_150 * (1.02**t),
                # Temporary residents (synthetic): a stock by permit type, transitions half
                # of the admissions.
                "npr_stock": 470_000.0 + 4_000.0 * t,
                "npr_stock_work": 200_000.0 + 3_000.0 * t,
                "npr_stock_study": 103_000.0 + 500.0 * t,
                "npr_stock_asylum": 147_000.0,
                "npr_stock_other": 20_000.0 + 500.0 * t,
                "npr_transitions": 0.5 * level,
                "already_resident_share": 0.5,
            }
            del recent
            for indicator, value in values.items():
                rows.append((key, int(year), indicator, float(value)))
    return pd.DataFrame(rows, columns=["scenario", "year", "indicator", "value"])


def _plans() -> pd.DataFrame:
    frame = pd.DataFrame(
        [row[:6] for row in PLAN_ROWS],
        columns=["category", "label_fr", "label_en", "2017 actual", "2018 plan", "2019 plan"],
    )
    total = {"category": "total", "label_fr": "Total", "label_en": "Total"}
    for column in ("2017 actual", "2018 plan", "2019 plan"):
        total[column] = int(frame[column].sum())
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def _selectors() -> pd.DataFrame:
    return pd.DataFrame(
        [(row[0], row[6], "province", "federal") for row in PLAN_ROWS],
        columns=["category", "accord-1991", "quebec-control", "federal"],
    )


def _cut() -> pd.DataFrame:
    """The 52,000 plan cut to 40,000: under the Accord, only where Quebec selects."""
    base = {row[0]: row[4] for row in PLAN_ROWS}
    target_change = -12_000
    rows = []
    for regime in ("accord-1991", "quebec-control"):
        eligible = {
            code: level
            for code, level, row in zip(base, base.values(), PLAN_ROWS, strict=True)
            if regime == "quebec-control" or row[6] == "province"
        }
        pool = sum(eligible.values())
        changes = {code: round(target_change * level / pool) for code, level in eligible.items()}
        largest = max(changes, key=lambda c: abs(changes[c]))
        changes[largest] += target_change - sum(changes.values())
        for code, level in base.items():
            change = changes.get(code, 0)
            rows.append((regime, code, level, level + change, change, 100 * change / level))
    return pd.DataFrame(rows, columns=["regime", "category", "base", "new", "change", "change_pct"])


def make_report_input() -> ReportInput:
    """The fixture: three scenarios, 2018 to 2040, every indicator the report knows."""
    scenarios = [
        ScenarioInfo(
            key=key,
            label={"fr": fr, "en": en},
            description={
                "fr": f"{level:,} immigrants admis chaque année à partir de 2019.".replace(
                    ",", " "
                ),
                "en": f"{level:,} immigrants admitted every year from 2019.",
            },
            sources=[PLAN_SOURCE],
            assumptions={
                "fr": [f"Admissions annuelles constantes de {level:,}.".replace(",", " ")],
                "en": [f"Constant yearly admissions of {level:,}."],
            },
        )
        for key, level, fr, en in SCENARIOS
    ]
    return ReportInput(
        scenarios=scenarios,
        series=_series(),
        plans=_plans(),
        selectors=_selectors(),
        cut=_cut(),
        sources=list(GENERAL_SOURCES),
        assumptions={
            "fr": [
                "Fécondité, mortalité et émigration identiques dans tous les scénarios.",
                "Nombres synthétiques de test.",
            ],
            "en": [
                "Fertility, mortality and emigration are the same in every scenario.",
                "Synthetic test numbers.",
            ],
        },
        base_year=BASE_YEAR,
        horizon=HORIZON,
        generated_by="test fixture (synthetic numbers)",
        plan_labels={
            "2017 actual": {"fr": "Admissions 2017", "en": "2017 admissions"},
            "2018 plan": {"fr": "Plan 2018", "en": "2018 plan"},
            "2019 plan": {"fr": "Plan 2019", "en": "2019 plan"},
        },
        # Synthetic answers of the inverse planner (the section's layout, not its numbers:
        # tests/solver/test_solver_report.py checks those against the solver).
        what_it_takes=(
            TakesRow("un-iii", {"fr": "Population", "en": "Population"}, 61_000, 52_000, 64_000),
            TakesRow("un-iv", {"fr": "20–64 ans", "en": "Aged 20–64"}, 88_000, None, None),
        ),
    )


@pytest.fixture
def report_input() -> ReportInput:
    """A fresh fixture input (tests may change it)."""
    return make_report_input()


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One report per language, built once for the tests that only read them."""
    from immiplan.report import build_report

    out = {}
    for lang in ("fr", "en"):
        folder = tmp_path_factory.mktemp(f"report-{lang}")
        build_report(make_report_input(), folder, lang)
        out[lang] = folder
    return out
