"""Projections for the page: a scenario with its outcomes, as JSON, cached by its hash.

:func:`projection_json` runs :func:`immiplan.outcomes.run_with_outcomes` on a checked
scenario and keeps what the page shows: one series per indicator (:data:`SERIES`) on the
scenario's years, the calendar-year admissions by category it used, its references. Results
are cached by the scenario text's SHA-256, the package version and the horizon
(:class:`ProjectionCache`); a result is computed once even when many ask at once.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from immiplan import __version__
from immiplan.projection.scenario import LoadedScenario
from immiplan.projection.state import CATEGORIES
from immiplan.report.debate import SERIES as REPORT_SERIES

__all__ = ["INDICATORS", "SERIES", "ProjectionCache", "projection_json", "summary"]

# The page's series: those the report shows, in its terms (``immiplan.report.debate.SERIES``:
# origin, column, outcome group, scale), and four of the page's own.
_FROM_THE_REPORT = (
    "population",
    "working_age_20_64",
    "share_65_plus",
    "median_age",
    "immigrants",
    "french_share_all",
    "french_share_recent",
    "labour_force",
    "francization_students",
    "francization_cost",
)
SERIES: dict[str, tuple[str, str, str, float]] = {
    **{key: REPORT_SERIES[key] for key in _FROM_THE_REPORT},
    "population_65_plus": ("outcomes", "population_65_plus", "all", 1.0),
    "dependency_ratio": ("projection", "dependency_ratio", "", 1.0),
    "labour_force_recent": ("outcomes", "labour_force", "landed_under_5", 1.0),
    "unemployment_rate_recent": ("outcomes", "unemployment_rate", "landed_under_5", 1.0),
}

INDICATORS: dict[str, dict[str, Any]] = {
    "population": {"unit": "persons", "en": "Population", "fr": "Population"},
    "working_age_20_64": {
        "unit": "persons",
        "en": "Population aged 20 to 64",
        "fr": "Population de 20 à 64 ans",
    },
    "population_65_plus": {
        "unit": "persons",
        "en": "Population aged 65 and over",
        "fr": "Population de 65 ans et plus",
    },
    "share_65_plus": {
        "unit": "share",
        "en": "Share aged 65 and over",
        "fr": "Part des 65 ans et plus",
    },
    "dependency_ratio": {
        "unit": "per_100",
        "en": "Dependency ratio (0–19 and 65+ per 100 aged 20–64)",
        "fr": "Rapport de dépendance (0–19 et 65+ pour 100 personnes de 20 à 64 ans)",
    },
    "median_age": {"unit": "years", "en": "Median age", "fr": "Âge médian"},
    "immigrants": {
        "unit": "persons_per_year",
        "en": "Immigrants admitted (July–June)",
        "fr": "Immigrants admis (juillet à juin)",
    },
    "french_share_all": {
        "unit": "share",
        "en": "Knowledge of French, whole population",
        "fr": "Connaissance du français, ensemble de la population",
    },
    "french_share_recent": {
        "unit": "share",
        "en": "Knowledge of French, recent immigrants (under 5 years)",
        "fr": "Connaissance du français, immigrants récents (moins de 5 ans)",
    },
    "labour_force": {
        "unit": "persons",
        "en": "Labour force (15+)",
        "fr": "Population active (15+)",
    },
    "labour_force_recent": {
        "unit": "persons",
        "en": "Labour force, recent immigrants (under 5 years)",
        "fr": "Population active, immigrants récents (moins de 5 ans)",
    },
    "unemployment_rate_recent": {
        "unit": "share",
        "en": "Unemployment rate, recent immigrants (under 5 years)",
        "fr": "Taux de chômage, immigrants récents (moins de 5 ans)",
    },
    "francization_students": {
        "unit": "persons_per_year",
        "en": "People in francization (July–June)",
        "fr": "Personnes en francisation (juillet à juin)",
    },
    "francization_cost": {
        "unit": "dollars_per_year",
        "en": "Cost of francization (2016-17 dollars)",
        "fr": "Coût de la francisation (dollars de 2016-2017)",
    },
}
"""Each series' unit and name (``en``, ``fr``); method and sources in ``docs/outcomes.md``."""


def _clean(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(float(v)) else None for v in values]


def _on_years(frame_years: np.ndarray, values: np.ndarray, years: np.ndarray) -> list[float | None]:
    """``values`` by ``frame_years`` placed on ``years`` (None where absent or not finite)."""
    out = np.full(years.size, np.nan)
    index = frame_years.astype(np.int64) - int(years[0])
    inside = (index >= 0) & (index < years.size)
    out[index[inside]] = values[inside]
    return _clean(out)


def _series(result: Any, years: np.ndarray) -> dict[str, list[float | None]]:
    from immiplan.outcomes.run import select_series

    return {
        key: _on_years(values.index.to_numpy(dtype=np.int64), values.to_numpy(dtype=float), years)
        for key, values in select_series(result, SERIES).items()
    }


def _references(scenario: Any) -> list[dict[str, Any]]:
    from immiplan.report.debate import scenario_info

    refs = []
    for ref in scenario_info(scenario).sources:
        item = {k: getattr(ref, k, None) for k in ("publisher", "document", "date", "url", "note")}
        refs.append({k: (str(v) if v is not None else None) for k, v in item.items()})
    return refs


def projection_json(loaded: LoadedScenario, horizon: int | None = None) -> dict[str, Any]:
    """Project ``loaded`` with its outcomes; what the page shows, JSON-ready."""
    from immiplan.outcomes import run_with_outcomes

    result = run_with_outcomes(loaded, horizon=horizon)
    meta = result.projection.metadata
    scenario = loaded.scenario
    first, last = int(meta["base_year"]), int(meta["horizon"])
    years = np.arange(first, last + 1)
    levels = result.projection.prepared.levels
    level_years = [y for y in sorted(levels) if first <= y <= last]
    admissions: dict[str, Any] = {"years": level_years}
    for i, category in enumerate(CATEGORIES):
        admissions[category] = [round(float(levels[y][i]), 3) for y in level_years]
    admissions["total"] = [round(float(levels[y].sum()), 3) for y in level_years]
    given = [int(y) for y in scenario.immigration.levels]
    for name in scenario.immigration.plans:
        from immiplan.plans import load_plan

        given += load_plan(name).years
    return {
        "name": scenario.name,
        "title": {lang: scenario.title_in(lang) for lang in ("en", "fr")},
        "description": {lang: scenario.description_in(lang) for lang in ("en", "fr")},
        "sha256": loaded.sha256,
        "immiplan_version": __version__,
        "base_year": first,
        "horizon": last,
        "years": [int(y) for y in years],
        "series": _series(result, years),
        "admissions": admissions,
        "given_through": max(given) if given else None,
        "references": _references(scenario),
        "yaml": loaded.text,
    }


class ProjectionCache:
    """Projections by ``(sha256, version, horizon)``, least recently used dropped first.

    Each key is computed once: a second request for a key being computed waits for it.
    ``limit`` bounds the projections computed at once.
    """

    def __init__(self, size: int = 512, concurrent: int = 2) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, int | None], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str, int | None], threading.Lock] = {}
        self._slots = threading.BoundedSemaphore(max(1, concurrent))
        self.hits = 0
        self.misses = 0

    def peek(self, sha256: str, horizon: int | None) -> dict[str, Any] | None:
        """The cached result, or ``None``."""
        key = (sha256, __version__, horizon)
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return item

    def get(
        self, sha256: str, horizon: int | None, compute: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """The cached result, or ``compute()`` (once per key) stored and returned."""
        key = (sha256, __version__, horizon)
        item = self.peek(sha256, horizon)
        if item is not None:
            return item
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            item = self.peek(sha256, horizon)
            if item is not None:
                return item
            try:
                with self._slots:
                    item = compute()
            except BaseException:
                with self._lock:  # a refused scenario leaves nothing behind
                    self._pending.pop(key, None)
                raise
            with self._lock:
                self.misses += 1
                self._items[key] = item
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._pending.pop(key, None)
            return item


# --------------------------------------------------------------------------- summary

_EXTRA = {
    "dependency": {
        "en": "The dependency ratio would be {value} per 100 people aged 20 to 64 "
        "(against {ref_value}).",
        "fr": "Le rapport de dépendance serait de {value} pour 100 personnes de 20 à 64 ans "
        "(contre {ref_value}).",
    },
    "unemployment_recent": {
        "en": "Recent immigrants' unemployment rate would be {value} (against {ref_value}).",
        "fr": "Le taux de chômage des immigrants récents serait de {value} (contre {ref_value}).",
    },
    "francization": {
        "en": "Francization would cost {value} in {horizon} (against {ref_value}), "
        "for {students} people in courses.",
        "fr": "La francisation coûterait {value} en {horizon} (contre {ref_value}), "
        "pour {students} personnes en cours.",
    },
}


def _at(result: dict[str, Any], key: str, year: int) -> float | None:
    values = result["series"].get(key)
    if values is None or year not in result["years"]:
        return None
    value = values[result["years"].index(year)]
    return None if value is None else float(value)


def _last_flow_year(result: dict[str, Any], key: str, year: int) -> int:
    """Flows stop a year before the horizon (the last year has no following July)."""
    return year if _at(result, key, year) is not None else year - 1


def summary(reform: dict[str, Any], baseline: dict[str, Any], lang: str) -> list[str]:
    """The plain-language comparison of ``reform`` with ``baseline`` at the horizon, in
    ``lang`` (the report's sentences, :mod:`immiplan.report.i18n`)."""
    from immiplan.report.i18n import (
        format_money,
        format_number,
        format_percent,
        headline_sentences,
    )

    year = min(int(reform["horizon"]), int(baseline["horizon"]))
    name, ref = reform["title"][lang], baseline["title"][lang]
    out = headline_sentences(
        lambda key: _at(reform, key, year),
        lambda key: _at(baseline, key, year),
        year=year,
        scenario=name,
        ref=ref,
        lang=lang,
    )
    dep, dep_ref = _at(reform, "dependency_ratio", year), _at(baseline, "dependency_ratio", year)
    if dep is not None and dep_ref is not None:
        out.append(
            _EXTRA["dependency"][lang].format(
                value=format_number(dep, lang, 1), ref_value=format_number(dep_ref, lang, 1)
            )
        )
    ur = _at(reform, "unemployment_rate_recent", year)
    ur_ref = _at(baseline, "unemployment_rate_recent", year)
    if ur is not None and ur_ref is not None:
        out.append(
            _EXTRA["unemployment_recent"][lang].format(
                value=format_percent(ur, lang, 1), ref_value=format_percent(ur_ref, lang, 1)
            )
        )
    flow_year = _last_flow_year(reform, "francization_cost", year)
    cost = _at(reform, "francization_cost", flow_year)
    cost_ref = _at(baseline, "francization_cost", flow_year)
    students = _at(reform, "francization_students", flow_year)
    if cost is not None and cost_ref is not None and students is not None:
        out.append(
            _EXTRA["francization"][lang].format(
                value=format_money(cost, lang, 1, millions=True),
                ref_value=format_money(cost_ref, lang, 1, millions=True),
                horizon=flow_year,
                students=format_number(students, lang),
            )
        )
    return out
