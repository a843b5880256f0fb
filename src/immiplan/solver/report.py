"""The report's "What would it take" section: the UN targets on the report's base.

For the base of the report (the project's base whose year is the report's base year) and its
horizon, the constant level each UN *Replacement Migration* target needs, with every category
moved and under the Canada–Quebec Accord, beside the plans of the debate. Computed once per
base and horizon (the solves share one context); the page only formats it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from immiplan.errors import InputError
from immiplan.solver.context import known_bases
from immiplan.solver.inverse import solve
from immiplan.solver.shipped import shipped_targets

__all__ = ["UN_SETS", "TakesRow", "report_rows", "what_it_takes", "what_it_takes_section"]

UN_SETS: tuple[str, ...] = ("un-iii", "un-iv", "un-v", "un-vi")
"""The target sets the section shows, in order."""

_TEXT: dict[str, dict[str, str]] = {
    "lead": {
        "en": "What the UN's Replacement Migration targets (2000) would need on this report's "
        "base, {first}–{horizon}: one constant level of admissions a year, every other "
        "assumption of the reference scenario kept. Each answer is checked by a forward "
        "projection.",
        "fr": "Ce qu'exigeraient les cibles de la Migration de remplacement de l'ONU (2000) "
        "sur la base de ce rapport, {first}–{horizon} : un niveau constant d'admissions par "
        "année, toutes les autres hypothèses du scénario de référence conservées. Chaque "
        "réponse est vérifiée par une projection.",
    },
    "target": {"en": "Target", "fr": "Cible"},
    "all": {"en": "Every category moved", "fr": "Toutes les catégories"},
    "accord": {
        "en": "Accord of 1991: Quebec's categories (all admissions)",
        "fr": "Accord de 1991 : catégories du Québec (toutes les admissions)",
    },
    "out": {"en": "out of reach", "fr": "hors d'atteinte"},
    "plans": {
        "en": "The plans of the debate admit {low}–{high} a year.",
        "fr": "Les plans du débat admettent de {low} à {high} personnes par année.",
    },
    "source": {
        "en": "Targets: United Nations Population Division, Replacement Migration "
        "(ESA/P/WP.160), 21 March 2000; the method: docs/solve.md (immiplan plan solve).",
        "fr": "Cibles : Division de la population des Nations Unies, Replacement Migration "
        "(ESA/P/WP.160), 21 mars 2000; la méthode : docs/solve.md (immiplan plan solve).",
    },
    "title": {"en": "What would it take", "fr": "Ce qu'il faudrait"},
}


@dataclass(frozen=True)
class TakesRow:
    """One UN target's answer: the constant level with every category and under the Accord."""

    name: str
    title: dict[str, str]
    all_categories: float | None
    accord_province: float | None
    accord_total: float | None


def _base_of_year(year: int) -> str | None:
    try:
        from immiplan.projection.bases import base_date
    except ImportError:  # before bases were data: the one embedded base
        return "quebec-2018" if year == 2018 else None
    return next((b for b in known_bases() if base_date(b).year == year), None)


@cache
def what_it_takes(base_year: int, horizon: int) -> tuple[TakesRow, ...]:
    """The UN targets' constant levels on the base of ``base_year`` to ``horizon``.

    Empty when no base of the project starts in ``base_year`` or the horizon leaves fewer
    than two decision years.
    """
    base = _base_of_year(int(base_year))
    if base is None or horizon - base_year < 2:
        return ()
    years = (int(base_year) + 1, int(horizon))
    sets = shipped_targets()
    rows = []
    for name in UN_SETS:
        everyone = solve([name], base=base, years=years, regime="quebec-control")
        accord = solve([name], base=base, years=years, regime="accord-1991")
        rows.append(
            TakesRow(
                name=name,
                title=sets[name].title,
                all_categories=float(everyone.levels["total"].mean())
                if everyone.feasible
                else None,
                accord_province=accord.constant_level if accord.feasible else None,
                accord_total=float(accord.levels["total"].mean()) if accord.feasible else None,
            )
        )
    return tuple(rows)


def report_rows(base_year: int, horizon: int) -> tuple[TakesRow, ...]:
    """:func:`what_it_takes` for a report: no rows (no section) where the solver refuses
    the base or the years."""
    try:
        return what_it_takes(int(base_year), int(horizon))
    except InputError:
        return ()


def what_it_takes_section(
    rows: Sequence[TakesRow],
    base_year: int,
    horizon: int,
    plan_totals: Sequence[float],
    lang: str,
    number: Callable[[float, str], str],
) -> dict[str, Any] | None:
    """The section's texts and table in ``lang`` (``None`` when there is nothing to show).

    ``rows``: :func:`what_it_takes` of the report's base year and horizon; ``plan_totals``:
    the debate's plans' totals a year; ``number``: the report's number formatter
    (``format_number``).
    """
    if not rows:
        return None
    out_of_reach = _TEXT["out"][lang]

    def level(value: float | None) -> str:
        return out_of_reach if value is None else number(round(value, -2), lang)

    totals = [t for t in plan_totals if t == t]  # drop missing (NaN) totals
    return {
        "lead": _TEXT["lead"][lang].format(first=base_year + 1, horizon=horizon),
        "headers": [_TEXT["target"][lang], _TEXT["all"][lang], _TEXT["accord"][lang]],
        "rows": [
            {
                "label": row.title.get(lang, row.name),
                "all": level(row.all_categories),
                "accord": (
                    out_of_reach
                    if row.accord_province is None
                    else f"{level(row.accord_province)} ({level(row.accord_total)})"
                ),
            }
            for row in rows
        ],
        "plans": _TEXT["plans"][lang].format(
            low=number(min(totals), lang), high=number(max(totals), lang)
        )
        if totals
        else "",
        "source": _TEXT["source"][lang],
    }
