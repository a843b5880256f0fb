"""Charts of ensembles (Altair/Vega-Lite): fan charts and sweep responses."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from immiplan.ensembles.run import INDICATORS, EnsembleResult
from immiplan.ensembles.sweep import SweepResult

__all__ = ["fan_chart", "fan_frame", "sweep_chart"]

BANDS = ((0.025, 0.975, "95 %"), (0.1, 0.9, "80 %"))
"""The intervals a fan chart shades, widest first."""


def fan_frame(
    result: EnsembleResult, indicator: str, first_year: int | None = None
) -> pd.DataFrame:
    """``year, q0.025, q0.1, q0.5, q0.9, q0.975, deterministic`` of one indicator."""
    values = result.series(indicator)
    with np.errstate(all="ignore"):
        q = np.nanquantile(values, [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
    k = result.indicators.index(indicator)
    frame = pd.DataFrame(
        {
            "year": result.years.astype(int),
            "q0.025": q[0],
            "q0.1": q[1],
            "q0.5": q[2],
            "q0.9": q[3],
            "q0.975": q[4],
            "deterministic": result.deterministic[:, k],
        }
    )
    frame = frame.dropna(subset=["q0.5"])
    if first_year is not None:
        frame = frame[frame["year"] >= first_year]
    return frame.reset_index(drop=True)


def fan_chart(frame: pd.DataFrame, title: str, y_title: str | None = None) -> Any:
    """An 80 % / 95 % fan with the median and the deterministic path."""
    import altair as alt

    base = alt.Chart(frame).encode(x=alt.X("year:Q", axis=alt.Axis(format="d"), title=None))
    layers = [
        base.mark_area(opacity=0.2 if label == "95 %" else 0.35, color="#1f77b4").encode(
            y=alt.Y(f"q{low:g}:Q", title=y_title or title, scale=alt.Scale(zero=False)),
            y2=f"q{high:g}:Q",
            tooltip=["year:Q", f"q{low:g}:Q", f"q{high:g}:Q"],
        )
        for low, high, label in BANDS
    ]
    layers.append(base.mark_line(color="#1f77b4").encode(y="q0.5:Q"))
    layers.append(base.mark_line(color="black", strokeDash=[4, 3]).encode(y="deterministic:Q"))
    return alt.layer(*layers).properties(title=title, width=420, height=240)


def sweep_chart(result: SweepResult) -> Any:
    """Each indicator at the horizon against the level (one small panel each)."""
    import altair as alt

    year = int(result.years[-1])
    rows = []
    for k, name in enumerate(result.indicators):
        for i, level in enumerate(result.levels):
            value = result.values[i, -1, k]
            if name == "francization_cost":
                value = result.values[i, -2, k]
            rows.append(
                {
                    "indicator": name,
                    "level": float(level),
                    "value": float(value),
                    "unit": INDICATORS[name],
                }
            )
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("level:Q", title="admissions a year"),
            y=alt.Y("value:Q", scale=alt.Scale(zero=False), title=None),
            tooltip=["indicator", "level", "value", "unit"],
        )
        .properties(width=220, height=160)
        .facet(facet=alt.Facet("indicator:N", title=f"{year}"), columns=3)
        .resolve_scale(y="independent")
    )
