"""The PRTQ grid of August 2018 against worked examples (facts/quebec-immigration.md §5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from immiplan.errors import InputError
from immiplan.selection import Profiles, explain, load_grid
from immiplan.selection.scenario import load_scenario

Row = Callable[..., dict[str, Any]]
Table = Callable[..., Profiles]


def score(table: Table, row: dict[str, Any], grid: str = "prtq-2018") -> dict[str, Any]:
    scored = load_grid(grid).score(table(row))
    out: dict[str, Any] = {name: int(v[0]) for name, v in scored.factors.items()}
    out["total"] = int(scored.total[0])
    out.update({name: v[0].item() for name, v in scored.checks.items()})
    return out


def test_maximum_with_spouse_is_120(make_row: Row, make_table: Table) -> None:
    # Education doctorate 14 + area A 12 + 48 months 8 + age 30 16 + French C2 (NCLC 11)
    # 7+7+1+1 = 16 + English CLB 9 2+2+1+1 = 6 + Quebec studies 5 + family 3
    # + spouse (master's 4, area A 4, age 30 3, French C1 3+3) 17 + job offer in the
    # Capitale-Nationale 14 + two young children 8 + self-sufficiency 1 = 120.
    best = make_row(
        education="doctorate",
        area_of_training="A",
        experience_months=48,
        age=30,
        french=11,
        english=9,
        quebec_stay="studies_or_work",
        family_in_quebec=True,
        has_spouse=True,
        spouse_age=30,
        spouse_education="master",
        spouse_area_of_training="A",
        spouse_french=9,
        job_offer_region="capitale_nationale",
        children_0_12=2,
    )
    s = score(make_table, best)
    assert s["total"] == 120 == load_grid("prtq-2018").maximum
    assert s["employability"] == 111 and s["selected"]


def test_minimum_profile(make_row: Row, make_table: Table) -> None:
    # No diploma (0, fails the education cut-off), age 50 (0), nothing else; no contract.
    s = score(make_table, make_row(education="none", age=50, self_sufficiency=False))
    assert s["total"] == 0
    assert not s["education_cutoff_met"] and not s["self_sufficiency_cutoff_met"]
    assert not s["selected"]


def single(**changes: Any) -> dict[str, Any]:
    # Bachelor 10 + area B 9 + 24 months 6 + age 30 16 = 41, + English CLB 9 listening 2
    # = employability 43 (just the single threshold); + self-sufficiency 1 = 44.
    base: dict[str, Any] = {
        "education": "bachelor",
        "area_of_training": "B",
        "experience_months": 24,
        "age": 30,
        "english_listening": 9,
    }
    base.update(changes)
    return base


def test_single_thresholds_just_met(make_row: Row, make_table: Table) -> None:
    # 43 employability; children 4 + 2 bring the total to exactly 50.
    s = score(make_table, make_row(**single(children_0_12=1, children_13_21=1)))
    assert (s["employability"], s["total"]) == (43, 50)
    assert s["employability_threshold_met"] and s["passing_score_met"] and s["selected"]


def test_single_employability_just_missed(make_row: Row, make_table: Table) -> None:
    # English listening CLB 8 is worth 1, not 2: employability 42 < 43, even with children
    # making the total 50.
    s = score(
        make_table, make_row(**single(english_listening=8, children_0_12=1, children_13_21=2))
    )
    assert (s["employability"], s["total"]) == (42, 51)
    assert not s["employability_threshold_met"] and s["passing_score_met"]
    assert not s["selected"]


def test_single_passing_score_just_missed(make_row: Row, make_table: Table) -> None:
    # Employability 44 (English speaking CLB 5 adds 1); + 1 + one young child 4 = 49 < 50.
    s = score(make_table, make_row(**single(english_speaking=5, children_0_12=1)))
    assert (s["employability"], s["total"]) == (44, 49)
    assert s["employability_threshold_met"] and not s["passing_score_met"]
    assert not s["selected"]


def couple(**changes: Any) -> dict[str, Any]:
    # Single part 43 as above; spouse bachelor 3 + area C 2 + age 40 1 = 6 -> 49; + English
    # speaking CLB 9 (2) + reading CLB 5 (1) = 52, the with-spouse employability threshold.
    base = single(
        english_speaking=9,
        english_reading=5,
        has_spouse=True,
        spouse_age=40,
        spouse_education="bachelor",
        spouse_area_of_training="C",
    )
    base.update(changes)
    return base


def test_with_spouse_thresholds_just_met_and_missed(make_row: Row, make_table: Table) -> None:
    # 52 + 1 + two young children 8 = 61 >= 59: selected.
    met = score(make_table, make_row(**couple(children_0_12=2)))
    assert (met["employability"], met["total"]) == (52, 61) and met["selected"]
    # Spouse aged 43: 0 instead of 1 -> employability 51 < 52.
    missed = score(make_table, make_row(**couple(spouse_age=43, children_0_12=2)))
    assert (missed["employability"], missed["total"]) == (51, 60)
    assert not missed["employability_threshold_met"] and not missed["selected"]
    # 52 + 1 + one older child 2 + one young 4 = 59: just the passing score; one fewer: 57.
    just = score(make_table, make_row(**couple(children_0_12=1, children_13_21=1)))
    assert just["total"] == 59 and just["selected"]
    short = score(make_table, make_row(**couple(children_0_12=1)))
    assert short["total"] == 57 and not short["passing_score_met"]
    # Employability 53 (English writing CLB 5 adds 1) + 1 + one young child 4 = 58: one point
    # under the passing score of 59, with employability and both cut-offs met.
    under = score(make_table, make_row(**couple(english_writing=5, children_0_12=1)))
    assert (under["employability"], under["total"]) == (53, 58)
    assert under["employability_threshold_met"] and under["education_cutoff_met"]
    assert not under["passing_score_met"] and not under["selected"]


def test_education_cutoff(make_row: Row, make_table: Table) -> None:
    # A general secondary diploma is 2 points: exactly the cut-off.
    assert score(make_table, make_row(education="secondary_general"))["education_cutoff_met"]
    # Without one, a candidate fails whatever else scores.
    strong = make_row(
        education="none",
        area_of_training="A",
        experience_months=60,
        french=12,
        english=12,
        job_offer_region="monteregie",
        children_0_12=2,
    )
    s = score(make_table, strong)
    assert s["total"] >= 50 and s["employability"] >= 43
    assert not s["education_cutoff_met"] and not s["selected"]


def test_self_sufficiency_cutoff(make_row: Row, make_table: Table) -> None:
    ok = score(make_table, make_row(**single(children_0_12=2)))
    no = score(make_table, make_row(**single(children_0_12=2, self_sufficiency=False)))
    assert ok["selected"] and not no["selected"]
    assert ok["total"] - no["total"] == 1


@pytest.mark.parametrize(
    ("age", "points"),
    [(17, 0), (18, 16), (35, 16), (36, 14), (37, 12), (39, 8), (40, 6), (42, 2), (43, 0), (60, 0)],
)
def test_age_boundaries(make_row: Row, make_table: Table, age: int, points: int) -> None:
    assert score(make_table, make_row(age=age))["age"] == points


@pytest.mark.parametrize(
    ("age", "points"), [(18, 3), (35, 3), (36, 2), (39, 2), (40, 1), (42, 1), (43, 0)]
)
def test_spouse_age_boundaries(make_row: Row, make_table: Table, age: int, points: int) -> None:
    row = make_row(has_spouse=True, spouse_age=age, spouse_education="none")
    assert score(make_table, row)["spouse_age"] == points


@pytest.mark.parametrize(
    ("nclc", "oral", "written"),
    [(4, 0, 0), (6, 0, 0), (7, 5, 1), (8, 5, 1), (9, 6, 1), (10, 6, 1), (11, 7, 1), (12, 7, 1)],
)
def test_french_levels(
    make_row: Row, make_table: Table, nclc: int, oral: int, written: int
) -> None:
    # Quebec scale levels 7-8 are B2, 9-10 C1, 11-12 C2: oral 5/6/7 and written 1 each.
    assert score(make_table, make_row(french=nclc))["french"] == 2 * oral + 2 * written


@pytest.mark.parametrize(("clb", "points"), [(4, 0), (5, 4), (8, 4), (9, 6), (12, 6)])
def test_english_levels(make_row: Row, make_table: Table, clb: int, points: int) -> None:
    # Oral CLB 5-8 1, 9-12 2 (each of two); written 1 each at CLB 5+.
    assert score(make_table, make_row(english=clb))["english"] == points


@pytest.mark.parametrize(
    ("young", "older", "points"), [(0, 0, 0), (1, 0, 4), (0, 1, 2), (1, 1, 6), (2, 0, 8), (3, 1, 8)]
)
def test_children(make_row: Row, make_table: Table, young: int, older: int, points: int) -> None:
    s = score(make_table, make_row(children_0_12=young, children_13_21=older))
    assert s["children"] == points


@pytest.mark.parametrize(
    ("region", "points"),
    [
        ("none", 0),
        ("montreal_cma", 8),
        ("gaspesie_iles_de_la_madeleine", 10),
        ("capitale_nationale", 14),
        ("estrie", 13),
    ],
)
def test_job_offer(make_row: Row, make_table: Table, region: str, points: int) -> None:
    assert score(make_table, make_row(job_offer_region=region))["job_offer"] == points


def test_spouse_factors_count_only_with_a_spouse(make_row: Row, make_table: Table) -> None:
    alone = score(make_table, make_row(spouse_age=30, spouse_education="master", spouse_french=12))
    assert alone["spouse_education"] == alone["spouse_age"] == alone["spouse_french"] == 0


def test_explain_has_the_checks(make_row: Row, make_table: Table) -> None:
    profiles = make_table(make_row(id="q", **single(children_0_12=1, children_13_21=1)))
    trace = explain(load_grid("prtq-2018"), profiles, "q")
    checks = trace[trace["block"] == "check"].set_index("factor")["inputs"]
    assert checks["employability"].startswith("43")
    assert checks["selected"] == "yes"
    lines = trace[~trace["block"].isin(["total", "check"])]
    assert sum(lines["points"]) == 50


def test_overrides_reform_the_grid(make_row: Row, make_table: Table) -> None:
    reformed = load_grid("prtq-2018", {"language.french": {"oral": {"B2": 10}}})
    base = load_grid("prtq-2018")
    profiles = make_table(make_row(french=7))
    assert int(base.score(profiles).factors["french"][0]) == 12
    assert int(reformed.score(profiles).factors["french"][0]) == 22
    with pytest.raises(InputError, match="unknown prtq parameter"):
        load_grid("prtq-2018", {"language.german": {}})
    # The reformed scenario ships and names its parent.
    assert load_scenario("quebec-2019-more-french").grid_overrides


@pytest.mark.parametrize(
    ("education", "points", "spouse_points"),
    [
        ("none", 0, 0),
        ("secondary_general", 2, 1),
        ("secondary_vocational", 6, 2),
        ("postsecondary_general_2y", 4, 1),
        ("postsecondary_technical_1y", 6, 2),
        ("postsecondary_technical_2y", 6, 2),
        ("postsecondary_technical_3y", 8, 3),
        ("university_1y", 4, 1),
        ("university_2y", 6, 2),
        ("bachelor", 10, 3),
        ("two_or_more", 10, 3),
        ("master", 12, 4),
        ("doctorate", 14, 4),
    ],
)
def test_education_levels(
    make_row: Row, make_table: Table, education: str, points: int, spouse_points: int
) -> None:
    # Every education code: the applicant's row (max 14) and the spouse's (max 4).
    s = score(
        make_table,
        make_row(education=education, has_spouse=True, spouse_age=30, spouse_education=education),
    )
    assert (s["education"], s["spouse_education"]) == (points, spouse_points)
    assert s["education_cutoff_met"] == (points >= 2)


@pytest.mark.parametrize(
    ("area", "points", "spouse_points"),
    [
        ("A", 12, 4),
        ("B", 9, 3),
        ("C", 6, 2),
        ("D", 2, 1),
        ("E", 0, 0),
        ("F", 0, 0),
        ("G", 0, 0),
        ("none", 0, 0),
    ],
)
def test_areas_of_training(
    make_row: Row, make_table: Table, area: str, points: int, spouse_points: int
) -> None:
    s = score(
        make_table,
        make_row(
            area_of_training=area,
            has_spouse=True,
            spouse_age=30,
            spouse_education="none",
            spouse_area_of_training=area,
        ),
    )
    assert (s["area_of_training"], s["spouse_area"]) == (points, spouse_points)


@pytest.mark.parametrize(
    ("months", "points"), [(0, 0), (5, 0), (6, 4), (23, 4), (24, 6), (47, 6), (48, 8), (120, 8)]
)
def test_experience_boundaries(make_row: Row, make_table: Table, months: int, points: int) -> None:
    assert score(make_table, make_row(experience_months=months))["experience"] == points


@pytest.mark.parametrize(("nclc", "points"), [(0, 0), (6, 0), (7, 4), (8, 4), (9, 6), (12, 6)])
def test_spouse_french_boundaries(make_row: Row, make_table: Table, nclc: int, points: int) -> None:
    # Oral comprehension and production: B2 (levels 7-8) 2 each, C1/C2 (9-12) 3 each.
    row = make_row(has_spouse=True, spouse_age=30, spouse_education="none", spouse_french=nclc)
    assert score(make_table, row)["spouse_french"] == points


@pytest.mark.parametrize(
    ("stay", "family", "points"),
    [
        ("none", False, 0),
        ("visit_2w_3m", False, 1),
        ("visit_over_3m", False, 2),
        ("studies_or_work", False, 5),
        ("studies_or_work", True, 8),
    ],
)
def test_stay_and_family_in_quebec(
    make_row: Row, make_table: Table, stay: str, family: bool, points: int
) -> None:
    s = score(make_table, make_row(quebec_stay=stay, family_in_quebec=family))
    assert s["stay"] + s["family"] == points
