"""The CRS against worked examples computed by hand from the published tables.

Tables: facts/selection.md §2.1 (IRCC's CRS criteria). "w/o" = without spouse, "w/" = with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from immiplan.errors import InputError
from immiplan.selection import Profiles, explain, load_grid

Row = Callable[..., dict[str, Any]]
Table = Callable[..., Profiles]


def crs(table: Table, *rows: dict[str, Any], grid: str = "crs-2019") -> np.ndarray:
    return load_grid(grid).score(table(*rows)).total


def factors(table: Table, row: dict[str, Any], grid: str = "crs-2019") -> dict[str, int]:
    scored = load_grid(grid).score(table(row))
    return {name: int(values[0]) for name, values in scored.factors.items()}


def test_maximum_profile_scores_1200(make_row: Row, make_table: Table) -> None:
    # Core w/o spouse: age 25 110 + doctorate 150 + English CLB 10 x4 = 136
    #   + French NCLC 9 x4 = 24 (cap 24) + 5 years Canadian work 80 = 500.
    # Transferability: education 50+50 -> 50; foreign 3 yrs 50+50 -> 50; certificate 50;
    #   150 -> cap 100. Additional: sibling 15 + French 30 + Canadian degree 30 + NOC 00 200
    #   + nomination 600 = 875 -> cap 600. Total 500 + 100 + 600 = 1200.
    best = make_row(
        age=25,
        education="doctorate",
        english=10,
        french=9,
        canadian_work_years=5,
        foreign_work_years=3,
        certificate_of_qualification=True,
        sibling_in_canada=True,
        canadian_education="three_year_or_more",
        arranged_employment="noc_00",
        provincial_nomination=True,
    )
    f = factors(make_table, best)
    assert (
        f["age"],
        f["education"],
        f["first_language"],
        f["second_language"],
        f["canadian_work"],
    ) == (110, 150, 136, 24, 80)
    assert f["transferability_cap"] == -50
    assert f["additional_cap"] == -275
    assert crs(make_table, best)[0] == 1200 == load_grid("crs-2019").maximum


def test_minimum_profile_scores_0(make_row: Row, make_table: Table) -> None:
    # Age 17 -> 0, no credential -> 0, no test -> 0, no experience -> 0: nothing else applies.
    assert crs(make_table, make_row(age=17, education="none"))[0] == 0
    assert crs(make_table, make_row(age=60, education="none"))[0] == 0


def test_typical_single_candidate(make_row: Row, make_table: Table) -> None:
    # Age 29 w/o 110 + bachelor 120 + CLB 9 x4 = 4 x 31 = 124 + 1 yr Canadian 40 = 394 core.
    # Transferability: bachelor (tier 1) x CLB 9 on all four (tier 2) = 25;
    # bachelor x 1 yr Canadian work = 13. 394 + 38 = 432.
    assert (
        crs(make_table, make_row(age=29, education="bachelor", english=9, canadian_work_years=1))[0]
        == 432
    )


def test_candidate_with_spouse(make_row: Row, make_table: Table) -> None:
    # Core w/: age 30 95 + master's 126 + CLB 8 x4 = 88 + 2 yrs Canadian 46 = 355.
    # Spouse: bachelor 8 + CLB 7 x4 = 12 + no Canadian work 0 = 20.
    # Transferability: master's (tier 2) x CLB 8 (tier 1: 7+, not all 9) = 25;
    # master's x 2 yrs Canadian (tier 2) = 50; 75 -> cap 50. Total 355 + 20 + 50 = 425.
    row = make_row(
        age=30,
        has_spouse=True,
        education="master",
        english=8,
        canadian_work_years=2,
        spouse_age=29,
        spouse_education="bachelor",
        spouse_english=7,
    )
    f = factors(make_table, row)
    assert (f["spouse_education"], f["spouse_language"], f["spouse_canadian_work"]) == (8, 12, 0)
    assert f["education_cap"] == -25
    assert crs(make_table, row)[0] == 425


def test_single_bachelor_is_not_two_or_more_credentials(make_row: Row, make_table: Table) -> None:
    # A single bachelor's is "a post-secondary credential of one year or longer" (tier 1):
    # with CLB 9 on all four it earns 25, not 50; two credentials (one 3+ yrs) earn 50.
    bachelor = factors(make_table, make_row(education="bachelor", english=9))
    two = factors(make_table, make_row(education="two_or_more", english=9))
    assert bachelor["education_language"] == 25
    assert two["education_language"] == 50
    # Bachelor x 2+ yrs Canadian: 25 (tier 1 row), master's: 50.
    assert (
        factors(make_table, make_row(education="bachelor", canadian_work_years=2))[
            "education_canadian_work"
        ]
        == 25
    )
    assert (
        factors(make_table, make_row(education="master", canadian_work_years=2))[
            "education_canadian_work"
        ]
        == 50
    )
    # A one-year credential is tier 1 too; secondary earns no transferability.
    assert (
        factors(make_table, make_row(education="university_1y", english=7))["education_language"]
        == 13
    )
    assert (
        factors(make_table, make_row(education="secondary_general", english=10))[
            "education_language"
        ]
        == 0
    )


@pytest.mark.parametrize(
    ("age", "single", "couple"),
    [
        (17, 0, 0),
        (18, 99, 90),
        (19, 105, 95),
        (20, 110, 100),
        (29, 110, 100),
        (30, 105, 95),
        (31, 99, 90),
        (35, 77, 70),
        (40, 50, 45),
        (41, 39, 35),
        (44, 6, 5),
        (45, 0, 0),
    ],
)
def test_age_table_boundaries(
    make_row: Row, make_table: Table, age: int, single: int, couple: int
) -> None:
    assert factors(make_table, make_row(age=age))["age"] == single
    spouse = make_row(age=age, has_spouse=True, spouse_age=30, spouse_education="none")
    assert factors(make_table, spouse)["age"] == couple


@pytest.mark.parametrize(
    ("clb", "per_ability"),
    [(3, 0), (4, 6), (5, 6), (6, 9), (7, 17), (8, 23), (9, 31), (10, 34), (12, 34)],
)
def test_first_language_table_boundaries(
    make_row: Row, make_table: Table, clb: int, per_ability: int
) -> None:
    assert factors(make_table, make_row(english=clb))["first_language"] == 4 * per_ability


@pytest.mark.parametrize(
    ("nclc", "points"), [(4, 0), (5, 4), (6, 4), (7, 12), (8, 12), (9, 24), (12, 24)]
)
def test_second_language_table_and_cap(
    make_row: Row, make_table: Table, nclc: int, points: int
) -> None:
    # Per ability: CLB 5-6 1, 7-8 3, 9+ 6; four abilities, capped at 24 w/o spouse.
    assert factors(make_table, make_row(english=10, french=nclc))["second_language"] == points


def test_second_language_cap_is_22_with_spouse(make_row: Row, make_table: Table) -> None:
    # NCLC 9 x4 = 24 -> cap 22 with an accompanying spouse.
    row = make_row(english=10, french=9, has_spouse=True, spouse_age=30, spouse_education="none")
    assert factors(make_table, row)["second_language"] == 22


def test_first_language_is_the_stronger_one_by_default(make_row: Row, make_table: Table) -> None:
    # French NCLC 10 x4 = 136 as first; English CLB 5 x4 = 4 as second.
    f = factors(make_table, make_row(french=10, english=5))
    assert (f["first_language"], f["second_language"]) == (136, 4)
    declared = factors(
        make_table, make_row(french=10, english=5, first_official_language="english")
    )
    assert (declared["first_language"], declared["second_language"]) == (24, 24)


@pytest.mark.parametrize(
    ("english", "levels", "points"),
    [(5, (5, 6, 6, 6), 25), (7, (7, 7, 7, 7), 50), (4, (4, 7, 7, 7), 0)],
)
def test_certificate_of_qualification(
    make_row: Row, make_table: Table, english: int, levels: tuple[int, ...], points: int
) -> None:
    row = make_row(
        english=english,
        certificate_of_qualification=True,
        education="none",
        english_listening=levels[0],
        english_speaking=levels[1],
        english_reading=levels[2],
        english_writing=levels[3],
    )
    assert factors(make_table, row)["certificate"] == points


@pytest.mark.parametrize(("years", "points"), [(0, 0), (1, 25), (2, 25), (3, 50), (10, 50)])
def test_foreign_work_tiers(make_row: Row, make_table: Table, years: int, points: int) -> None:
    # Foreign work x CLB 9+ on all four: 1-2 yrs 25, 3+ yrs 50.
    assert (
        factors(make_table, make_row(english=9, foreign_work_years=years))["foreign_language"]
        == points
    )


@pytest.mark.parametrize(
    ("grid", "french_only", "bilingual"),
    [("crs@2017-01-01", 0, 0), ("crs-2019", 15, 30), ("crs-2021", 25, 50)],
)
def test_french_additional_points_are_dated(
    make_row: Row, make_table: Table, grid: str, french_only: int, bilingual: int
) -> None:
    alone = make_row(french=7, english=4)
    both = make_row(french=7, english=5)
    short = make_row(french=7, english=5, french_writing=6)
    assert factors(make_table, alone, grid)["french"] == french_only
    assert factors(make_table, both, grid)["french"] == bilingual
    assert factors(make_table, short, grid)["french"] == 0


@pytest.mark.parametrize(
    ("grid", "noc_00", "noc_0ab"),
    [("crs@2016-01-01", 600, 600), ("crs-2019", 200, 50), ("crs-2025", 0, 0)],
)
def test_arranged_employment_is_dated(
    make_row: Row, make_table: Table, grid: str, noc_00: int, noc_0ab: int
) -> None:
    assert (
        factors(make_table, make_row(arranged_employment="noc_00"), grid)["arranged_employment"]
        == noc_00
    )
    assert (
        factors(make_table, make_row(arranged_employment="noc_0ab"), grid)["arranged_employment"]
        == noc_0ab
    )


def test_nomination_adds_600_and_sibling_15(make_row: Row, make_table: Table) -> None:
    base = make_row(english=9)
    assert (
        crs(make_table, make_row(english=9, provincial_nomination=True))[0]
        - crs(make_table, base)[0]
    ) == 600
    assert (
        crs(make_table, make_row(english=9, sibling_in_canada=True))[0] - crs(make_table, base)[0]
    ) == 15


def test_explain_trace_adds_up_to_the_score(make_row: Row, make_table: Table) -> None:
    profiles = make_table(
        make_row(
            id="a",
            age=33,
            education="master",
            english=9,
            foreign_work_years=4,
            canadian_work_years=1,
        )
    )
    grid = load_grid("crs-2019")
    trace = explain(grid, profiles, "a")
    lines = trace[trace["block"] != "total"]
    total = int(grid.score(profiles).total[0])
    assert sum(lines["points"]) == int(trace.iloc[-1]["points"]) == total
    assert "age" in set(trace["factor"])
    with pytest.raises(InputError, match="no candidate"):
        explain(grid, profiles, "zz")


def test_grid_names(make_row: Row, make_table: Table) -> None:
    with pytest.raises(InputError, match="unknown grid"):
        load_grid("crs-2018")
    with pytest.raises(InputError, match="not encoded"):
        load_grid("prtq@2017-01-01")
    assert load_grid("crs@2019-06-01").maximum == 1200


@pytest.mark.parametrize(
    ("education", "single", "couple", "spouse"),
    [
        ("none", 0, 0, 0),
        ("secondary_general", 30, 28, 2),
        ("secondary_vocational", 30, 28, 2),
        ("university_1y", 90, 84, 6),
        ("postsecondary_technical_1y", 90, 84, 6),
        ("postsecondary_general_2y", 98, 91, 7),
        ("postsecondary_technical_3y", 120, 112, 8),
        ("bachelor", 120, 112, 8),
        ("two_or_more", 128, 119, 9),
        ("master", 135, 126, 10),
        ("doctorate", 150, 140, 10),
    ],
)
def test_education_table(
    make_row: Row, make_table: Table, education: str, single: int, couple: int, spouse: int
) -> None:
    assert factors(make_table, make_row(education=education))["education"] == single
    row = make_row(education=education, has_spouse=True, spouse_age=30, spouse_education=education)
    f = factors(make_table, row)
    assert (f["education"], f["spouse_education"]) == (couple, spouse)


@pytest.mark.parametrize(
    ("years", "single", "couple", "spouse"),
    [
        (0, 0, 0, 0),
        (1, 40, 35, 5),
        (2, 53, 46, 7),
        (3, 64, 56, 8),
        (4, 72, 63, 9),
        (5, 80, 70, 10),
        (9, 80, 70, 10),
    ],
)
def test_canadian_work_table(
    make_row: Row, make_table: Table, years: int, single: int, couple: int, spouse: int
) -> None:
    assert factors(make_table, make_row(canadian_work_years=years))["canadian_work"] == single
    row = make_row(
        canadian_work_years=years,
        has_spouse=True,
        spouse_age=30,
        spouse_education="none",
        spouse_canadian_work_years=years,
    )
    f = factors(make_table, row)
    assert (f["canadian_work"], f["spouse_canadian_work"]) == (couple, spouse)


@pytest.mark.parametrize(
    ("clb", "points"), [(4, 0), (5, 4), (6, 4), (7, 12), (8, 12), (9, 20), (12, 20)]
)
def test_spouse_language_table(make_row: Row, make_table: Table, clb: int, points: int) -> None:
    # Per ability: CLB 5-6 1, 7-8 3, 9+ 5; four abilities, cap 20.
    row = make_row(has_spouse=True, spouse_age=30, spouse_education="none", spouse_english=clb)
    assert factors(make_table, row)["spouse_language"] == points


def test_first_language_with_spouse(make_row: Row, make_table: Table) -> None:
    # With a spouse: CLB 6 8, CLB 9 29 per ability (32 at CLB 10+).
    for clb, per_ability in ((6, 8), (9, 29), (10, 32)):
        row = make_row(english=clb, has_spouse=True, spouse_age=30, spouse_education="none")
        assert factors(make_table, row)["first_language"] == 4 * per_ability


@pytest.mark.parametrize(
    ("grid", "one_or_two", "three_plus"),
    [("crs@2016-01-01", 0, 0), ("crs-2019", 15, 30), ("crs-2025", 15, 30)],
)
def test_canadian_education_points_are_dated(
    make_row: Row, make_table: Table, grid: str, one_or_two: int, three_plus: int
) -> None:
    for value, points in (("one_or_two_year", one_or_two), ("three_year_or_more", three_plus)):
        assert (
            factors(make_table, make_row(canadian_education=value), grid)["canadian_education"]
            == points
        )
