"""Points grids as dated parameters: loading, the score table, and the grid registry.

A grid is read from ``parameters/selection/<system>/...`` at one date into NumPy lookup arrays,
then scores a whole :class:`~immiplan.selection.schema.Profiles` table with array operations.
Its result, a :class:`ScoreTable`, holds one column per factor; the factors of a row add up to
its total (a cap appears as its own, negative, adjustment factor), so the explanation of any
candidate is that row of the table.

Named grids (``prtq-2018``, ``crs-2019``...) are dates; ``crs@2021-06-01`` names the CRS in
force on any date. A grid can be *reformed*: ``overrides`` replace parts of a parameter's value
(``{"language.french": {"oral": {"B2": 10}}}``), which is how a scenario makes the grid a policy
lever.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.selection.schema import Profiles
from immiplan.system.parameters import as_date, parameters
from immiplan.system.references import Reference, unique_references

NAMED_GRIDS: dict[str, tuple[str, dt.date, str]] = {
    "prtq-2018": (
        "prtq",
        dt.date(2018, 8, 2),
        "Quebec PRTQ selection grid in force from 2018-08-02 (Arrima era)",
    ),
    "crs-2019": (
        "crs",
        dt.date(2019, 1, 1),
        "Express Entry CRS as in 2018–2019 (job offer 50/200, French 15/30)",
    ),
    "crs-2021": (
        "crs",
        dt.date(2021, 1, 1),
        "Express Entry CRS after the French points rose to 25/50 (2020-10-27)",
    ),
    "crs-2025": (
        "crs",
        dt.date(2025, 3, 25),
        "Express Entry CRS without arranged-employment points (from 2025-03-25)",
    ),
}
"""Grid names accepted everywhere a grid is named: system, date, description."""

SYSTEMS = ("crs", "prtq")


def resolve_grid_name(name: str) -> tuple[str, dt.date]:
    """The (system, date) a grid name stands for: a named grid or ``SYSTEM@YYYY-MM-DD``."""
    text = str(name).strip().lower()
    if text in NAMED_GRIDS:
        system, date, _ = NAMED_GRIDS[text]
        return system, date
    if "@" in text:
        system, _, when = text.partition("@")
        if system in SYSTEMS:
            try:
                return system, as_date(when)
            except InputError as exc:
                raise InputError(
                    "not a date after '@' (expected YYYY-MM-DD)", field="grid", value=name
                ) from exc
    known = ", ".join([*NAMED_GRIDS, "crs@YYYY-MM-DD", "prtq@YYYY-MM-DD"])
    raise InputError(f"unknown grid (known: {known})", field="grid", value=name)


def deep_merge(base: Any, override: Any) -> Any:
    """``base`` with the mappings of ``override`` merged in (other values replaced)."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(base)
        for key, value in override.items():
            out[key] = deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


class GridParameters:
    """Reads ``selection.<system>.<name>`` at one date, applying overrides, keeping references."""

    def __init__(
        self, system: str, date: dt.date, overrides: Mapping[str, Any] | None = None
    ) -> None:
        self.system = system
        self.date = date
        self.overrides = dict(overrides or {})
        self.references: dict[str, tuple[Reference, ...]] = {}
        self.used: set[str] = set()

    def __call__(self, name: str) -> Any:
        full = f"selection.{self.system}.{name}"
        try:
            parameter = parameters().get(full)
        except InputError as exc:
            raise InputError(
                f"the {self.system} grid has no parameter '{name}'", field="overrides", value=name
            ) from exc
        try:
            entry = parameter.entry_at(self.date)
        except InputError as exc:
            raise InputError(
                f"the {self.system.upper()} grid is not encoded for {self.date.isoformat()} "
                f"({exc.message})",
                field="grid",
                value=f"{self.system}@{self.date.isoformat()}",
            ) from exc
        self.references[name] = entry.references
        self.used.add(name)
        value = entry.value
        if name in self.overrides:
            value = deep_merge(value, self.overrides[name])
        return value

    def check_overrides_used(self) -> None:
        """Fail on an override naming a parameter the grid never read (a typo)."""
        unused = sorted(set(self.overrides) - self.used)
        if unused:
            raise InputError(
                f"override of an unknown {self.system} parameter",
                field="overrides",
                value=unused[0],
            )


def step_table(starts: list[int], points: list[int], upto: int) -> np.ndarray:
    """A lookup array over 0..upto: the points of the last band starting at or below each value.

    ``starts`` are the first values of the bands in increasing order (the first is 0).
    """
    starts_a = np.asarray(starts)
    if starts_a[0] != 0 or np.any(np.diff(starts_a) <= 0) or len(starts) != len(points):
        raise InputError(
            "a band table needs increasing starts from 0 and one value per band", value=starts
        )
    band = np.searchsorted(starts_a, np.arange(upto + 1), side="right") - 1
    return np.asarray(points, dtype=np.int16)[band]


def lookup(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``table[min(values, len(table) - 1)]`` as int16 (values are non-negative)."""
    return np.take(table, np.minimum(values, len(table) - 1)).astype(np.int16, copy=False)


def keyed(mapping: Mapping[str, Any], keys: tuple[str, ...] | list[str], what: str) -> np.ndarray:
    """The values of ``mapping`` in the order of ``keys`` (all must be present)."""
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise InputError(f"the grid's {what} table lacks {missing}", value=sorted(mapping))
    return np.array([mapping[k] for k in keys], dtype=np.int16)


@dataclass(frozen=True)
class Factor:
    """One line of a grid: its block and label, and the profile columns it reads."""

    name: str
    block: str
    label: str
    inputs: tuple[str, ...] = ()


@dataclass
class ScoreTable:
    """Scores of a profile table under one grid: one array per factor, per row.

    ``factors`` add up to ``total`` row by row (caps are separate negative adjustments).
    ``checks`` holds what is not added: block subtotals, thresholds met, pass/fail.
    """

    grid: str
    system: str
    date: dt.date
    ids: np.ndarray
    factors: dict[str, np.ndarray]
    total: np.ndarray
    checks: dict[str, np.ndarray] = field(default_factory=dict)
    layout: tuple[Factor, ...] = ()
    summary_checks: tuple[str, ...] = ()
    """The checks shown in the short view (the others appear with ``factors=True``)."""

    def __len__(self) -> int:
        return len(self.total)

    def blocks(self) -> dict[str, np.ndarray]:
        """Points per block (sum of the block's factors), in grid order."""
        out: dict[str, np.ndarray] = {}
        for factor in self.layout:
            values = self.factors[factor.name].astype(np.int32)
            out[factor.block] = out[factor.block] + values if factor.block in out else values
        return out

    def frame(self, *, factors: bool = False) -> pd.DataFrame:
        """One row per candidate: id, total, block subtotals and the main checks.

        With ``factors`` every check and every factor follow.
        """
        data: dict[str, Any] = {"id": self.ids, "total": self.total}
        for block, values in self.blocks().items():
            data[block] = values
        for name, values in self.checks.items():
            if factors or name in self.summary_checks:
                data[name] = values
        if factors:
            for name, values in self.factors.items():
                data[name] = values
        return pd.DataFrame(data)


class Grid(Protocol):
    """What every points grid offers."""

    name: str
    system: str
    date: dt.date
    maximum: int
    params: GridParameters
    layout: tuple[Factor, ...]

    def score(self, profiles: Profiles) -> ScoreTable:
        """Score every row of ``profiles``."""
        ...

    def describe_inputs(self, profiles: Profiles, row: int) -> dict[str, str]:
        """The inputs of each factor for one row, in words."""
        ...


class LookupGrid:
    """Shared start of the grids: a name, the dated parameters they read, their date.

    Subclasses turn the parameters into lookup arrays so that scoring is vectorised.
    """

    def __init__(self, name: str, params: GridParameters) -> None:
        self.name = name
        self.params = params
        self.date = params.date


def references(grid: Grid) -> list[Reference]:
    """The distinct references behind every parameter the grid read."""
    return unique_references(ref for refs in grid.params.references.values() for ref in refs)


def source_lines(grid: Grid) -> list[str]:
    """One line per original document behind the grid, with the pages that restate it."""
    grouped: dict[str, list[str]] = {}
    for ref in references(grid):
        key = f"{ref.publisher}, {ref.document} ({ref.date})"
        urls = grouped.setdefault(key, [])
        for url in (ref.url, ref.via.url if ref.via is not None else None):
            if url and url not in urls:
                urls.append(url)
    return [
        f"source: {key}" + (f"; at {', '.join(urls)}" if urls else "")
        for key, urls in grouped.items()
    ]


def explain(grid: Grid, profiles: Profiles, candidate_id: str) -> pd.DataFrame:
    """The computation trace of one candidate: block, factor, inputs and points per line.

    The points column adds up to the candidate's total, which is the last line. The same
    vectorised scorer computes it (on that one row), so the trace cannot drift from the scores.
    """
    row = profiles.row_of(candidate_id)
    one = profiles.take([row])
    table = grid.score(one)
    inputs = grid.describe_inputs(profiles, row)
    lines = []
    for factor in table.layout:
        lines.append(
            {
                "block": factor.block,
                "factor": factor.label,
                "inputs": inputs.get(factor.name, ""),
                "points": int(table.factors[factor.name][0]),
            }
        )
    lines.append(
        {
            "block": "total",
            "factor": f"total ({grid.name})",
            "inputs": "",
            "points": int(table.total[0]),
        }
    )
    for name, values in table.checks.items():
        value = values[0]
        is_flag = isinstance(value, np.bool_ | bool)
        shown = ("yes" if value else "no") if is_flag else str(int(value))
        extra = inputs.get(f"check:{name}")
        lines.append(
            {
                "block": "check",
                "factor": name.replace("_", " "),
                "inputs": f"{shown} ({extra})" if extra else shown,
                "points": None,
            }
        )
    frame = pd.DataFrame(lines)
    # Checks carry no points: None prints as '—' in tables and null in JSON.
    frame["points"] = pd.Series(
        [None if v is None or pd.isna(v) else int(v) for v in frame["points"]], dtype=object
    )
    return frame


_CACHE: dict[str, Grid] = {}


def load_grid(name: str, overrides: Mapping[str, Any] | None = None) -> Grid:
    """The grid ``name`` (see :data:`NAMED_GRIDS`), optionally reformed by ``overrides``."""
    system, date = resolve_grid_name(name)
    key = str(name).strip().lower()
    if not overrides and key in _CACHE:
        return _CACHE[key]
    params = GridParameters(system, date, overrides)
    grid: Grid
    if system == "crs":
        from immiplan.selection.crs import CrsGrid

        grid = CrsGrid(key, params)
    else:
        from immiplan.selection.prtq import PrtqGrid

        grid = PrtqGrid(key, params)
    params.check_overrides_used()
    if not overrides:
        _CACHE[key] = grid
    return grid


def grids_frame() -> pd.DataFrame:
    """The named grids: name, system, date in force, maximum, description."""
    rows = []
    for name, (system, date, text) in NAMED_GRIDS.items():
        grid = load_grid(name)
        rows.append(
            {
                "grid": name,
                "system": system,
                "in force on": date.isoformat(),
                "maximum": grid.maximum,
                "description": text,
            }
        )
    return pd.DataFrame(rows)
