"""The shipped migration and NPR series equal the ISQ workbook they were summed from."""

from __future__ import annotations

from pathlib import Path

import pytest

from immiplan.ensembles.model import observed_series

WORKBOOK = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "validation" / "isq"
    / "population_qc_isq.xlsx"
)  # fmt: skip


def test_the_shipped_series_are_the_workbook_totals() -> None:
    if not WORKBOOK.is_file():
        pytest.skip(f"../shared/validation/isq not found: no ISQ workbook at {WORKBOOK}")
    import pandas as pd

    by_year = (
        pd.read_excel(WORKBOOK).groupby("year")[["emmigrant", "net_interp_migration", "NPR"]].sum()
    )
    obs = observed_series()
    for year, value in obs["migration"]["net_emigration"].items():
        assert value == round(by_year.loc[year, "emmigrant"]), year
    for year, value in obs["migration"]["net_interprovincial"].items():
        assert value == round(by_year.loc[year, "net_interp_migration"]), year
    for year, value in obs["npr"]["stock"].items():
        assert value == round(by_year.loc[year, "NPR"]), year
    for year, value in obs["npr"]["net_change"].items():
        assert value == round(by_year.loc[year, "NPR"]), year
