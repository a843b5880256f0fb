"""Strict types in plan files: bad values are refused with one message naming the field.

Hypothesis puts a bad value (NaN, infinity, a boolean, a number given as text, a number where
a name is meant, a year out of range, references that are not a list, a date that is not a
date) at a field of a good plan, and checks the refusal through the API and the command line
(``plan validate`` and ``plan show``): exit status 2, one line naming the file, the field and
the value, no traceback.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.fields import MAX_YEAR, MIN_YEAR
from immiplan.plans import parse_plan, read_plan_file

GOOD: dict[str, Any] = {
    "name": "typed",
    "title": {"en": "A typed plan", "fr": "Un plan typé"},
    "jurisdiction": "quebec",
    "author": "A. Analyst",
    "tabled": "2025-11-06",
    "references": [{"publisher": "MIFI", "document": "Planification", "date": "2025-11-06"}],
    "years": {
        2026: {
            "total": {"low": 43000, "target": 45000, "high": 47000},
            "economic_share": 0.64,
            "already_resident_share": 0.54,
            "french_knowledge_target": 0.77,
            "categories": {
                "economic": {"low": 27500, "high": 30100},
                "family": {"low": 9600, "high": 10400},
                "refugees": {"low": 5500, "high": 6000},
            },
            "outside_cap": {
                "peq": {"covers": ["economic.skilled_workers"], "label": "PEQ", "target": 100}
            },
        }
    },
}

# Where a number is expected, and where a text is expected (dotted paths into GOOD).
NUMBER_FIELDS = [
    "years.2026.total.low",
    "years.2026.total.target",
    "years.2026.categories.economic.high",
    "years.2026.categories.family.low",
    "years.2026.economic_share",
    "years.2026.already_resident_share",
    "years.2026.french_knowledge_target",
    "years.2026.outside_cap.peq.target",
]
TEXT_FIELDS = [
    "name",
    "author",
    "title.en",
    "years.2026.outside_cap.peq.label",
    "references[0].publisher",
    "references[0].document",
]
DATE_FIELDS = ["tabled", "references[0].date"]

not_a_number = st.one_of(
    st.just(math.nan),
    st.just(math.inf),
    st.just(-math.inf),
    st.booleans(),
    st.text(alphabet="0123456789.", min_size=1, max_size=6),  # "7" is not 7
    st.lists(st.integers(0, 9), max_size=2),
)
not_a_text = st.one_of(
    st.integers(-10, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.just(""),
    st.lists(st.text(max_size=3), max_size=2),
)
not_a_date = st.one_of(
    st.sampled_from(["2019-02-30", "2019-13-01", "yesterday", "1700-01-01", "2400-01-01"]),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.lists(st.integers(1, 12), min_size=1, max_size=2),
)
bad_year = st.one_of(
    st.integers(-(10**6), MIN_YEAR - 1),
    st.integers(MAX_YEAR + 1, 10**6),
    st.sampled_from(["2026", "next", "2026.0"]),
    st.just(2026.5),
)
not_a_list = st.one_of(st.text(min_size=1, max_size=8), st.integers(), st.just({"publisher": "x"}))


def put(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with ``value`` at ``path`` (``a.b[0].c``; integer keys for years)."""
    out = copy.deepcopy(doc)
    keys: list[Any] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            keys.append(int(part[1:-1]))
        else:
            keys.append(int(part) if part.isdigit() else part)
    node: Any = out
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return out


@st.composite
def bad_documents(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any]:
    """A good plan with one bad value, the field that names it, and the value."""
    kind = draw(st.sampled_from(["number", "text", "date", "year", "references"]))
    if kind == "number":
        field = draw(st.sampled_from(NUMBER_FIELDS))
        value = draw(not_a_number)
    elif kind == "text":
        field = draw(st.sampled_from(TEXT_FIELDS))
        value = draw(not_a_text)
    elif kind == "date":
        field = draw(st.sampled_from(DATE_FIELDS))
        value = draw(not_a_date)
    elif kind == "references":
        field, value = "references", draw(not_a_list)
    else:
        value = draw(bad_year)
        doc = copy.deepcopy(GOOD)
        doc["years"] = {value: doc["years"][2026]}
        return doc, "years", value
    return put(GOOD, field, value), field, value


def test_the_good_document_is_good() -> None:
    plan = parse_plan(copy.deepcopy(GOOD), "typed.yaml")
    assert plan.total(2026) == 45_000
    assert plan.total(2026, include_outside=True) == 45_100


@settings(max_examples=150, deadline=None)
@given(case=bad_documents())
def test_the_api_refuses_bad_values_naming_the_field(case: tuple[dict[str, Any], str, Any]) -> None:
    doc, field, _ = case
    with pytest.raises(InputError) as info:
        parse_plan(doc, "typed.yaml")
    assert info.value.source == "typed.yaml"
    assert info.value.field is not None
    # The error names the field itself or the mapping that holds the bad value.
    assert info.value.field.startswith(field.split(".[")[0].split("[")[0].rsplit(".", 1)[0])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("years.2026.total.target", math.nan),
        ("years.2026.total.target", math.inf),
        ("years.2026.total.target", True),
        ("years.2026.total.target", "45000"),
        ("years.2026.economic_share", False),
        ("name", 7),
        ("title.en", 2019),
        ("tabled", "2019-02-30"),
        ("references[0].date", True),
        ("references[0].date", "someday"),
        ("references", "MIFI, 2025"),
    ],
)
def test_each_kind_of_bad_value_names_its_exact_field(field: str, value: Any) -> None:
    with pytest.raises(InputError) as info:
        parse_plan(put(GOOD, field, value), "typed.yaml")
    assert info.value.field == field


def test_a_year_out_of_range_names_years() -> None:
    doc = copy.deepcopy(GOOD)
    doc["years"] = {1600: doc["years"][2026]}
    with pytest.raises(InputError) as info:
        parse_plan(doc, "typed.yaml")
    assert (info.value.field, info.value.value) == ("years", 1600)


def test_the_old_name_of_the_selected_share_is_still_read() -> None:
    doc = put(GOOD, "years.2026.quebec_selected_share", {"low": 0.7, "high": 0.72})
    plan = parse_plan(doc, "typed.yaml")
    assert plan.year(2026).province_selected_share == (0.7, 0.72)
    assert plan.year(2026).quebec_selected_share == (0.7, 0.72)
    both = put(doc, "years.2026.province_selected_share", 0.7)
    with pytest.raises(InputError) as info:
        parse_plan(both, "typed.yaml")
    assert info.value.field == "years.2026.quebec_selected_share"


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "typed.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=bad_documents(), command=st.sampled_from(["validate", "show"]))
def test_the_cli_refuses_bad_values_with_one_line(
    cli: Any, tmp_path: Path, case: tuple[dict[str, Any], str, Any], command: str
) -> None:
    doc, _, _ = case
    path = _write(tmp_path, doc)
    try:
        read_plan_file(path)
    except InputError as exc:
        expected_field = exc.field
    else:  # a YAML round trip may make a bad value good (never, but say so if it does)
        pytest.fail(f"the written file was accepted: {path.read_text()}")
    result = cli("plan", command, str(path))
    assert result.code == 2
    message = result.err.strip()
    assert "Traceback" not in result.err + result.out
    assert len(message.splitlines()) == 1, message
    assert str(path) in message
    assert f"field '{expected_field}'" in message
    assert result.out == ""  # nothing half-written


def test_the_cli_names_an_impossible_date(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    text = yaml.safe_dump(copy.deepcopy(GOOD)).replace("tabled: '2025-11-06'", "tabled: 2025-02-30")
    path.write_text(text, encoding="utf-8")
    result = cli("plan", "validate", str(path))
    assert result.code == 2
    assert "field 'tabled'" in result.err and "2025-02-30" in result.err


def test_new_shares_are_fractions_checked_by_validate() -> None:
    from immiplan.plans.validate import validate

    plan = parse_plan(put(GOOD, "years.2026.already_resident_share", 54), "typed.yaml")
    rules = [(f.rule, f.field) for f in validate(plan) if f.severity == "error"]
    assert ("share-bounds", "years.2026.already_resident_share") in rules


def test_the_accord_cap_is_checked_against_the_federal_plan_of_the_same_year() -> None:
    from immiplan.plans.validate import validate

    # 110,000 of the 2026–2028 federal plan's 380,000 is 28.9 %: above the population share
    # plus 5 % under both readings (22.6 % × 1.05 = 23.7 %; 22.6 % + 5 points = 27.6 %).
    doc = put(GOOD, "years.2026.total", {"target": 110000})
    doc["years"][2026]["categories"] = {}
    doc["years"][2026].pop("outside_cap")
    findings = [f for f in validate(parse_plan(doc, "typed.yaml")) if f.rule == "accord-margin"]
    assert len(findings) == 2
    assert all("canada-2026-2028" in f.message and "28.9%" in f.message for f in findings)
    assert {"relative" in f.message for f in findings} == {True, False}
