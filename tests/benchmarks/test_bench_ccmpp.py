"""Speed of the UN cohort-component algebra on the Quebec base (101 ages x 2 sexes)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from immiplan.projection import ccmpp
from immiplan.projection.bases import load_base
from immiplan.projection.lifetable import life_table


@pytest.fixture(scope="module")
def inputs() -> dict[str, Any]:
    base = load_base("quebec-2018")
    lx = [life_table(base.mx[i], sex=s).Lx for i, s in enumerate(("female", "male"))]
    immigrants = 50_000 * base.immigrant_profile
    return {
        "args": (base.population[0], base.population[1], lx[0], lx[1], base.asfr),
        "migration": (immigrants[0], immigrants[1]),
        "srb": base.srb,
    }


@pytest.mark.parametrize("steps", [1, 50])
def test_bench_ccmpp_quebec(benchmark: Any, inputs: dict[str, Any], steps: int) -> None:
    result = benchmark(ccmpp, *inputs["args"], *inputs["migration"], srb=inputs["srb"], steps=steps)
    assert result.population.shape == (steps + 1, 2, 101)
    assert np.all(result.population > 0)


def test_bench_life_table(benchmark: Any) -> None:
    mx = load_base("quebec-2018").mx[0]
    table = benchmark(life_table, mx, sex="female")
    assert table.e0 == pytest.approx(84.2, abs=1e-6)
