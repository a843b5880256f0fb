"""The cut: exact totals, untouched federal categories, and clear errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.plans import load_plan, parse_plan
from immiplan.plans.cut import cut
from immiplan.system.regimes import regime

ACTUAL = load_plan("2018 actual")


def by_cat(result):  # type: ignore[no-untyped-def]
    return result.by_category.set_index("category")


def test_accord_cut_to_40000_falls_on_what_quebec_selects() -> None:
    result = cut(ACTUAL, 2018, 40_000, regime("accord-1991"))
    table = by_cat(result)
    assert table.at["total", "new"] == 40_000
    assert table.at["family", "new"] == 12_285  # Ottawa selects: untouched
    lines = result.lines.set_index("category")
    assert lines.at["refugees.protected_in_canada", "new"] == 3_150
    # Quebec-selected lines sum to 51,125 − 15,435 = 35,690 and must reach 40,000 − 15,435
    # = 24,565: each falls by 1 − 24,565/35,690 = 31.17 %.
    assert table.at["economic", "change_pct"] == pytest.approx(-31.17, abs=0.02)
    assert table.at["economic", "new"] == pytest.approx(29_195 * 24_565 / 35_690, abs=2)


def test_quebec_control_cut_moves_every_category_alike() -> None:
    table = by_cat(cut(ACTUAL, 2018, 40_000, regime("quebec-control")))
    for code in ("economic", "family", "refugees", "other"):
        assert table.at[code, "change_pct"] == pytest.approx(-21.76, abs=0.1)
    assert table.at["total", "new"] == 40_000


def test_federal_regime_cannot_move_anything() -> None:
    with pytest.raises(InputError, match="misses the total by 11,125"):
        cut(ACTUAL, 2018, 40_000, regime("federal"))


def test_an_unreachable_total_says_by_how_much() -> None:
    with pytest.raises(InputError, match="by 5,435"):
        cut(ACTUAL, 2018, 10_000, regime("accord-1991"))


def test_priority_cuts_in_order() -> None:
    result = cut(
        ACTUAL,
        2018,
        40_000,
        regime("accord-1991"),
        method="priority",
        order=["economic.business", "economic.skilled_workers"],
    )
    lines = result.lines.set_index("category")
    assert lines.at["economic.business", "new"] == 0
    assert lines.at["economic.skilled_workers", "new"] == 24_130 - (11_125 - 4_205)
    assert lines.at["other", "new"] == 810
    with pytest.raises(InputError, match="needs --order"):
        cut(ACTUAL, 2018, 40_000, regime("accord-1991"), method="priority")


def test_a_plan_base_without_a_split_of_a_mixed_category_is_refused() -> None:
    plan = parse_plan(
        {
            "name": "p",
            "jurisdiction": "quebec",
            "years": {
                2022: {"categories": {"economic": {"target": 30000}, "refugees": {"target": 7000}}}
            },
        },
        "p.yaml",
    )
    with pytest.raises(InputError, match="selects only part of this line") as info:
        cut(plan, 2022, 30_000, regime("accord-1991"))
    assert info.value.field == "years.2022.categories.refugees"


def test_a_line_without_a_target_is_refused() -> None:
    with pytest.raises(InputError, match="no target for this line"):
        cut(load_plan("quebec-2022"), 2022, 45_000, regime("accord-1991"))


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(min_value=15_435, max_value=120_000),
    name=st.sampled_from(["accord-1991", "quebec-control"]),
)
def test_cut_invariants(total: int, name: str) -> None:
    result = cut(ACTUAL, 2018, total, regime(name))
    lines = result.lines
    assert lines["new"].sum() == total  # exact, whole persons
    assert (lines["new"] >= 0).all()
    federal = lines[lines["selector"] == "federal"]
    assert (federal["new"] == federal["base"]).all()
    moved = lines[(lines["selector"] == "province") & (lines["base"] > 50)]
    pct = moved["new"] / moved["base"]
    assert pct.max() - pct.min() < 0.05  # proportional, up to rounding of small lines
