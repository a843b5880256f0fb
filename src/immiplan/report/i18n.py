"""The report's two languages: every word it shows, and numbers written the local way.

French follows Quebec usage (Office québécois de la langue française): a narrow no-break
space groups thousands and precedes ``%`` and ``$`` (``8 387 632``, ``19,4 %``,
``12 500 $``), a comma marks decimals, and a no-break space precedes a colon. English
uses ``8,387,632``, ``19.4%`` and ``$12,500``. Negative numbers take a true minus sign
(U+2212) in both languages, as the charts do.

Babel is deliberately not used: the report needs two locales and five number shapes,
which a few lines below cover exactly and testably.
"""

from __future__ import annotations

import locale
import math
import numbers
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from immiplan.errors import InputError

LANGUAGES: tuple[str, ...] = ("fr", "en")
"""The report's languages, as ISO 639-1 codes."""

NNBSP = "\u202f"  # narrow no-break space: French thousands separator and unit space
NBSP = "\u00a0"  # no-break space: before a French colon
MINUS = "\u2212"  # the minus sign, not a hyphen
MISSING = "—"


# --------------------------------------------------------------------------- languages


_LANGUAGE_TAG = re.compile(r"^(?P<code>[a-z]{2})(?:[_-][a-z0-9]{2,3})?$")


def check_language(lang: str) -> str:
    """Return ``lang`` as one of :data:`LANGUAGES` or raise :class:`InputError`.

    Case and a region are tolerated (``FR``, ``fr_CA``, ``en-US``): a report in French
    is the same for France and Quebec, and this one writes Quebec French.
    """
    match = _LANGUAGE_TAG.match(str(lang).strip().lower())
    if match and match["code"] in LANGUAGES:
        return match["code"]
    allowed = ", ".join(LANGUAGES)
    raise InputError(f"unknown language; use one of: {allowed}", field="lang", value=lang)


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """``"fr"`` when the system locale is French, else ``"en"``.

    The locale is the first set of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` (the POSIX
    order for messages); when none is set, Python's ``locale.getlocale()``.
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:  # an unparsable locale name: not French
        current = ""
    return "fr" if current.lower().startswith("fr") else "en"


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberStyle:
    """How one language writes a number."""

    decimal: str
    group: str
    percent: str
    """Between the number and ``%``."""
    currency_prefix: str
    currency_suffix: str
    millions_suffix: str
    """After an amount in millions of dollars: ``M$`` in French, ``M`` in English."""


STYLES: dict[str, NumberStyle] = {
    "fr": NumberStyle(",", NNBSP, NNBSP, "", f"{NNBSP}$", f"{NNBSP}M$"),
    "en": NumberStyle(".", ",", "", "$", "", "M"),
}


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _digits_text(value: Any, number: float, digits: int) -> str:
    # Exact integers keep every digit; floats round half to even like f-strings do.
    if digits == 0 and isinstance(value, numbers.Integral):
        return f"{abs(int(value)):,d}"
    return f"{abs(number):,.{digits}f}"


def format_number(value: Any, lang: str, digits: int = 0, *, signed: bool = False) -> str:
    """Write ``value`` with the language's separators: ``8 387 632`` / ``8,387,632``.

    ``digits`` is the number of decimals. ``signed`` writes ``+`` before a positive
    number (for differences). A missing or non-finite value is written ``—``.
    """
    number = _finite(value)
    if number is None:
        return MISSING
    style = STYLES[check_language(lang)]
    text = _digits_text(value, number, digits)
    is_zero = not any(ch in "123456789" for ch in text)
    text = text.replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)
    if is_zero:
        return text
    if number < 0:
        return MINUS + text
    return "+" + text if signed else text


def format_percent(fraction: Any, lang: str, digits: int = 1, *, signed: bool = False) -> str:
    """Write a fraction as a percentage: ``0.194`` → ``19,4 %`` / ``19.4%``."""
    number = _finite(fraction)
    if number is None:
        return MISSING
    text = format_number(number * 100, lang, digits, signed=signed)
    if text == MISSING:
        return MISSING
    return f"{text}{STYLES[check_language(lang)].percent}%"


def format_money(
    value: Any, lang: str, digits: int = 0, *, millions: bool = False, signed: bool = False
) -> str:
    """Write dollars: ``12 500 $`` / ``$12,500``; in millions ``12,5 M$`` / ``$12.5M``."""
    number = _finite(value)
    if number is None:
        return MISSING
    style = STYLES[check_language(lang)]
    text = format_number(number / 1e6 if millions else value, lang, digits, signed=signed)
    if text == MISSING:
        return MISSING
    sign = text[0] if text[0] in (MINUS, "+") else ""
    body = text[len(sign) :]
    suffix = style.millions_suffix if millions else style.currency_suffix
    return f"{sign}{style.currency_prefix}{body}{suffix}"


def parse_number(text: str, lang: str) -> float:
    """Read back a number written by :func:`format_number` (or :func:`format_percent`,
    giving the percentage, or :func:`format_money`, giving dollars or millions).

    Raises :class:`InputError` for text that is not such a number.
    """
    style = STYLES[check_language(lang)]
    raw = str(text).strip()
    for affix in ("%", "$", "M"):
        raw = raw.replace(affix, "")
    raw = raw.replace(style.group, "").replace(NNBSP, "").replace(NBSP, "").strip()
    raw = raw.replace(MINUS, "-").replace(style.decimal, ".")
    try:
        return float(raw)
    except ValueError as exc:
        raise InputError("not a number", value=text) from exc


def d3_format_locale(lang: str) -> dict[str, Any]:
    """The d3-format locale that makes Vega write numbers as :func:`format_number` does."""
    style = STYLES[check_language(lang)]
    return {
        "decimal": style.decimal,
        "thousands": style.group,
        "grouping": [3],
        "currency": [style.currency_prefix, style.currency_suffix],
        "percent": f"{style.percent}%",
        "minus": MINUS,
    }


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Indicator:
    """A projected series the report knows how to name, format and chart."""

    key: str
    unit: str
    """``persons`` (on 1 July), ``persons_per_year`` (flow over the year), ``share``
    (a fraction 0–1, written as a percentage), ``dollars_per_year`` or ``years``."""
    label: dict[str, str]
    """Full name, standing alone (a table header)."""
    short: dict[str, str]
    """Name inside its chart, where the chart's title gives the context."""


def _ind(
    key: str, unit: str, fr: str, en: str, fr_short: str = "", en_short: str = ""
) -> Indicator:
    return Indicator(key, unit, {"fr": fr, "en": en}, {"fr": fr_short or fr, "en": en_short or en})


INDICATORS: dict[str, Indicator] = {
    ind.key: ind
    for ind in (
        _ind("population", "persons", "Population", "Population"),
        _ind(
            "working_age_20_64",
            "persons",
            "Population de 20 à 64 ans",
            "Population aged 20 to 64",
            "20 à 64 ans",
            "Aged 20 to 64",
        ),
        _ind(
            "share_65_plus",
            "share",
            "Part des 65 ans et plus",
            "Share aged 65 and over",
            "65 ans et plus",
            "65 and over",
        ),
        _ind("median_age", "years", "Âge médian", "Median age"),
        _ind("births", "persons_per_year", "Naissances", "Births"),
        _ind("deaths", "persons_per_year", "Décès", "Deaths"),
        _ind("immigrants", "persons_per_year", "Immigrants admis", "Immigrants admitted"),
        # The projection's net emigration (emigrants less returning emigrants): below zero
        # where returns outnumber departures, so not "emigrants".
        _ind("emigrants", "persons_per_year", "Émigration nette", "Net emigration"),
        _ind("labour_force", "persons", "Population active", "Labour force"),
        _ind("employment", "persons", "Emploi", "Employment"),
        _ind("participation_rate", "share", "Taux d'activité", "Participation rate"),
        _ind("employment_rate", "share", "Taux d'emploi", "Employment rate"),
        _ind("unemployment_rate", "share", "Taux de chômage", "Unemployment rate"),
        _ind(
            "french_share_all",
            "share",
            "Connaissance du français, ensemble de la population",
            "Knowledge of French, whole population",
            "Ensemble de la population",
            "Whole population",
        ),
        _ind(
            "french_share_immigrants",
            "share",
            "Connaissance du français, personnes immigrantes",
            "Knowledge of French, immigrants",
            "Personnes immigrantes",
            "Immigrants",
        ),
        _ind(
            "french_share_recent",
            "share",
            "Connaissance du français, immigrants récents",
            "Knowledge of French, recent immigrants",
            "Immigrants récents",
            "Recent immigrants",
        ),
        _ind(
            "francization_students",
            "persons_per_year",
            "Personnes en francisation",
            "People in francization",
        ),
        _ind(
            "francization_cost",
            "dollars_per_year",
            "Coût de la francisation",
            "Cost of francization",
        ),
        _ind("npr_stock", "persons", "Résidents non permanents", "Non-permanent residents"),
        _ind(
            "npr_transitions",
            "persons_per_year",
            "Passages à la résidence permanente",
            "Transitions to permanent residence",
        ),
        _ind(
            "already_resident_share",
            "share",
            "Part des admissions déjà au Québec",
            "Share of admissions already living in Quebec",
        ),
        _ind(
            "npr_stock_work",
            "persons",
            "Titulaires d'un permis de travail",
            "Work permit holders",
            "Permis de travail",
            "Work permits",
        ),
        _ind(
            "npr_stock_study",
            "persons",
            "Titulaires d'un permis d'études",
            "Study permit holders",
            "Permis d'études",
            "Study permits",
        ),
        _ind(
            "npr_stock_work_and_study",
            "persons",
            "Titulaires d'un permis de travail et d'études",
            "Work and study permit holders",
            "Travail et études",
            "Work and study",
        ),
        _ind(
            "npr_stock_asylum",
            "persons",
            "Demandeurs d'asile",
            "Asylum claimants",
        ),
        _ind(
            "npr_stock_other",
            "persons",
            "Autres résidents non permanents",
            "Other non-permanent residents",
            "Autres",
            "Other",
        ),
    )
}
"""Every indicator key a report accepts, in the order the report shows them."""


def _regime_names() -> dict[str, dict[str, str]]:
    from immiplan.system.regimes import regimes

    return {name: dict(regime.label) for name, regime in regimes().items()}


REGIMES: dict[str, dict[str, str]] = _regime_names()
"""The selection regimes, by key, with their names (``data/system/regimes/*.yaml``)."""


def selector_label(key: str, jurisdiction: str, lang: str, *, in_sentence: bool = False) -> str:
    """Who selects, in words: ``province`` is ``jurisdiction``'s name, ``federal`` its
    parent's, ``shared`` (a category whose sub-categories are selected some by each) both;
    ``""`` for no key. ``in_sentence``: the names as a sentence uses them (``le Québec``)."""
    from immiplan.system.jurisdictions import jurisdiction as find

    if not key:
        return ""
    province = find(jurisdiction)
    federal = find(province.parent) if province.parent else None

    def name(j: Any) -> str:
        return "" if j is None else (j.sentence if in_sentence else j.name)[lang]

    names = {"province": name(province), "federal": name(federal)}
    if key == "shared":
        return f"{names['province']} + {names['federal']}"
    return names[key]


def _category_names() -> dict[str, dict[str, str]]:
    """Every category code's name, from the system's category tree alone."""
    from immiplan.system.categories import category_tree

    names: dict[str, dict[str, str]] = {"total": {"fr": "Total", "en": "Total"}}
    for category in category_tree().categories:
        names[category.code] = dict(category.label)
        for sub in category.subcategories:
            names[sub] = dict(category.sublabels[sub])
    return names


CATEGORIES: dict[str, dict[str, str]] = _category_names()
"""Names of the category codes (``data/system/categories.yaml``), used where a table gives
none; sub-category codes are unique across the tree, so they are keyed alone."""


def category_label(code: str, lang: str) -> str:
    """Name a category code: ``refugees.protected_in_canada`` → its sub-category's name;
    ``caregivers+other_economic`` → both names joined by ``+``; an unknown code is
    shown as it is."""
    parts = []
    for part in str(code).split("+"):
        leaf = part.strip().rsplit(".", 1)[-1]
        names = CATEGORIES.get(leaf)
        parts.append(names[lang] if names else part.strip())
    return " + ".join(parts)


MESSAGES: dict[str, dict[str, str]] = {
    # -- page
    "report.title": {
        "fr": "Niveaux d'immigration au Québec : ce que font les plans",
        "en": "Quebec immigration levels: what the plans do",
    },
    "report.subtitle": {
        "fr": "{n} scénarios projetés de {base} à {horizon}",
        "en": "{n} scenarios projected from {base} to {horizon}",
    },
    "report.contents": {"fr": "Sommaire", "en": "Contents"},
    "report.noscript": {
        "fr": "Les graphiques ont besoin de JavaScript. Leurs données sont dans les liens "
        "« Télécharger les données (CSV) » et dans series.csv.",
        "en": "The charts need JavaScript. Their data are in the “Download data (CSV)” "
        "links and in series.csv.",
    },
    # -- sections
    "section.summary": {"fr": "En bref", "en": "Summary"},
    "section.plans": {
        "fr": "Les plans et qui sélectionne chaque catégorie",
        "en": "The plans and who selects each category",
    },
    "section.cut": {
        "fr": "Où tombe la baisse, selon le régime",
        "en": "Where the cut falls, under each regime",
    },
    "section.population": {
        "fr": "Population, âge actif et vieillissement",
        "en": "Population, working age and ageing",
    },
    "section.temporary": {"fr": "Résidents temporaires", "en": "Temporary residents"},
    "section.labour": {"fr": "Population active et emploi", "en": "Labour force and employment"},
    "section.french": {"fr": "Connaissance du français", "en": "Knowledge of French"},
    "section.francization": {
        "fr": "Francisation : demande et coût",
        "en": "Francization: demand and cost",
    },
    "section.howto": {"fr": "Comment lire ce rapport", "en": "How to read this report"},
    "section.takes": {"fr": "Ce qu'il faudrait", "en": "What would it take"},  # solver
    "section.sources": {"fr": "Sources et hypothèses", "en": "Sources and assumptions"},
    # -- summary
    "summary.lead": {
        "fr": "Situation en {horizon} selon chaque scénario. Les écarts sont calculés par "
        "rapport au scénario de référence, « {ref} ».",
        "en": "The situation in {horizon} under each scenario. Differences are against the "
        "reference scenario, “{ref}”.",
    },
    "summary.population_fewer": {
        "fr": "En {horizon}, « {scenario} » donne {diff} habitants de moins au Québec "
        "qu'avec « {ref} » ({pct}).",
        "en": "By {horizon}, “{scenario}” means {diff} fewer people in Quebec than “{ref}” "
        "({pct}).",
    },
    "summary.population_more": {
        "fr": "En {horizon}, « {scenario} » donne {diff} habitants de plus au Québec "
        "qu'avec « {ref} » ({pct}).",
        "en": "By {horizon}, “{scenario}” means {diff} more people in Quebec than “{ref}” ({pct}).",
    },
    "summary.population_same": {
        "fr": "En {horizon}, « {scenario} » donne au Québec la même population qu'avec « {ref} ».",
        "en": "By {horizon}, “{scenario}” gives Quebec the same population as “{ref}”.",
    },
    "summary.working_age_fewer": {
        "fr": "Le Québec compterait {diff} personnes de 20 à 64 ans de moins.",
        "en": "Quebec would have {diff} fewer people aged 20 to 64.",
    },
    "summary.working_age_more": {
        "fr": "Le Québec compterait {diff} personnes de 20 à 64 ans de plus.",
        "en": "Quebec would have {diff} more people aged 20 to 64.",
    },
    "summary.share_65_plus": {
        "fr": "La part des 65 ans et plus serait de {value} (contre {ref_value}).",
        "en": "The share aged 65 and over would be {value} (against {ref_value}).",
    },
    "summary.french": {
        "fr": "La connaissance du français atteindrait {value} de la population "
        "(contre {ref_value}).",
        "en": "Knowledge of French would reach {value} of the population (against {ref_value}).",
    },
    "summary.control_title": {"fr": "Qui contrôle quoi", "en": "Who controls what"},
    "summary.control": {
        "fr": "{regime} : {province} sélectionne {selected} des {base} admissions du "
        "plan de départ ({pct}).",
        "en": "{regime}: {province} selects {selected} of the {base} admissions in the base "
        "plan ({pct}).",
    },
    "summary.control_shared": {
        "fr": "{shared} autres relèvent de catégories que {province} et {federal} se partagent.",
        "en": "Another {shared} are in categories {province} and {federal} share.",
    },
    "summary.cut_falls": {
        "fr": "La variation de {change} ({pct}) porte sur : {items}.",
        "en": "The change of {change} ({pct}) falls on: {items}.",
    },
    "summary.cut_none": {
        "fr": "Aucune catégorie ne change.",
        "en": "No category changes.",
    },
    "summary.and_others": {"fr": "et {n} autres", "en": "and {n} others"},
    "summary.table_caption": {
        "fr": "Indicateurs en {horizon}, par scénario",
        "en": "Indicators in {horizon}, by scenario",
    },
    "summary.immigrants_mean": {
        "fr": "Immigrants par année (moyenne {start}–{end})",
        "en": "Immigrants per year (average {start}–{end})",
    },
    "summary.reference": {"fr": "référence", "en": "reference"},
    # -- plan columns named "<year> <kind>" (see charts.plan_label)
    "plan_column.actual": {"fr": "Admissions {year}", "en": "{year} admissions"},
    "plan_column.plan": {"fr": "Plan {year}", "en": "{year} plan"},
    "plan_column.plan_low": {"fr": "Plan {year}, bas", "en": "{year} plan, low"},
    "plan_column.plan_high": {"fr": "Plan {year}, haut", "en": "{year} plan, high"},
    "plan_column.target": {"fr": "Cible {year}", "en": "{year} target"},
    # -- tables
    "table.scenario": {"fr": "Scénario", "en": "Scenario"},
    "table.category": {"fr": "Catégorie", "en": "Category"},
    "table.who_selects": {"fr": "Qui sélectionne", "en": "Who selects"},
    "table.base": {"fr": "Plan de départ", "en": "Base plan"},
    "table.new": {"fr": "Nouveau plan", "en": "New plan"},
    "table.change": {"fr": "Variation", "en": "Change"},
    "table.change_pct": {"fr": "Variation (%)", "en": "Change (%)"},
    "table.selected_by": {"fr": "Sélectionnée par", "en": "Selected by"},
    "plans.lead": {
        "fr": "Admissions de résidents permanents au Québec prévues par chaque plan (ou "
        "réalisées), par catégorie, et qui sélectionne les personnes de chaque catégorie "
        "sous chaque régime.",
        "en": "Admissions of permanent residents to Quebec in each plan (or actually "
        "admitted), by category, and who selects the people in each category under each "
        "regime.",
    },
    "plans.table_caption": {
        "fr": "Admissions par catégorie (personnes) et qui les sélectionne",
        "en": "Admissions by category (persons) and who selects them",
    },
    "cut.lead": {
        "fr": "Comment la baisse se répartit entre les catégories selon qui les sélectionne. "
        "Sous l'Accord, le Québec ne peut réduire que les catégories qu'il sélectionne.",
        "en": "How the cut is shared among categories depending on who selects them. Under "
        "the Accord, Quebec can only reduce the categories it selects.",
    },
    "cut.table_caption": {
        "fr": "{regime} (personnes)",
        "en": "{regime} (persons)",
    },
    # -- charts
    "chart.download_csv": {"fr": "Télécharger les données (CSV)", "en": "Download data (CSV)"},
    "chart.scenario": {"fr": "Scénario", "en": "Scenario"},
    "chart.year": {"fr": "Année", "en": "Year"},
    "chart.plan": {"fr": "Plan", "en": "Plan"},
    "chart.indicator": {"fr": "Indicateur", "en": "Indicator"},
    "chart.regime": {"fr": "Régime", "en": "Regime"},
    "chart.category": {"fr": "Catégorie", "en": "Category"},
    "chart.persons": {"fr": "Personnes", "en": "Persons"},
    "chart.persons_per_year": {"fr": "Personnes par année", "en": "Persons per year"},
    "chart.share": {"fr": "Part", "en": "Share"},
    "chart.years": {"fr": "Années", "en": "Years"},
    "chart.millions_dollars": {
        "fr": "Millions de dollars par année",
        "en": "Millions of dollars per year",
    },
    "chart.change_persons": {"fr": "Variation (personnes)", "en": "Change (persons)"},
    "chart.population.title": {"fr": "Population totale", "en": "Total population"},
    "chart.population.caption": {
        "fr": "Nombre d'habitants du Québec au 1er juillet, selon le scénario.",
        "en": "People living in Quebec on 1 July, by scenario.",
    },
    "chart.working_age.title": {
        "fr": "Population en âge de travailler (20 à 64 ans)",
        "en": "Working-age population (20 to 64)",
    },
    "chart.working_age.caption": {
        "fr": "Personnes de 20 à 64 ans au 1er juillet, selon le scénario.",
        "en": "People aged 20 to 64 on 1 July, by scenario.",
    },
    "chart.ageing.title": {"fr": "Vieillissement", "en": "Ageing"},
    "chart.ageing.caption": {
        "fr": "Part de la population âgée de 65 ans et plus au 1er juillet.",
        "en": "Share of the population aged 65 and over on 1 July.",
    },
    "chart.median_age.title": {"fr": "Âge médian", "en": "Median age"},
    "chart.median_age.caption": {
        "fr": "La moitié de la population est plus âgée que cet âge, l'autre moitié plus jeune.",
        "en": "Half the population is older than this age, half is younger.",
    },
    "chart.npr_stock.title": {
        "fr": "Résidents non permanents (temporaires) au 1er juillet",
        "en": "Non-permanent (temporary) residents on 1 July",
    },
    "chart.npr_stock.caption": {
        "fr": "Titulaires d'un permis de travail ou d'études, demandeurs d'asile et leur famille "
        "vivant au Québec.",
        "en": "Work and study permit holders, asylum claimants and their families living in "
        "Quebec.",
    },
    "chart.npr_by_type.title": {
        "fr": "Résidents non permanents par type de permis",
        "en": "Non-permanent residents by type of permit",
    },
    "chart.npr_by_type.caption": {
        "fr": "Scénarios en flux par type : chaque type suit ses entrées et ses sorties depuis "
        "l'effectif de la base; passages, décès et émigration partagés au prorata (dérivé).",
        "en": "Scenarios with flows by type: each type follows its own entries and exits from "
        "the base's stock; transitions, deaths and emigration shared in proportion (derived).",
    },
    "chart.npr_transitions.title": {
        "fr": "Passages de résidents temporaires à la résidence permanente",
        "en": "Temporary residents becoming permanent residents",
    },
    "chart.npr_transitions.caption": {
        "fr": "Comptés dans les immigrants admis, jamais en sus (1er juillet au 30 juin).",
        "en": "Counted inside the immigrants admitted, never on top (1 July to 30 June).",
    },
    "chart.already_resident.title": {
        "fr": "Part des admissions déjà au Québec",
        "en": "Share of admissions already living in Quebec",
    },
    "chart.already_resident.caption": {
        "fr": "Passages à la résidence permanente en part des admissions de l'année.",
        "en": "Transitions to permanent residence as a share of the year's admissions.",
    },
    "chart.components.title": {
        "fr": "Composantes de l'accroissement",
        "en": "Components of population change",
    },
    "chart.components.caption": {
        "fr": "Naissances, décès, immigrants admis et émigration nette (départs moins retours) "
        "de chaque année (1er juillet au 30 juin).",
        "en": "Births, deaths, immigrants admitted and net emigration (departures less "
        "returns) each year (1 July to 30 June).",
    },
    "chart.labour_force.title": {
        "fr": "Personnes actives et personnes en emploi",
        "en": "People in the labour force and in work",
    },
    "chart.labour_force.caption": {
        "fr": "Personnes de 15 ans et plus qui travaillent ou cherchent un emploi, et "
        "celles qui ont un emploi.",
        "en": "People aged 15 and over who work or look for work, and those who have a job.",
    },
    "chart.labour_rates.title": {"fr": "Taux du marché du travail", "en": "Labour market rates"},
    "chart.labour_rates.caption": {
        "fr": "Taux d'activité et d'emploi (sur la population de 15 ans et plus) et taux de "
        "chômage (sur la population active).",
        "en": "Participation and employment rates (of the population aged 15 and over) and "
        "unemployment rate (of the labour force).",
    },
    "chart.french.title": {
        "fr": "Part qui connaît le français, par groupe",
        "en": "Share who know French, by group",
    },
    "chart.french.caption": {
        "fr": "Part des personnes capables de soutenir une conversation en français, dans "
        "chaque groupe.",
        "en": "Share of people able to conduct a conversation in French, in each group.",
    },
    "chart.francization_students.title": {
        "fr": "Demande de francisation",
        "en": "Demand for francization",
    },
    "chart.francization_students.caption": {
        "fr": "Personnes immigrantes inscrites à des cours de français dans l'année.",
        "en": "Immigrants enrolled in French courses during the year.",
    },
    "chart.francization_cost.title": {
        "fr": "Coût de la francisation",
        "en": "Cost of francization",
    },
    "chart.francization_cost.caption": {
        "fr": "Dépense annuelle pour les cours de français aux personnes immigrantes, en "
        "millions de dollars.",
        "en": "Yearly spending on French courses for immigrants, in millions of dollars.",
    },
    "chart.plans.title": {
        "fr": "Les plans côte à côte, par catégorie",
        "en": "The plans side by side, by category",
    },
    "chart.plans.caption": {
        "fr": "Admissions de résidents permanents au Québec, par catégorie et par plan.",
        "en": "Admissions of permanent residents to Quebec, by category and plan.",
    },
    "chart.cut.title": {
        "fr": "La baisse par catégorie, selon le régime",
        "en": "The cut by category, under each regime",
    },
    "chart.cut.caption": {
        "fr": "Variation des admissions entre le plan de départ et le nouveau plan; une barre "
        "vers la gauche est une baisse.",
        "en": "Change in admissions from the base plan to the new plan; a bar to the left is "
        "a cut.",
    },
    "embed.SVG_ACTION": {"fr": "Enregistrer en SVG", "en": "Save as SVG"},
    "embed.PNG_ACTION": {"fr": "Enregistrer en PNG", "en": "Save as PNG"},
    "embed.CLICK_TO_VIEW_ACTIONS": {
        "fr": "Cliquer pour voir les actions",
        "en": "Click to view actions",
    },
    "embed.COMPILED_ACTION": {"fr": "Voir le Vega compilé", "en": "View Compiled Vega"},
    "embed.EDITOR_ACTION": {"fr": "Ouvrir dans l'éditeur Vega", "en": "Open in Vega Editor"},
    "embed.SOURCE_ACTION": {"fr": "Voir la source", "en": "View Source"},
    # -- sources
    "sources.general": {"fr": "Sources générales", "en": "General sources"},
    "sources.assumptions": {"fr": "Hypothèses générales", "en": "General assumptions"},
    "sources.scenarios": {"fr": "Scénarios", "en": "Scenarios"},
    "sources.scenario_assumptions": {"fr": "Hypothèses", "en": "Assumptions"},
    "sources.scenario_sources": {"fr": "Sources", "en": "Sources"},
    "sources.none": {"fr": "Aucune.", "en": "None."},
    "sources.references": {"fr": "Références", "en": "References"},
    "sources.files": {
        "fr": "Toutes les séries sont aussi dans series.csv et series.xlsx, à côté de ce rapport.",
        "en": "Every series is also in series.csv and series.xlsx, next to this report.",
    },
    # -- footer
    "footer.generated": {
        "fr": "Produit par immiplan {version} le {date} ({command}).",
        "en": "Made by immiplan {version} on {date} ({command}).",
    },
    "footer.libraries": {
        "fr": "Graphiques : Vega {vega}, Vega-Lite {vegalite} et vega-embed {embed} "
        "(licence BSD-3-Clause), intégrés à la page : elle s'ouvre sans réseau.",
        "en": "Charts: Vega {vega}, Vega-Lite {vegalite} and vega-embed {embed} (BSD-3-Clause "
        "licence), inlined in the page: it opens with no network.",
    },
}
"""Every sentence and label of the report, by key, in each language."""

HOW_TO_READ: dict[str, list[str]] = {
    "fr": [
        "Chaque scénario est un ensemble d'hypothèses (niveaux d'immigration, fécondité, "
        "mortalité, émigration...) énumérées sous « Sources et hypothèses ». Comparez-le au "
        "scénario de référence, « {ref} » : l'écart montre ce que change un choix.",
        "Ce sont des projections, pas des prévisions : elles montrent ce qui découle "
        "des hypothèses, pas ce qui arrivera.",
        "Les années vont du 1er juillet au 30 juin; les populations sont comptées au "
        "1er juillet. Les parts sont des pourcentages du groupe nommé dans chaque graphique.",
        "Qui sélectionne : sous l'Accord Canada-Québec (1991), le Québec fixe ses "
        "niveaux d'immigration et sélectionne les immigrants économiques et les réfugiés "
        "à l'étranger; le Canada admet le regroupement familial, statue sur les demandes "
        "d'asile faites au Canada et vérifie l'admissibilité (santé, sécurité, criminalité) "
        "de tous. Le « contrôle québécois complet » est un régime hypothétique où le Québec "
        "sélectionnerait toutes les catégories; le « régime fédéral » est celui des autres "
        "provinces, où le Canada sélectionne tout le monde.",
        "La baisse : pour chaque régime, les tableaux donnent par catégorie les "
        "admissions du plan de départ, celles du nouveau plan et l'écart. Une baisse décidée "
        "par le Québec ne peut porter que sur les catégories qu'il sélectionne; les autres "
        "suivent la demande et les décisions fédérales.",
        "Connaître le français, c'est pouvoir soutenir une conversation en français, comme "
        "le demande le recensement. Les immigrants récents sont ceux admis au cours des cinq "
        "années précédentes.",
        "Chaque graphique s'enregistre en image (menu « … » en haut à droite) et ses données "
        "se téléchargent en CSV. Toutes les séries sont aussi dans series.csv et series.xlsx, "
        "à côté de ce rapport.",
    ],
    "en": [
        "Each scenario is a set of assumptions (immigration levels, fertility, mortality, "
        "emigration...) listed under “Sources and assumptions”. Compare it with the reference "
        "scenario, “{ref}”: the difference shows what a choice changes.",
        "These are projections, not forecasts: they show what follows from the assumptions, "
        "not what will happen.",
        "Years run from 1 July to 30 June; populations are counted on 1 July. Shares are "
        "percentages of the group named in each chart.",
        "Who selects: under the Canada–Quebec Accord (1991), Quebec sets its immigration "
        "levels and selects economic immigrants and refugees abroad; Canada admits family "
        "reunification, decides the asylum claims made in Canada and checks everyone's "
        "admissibility (health, security, criminality). “Full Quebec control” is a "
        "hypothetical regime in which Quebec would select every category; the “federal "
        "regime” is that of the other provinces, in which Canada selects everyone.",
        "The cut: for each regime, the tables give by category the admissions in the base "
        "plan, those in the new plan and the difference. A cut decided by Quebec can only "
        "bear on the categories it selects; the others follow demand and federal decisions.",
        "Knowing French means being able to conduct a conversation in French, as the census "
        "asks. Recent immigrants are those admitted in the five previous years.",
        "Every chart can be saved as an image (the “…” menu at its top right) and its data "
        "downloaded as CSV. Every series is also in series.csv and series.xlsx, next to this "
        "report.",
    ],
}
"""The "how to read this" paragraphs; ``{ref}`` is the reference scenario's name."""


def _french_spaces(sentence: str) -> str:
    """Make the spaces French typography keeps with its neighbour unbreakable.

    The catalogue is written with plain spaces, for legibility; a line must not break
    between a guillemet and its words, nor before a colon.
    """
    return sentence.replace("« ", "«" + NBSP).replace(" »", NBSP + "»").replace(" :", NBSP + ":")


for _names in MESSAGES.values():
    _names["fr"] = _french_spaces(_names["fr"])
HOW_TO_READ["fr"] = [_french_spaces(p) for p in HOW_TO_READ["fr"]]


def text(key: str, lang: str, **values: Any) -> str:
    """The sentence ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    template = MESSAGES[key][check_language(lang)]
    return template.format(**values) if values else template


def headline_sentences(
    value: Callable[[str], float | None],
    reference: Callable[[str], float | None],
    *,
    year: int,
    scenario: str,
    ref: str,
    lang: str,
) -> list[str]:
    """A scenario against a reference in ``year``, in plain words: the population, the
    20–64 group, the share aged 65 and over and knowledge of French (``value`` and
    ``reference`` give an indicator's value in ``year``, or ``None``)."""
    out: list[str] = []
    pop, pop_ref = value("population"), reference("population")
    if pop is not None and pop_ref is not None:
        diff = pop - pop_ref
        key = (
            "summary.population_same"
            if round(diff) == 0
            else ("summary.population_fewer" if diff < 0 else "summary.population_more")
        )
        out.append(
            text(
                key,
                lang,
                horizon=year,
                scenario=scenario,
                ref=ref,
                diff=format_number(abs(diff), lang),
                pct=format_percent(diff / pop_ref if pop_ref else None, lang, 1, signed=True),
            )
        )
    wa, wa_ref = value("working_age_20_64"), reference("working_age_20_64")
    if wa is not None and wa_ref is not None and round(wa - wa_ref) != 0:
        key = "summary.working_age_fewer" if wa < wa_ref else "summary.working_age_more"
        out.append(text(key, lang, diff=format_number(abs(wa - wa_ref), lang)))
    for indicator, key in (
        ("share_65_plus", "summary.share_65_plus"),
        ("french_share_all", "summary.french"),
    ):
        share, ref_share = value(indicator), reference(indicator)
        if share is not None and ref_share is not None:
            out.append(
                text(
                    key,
                    lang,
                    value=format_percent(share, lang, 1),
                    ref_value=format_percent(ref_share, lang, 1),
                )
            )
    return out


def join_items(items: list[str], lang: str) -> str:
    """``a, b and c`` / ``a, b et c``."""
    word = {"fr": "et", "en": "and"}[check_language(lang)]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


_MONTHS: dict[str, tuple[str, ...]] = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def format_date(year: int, month: int, day: int, lang: str) -> str:
    """A date in words: ``24 novembre 2025`` / ``24 November 2025``."""
    months = _MONTHS[check_language(lang)]
    first = "1er" if lang == "fr" and day == 1 else str(day)
    return f"{first} {months[month - 1]} {year}"
