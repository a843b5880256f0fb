"""The question of 2018: cut (or raise) a total when a government controls only some categories.

Given a base (a plan's target, or actual admissions), a new total and a selection regime,
the change falls only on the lines the province selects under that regime; lines Ottawa
selects stay at their base level. Levels are whole persons and add up exactly to the new
total (largest-remainder rounding).

Methods
    ``proportional``
        every controlled line changes by the same percentage;
    ``priority``
        controlled lines are cut in the order given, each down to zero before the next
        (an increase goes to the first); controlled lines not named share what is left
        proportionally.
If the new total cannot be reached by the controlled lines alone, that is an error that says
by how much — never a silent clip.

Lines outside the base's cap (Quebec's PEQ graduates in 2024–2025) are treated as the
government treats them: the new total is the cap's, the outside lines stay at their base
level and are listed after the cap's total, with a total of every admission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.plans.model import Level, Plan, Which
from immiplan.system.categories import category_tree
from immiplan.system.regimes import Regime

Method = Literal["proportional", "priority"]


@dataclass(frozen=True)
class CutResult:
    """The cut, line by line, with the regime and the totals it reached."""

    base_name: str
    year: int
    regime: Regime
    method: Method
    base_total: float
    new_total: int
    lines: pd.DataFrame  # code, label, selector, base, new, change, change_pct
    by_category: pd.DataFrame  # same columns, one row per top-level category and a total


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``values`` to integers that add up exactly to ``total``."""
    floors = np.floor(values)
    short = round(total - floors.sum())
    order = np.argsort(-(values - floors), kind="stable")
    floors[order[:short]] += 1
    return floors.astype(np.int64)


def _units(plan: Plan, year: int) -> list[Level]:
    units = plan.year(year).total.leaves_nodes()
    return [u for u in units if u.key != "total"]


def cut(
    base: Plan,
    year: int,
    total: float,
    regime: Regime,
    *,
    method: Method = "proportional",
    order: list[str] | None = None,
    which: Which = "target",
    province: str | None = None,
    lang: str = "en",
) -> CutResult:
    """Allocate a new ``total`` over the base's lines, moving only what the province selects.

    ``province`` defaults to the base's jurisdiction when it is a province, else Quebec.
    """
    tree = category_tree()
    if total < 0 or total != int(total):
        raise InputError(
            "the new total must be a whole, non-negative number of persons",
            field="total",
            value=total,
        )
    new_total = int(total)
    province = province or (base.jurisdiction if base.jurisdiction != "canada" else "quebec")
    units = _units(base, year)
    if not units:
        raise InputError(
            f"'{base.name}' has no categories for {year} to cut",
            source=base.source or base.name,
            field=f"years.{year}",
        )
    levels = []
    for unit in units:
        value = unit.value(which)
        if value is None:
            raise InputError(
                f"the base has no {which} for this line",
                source=base.source or base.name,
                field=unit.path,
                value=unit.key,
            )
        levels.append(value)
    base_levels = np.asarray(levels, dtype=float)
    controlled = np.zeros(len(units), dtype=bool)
    for i, unit in enumerate(units):
        status = regime.controlled_by("province", unit.covers)
        if status is None:
            raise InputError(
                f"under '{regime.name}' the province selects only part of this line; use a base "
                "that splits it into sub-categories",
                source=base.source or base.name,
                field=unit.path,
                value=unit.key,
            )
        controlled[i] = status
    fixed_sum = float(base_levels[~controlled].sum())
    free_sum = float(base_levels[controlled].sum())
    needed = new_total - fixed_sum
    base_total = float(base_levels.sum())
    if needed < 0 or (free_sum == 0 and needed != 0):
        short = fixed_sum - new_total if needed < 0 else abs(needed)
        raise InputError(
            f"cannot reach {new_total:,}: under '{regime.name}' the province selects "
            f"{free_sum:,.0f} of {base_total:,.0f} admissions and Ottawa's categories alone sum to "
            f"{fixed_sum:,.0f}; even cutting every controlled category to zero misses the total "
            f"by {short:,.0f}",
            field="total",
            value=new_total,
        )
    new = base_levels.copy()
    if method == "proportional":
        new[controlled] = base_levels[controlled] * (needed / free_sum)
    elif method == "priority":
        new[controlled] = _priority(units, base_levels, controlled, needed, order or [])
    else:
        raise InputError(
            "unknown method (known: proportional, priority)", field="method", value=method
        )
    rounded = new.copy()
    rounded[~controlled] = np.round(base_levels[~controlled])
    rounded[controlled] = _largest_remainder(
        new[controlled], new_total - int(rounded[~controlled].sum())
    )
    records = []
    for i, unit in enumerate(units):
        records.append(
            {
                "category": tree.code_of(unit.covers),
                "label": unit.label.get(lang, unit.key),
                "selector": "province" if controlled[i] else "federal",
                "base": base_levels[i],
                "new": float(rounded[i]),
            }
        )
    lines = _with_change(pd.DataFrame.from_records(records))
    by_cat = []
    for top in tree.top:
        mask = lines["category"].str.split(r"[.+]", regex=True).str[0] == top
        if not mask.any():
            continue
        sel = lines.loc[mask, "selector"].unique()
        by_cat.append(
            {
                "category": top,
                "label": tree.category(top).label[lang],
                "selector": sel[0] if len(sel) == 1 else "mixed",
                "base": lines.loc[mask, "base"].sum(),
                "new": lines.loc[mask, "new"].sum(),
            }
        )
    by_cat.append(
        {
            "category": "total",
            "label": "Total",
            "selector": "",
            "base": base_levels.sum(),
            "new": float(rounded.sum()),
        }
    )
    outside = _outside_rows(base, year, which, lang, base_total, float(rounded.sum()))
    if outside:
        lines = pd.concat([lines, _with_change(pd.DataFrame.from_records(outside[:-1]))])
        by_cat += outside
    return CutResult(
        base.name,
        year,
        regime,
        method,
        base_total,
        new_total,
        lines.reset_index(drop=True),
        _with_change(pd.DataFrame.from_records(by_cat)),
    )


OUTSIDE = "outside the cap"
"""The selector of a line outside the cap (the label follows ``lang``)."""
_OUTSIDE_LABEL = {"en": "outside the cap", "fr": "hors plafond"}
_WITH_OUTSIDE = {
    "en": "Total with the lines outside the cap",
    "fr": "Total avec les lignes hors plafond",
}


def _outside_rows(
    base: Plan, year: int, which: Which, lang: str, base_cap: float, new_cap: float
) -> list[dict[str, object]]:
    """The base's lines outside its cap, unchanged, then the total of every admission."""
    tree = category_tree()
    py = base.year(year)
    if not py.outside_cap:
        return []
    rows: list[dict[str, object]] = []
    outside_sum = 0.0
    for line in py.outside_cap:
        value = line.value(which)
        if value is None:
            raise InputError(
                f"the base has no {which} for this line outside the cap",
                source=base.source or base.name,
                field=line.path,
                value=line.key,
            )
        outside_sum += value
        rows.append(
            {
                "category": f"outside_cap:{tree.code_of(line.covers)}",
                "label": f"{line.label.get(lang, line.key)} ({_OUTSIDE_LABEL.get(lang, OUTSIDE)})",
                "selector": OUTSIDE,
                "base": value,
                "new": value,
            }
        )
    rows.append(
        {
            "category": "total_with_outside",
            "label": _WITH_OUTSIDE.get(lang, _WITH_OUTSIDE["en"]),
            "selector": "",
            "base": base_cap + outside_sum,
            "new": new_cap + outside_sum,
        }
    )
    return rows


def _priority(
    units: list[Level], base: np.ndarray, controlled: np.ndarray, needed: float, order: list[str]
) -> np.ndarray:
    if not order:
        raise InputError(
            "the priority method needs --order: the categories to cut first", field="order"
        )
    tree = category_tree()
    idx = np.flatnonzero(controlled)
    free = base[idx].copy()
    delta = needed - free.sum()  # negative = cut
    groups: list[np.ndarray] = []
    for code in order:
        leaves = tree.resolve(code)
        members = np.array([k for k, i in enumerate(idx) if units[i].covers <= leaves], dtype=int)
        if members.size == 0:
            raise InputError(
                "names no line the province controls in this base", field="order", value=code
            )
        groups.append(members)
    named = np.unique(np.concatenate(groups))
    rest = np.setdiff1d(np.arange(idx.size), named)
    if rest.size:
        groups.append(rest)
    new = free.copy()
    if delta >= 0:
        first = groups[0]
        share = (
            new[first] / new[first].sum()
            if new[first].sum() > 0
            else np.full(first.size, 1 / first.size)
        )
        new[first] += delta * share
        return new
    remaining = -delta
    for members in groups:
        available = new[members].sum()
        take = min(available, remaining)
        if available > 0:
            new[members] -= take * new[members] / available
        remaining -= take
        if remaining <= 1e-9:
            break
    return new


def _with_change(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["change"] = frame["new"] - frame["base"]
    frame["change_pct"] = np.where(
        frame["base"] > 0, frame["change"] / frame["base"].where(frame["base"] > 0) * 100, np.nan
    )
    return frame
