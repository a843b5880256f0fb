"""The PRTQ and CRS worked examples as data (tests/cases/selection_*.yaml): each case is a
profile and the expected scores, with the hand computation it comes from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from immiplan.selection import Profiles, load_grid

CASES = Path(__file__).resolve().parents[1] / "cases"


def _cases(name: str) -> list[Any]:
    doc = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    return [pytest.param(doc["grid"], case, id=case["name"]) for case in doc["cases"]]


@pytest.mark.parametrize(
    ("grid", "case"), _cases("selection_prtq.yaml") + _cases("selection_crs.yaml")
)
def test_worked_example(
    grid: str,
    case: dict[str, Any],
    make_row: Callable[..., dict[str, Any]],
    make_table: Callable[..., Profiles],
) -> None:
    assert case["source"], "every case cites where its expectation comes from"
    scored = load_grid(grid).score(make_table(make_row(**case["profile"])))
    got: dict[str, Any] = {name: int(values[0]) for name, values in scored.factors.items()}
    got["total"] = int(scored.total[0])
    got.update({name: values[0].item() for name, values in scored.checks.items()})
    for key, expected in case["expected"].items():
        assert got[key] == expected, (key, got[key], expected)
