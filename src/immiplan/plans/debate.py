"""The 2018 debate, side by side: what happened, what each plan said, and what a cut means.

Quebec admitted 51,125 permanent residents in 2018 (IRCC). The Liberal 2018 plan aimed at
49,000–53,000; the CAQ's 2019 plan at 38,000–42,000. Cutting to 40,000 falls on very different
categories depending on who selects what: under the 1991 Accord, Ottawa decides the family class
and asylum claims, so the cut lands on the categories Quebec selects.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from immiplan.plans.catalog import load_plan
from immiplan.plans.cut import CutResult, cut
from immiplan.system.categories import category_tree
from immiplan.system.regimes import regime

BASE = "2018 actual"
PLANS = (("quebec-2018", 2018), ("quebec-2019", 2019))
CUT_TOTAL = 40_000
REGIMES = ("accord-1991", "quebec-control")


@dataclass(frozen=True)
class Debate:
    """The debate's numbers: one row per category, and the two cuts in full."""

    table: pd.DataFrame
    cuts: dict[str, CutResult]


def debate_2018(total: int = CUT_TOTAL, lang: str = "en") -> Debate:
    """Build the side-by-side table of the 2018 debate (persons per year)."""
    tree = category_tree()
    actual = load_plan(BASE)
    plans = [(load_plan(name), year) for name, year in PLANS]
    cuts = {name: cut(actual, 2018, total, regime(name), lang=lang) for name in REGIMES}
    rows = []
    for code in (*tree.top, "total"):
        row: dict[str, object] = {
            "category": code,
            "label": "Total" if code == "total" else tree.category(code).label[lang],
            "actual_2018": actual.level(code, 2018),
        }
        for plan, year in plans:
            row[f"plan_{year}_low"] = plan.level(code, year, "low")
            row[f"plan_{year}_high"] = plan.level(code, year, "high")
        for name, result in cuts.items():
            by_cat = result.by_category.set_index("category")
            key = name.replace("-", "_")
            row[f"cut_{key}"] = by_cat.at[code, "new"]
            row[f"cut_{key}_pct"] = by_cat.at[code, "change_pct"]
            if code != "total":
                row[f"selects_{key}"] = by_cat.at[code, "selector"]
        rows.append(row)
    return Debate(pd.DataFrame(rows), cuts)


def plans_table(lang_labels: tuple[str, ...] = ("fr", "en")) -> pd.DataFrame:
    """Plans side by side by category (persons/year): 2018 actual and each plan's low and high.

    Columns: ``category``, ``label_fr``, ``label_en``, then one column per series.
    """
    tree = category_tree()
    actual = load_plan(BASE)
    plans = [(load_plan(name), year) for name, year in PLANS]
    rows = []
    for code in (*tree.top, "total"):
        row: dict[str, object] = {"category": code}
        for lang in lang_labels:
            row[f"label_{lang}"] = "Total" if code == "total" else tree.category(code).label[lang]
        row["2018 actual"] = actual.level(code, 2018)
        for plan, year in plans:
            row[f"{year} plan low"] = plan.level(code, year, "low")
            row[f"{year} plan high"] = plan.level(code, year, "high")
        rows.append(row)
    return pd.DataFrame(rows)


def selectors_table(
    regime_names: tuple[str, ...] = ("accord-1991", "quebec-control", "federal"),
) -> pd.DataFrame:
    """Who selects each sub-category under each regime: ``province`` or ``federal``."""
    tree = category_tree()
    rows = []
    for leaf in tree.leaves:
        row: dict[str, object] = {"category": leaf}
        for name in regime_names:
            row[name] = regime(name).selects(leaf)
        rows.append(row)
    return pd.DataFrame(rows)


def cuts_table(total: int = CUT_TOTAL, lang: str = "en") -> pd.DataFrame:
    """The cut of 2018's admissions to ``total`` under each regime, by category."""
    frames = []
    for name, result in debate_2018(total, lang).cuts.items():
        frame = result.by_category[["category", "base", "new", "change", "change_pct"]].copy()
        frame.insert(0, "regime", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
