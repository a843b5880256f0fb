"""Target expressions: what parses, what each part means, and clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.solver import INDICATORS, parse_target, shipped_targets
from immiplan.solver.targets import Term


def test_each_year_against_the_base_year() -> None:
    target = parse_target("population_20_64 >= population_20_64[2018]")
    assert target.operator == ">="
    assert target.lhs == (Term(1.0, "population_20_64", "each"),)
    assert target.rhs == (Term(1.0, "population_20_64", 2018),)
    assert target.each_year and target.window is None


@pytest.mark.parametrize(
    ("text", "rhs"),
    [
        ("share_65_plus[2050] <= 25%", 0.25),
        ("support_ratio >= 3", 3.0),
        ("population[2040] = 9_500_000", 9.5e6),
        ("labour_force[2030:2040] ≥ 4.6e6", 4.6e6),
    ],
)
def test_numbers_percent_and_operators(text: str, rhs: float) -> None:
    target = parse_target(text)
    assert target.rhs[0].coefficient == pytest.approx(rhs)
    assert target.operator in (">=", "<=", "==")


def test_sums_ranges_base_and_reference_levels() -> None:
    target = parse_target("population[2050] - population[base] >= 0.5 * population_65_plus[2050]")
    assert [t.coefficient for t in target.lhs] == [1.0, -1.0]
    assert target.lhs[1].when == "base"
    assert target.rhs[0] == Term(0.5, "population_65_plus", 2050)
    assert not target.each_year
    ranged = parse_target(
        "population_15_64[2030:2050] >= max_without_immigration(population_15_64)"
    )
    assert ranged.window == (2030, 2050)
    assert ranged.rhs[0].when == "max_without_immigration"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("population_20_64 >=", "a term is missing"),
        ("population_20_64 > 5", "cannot read"),
        ("populaton >= 5", "unknown indicator"),
        ("population[2050:2040] >= 1", "run forward"),
        ("5 >= 3", "must name an indicator"),
        ("support_ratio + population >= 3", "stand alone"),
        ("population >= 1 2", "unexpected"),
        ("", "non-empty"),
    ],
)
def test_bad_targets_name_the_field_and_the_value(text: str, why: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_target(text, field="--target")
    assert why in caught.value.message
    assert caught.value.field == "--target"
    assert str(caught.value.value) in text  # the whole target, or the offending part


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789 []:%+-*.=<>()", max_size=40))
def test_any_text_parses_or_is_refused_clearly(text: str) -> None:
    try:
        target = parse_target(text)
    except InputError as exc:
        assert exc.field == "target"
    else:
        assert all(t.indicator is None or t.indicator in INDICATORS for t in target.terms)


def test_shipped_un_scenarios_parse_and_cite_the_un() -> None:
    sets = shipped_targets()
    assert {"un-iii", "un-iv", "un-v", "un-vi"} <= set(sets)
    for item in sets.values():
        assert item.references and "United Nations" in item.references[0].publisher
        assert item.title["en"] and item.title["fr"]
        for text in item.targets:
            parse_target(text)
