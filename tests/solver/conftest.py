"""Helpers for the solver tests: an independent forward run of an answer through a scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from immiplan.projection.state import CATEGORIES
from immiplan.solver import Solution
from immiplan.system.parameters import data_root


def scenario_of(answer: Solution, tmp_path: Path, scale: float = 1.0) -> Path:
    """The answer written as a scenario file: the assumptions' scenario with every decision
    year's admissions set (the province's part times ``scale``)."""
    ctx = answer.context
    raw = yaml.safe_load((data_root() / "scenarios" / f"{ctx.scenario}.yaml").read_text("utf-8"))
    fixed = answer.decision.fixed
    levels = answer.levels[list(CATEGORIES)].to_numpy()
    chosen = fixed + scale * (levels - fixed)
    raw["name"] = "solver-answer"
    raw["horizon"] = int(answer.decision.years[-1])
    raw["immigration"]["levels"] = {
        int(y): {c: float(v) for c, v in zip(CATEGORIES, row, strict=True)}
        for y, row in zip(answer.decision.years, chosen, strict=True)
    }
    path = tmp_path / f"answer-{scale}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def forward_table(answer: Solution, tmp_path: Path, scale: float = 1.0) -> pd.DataFrame:
    """Indicators by year of the answer run as an ordinary scenario (run_with_outcomes)."""
    from immiplan.outcomes import run_with_outcomes

    result = run_with_outcomes(scenario_of(answer, tmp_path, scale))
    table = result.table().set_index("year")
    ind = result.projection.indicators.set_index("year")
    table["population"] = ind["population"]
    table["support_ratio"] = table["population_15_64"] / table["population_65_plus"]
    table["share_65_plus"] = ind["share_65_plus"] / 100.0
    return table


@pytest.fixture
def forward(tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(answer: Solution, scale: float = 1.0) -> pd.DataFrame:
        return forward_table(answer, tmp_path, scale)

    return run


def close(a: float, b: float, rel: float) -> bool:
    return bool(abs(a - b) <= rel * max(abs(a), abs(b)))


__all__ = ["close", "forward_table", "np", "scenario_of"]
