"""Plan cuts as data (tests/cases/plan_cuts.yaml): a base plan, a regime and a new total ->
the expected categories and lines, with the hand computation they come from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from immiplan.errors import InputError
from immiplan.plans import load_plan
from immiplan.plans.cut import cut
from immiplan.system.regimes import regime

DOC = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "cases" / "plan_cuts.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_plan_cut_case(case: dict[str, Any]) -> None:
    base = load_plan(DOC["base"])
    if "error" in case:
        with pytest.raises(InputError, match=case["error"]):
            cut(base, DOC["year"], case["total"], regime(case["regime"]))
        return
    result = cut(base, DOC["year"], case["total"], regime(case["regime"]))
    categories = result.by_category.set_index("category")
    lines = result.lines.set_index("category")
    expected = case["expected"]
    for code, value in expected.get("categories", {}).items():
        assert categories.at[code, "new"] == pytest.approx(value, abs=0.5), code
    for code, value in expected.get("lines", {}).items():
        assert lines.at[code, "new"] == pytest.approx(value, abs=0.5), code
    for code, value in expected.get("change_pct", {}).items():
        assert categories.at[code, "change_pct"] == pytest.approx(value, abs=0.1), code
