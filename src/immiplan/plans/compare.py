"""Two plans side by side, by category: levels, absolute and % change.

Lines outside a plan's cap (Quebec's PEQ graduates in 2024–2025) are shown the way the
government counts them: the category rows are the cap's, each outside line gets a row of its
own, and the totals show both the cap and every admission with the outside lines.
"""

from __future__ import annotations

import pandas as pd

from immiplan.plans.model import Plan, Which
from immiplan.system.categories import category_tree

_WORDS = {
    "en": {
        "cap": "Total within the cap",
        "with": "Total with the lines outside the cap",
        "outside": "outside the cap",
    },
    "fr": {
        "cap": "Total sous le plafond",
        "with": "Total avec les lignes hors plafond",
        "outside": "hors plafond",
    },
}


def _labels(plan: Plan, year: int, lang: str) -> dict[frozenset[str], str]:
    """The plan's own label for each set of leaves it publishes a line for."""
    out: dict[frozenset[str], str] = {}
    for node in plan.year(year).nodes():
        if node.key == "total":
            continue
        label = node.label.get(lang, node.key)
        # Programme lines sharing a coverage are added up by Plan.level, so name them all.
        out[node.covers] = f"{out[node.covers]} + {label}" if node.covers in out else label
    return out


def compare(
    a: Plan, year_a: int, b: Plan, year_b: int, which: Which = "target", lang: str = "en"
) -> pd.DataFrame:
    """Side by side by category: ``a``, ``b``, ``change`` (b − a) and ``change_pct``.

    Rows are every top-level category and every line either plan publishes, nested under the
    smallest row that contains it (``depth``). A row one plan is silent on shows no value.
    Levels use ``which``; a target missing from a range-only plan is the range's midpoint.
    """
    tree = category_tree()
    labels = {**_labels(b, year_b, lang), **_labels(a, year_a, lang)}
    for top in tree.top:
        labels[tree.resolve(top)] = tree.category(top).label[lang]
    leaf_index = {leaf: i for i, leaf in enumerate(tree.leaves)}
    rows = sorted(labels, key=lambda c: (min(leaf_index[x] for x in c), -len(c)))
    records = []
    for covers in rows:
        code = tree.code_of(covers)
        va = a.level(code, year_a, which)
        vb = b.level(code, year_b, which)
        if va is None and vb is None:
            continue
        depth = sum(1 for other in rows if covers < other)
        records.append({**_record(code, labels[covers], va, vb), "depth": depth})
    outside = a.has_outside_cap(year_a) or b.has_outside_cap(year_b)
    if outside:
        records += _outside_records(a, year_a, b, year_b, which, lang)
    words = _WORDS[lang if lang in _WORDS else "en"]
    total_label = words["cap"] if outside else "Total"
    records.append(
        {
            **_record("total", total_label, a.total(year_a, which), b.total(year_b, which)),
            "depth": 0,
        }
    )
    if outside:
        records.append(
            {
                **_record(
                    "total_with_outside",
                    words["with"],
                    a.total(year_a, which, include_outside=True),
                    b.total(year_b, which, include_outside=True),
                ),
                "depth": 0,
            }
        )
    label_a = a.name if len(a.years) == 1 else f"{a.name}:{year_a}"
    label_b = b.name if len(b.years) == 1 else f"{b.name}:{year_b}"
    return pd.DataFrame.from_records(records).rename(columns={"a": label_a, "b": label_b})


def _record(code: str, label: str, va: float | None, vb: float | None) -> dict[str, object]:
    change = vb - va if va is not None and vb is not None else None
    pct = change / va * 100 if change is not None and va else None
    return {"category": code, "label": label, "a": va, "b": vb, "change": change, "change_pct": pct}


def _outside_records(
    a: Plan, year_a: int, b: Plan, year_b: int, which: Which, lang: str
) -> list[dict[str, object]]:
    """One row per line outside either plan's cap, matched across plans by what it covers."""
    tree = category_tree()
    lines: dict[frozenset[str], str] = {}
    for plan, year in ((a, year_a), (b, year_b)):
        for line in plan.year(year).outside_cap:
            lines.setdefault(line.covers, line.label.get(lang, line.key))
    records: list[dict[str, object]] = []
    for covers, label in lines.items():
        values = []
        for plan, year in ((a, year_a), (b, year_b)):
            matched = [n.value(which) for n in plan.year(year).outside_cap if n.covers == covers]
            values.append(
                None
                if not matched or any(v is None for v in matched)
                else float(sum(v for v in matched if v is not None))
            )
        code = f"outside_cap:{tree.code_of(covers)}"
        outside = _WORDS[lang if lang in _WORDS else "en"]["outside"]
        records.append({**_record(code, f"{label} ({outside})", *values), "depth": 0})
    return records
