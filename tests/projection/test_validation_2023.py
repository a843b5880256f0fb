"""Quebec 2023 against ISQ 2024 (docs/validation.md, "Quebec 2023 against ISQ's 2024 edition").

The shipped scenario ``quebec-2023-isq-reference`` (ISQ's 2024 reference assumptions on the
``quebec-2023`` base) is compared year by year to 2070 with ISQ's published projection
(``../shared/validation/isq/population_qc_isq.xlsx``; skipped with a reason where absent):
total, 0-19, 20-64 and 65+. The first year is ISQ's estimate exactly; the gaps stay within
the bounds the documentation explains (fertility and mortality paths derived from ISQ's
inputs, uniform mortality scaling, 2018 migration schedules).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from immiplan.projection.results import run_scenario

BANDS = {"total": (0, 100), "0-19": (0, 19), "20-64": (20, 64), "65+": (65, 100)}
BOUNDS = {"total": 2.0, "0-19": 4.0, "20-64": 3.0, "65+": 3.5}
"""Largest gap (%) allowed in any year 2023-2070 (measured: 1.6, 3.2, 2.5, 2.8)."""


def _bands(by_age: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {name: by_age.loc[:, low:high].sum(axis=1) for name, (low, high) in BANDS.items()}
    )


def test_the_2023_base_tracks_isq_2024_to_2070(shared_isq: Path) -> None:
    isq = pd.read_excel(shared_isq / "population_qc_isq.xlsx")
    isq = isq[isq["year"].between(2023, 2070)]
    published = _bands(isq.pivot(index="year", columns="age", values="population"))
    result = run_scenario("quebec-2023-isq-reference")
    table = result.population_by_age().groupby(["year", "age"])["population"].sum()
    model = _bands(table.unstack("age")).loc[published.index]
    gap = 100.0 * (model / published - 1.0)
    np.testing.assert_allclose(model.loc[2023], published.loc[2023], rtol=1e-9)
    for band, bound in BOUNDS.items():
        assert gap[band].abs().max() < bound, (band, gap[band].abs().idxmax())
    # Directions the documentation explains: fewer children, more people 65+ by 2050.
    assert gap.loc[2050, "0-19"] < 0 < gap.loc[2050, "65+"]
