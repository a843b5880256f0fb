"""Invitation rounds: ranking, tie-break, targeting, entries and expiries, the published
2018–2019 Express Entry rounds replayed, and filling a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.selection import (
    Conversion,
    Profiles,
    RoundSpec,
    Targeting,
    fill_plan,
    generate_pool,
    invitations_needed,
    load_grid,
    plan_rounds,
    run_rounds,
    run_scenario,
)
from immiplan.selection.scenario import load_scenario
from immiplan.system.parameters import data_root

Row = Callable[..., dict[str, Any]]
Table = Callable[..., Profiles]
DAY = dt.date(2019, 3, 1)


def test_ranked_by_score_then_submission_time(make_row: Row, make_table: Table) -> None:
    pool = make_table(
        make_row(id="late-high", submitted="2019-02-20T00:00:00Z"),
        make_row(id="tie-early", submitted="2019-01-01T00:00:00Z"),
        make_row(id="tie-late", submitted="2019-01-03T00:00:00Z"),
        make_row(id="tie-middle", submitted="2019-01-02T00:00:00Z"),
        make_row(id="low", submitted="2018-12-01T00:00:00Z"),
    )
    scores = np.array([480, 450, 450, 450, 400])
    result = run_rounds(pool, scores, [RoundSpec(DAY, 3)])
    invited = pool.ids[result.invited].tolist()
    # The later, higher score goes first; at 450 the earlier submissions win the tie.
    assert invited == ["late-high", "tie-early", "tie-middle"]
    row = result.rounds.iloc[0]
    assert (row["invitations"], row["cutoff"]) == (3, 450)
    assert row["tie_break"] == "2019-01-02T00:00:00Z"


def test_entries_expiries_and_no_second_invitation(make_row: Row, make_table: Table) -> None:
    pool = make_table(
        make_row(id="expired", submitted="2018-02-01T00:00:00Z"),
        make_row(id="future", submitted="2019-03-10T00:00:00Z"),
        make_row(id="in", submitted="2019-01-15T00:00:00Z"),
        make_row(id="in2", submitted="2019-01-16T00:00:00Z"),
    )
    scores = np.array([900, 900, 400, 300])
    result = run_rounds(pool, scores, [RoundSpec(DAY, 1), RoundSpec(dt.date(2019, 3, 15), 2)])
    by_round = [pool.ids[result.invited[result.invited_round == k]].tolist() for k in (0, 1)]
    # Expired after 365 days; not yet submitted on 1 March; invited profiles leave the pool.
    assert by_round == [["in"], ["future", "in2"]]
    assert result.rounds["pool"].tolist() == [2, 2]


def test_a_round_cannot_invite_more_than_the_pool(make_row: Row, make_table: Table) -> None:
    pool = make_table(make_row(id="a"), make_row(id="b"))
    result = run_rounds(pool, np.array([1, 2]), [RoundSpec(DAY, 5)])
    assert result.total_invitations == 2
    assert "only 2 eligible profiles for 5" in result.notes[0]


def test_targeting(make_row: Row, make_table: Table) -> None:
    pool = make_table(
        make_row(id="montreal", job_offer_region="montreal_cma", french=9),
        make_row(id="gaspesie", job_offer_region="gaspesie_iles_de_la_madeleine", french=5),
        make_row(id="trades", certificate_of_qualification=True, french=7, noc="7241"),
        make_row(id="nominee", provincial_nomination=True),
    )
    scores = np.array([90, 80, 70, 60])

    def who(targeting: Targeting) -> list[str]:
        res = run_rounds(pool, scores, [RoundSpec(DAY, 10, targeting)])
        return sorted(pool.ids[res.invited].tolist())

    assert who(Targeting(validated_job_offer=True)) == ["gaspesie", "montreal"]
    assert who(Targeting(outside_montreal=True)) == ["gaspesie"]
    assert who(Targeting(regions=("montreal_cma",))) == ["montreal"]
    assert who(Targeting(min_french_nclc=7)) == ["montreal", "trades"]
    assert who(Targeting(certificate_of_qualification=True)) == ["trades"]
    assert who(Targeting(occupations=("7241",))) == ["trades"]
    assert who(Targeting(provincial_nomination=True)) == ["nominee"]
    assert Targeting().describe() == "all"
    with pytest.raises(InputError, match="unknown region"):
        Targeting(regions=("atlantis",))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(0, 400), days=st.integers(0, 700))
def test_a_round_invites_the_top_of_the_pool(seed: int, size: int, days: int) -> None:
    pool = generate_pool(500, seed=seed, start="2017-06-01", end="2019-06-01")
    rng = np.random.default_rng(seed)
    scores = rng.integers(300, 320, len(pool))  # many ties
    day = dt.date(2017, 6, 1) + dt.timedelta(days=days)
    result = run_rounds(pool, scores, [RoundSpec(day, size)])
    t = int(np.datetime64(day, "s").astype(np.int64)) + 12 * 3600
    active = np.flatnonzero((pool["submitted"] <= t) & (pool["submitted"] + 365 * 86400 > t))
    ranked = active[np.lexsort((pool["submitted"][active], -scores[active]))]
    assert result.invited.tolist() == ranked[:size].tolist()


def test_replay_of_the_published_2018_2019_rounds() -> None:
    result = run_scenario("express-entry-2018-2019")
    rounds = result.rounds
    published = pd.read_csv(data_root() / "selection" / "express-entry-rounds-2018-2019.csv")
    # Every round invites its published size, so the years add up to IRCC's totals.
    assert rounds["invitations"].tolist() == published["invitations"].tolist()
    totals = result.totals().set_index("year")["invitations"].to_dict()
    assert totals == {"2018": 89_800, "2019": 85_300}
    assert not [n for n in result.notes if "held only" in n]
    # Calibration check: general-round cut-offs near the published ones (docs/selection.md).
    general = rounds[rounds["type"] == "general"]
    error = (general["cutoff"] - general["published_cutoff"]).astype(float)
    assert error.abs().mean() < 10
    assert (rounds.loc[rounds["type"] == "provincial_nominee_program", "cutoff"] > 600).all()
    assert (rounds.loc[rounds["type"] == "federal_skilled_trades", "cutoff"] < 400).all()


def test_published_round_table_matches_the_published_totals() -> None:
    # facts/selection.md §2.1.7: 2018, 28 rounds, 89,800 = 88,700 general + 900 FST + 200 PNP;
    # 2019, 26 rounds, 85,300 = 84,300 general + 1,000 FST.
    table = pd.read_csv(
        data_root() / "selection" / "express-entry-rounds-2018-2019.csv", dtype={"round": str}
    )
    table["year"] = table["date"].str[:4]
    assert table.groupby("year").size().to_dict() == {"2018": 28, "2019": 26}
    by_type = table.groupby(["year", "round_type"])["invitations"].sum().to_dict()
    assert by_type == {
        ("2018", "general"): 88_700,
        ("2018", "federal_skilled_trades"): 900,
        ("2018", "provincial_nominee_program"): 200,
        ("2019", "general"): 84_300,
        ("2019", "federal_skilled_trades"): 1_000,
    }
    assert table["round"].is_unique and table["date"].is_monotonic_increasing


def conversion() -> Conversion:
    return Conversion(
        invitation_to_selection=0.8,
        selection_to_admission=0.9,
        persons_per_principal=3.125,
        months_to_selection=6,
        months_to_admission=12,
    )


def test_invitations_needed_arithmetic() -> None:
    # 19,500 / (0.8 x 0.9 x 3.125 = 2.25) = 8,666.7 -> 8,667 invitations.
    assert invitations_needed(19_500, conversion()) == 8_667
    assert invitations_needed(2.25 * 100, conversion()) == 100
    with pytest.raises(InputError, match="rate"):
        Conversion(1.2, 0.9, 3.0, 6, 12)


def test_plan_rounds_fall_in_the_window() -> None:
    rounds = plan_rounds(2019, 19_500, conversion(), cadence_days=14)
    assert sum(r.size for r in rounds) == 8_667
    # 18 months before 2019: invitations from 1 July 2017 to 30 June 2018.
    assert rounds[0].date == dt.date(2017, 7, 1)
    assert rounds[-1].date <= dt.date(2018, 6, 30)
    assert max(r.size for r in rounds) - min(r.size for r in rounds) <= 1


def test_fill_plan_delivers_the_target_in_the_year() -> None:
    pool = generate_pool(60_000, kind="arrima", seed=7, start="2016-07-01", end="2018-07-01")
    table = load_grid("prtq-2018").score(pool)
    frame, result = fill_plan(
        pool,
        table.total,
        year=2019,
        target_admissions=19_500,
        conversion=conversion(),
        eligible=table.checks["selected"],
    )
    assert frame["invitations"].sum() == 8_667
    assert frame["admission_date"].str[:4].eq("2019").all()
    assert 19_500 <= frame["admissions"].sum() < 19_500 + 2.25
    # Selections are persons with a CSQ: admissions / 0.9.
    assert frame["selections"].sum() == pytest.approx(frame["admissions"].sum() / 0.9)
    # Only candidates who pass the grid are invited.
    assert table.checks["selected"][result.invited].all()


def test_fill_plan_reports_a_pool_too_small() -> None:
    pool = generate_pool(3_000, kind="arrima", seed=8, start="2016-07-01", end="2018-07-01")
    table = load_grid("prtq-2018").score(pool)
    frame, result = fill_plan(
        pool,
        table.total,
        year=2019,
        target_admissions=19_500,
        conversion=conversion(),
        eligible=table.checks["selected"],
    )
    assert frame["invitations"].sum() < 8_667
    assert any("could not supply the plan" in note for note in result.notes)


def test_scenario_errors(tmp_path: Any) -> None:
    with pytest.raises(InputError, match="unknown selection scenario"):
        load_scenario("quebec-2031")
    bad = tmp_path / "s.yaml"
    bad.write_text("based_on: quebec-2019\ngrid: prtq-2017\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown grid"):
        load_scenario(bad)
    bad.write_text(
        "based_on: quebec-2019\nconversion: {selection_to_admission: 1.5}\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="less than or equal to 1") as caught:
        load_scenario(bad)
    assert caught.value.field == "conversion.selection_to_admission"
    bad.write_text("based_on: quebec-2019\nrounds: {targeting: {colour: blue}}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown targeting key"):
        load_scenario(bad)
    bad.write_text("based_on: quebec-2019\nplan: {admisions: 10}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown key") as caught:
        load_scenario(bad)
    assert caught.value.field == "plan.admisions"


def test_scenario_with_a_pool_file(tmp_path: Any) -> None:
    # A scenario may read its pool from a file next to it; the notes say where it came from.
    from immiplan.selection import write_profiles

    pool = generate_pool(20_000, kind="arrima", seed=3, start="2016-07-01", end="2018-07-01")
    write_profiles(pool, tmp_path / "pool.parquet")
    path = tmp_path / "s.yaml"
    path.write_text(
        "based_on: quebec-2019\nname: from-a-file\nplan: {admissions: 2000}\n"
        "pool: {file: pool.parquet}\n",
        encoding="utf-8",
    )
    result = run_scenario(path)
    assert len(result.pool) == 20_000
    assert result.rounds["invitations"].sum() == invitations_needed(2_000, conversion())
    assert any("read from" in note and "pool.parquet" in note for note in result.notes)
    assert not any("seed" in note for note in result.notes)
