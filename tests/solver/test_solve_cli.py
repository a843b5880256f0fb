"""``immiplan plan solve`` as a user would try it: formats, exit status, bad input."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]
BASE = ["plan", "solve", "--years", "2019:2040"]


def test_table_names_the_level_and_the_check(cli: Cli) -> None:
    result = cli(*BASE, "--target", "population_20_64 >= population_20_64[2018]")
    assert result.code == 0, result.err
    assert "meets every target" in result.out
    assert "Checked by a full forward projection" in result.out
    assert "binds in" in result.out
    assert "population_20_64[2018]" in result.out  # the target as written, brackets kept


def test_the_answer_in_french(cli: Cli) -> None:
    result = cli(*BASE, "--target", "population[2040] >= 9.4e6", "--lang", "fr")
    assert result.code == 0, result.err
    assert "respecte toutes les cibles" in result.out and "Vérifié par une projection" in result.out


def test_json_and_csv_carry_the_same_level(cli: Cli) -> None:
    args = [*BASE, "--target", "population[2040] >= 9.4e6", "--mix", "plan:quebec-2019"]
    data = json.loads(cli(*args, "--format", "json").out)
    assert data["status"] == "met" and data["regime"] == "accord-1991"
    rows = list(csv.DictReader(io.StringIO(cli(*args, "--format", "csv").out)))
    levels = [float(r["controlled"]) for r in rows if r["controlled"]]
    assert len(levels) == 22
    assert levels == pytest.approx([data["levels"][0]["controlled"]] * 22, rel=1e-9)
    # The 2019 plan's mix: Ottawa's lines (family) held at the plan's level.
    assert {float(r["family"]) for r in rows if r["family"]} == {9150.0}


def test_out_of_reach_exits_0_and_1_with_strict(cli: Cli) -> None:
    args = [*BASE, "--target", "share_65_plus[2040] <= 15%", "--bounds", "0:100000"]
    plain = cli(*args)
    assert plain.code == 0 and "No level" in plain.out and "out of reach" in plain.out
    assert cli(*args, "--strict").code == 1


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        (["--target", "populaton >= 1"], "--target", "populaton"),
        (["--target", "population >> 1"], "--target", "population >> 1"),
        (["--target", "population[2100] >= 1"], "--target", "population[2100] >= 1"),
        (["--target", "population >= 1", "--bounds", "50000:10000"], "--bounds", "50000:10000"),
        (["--target", "admissions_family >= 12000"], "--target", "admissions_family >= 12000"),
        (["--target", "population >= 1", "--base", "ontario-2018"], "--base", "ontario-2018"),
        (["--target", "population >= 1", "--regime", "nope"], "regime", "nope"),
        (["--target", "population >= 1", "--mix", "family=1"], "--mix", "family"),
        (["--target", "population >= 1", "--shape", "wavy"], "--shape", "wavy"),
        (["--target", "population >= 1", "--max-change", "-5"], "--max-change", "-5"),
        (["--target", "un-ix"], "--target", "un-ix"),
        (["--target", "population >= 1", "--lang", "de"], "--lang", "de"),
        (["--target", "population >= 1", "--regime", "federal"], "--regime", "federal"),
        (
            ["--target", "population >= 1", "--mix", "free", "--category-bounds", "family=0:1"],
            "--category-bounds",
            "family",
        ),
        (["--target", "population >= 1", "--mix", "plan:nope-2019"], "", "nope-2019"),
        (["--target", "population >= 1", "--probability", "1.5"], "--probability", "1.5"),
        (
            ["--target", "population >= 1", "--shape", "path", "--probability", "0.9"],
            "--shape",
            "path",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    cli: Cli, args: list[str], field: str, value: str
) -> None:
    result = cli(*BASE, *args)
    assert result.code == 2
    assert result.out == ""
    line = result.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert field in line and value in line


@pytest.mark.parametrize("years", ["2050:2019", "2018:2040", "2019-2040"])
def test_bad_years(cli: Cli, years: str) -> None:
    result = cli("plan", "solve", "--years", years, "--target", "population >= 1")
    assert result.code == 2 and "--years" in result.err and years in result.err


def test_any_base_of_the_project(cli: Cli) -> None:
    from immiplan.solver import known_bases

    if "quebec-2023" not in known_bases():
        pytest.skip("the quebec-2023 base is not in this tree")
    result = cli("plan", "solve", "--base", "quebec-2023", "--target", "un-iii", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["context"]["base"] == "quebec-2023" and data["context"]["first_year"] == 2023
    assert data["status"] == "met"


def test_un_method_year_by_year(cli: Cli) -> None:
    args = [*BASE, "--target", "un-iv", "--shape", "path", "--objective", "min-each-year"]
    data = json.loads(cli(*args, "--regime", "quebec-control", "--format", "json").out)
    assert data["status"] == "met"
    assert data["targets"][0]["shadow_price"] is None
    assert "holds exactly" in data["targets"][0]["words"]
