"""Synthetic pools (labelled, reproducible, calibrated) and the cohort profile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from immiplan.errors import InputError
from immiplan.selection import (
    CohortAssumptions,
    Profiles,
    cohort_profile,
    crs_snapshot_2019,
    economic_profile,
    generate_pool,
    run_scenario,
    snapshot_fit,
)
from immiplan.selection.rounds import RoundSimulator
from immiplan.selection.scenario import load_scenario

Row = Callable[..., dict[str, Any]]
Table = Callable[..., Profiles]


def test_synthetic_pool_is_labelled_and_reproducible() -> None:
    a = generate_pool(1_000, seed=11)
    b = generate_pool(1_000, seed=11)
    c = generate_pool(1_000, seed=12)
    assert a.synthetic and a["synthetic"].all()
    assert np.array_equal(a["age"], b["age"]) and np.array_equal(a["submitted"], b["submitted"])
    assert not np.array_equal(a["age"], c["age"])
    assert (a.to_frame()["synthetic"]).all()
    with pytest.raises(InputError, match="unknown pool kind"):
        generate_pool(10, kind="australia")


def test_arrima_pool_knows_more_french_than_express_entry() -> None:
    arrima = generate_pool(20_000, kind="arrima", seed=1)
    federal = generate_pool(20_000, kind="express-entry", seed=1)
    assert (arrima["french_speaking"] >= 7).mean() > 3 * (federal["french_speaking"] >= 7).mean()


def test_snapshot_fit_of_the_replayed_pool() -> None:
    # The pool left on 2019-04-12 by replaying the published rounds against IRCC's snapshot.
    scenario = load_scenario("express-entry-2018-2019")
    result = run_scenario(scenario)
    sim = RoundSimulator(result.pool, result.scores, validity_days=365)
    snap = crs_snapshot_2019()
    for spec in sorted([*scenario.warm_up, *scenario.replay], key=lambda r: r.date):
        if spec.date > snap.date:
            break
        sim.draw(spec)
    fit = snapshot_fit(result.scores[sim.active(snap.date)])
    assert fit.attrs["published_total"] == 103_840
    assert fit.attrs["total_variation"] < 0.15
    assert 0.85 < fit.attrs["synthetic_total"] / 103_840 < 1.3
    # The scarce top: fewer than 3 % of the pool above 450, as published (2.1 %).
    top = fit.loc[fit["bucket"].isin(["601–1200", "451–600"]), "synthetic_share"].sum()
    assert top < 0.03


def test_cohort_profile_counts_the_family(make_row: Row, make_table: Table) -> None:
    # One principal (woman, 30) with a spouse (32, the other sex), one child 0-12 and one
    # 13-21: 4 persons; the children spread evenly over their bands, half girls.
    selected = make_table(
        make_row(
            age=30,
            sex="female",
            has_spouse=True,
            spouse_age=32,
            spouse_education="bachelor",
            children_0_12=1,
            children_13_21=1,
            french=7,
            spouse_french=0,
        )
    )
    profile = cohort_profile(selected)
    assert profile.persons == pytest.approx(4.0)
    assert profile.persons_per_principal == pytest.approx(4.0)
    assert profile.age_sex[0, 30] == pytest.approx(1.0)
    assert profile.age_sex[1, 32] == pytest.approx(1.0)
    assert profile.age_sex[:, 0:13].sum() == pytest.approx(1.0)
    assert profile.age_sex[0, 5] == pytest.approx(0.5 / 13)
    assert profile.age_sex[:, 13:22].sum() == pytest.approx(1.0)
    # Principal knows French (NCLC 7), spouse not; the children follow their parent: 3 of 4.
    assert profile.french_share == pytest.approx(0.75)
    assert profile.distribution().sum() == pytest.approx(1.0)
    array = profile.to_dataarray(persons=100)
    assert array.dims == ("sex", "age") and float(array.sum()) == pytest.approx(100)


def test_cohort_ages_move_to_admission(make_row: Row, make_table: Table) -> None:
    selected = make_table(make_row(age=30, sex="male"))
    shifted = cohort_profile(selected, CohortAssumptions(years_to_admission=2))
    assert shifted.age_sex[1, 32] == pytest.approx(1.0)
    assert shifted.french_share == 0.0
    with pytest.raises(InputError):
        CohortAssumptions(french_min_nclc=13)


def test_quebec_2019_cohort_is_near_its_calibration_targets() -> None:
    cohort = run_scenario("quebec-2019").cohort
    # Targets (docs/selection.md): 75.4 % of skilled workers knew French (2010-2014);
    # about 3.1 persons per file (Bill 9: 50,000 persons / 16,000 files).
    assert 0.70 < cohort.french_share < 0.82
    assert 2.8 < cohort.persons_per_principal < 3.3
    ages = cohort.age_groups().set_index("age group")["share"]
    assert ages["25–44"] > 0.5


def test_the_grid_is_a_policy_lever() -> None:
    base = run_scenario("quebec-2019").cohort
    reform = run_scenario("quebec-2019-more-french").cohort
    # Doubling the points for oral French selects more French speakers.
    assert reform.principal_french_share > base.principal_french_share + 0.05
    assert reform.principals == base.principals


def test_economic_profile_api(tmp_path: Path) -> None:
    # The contract the projection relies on (docs/selection.md, "How the projection uses the
    # cohort"): dims (sex, age), sexes female/male, ages 0..100, shares summing to 1, and a
    # French share in [0, 1]; equal to the scenario's own cohort.
    profile = economic_profile("quebec-2019")
    shares = profile.to_dataarray()
    assert shares.dims == ("sex", "age")
    assert shares.coords["sex"].values.tolist() == ["female", "male"]
    assert shares.coords["age"].values.tolist() == list(range(101))
    assert float(shares.sum()) == pytest.approx(1.0)
    assert (shares.values >= 0).all()
    assert 0.0 <= profile.french_share <= 1.0
    fresh = economic_profile("quebec-2019", cached=False)
    assert np.array_equal(fresh.age_sex, profile.age_sex)
    assert fresh.french_share == profile.french_share
    # Each call gets its own copy: changing one does not change the next.
    profile.age_sex[0, 30] += 1_000.0
    assert economic_profile("quebec-2019").age_sex[0, 30] == fresh.age_sex[0, 30]
    # An edited scenario file is run again, not served from what was kept.
    path = tmp_path / "s.yaml"
    path.write_text("based_on: quebec-2019\n", encoding="utf-8")
    before = economic_profile(path).french_share
    assert before == pytest.approx(profile.french_share)
    path.write_text("based_on: quebec-2019-more-french\n", encoding="utf-8")
    assert economic_profile(path).french_share > before + 0.05
