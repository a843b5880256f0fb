"""From trajectories to what people read: quantiles per year, probabilities, tables.

A probability is asked in plain comparisons of indicators at years, for instance
``population_20_64[2030] < population_20_64[2018]`` or ``population[2066] >= 10e6``;
``and``/``or`` combine comparisons. The answer is the share of trajectories for which it
holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.ensembles.run import INDICATORS, EnsembleResult
from immiplan.errors import InputError

FloatArray = NDArray[np.float64]

__all__ = ["DEFAULT_QUANTILES", "parse_quantiles", "probability", "quantile_table"]

DEFAULT_QUANTILES: tuple[float, ...] = (0.025, 0.1, 0.5, 0.9, 0.975)
"""The UN's stored quantiles (80 % and 95 % intervals and the median)."""


def parse_quantiles(text: str | Sequence[float]) -> tuple[float, ...]:
    """``"0.025,0.5,0.975"`` → quantiles, each strictly between 0 and 1."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for item in items:
        try:
            q = float(item)
        except (TypeError, ValueError):
            raise InputError("a quantile must be a number", field="quantiles", value=item) from None
        if not 0.0 < q < 1.0:
            raise InputError(
                "a quantile must lie strictly between 0 and 1", field="quantiles", value=q
            )
        out.append(q)
    if not out:
        raise InputError("give at least one quantile", field="quantiles", value=text)
    return tuple(sorted(set(out)))


def quantile_table(
    result: EnsembleResult, quantiles: Sequence[float] = DEFAULT_QUANTILES
) -> pd.DataFrame:
    """Tidy table: ``indicator, year, mean, deterministic, q0.025, …`` for every indicator-year."""
    qs = parse_quantiles(quantiles)
    values = result.values  # (n, Y, I)
    with np.errstate(all="ignore"):
        qv = (
            np.nanquantile(values, qs, axis=0)
            if values.shape[0]
            else np.full((len(qs), *values.shape[1:]), np.nan)
        )
        mean = np.nanmean(values, axis=0)
    rows = []
    for k, name in enumerate(result.indicators):
        for y, year in enumerate(result.years):
            if np.all(np.isnan(values[:, y, k])):
                continue
            row: dict[str, object] = {
                "indicator": name,
                "year": int(year),
                "unit": INDICATORS[name],
                "deterministic": float(result.deterministic[y, k]),
                "mean": float(mean[y, k]),
            }
            for j, q in enumerate(qs):
                row[_qname(q)] = float(qv[j, y, k])
            rows.append(row)
    return pd.DataFrame(rows)


def _qname(q: float) -> str:
    return f"q{q:g}"


_TERM = re.compile(r"^\s*([a-z_0-9]+)\s*\[\s*(\d{4})\s*\]\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_OPS = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater, "==": np.equal}


def _operand(result: EnsembleResult, text: str, expression: str) -> FloatArray:
    if _NUMBER.match(text):
        return np.full(result.trajectories, float(text))
    match = _TERM.match(text)
    if not match:
        raise InputError(
            "a probability compares indicator[year] with indicator[year] or a number",
            field="probability",
            value=expression,
        )
    name, year = match.group(1), int(match.group(2))
    if name not in result.indicators:
        raise InputError(
            f"unknown indicator in the probability (known: {', '.join(result.indicators)})",
            field="probability",
            value=name,
        )
    years = [int(y) for y in result.years]
    if year not in years:
        raise InputError(
            f"year outside the projection ({years[0]}-{years[-1]})", field="probability", value=year
        )
    return result.series(name)[:, years.index(year)]


def _comparison(result: EnsembleResult, text: str, expression: str) -> NDArray[np.bool_]:
    for op in ("<=", ">=", "==", "<", ">"):
        if op in text:
            left, right = text.split(op, 1)
            return np.asarray(
                _OPS[op](_operand(result, left, expression), _operand(result, right, expression))
            )
    raise InputError(
        "a probability needs a comparison (<, <=, >, >=, ==)", field="probability", value=expression
    )


def probability(result: EnsembleResult, expression: str) -> float:
    """Share of trajectories for which ``expression`` holds (see the module docstring)."""
    text = expression.strip()
    if not text:
        raise InputError("empty probability expression", field="probability", value=expression)
    holds = np.zeros(result.trajectories, dtype=bool)
    for alternative in re.split(r"\s+or\s+", text):
        both = np.ones(result.trajectories, dtype=bool)
        for part in re.split(r"\s+and\s+", alternative):
            both &= _comparison(result, part, expression)
        holds |= both
    return float(holds.mean())
