"""The command line as a user would try it: every plan command, every format, bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD_PLAN = """
name: my-plan
jurisdiction: quebec
years:
  2019:
    total: {low: 38000, target: 40000, high: 42000}
    categories:
      economic: {low: 21700, target: 23450, high: 24300}
      family: {low: 8900, high: 9400}
      refugees: {low: 6800, high: 7500}
      other: {low: 600, high: 800}
"""


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "debate"],
        ["plan", "list"],
        ["plan", "show", "quebec-2019"],
        ["plan", "show", "2018 actual", "--lang", "fr"],
        ["plan", "show", "canada-2018-2020:2019"],
        ["plan", "show", "quebec-2025", "--lang", "fr"],
        ["plan", "show", "quebec-2026-2029-scenario-25000:2027"],
        ["plan", "compare", "quebec-2019", "quebec-2026-2029"],
        ["plan", "compare", "quebec-2023", "quebec-2024-2025:2024"],
        ["plan", "npr"],
        ["plan", "compare", "2018 actual", "quebec-2019"],
        ["plan", "compare", "quebec-2018", "quebec-2019", "--which", "high"],
        ["plan", "cut", "--base", "2018 actual", "--total", "40000", "--regime", "accord-1991"],
        [
            "plan",
            "cut",
            "--base",
            "2018 actual",
            "--total",
            "40000",
            "--regime",
            "quebec-control",
            "--detail",
        ],
    ],
)
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_command_in_every_format(cli: Any, args: list[str], fmt: str) -> None:
    result = cli(*args, "--format", fmt)
    assert result.code == 0, result.err
    assert result.out.strip()
    if fmt == "json":
        data = json.loads(result.out)
        assert isinstance(data, list) and data
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.out)))
        assert rows


def test_plan_debate_shows_the_2018_debate(cli: Any) -> None:
    result = cli("plan", "debate", "--format", "json")
    rows = {row["category"]: row for row in json.loads(result.out)}
    assert rows["total"]["actual_2018"] == 51125
    assert rows["total"]["plan_2019_low"] == 38000
    assert rows["family"]["cut_accord_1991"] == 12285
    assert rows["total"]["cut_quebec_control"] == 40000
    table = cli("plan", "debate").out
    assert "2018 debate" in table and "Ottawa" in table


def test_plan_list_shows_every_plan_with_its_source(cli: Any) -> None:
    from immiplan.plans import all_plans

    rows = json.loads(cli("plan", "list", "--format", "json").out)
    listed = {row["name"].split(":")[0] for row in rows}
    assert listed == {p.name for p in all_plans()}
    assert all(row["source"] for row in rows)
    scenarios = {row["name"].split(":")[0] for row in rows if row["status"] == "scenario"}
    assert "quebec-2026-2029-scenario-35000" in scenarios and "quebec-2026-2029" not in scenarios
    capped = {row["name"]: row for row in rows}["quebec-2025"]
    assert capped["target"] == 50000 and capped["with_outside_cap"] == 64750


def test_compare_2019_with_2026_2029(cli: Any) -> None:
    rows = json.loads(
        cli("plan", "compare", "quebec-2019", "quebec-2026-2029", "--format", "json").out
    )
    total = {row["category"]: row for row in rows}["total"]
    assert total["quebec-2019"] == 40000 and total["quebec-2026-2029:2026"] == 45000
    assert total["change"] == 5000


def test_show_lists_the_lines_outside_the_cap_and_both_totals(cli: Any) -> None:
    rows = json.loads(cli("plan", "show", "quebec-2025", "--format", "json").out)
    by = {row["category"]: row for row in rows}
    assert by["total"]["high"] == 51500
    assert by["outside_cap:peq_graduates"]["high"] == 15000
    assert by["total_with_outside"]["low"] == 62500 and by["total_with_outside"]["high"] == 67000


def test_cut_csv_adds_up(cli: Any) -> None:
    out = cli(
        "plan", "cut", "--base", "2018 actual", "--total", "40000", "--detail", "--format", "csv"
    ).out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(float(r["new"]) for r in rows) == 40000


def test_validate_a_good_file(cli: Any, tmp_path: Path) -> None:
    result = cli("plan", "validate", str(write(tmp_path, GOOD_PLAN)))
    assert result.code == 0
    assert "valid" in result.out


def test_validate_prints_warnings_without_failing(cli: Any, tmp_path: Path) -> None:
    result = cli("plan", "validate", str(write(tmp_path, GOOD_PLAN)), "--format", "json")
    findings = json.loads(result.out)
    assert result.code == 0
    assert {f["severity"] for f in findings} == {"warning"}


def test_user_plan_file_works_in_compare_and_cut(cli: Any, tmp_path: Path) -> None:
    path = str(write(tmp_path, GOOD_PLAN))
    assert cli("plan", "compare", "2018 actual", path).code == 0
    assert cli("plan", "show", path).code == 0


@pytest.mark.parametrize(
    ("text_or_args", "expected"),
    [
        (
            "name: x\njurisdiction: quebec\nyears: {2019: {total: {low: 1, high: 2}\n",
            "malformed YAML",
        ),
        (GOOD_PLAN.replace("economic:", "economix:"), "economix"),
        (GOOD_PLAN.replace("low: 600,", "low: -600,"), "-600"),
        (
            GOOD_PLAN.replace("family: {low: 8900, high: 9400}", "family: {low: 9400, high: 8900}"),
            "upside down",
        ),
        (GOOD_PLAN.replace("name: my-plan\n", ""), "missing required field"),
    ],
)
def test_bad_plan_files_exit_2_with_one_clear_message(
    cli: Any, tmp_path: Path, text_or_args: str, expected: str
) -> None:
    path = write(tmp_path, text_or_args)
    result = cli("plan", "validate", str(path))
    assert result.code == 2
    assert "Traceback" not in result.err + result.out
    message = result.err + result.out
    assert expected in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plan", "validate", "does-not-exist.yaml"], "no such file"),
        (["plan", "show", "quebec-1999"], "unknown plan"),
        (
            [
                "plan",
                "cut",
                "--base",
                "2018 actual",
                "--total",
                "40000",
                "--regime",
                "ottawa-rules",
            ],
            "unknown regime",
        ),
        (["plan", "cut", "--base", "2018 actual", "--total", "10000"], "misses the total by 5,435"),
        (["plan", "compare", "2018 actual", "quebec-2019", "--which", "middle"], "--which"),
        (
            ["plan", "cut", "--base", "2018 actual", "--total", "40000", "--method", "random"],
            "--method",
        ),
    ],
)
def test_bad_arguments_exit_2(cli: Any, args: list[str], expected: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert expected in result.err
    assert "Traceback" not in result.err


def test_the_console_script_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path, GOOD_PLAN.replace("economic:", "economix:"))
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from immiplan.__main__ import entry_point; entry_point()",
            "plan",
            "validate",
            str(bad),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "economix" in proc.stderr and str(bad) in proc.stderr


# Hypothesis: plan files mutated at random never crash the CLI; they are accepted (exit 0)
# or refused with one message naming the file (exit 2).
levels = st.one_of(
    st.none(),
    st.integers(-5000, 60000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=5),
)
category_keys = st.sampled_from(
    [
        "economic",
        "family",
        "refugees",
        "other",
        "economics",
        "refugees.blended",
        "economic.business",
        "family+other",
        "",
        "unknown",
    ]
)


@st.composite
def plan_documents(draw: st.DrawFn) -> dict[str, Any]:
    cats = {}
    for key in draw(st.lists(category_keys, max_size=4, unique=True)):
        cats[key] = {
            k: draw(levels)
            for k in draw(
                st.lists(
                    st.sampled_from(["low", "target", "high", "bogus"]), max_size=3, unique=True
                )
            )
        }
    year = draw(st.one_of(st.integers(1800, 2200), st.just(2019), st.text(max_size=4)))
    doc: dict[str, Any] = {
        "name": "h",
        "jurisdiction": draw(st.sampled_from(["quebec", "canada", "atlantis"])),
        "years": {
            year: {
                "total": {k: draw(levels) for k in ("low", "target", "high")},
                "categories": cats,
            }
        },
    }
    for key in draw(st.lists(st.sampled_from(["name", "jurisdiction", "years"]), max_size=1)):
        doc.pop(key)
    return doc


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=plan_documents())
def test_random_plan_files_never_crash(cli: Any, tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = cli("plan", "validate", str(path))
    assert result.code in (0, 2)
    if result.code == 2:
        message = result.err + result.out
        assert str(path) in message
        assert "Traceback" not in message


CAPPED_PLAN = """
name: capped
jurisdiction: quebec
years:
  2025:
    total: {low: 48500, high: 51500}
    total_with_outside: {low: 62500, high: 67000}
    categories:
      economic: {low: 31000, high: 32900}
      family: {low: 10200, high: 10600}
      refugees: {low: 6600, high: 7200}
    outside_cap:
      peq: {covers: [economic.skilled_workers], low: 30000, high: 30000}
"""


def test_validate_refuses_outside_lines_that_overflow_the_published_total(
    cli: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, CAPPED_PLAN)
    result = cli("plan", "validate", str(path), "--format", "json")
    assert result.code == 2
    errors = [f for f in json.loads(result.out) if f["severity"] == "error"]
    assert [(f["rule"], f["field"]) for f in errors] == [
        ("outside-cap-sum", "years.2025.total_with_outside")
    ]
    shown = cli("plan", "show", str(path))
    assert shown.code == 2 and "total_with_outside" in shown.err and str(path) in shown.err


def test_validate_accepts_consistent_outside_lines(cli: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path, CAPPED_PLAN.replace("low: 30000, high: 30000", "low: 14000, high: 15500")
    )
    assert cli("plan", "validate", str(path)).code == 0
    compared = json.loads(
        cli("plan", "compare", "quebec-2019", str(path), "--which", "high", "--format", "json").out
    )
    rows = {r["category"]: r for r in compared}
    assert rows["total_with_outside"]["capped"] == 67000
    assert rows["total"]["capped"] == 51500
