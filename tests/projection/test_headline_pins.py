"""Today's headline figures of every shipped scenario, pinned.

The redesign of bases and the pipeline (issue 10) must change no number: these pins were
taken before it started (``tests/projection/data/headline_pins.json``, written from
``run_with_outcomes(name)`` of each shipped scenario) and must stay green through it. A
change of method that moves a figure on purpose updates the pins in the same commit and
records the before and after in ``docs/validation.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from immiplan.outcomes import run_with_outcomes

PINS = json.loads((Path(__file__).parent / "data" / "headline_pins.json").read_text())
RELATIVE = 1e-7
"""Numerical solvers (Brent, bisection) differ across builds near 1e-9; 1e-7 still catches
any change of method or data (the smallest real change moves a figure by far more)."""


@pytest.mark.parametrize("name", sorted(PINS))
def test_headline_figures_are_unchanged(name: str) -> None:
    result = run_with_outcomes(name)
    indicators = result.projection.indicators.set_index("year")
    outcomes = result.table().set_index("year")
    for year, expected in PINS[name].items():
        for column, value in expected.items():
            frame = outcomes if column in outcomes.columns else indicators
            got = float(frame.loc[int(year), column])
            assert got == pytest.approx(value, rel=RELATIVE), (name, year, column)
