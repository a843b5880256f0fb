"""Observed admissions of permanent residents, as plan-like objects ("2018 actual").

Actual admissions share the :class:`~immiplan.plans.model.Plan` interface (low = target =
high = the count), so a plan can be compared with, or cut from, what happened.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from immiplan.errors import InputError
from immiplan.plans.model import Level, Plan, PlanYear
from immiplan.system.categories import category_tree
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference, parse_references


def _point(
    key: str, covers: frozenset[str], value: float, lines: tuple[Level, ...] = (), path: str = ""
) -> Level:
    tree = category_tree()
    label = {lang: tree.label(covers, lang) for lang in ("en", "fr")}
    if key == "total":
        label = {"en": "Total", "fr": "Total"}
    return Level(
        key=key,
        covers=covers,
        label=label,
        low=value,
        target=value,
        high=value,
        lines=lines,
        path=path,
    )


@cache
def _history(jurisdiction: str) -> dict[int, tuple[PlanYear, tuple[Reference, ...], str]]:
    path = data_root() / "admissions" / f"{jurisdiction}.yaml"
    if not path.is_file():
        raise InputError("no admissions data for this jurisdiction", value=jurisdiction)
    raw = load_yaml(path)
    tree = category_tree()
    out: dict[int, tuple[PlanYear, tuple[Reference, ...], str]] = {}
    for series in raw["series"]:
        refs = tuple(parse_references(series))
        note = series["reference"].get("note", "") if "reference" in series else ""
        years: list[int] = series["years"]
        values: dict[str, list[Any]] = series.get("values", {})
        totals: dict[str, list[Any]] = series.get("totals", {})
        for i, year in enumerate(years):
            categories = []
            for top in tree.top:
                if top not in totals:
                    continue
                subs = tuple(
                    _point(code.split(".", 1)[1], tree.resolve(code), float(v[i]))
                    for code, v in values.items()
                    if code.split(".")[0] == top
                )
                categories.append(_point(top, tree.resolve(top), float(totals[top][i]), subs))
            total = _point(
                "total", frozenset(tree.leaves), float(totals["total"][i]), tuple(categories)
            )
            out[year] = (PlanYear(year=year, total=total), refs, note)
    return out


def admission_years(jurisdiction: str = "quebec") -> list[int]:
    """The years with observed admissions for ``jurisdiction``."""
    return sorted(_history(jurisdiction))


def actual_admissions(jurisdiction: str, year: int) -> Plan:
    """Observed admissions in ``year`` as a one-year plan named e.g. ``"2018 actual"``."""
    history = _history(jurisdiction)
    if year not in history:
        years = admission_years(jurisdiction)
        raise InputError(
            f"no admissions data for {jurisdiction} in {year} (available: {years[0]}–{years[-1]})",
            field="year",
            value=year,
        )
    plan_year, refs, note = history[year]
    return Plan(
        name=f"{year} actual",
        jurisdiction=jurisdiction,
        years_={year: plan_year},
        title={"en": f"{year} admissions (actual)", "fr": f"Admissions {year} (réelles)"},
        author=refs[0].publisher if refs else None,
        kind="actual",
        references=refs,
        notes=note or None,
        source=f"admissions/{jurisdiction}",
    )


def history_table(jurisdiction: str = "quebec") -> dict[int, dict[str, float | None]]:
    """Admissions by year and top-level category (None where not published)."""
    tree = category_tree()
    out: dict[int, dict[str, float | None]] = {}
    for year in admission_years(jurisdiction):
        plan = actual_admissions(jurisdiction, year)
        row: dict[str, float | None] = {code: plan.level(code, year) for code in tree.top}
        row["total"] = plan.total(year)
        out[year] = row
    return out
