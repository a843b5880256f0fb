"""The 2018 debate as a report: run the shipped scenarios and fill a :class:`ReportInput`.

This is the main job's data flow, end to end: scenario files → plan levels → projection
with its outcomes (French, labour force, francization) → yearly indicators → the report's
long table, beside the plans, who selects each category and the cut to 40,000 under each
regime (:mod:`immiplan.plans.debate`). Nothing here computes a number itself: it picks
and relabels what the projection, the outcomes and the plans return.

Units follow :mod:`immiplan.report.model`: persons, fractions 0–1 for shares, dollars per
year for costs; years start on 1 July (flows run from 1 July to 30 June).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from immiplan.errors import InputError
from immiplan.plans.catalog import load_plan
from immiplan.plans.debate import BASE, CUT_TOTAL, cuts_table, selectors_table
from immiplan.report.i18n import category_label
from immiplan.report.model import ReportInput, ScenarioInfo
from immiplan.system.categories import category_tree
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference, references_in, unique_references

if TYPE_CHECKING:
    from immiplan.projection.scenario import LoadedScenario

__all__ = [
    "DEBATES",
    "DEBATE_SCENARIOS",
    "NPR_SERIES",
    "SERIES",
    "Debate",
    "DebateRun",
    "debate_report_input",
    "scenario_info",
    "series_frame",
]

DEBATE_SCENARIOS: tuple[str, ...] = (
    "quebec-2018-actual-held",
    "quebec-2019-plan",
    "liberal-2017-2019-plan",
    "pq-proposal",
    "federal-plan-quebec-share",
    "no-immigration",
)
"""The scenarios of ``immiplan run``, reference first (the summary compares with it)."""

# The report's indicator ← (where it comes from, column, outcome group, scale).
# "projection" columns come from ProjectionResult.indicators (shares there are in %);
# "outcomes" columns from the tidy outcome table of one group.
SERIES: dict[str, tuple[str, str, str, float]] = {
    "population": ("projection", "population", "", 1.0),
    "working_age_20_64": ("outcomes", "population_20_64", "all", 1.0),
    "share_65_plus": ("projection", "share_65_plus", "", 0.01),
    "median_age": ("projection", "median_age", "", 1.0),
    "births": ("projection", "births", "", 1.0),
    "deaths": ("projection", "deaths", "", 1.0),
    "immigrants": ("projection", "immigrants", "", 1.0),
    "emigrants": ("projection", "net_emigration", "", 1.0),
    "labour_force": ("outcomes", "labour_force", "all", 1.0),
    "employment": ("outcomes", "employed", "all", 1.0),
    "participation_rate": ("outcomes", "participation_rate", "all", 1.0),
    "employment_rate": ("outcomes", "employment_rate", "all", 1.0),
    "unemployment_rate": ("outcomes", "unemployment_rate", "all", 1.0),
    "french_share_all": ("outcomes", "french_share", "all", 1.0),
    "french_share_immigrants": ("outcomes", "french_share", "immigrants", 1.0),
    "french_share_recent": ("outcomes", "french_share", "landed_under_5", 1.0),
    "francization_students": ("outcomes", "francization_students", "all", 1.0),
    "francization_cost": ("outcomes", "francization_cost", "all", 1.0),
}

# Temporary residents (the 2025 debate's section): the stock, by permit type where the
# scenario gives flows by type, the transitions and their share of the admissions.
NPR_SERIES: dict[str, tuple[str, str, str, float]] = {
    "npr_stock": ("projection", "npr_stock", "", 1.0),
    "npr_stock_work": ("projection", "npr_stock_work", "", 1.0),
    "npr_stock_study": ("projection", "npr_stock_study", "", 1.0),
    "npr_stock_asylum": ("projection", "npr_stock_asylum", "", 1.0),
    "npr_stock_other": ("projection", "npr_stock_other", "", 1.0),
    "npr_transitions": ("projection", "npr_transitions", "", 1.0),
    "already_resident_share": ("projection", "already_resident_share", "", 0.01),
}

# Plans shown side by side (column, plan name, year, level), after 2018's admissions.
PLAN_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("2018 plan", "quebec-2018", 2018),
    ("2019 plan", "quebec-2019", 2019),
    ("2022 plan", "quebec-2022", 2022),
)
PLAN_LABELS: dict[str, dict[str, str]] = {
    "2018 actual": {"fr": "Admissions 2018", "en": "2018 admissions"},
    "2018 plan": {"fr": "Plan 2018 (cible)", "en": "2018 plan (target)"},
    "2019 plan": {"fr": "Plan 2019 (cible)", "en": "2019 plan (target)"},
    "2022 plan": {"fr": "Plan 2022 (cible)", "en": "2022 plan (target)"},
}


PLAN_COLUMNS_2025: tuple[tuple[str, str, int], ...] = (
    ("2025 plan", "quebec-2025", 2025),
    ("2026-2029 plan", "quebec-2026-2029", 2026),
    ("Scenario 25,000", "quebec-2026-2029-scenario-25000", 2026),
    ("Scenario 35,000", "quebec-2026-2029-scenario-35000", 2026),
)
PLAN_LABELS_2025: dict[str, dict[str, str]] = {
    "2023 actual": {"fr": "Admissions 2023", "en": "2023 admissions"},
    "2025 plan": {
        "fr": "Plan 2025 (avec le PEQ hors plafond)",
        "en": "2025 plan (PEQ outside the cap included)",
    },
    "2026-2029 plan": {"fr": "Plan 2026-2029 (2026)", "en": "2026–2029 plan (2026)"},
    "Scenario 25,000": {"fr": "Scénario 25 000 (2026)", "en": "25,000 scenario (2026)"},
    "Scenario 35,000": {"fr": "Scénario 35 000 (2026)", "en": "35,000 scenario (2026)"},
}


@dataclass(frozen=True)
class Debate:
    """One debate the report can show: its scenarios (reference first), the plans beside
    them, the cut of the admissions (or none) and the extra series it reports."""

    year: int
    scenarios: tuple[str, ...]
    plan_columns: tuple[tuple[str, str, int], ...]
    plan_labels: dict[str, dict[str, str]]
    actual: tuple[str, str, int]
    """The observed admissions' column: (column, plan name, year)."""
    cut_total: int | None
    """The new total of the cut of the actual admissions under each regime, or None
    (the 2025 plans publish ranges that the cut cannot split by who selects)."""
    series: dict[str, tuple[str, str, str, float]]


DEBATES: dict[int, Debate] = {
    2018: Debate(
        2018,
        DEBATE_SCENARIOS,
        PLAN_COLUMNS,
        PLAN_LABELS,
        ("2018 actual", BASE, 2018),
        CUT_TOTAL,
        SERIES,
    ),
    2025: Debate(
        2025,
        (
            "quebec-2023-plan-2026-2029",
            "quebec-2023-consultation-25000",
            "quebec-2023-consultation-35000",
            "quebec-2023-2025-plan-held",
            "quebec-2023-isq-reference",
        ),
        PLAN_COLUMNS_2025,
        PLAN_LABELS_2025,
        ("2023 actual", "2023 actual", 2023),
        None,
        {**SERIES, **NPR_SERIES},
    ),
}
"""The debates of ``immiplan run --debate YEAR``: 2018 (the default) and 2025."""


def debate(year: int) -> Debate:
    """The debate of ``year``, or one clear error naming the shipped ones."""
    if year not in DEBATES:
        raise InputError(
            f"no report for that debate (shipped: {', '.join(map(str, DEBATES))})",
            field="--debate",
            value=year,
        )
    return DEBATES[year]


def base_label(name: str) -> dict[str, str]:
    """The base and its date in words, per language (the report's subtitle states it)."""
    from immiplan.projection.bases import load_manifest

    manifest = load_manifest(name)
    return {
        "en": f"Base: {manifest.title['en']} ({name}, {manifest.base_date.isoformat()})",
        "fr": f"Base : {manifest.title['fr']} ({name}, {manifest.base_date.isoformat()})",
    }


def shared_assumptions(base: str | None = None) -> dict[str, list[str]]:
    """The inputs every scenario on ``base`` shares, in plain words (details in the docs).

    The base's title, year, census and Labour Force Survey year come from its manifest and
    parameters, so a report on ``quebec-2023`` says 1 July 2023 and the 2021 Census.
    """
    from immiplan.outcomes.run import french_model
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    name = DEFAULT_BASE if base is None else base
    manifest = load_manifest(name)
    params = french_model(name).params
    census, lfs = params.census_total_year, manifest.calibration.labour_year
    share_en = f"{100 * params.census_total:.1f}"
    share_fr = share_en.replace(".", ",")
    place = {"en": manifest.title["en"], "fr": manifest.title["fr"]}
    how = {
        "en": (
            "in it are split by category and years since landing from IRCC's admissions since "
            f"{manifest.history.observed_from} (a documented calibration, an assumption)"
            if manifest.state.method == "rebuild"
            else "in it are split by category and years since landing by advancing an earlier "
            "base with the observed components (a documented derivation, an assumption)"
        ),
        "fr": (
            "immigrants permanents y sont répartis par catégorie et durée depuis l'admission à "
            f"partir des admissions d'IRCC depuis {manifest.history.observed_from} (un calage "
            "documenté, une hypothèse)"
            if manifest.state.method == "rebuild"
            else "immigrants permanents y sont répartis par catégorie et durée depuis "
            "l'admission en faisant avancer une base antérieure avec les composantes observées "
            "(une dérivation documentée, une hypothèse)"
        ),
    }
    return {
        "en": [
            "Years run from 1 July to 30 June (the Institut de la statistique du Québec's "
            "convention); admissions planned for a calendar year are spread over the two "
            "July–June years it touches.",
            f"The base population is {place['en']}, by age and sex; permanent immigrants "
            f"{how['en']}.",
            "Net emigration and net interprovincial migration keep the base's age schedules; "
            "recent immigrants leave more often, so that 5-year retention matches the published "
            "rates by category.",
            "New immigrants arrive with the age and sex profile of their category in the base; "
            "non-permanent residents who become permanent are counted inside the plan's levels, "
            "not on top of them.",
            "Knowledge of French at admission follows the plan's target where it has one, else "
            "the published shares by category; learning after landing is calibrated so that "
            f"{share_en} % of the population could hold a conversation in French, as at the "
            f"{census} Census.",
            "Participation and unemployment rates by age, sex and years since landing are those "
            f"of the Labour Force Survey ({lfs}), held; francization demand is adults admitted "
            "without French times the published participation rate, at the published cost per "
            "student.",
        ],
        "fr": [
            "Les années vont du 1er juillet au 30 juin (convention de l'Institut de la "
            "statistique du Québec); les admissions planifiées pour une année civile sont "
            "réparties sur les deux années juillet-juin qu'elle touche.",
            f"La population de départ est celle du {place['fr']}, par âge et sexe; les "
            f"{how['fr']}.",
            "L'émigration nette et la migration interprovinciale nette gardent les profils par "
            "âge de la base; les immigrants récents partent plus souvent, de sorte que le taux "
            "de présence après 5 ans égale les taux publiés par catégorie.",
            "Les nouveaux immigrants arrivent avec le profil par âge et sexe de leur catégorie "
            "dans la base; les résidents non permanents qui deviennent permanents sont comptés "
            "dans les niveaux du plan, non en sus.",
            "La connaissance du français à l'admission suit la cible du plan lorsqu'il en a une, "
            "sinon les parts publiées par catégorie; l'apprentissage après l'arrivée est calé "
            f"pour que {share_fr} % de la population puisse soutenir une conversation en "
            f"français, comme au recensement de {census}.",
            "Les taux d'activité et de chômage par âge, sexe et durée depuis l'admission sont "
            f"ceux de l'Enquête sur la population active ({lfs}), maintenus; la demande de "
            "francisation est le nombre d'adultes admis sans le français multiplié par le taux "
            "de participation publié, au coût publié par élève.",
        ],
    }


# The sentences of a scenario description start with the input they describe.
_LEADS = (
    "Admissions",
    "Fertility",
    "Fécondité",
    "Mortality",
    "Mortalité",
    "Net emigration",
    "Émigration",
    "Non-permanent",
    "Résidents",
)
_SPLIT = re.compile(r"(?<=[.)])\s+(?=(?:" + "|".join(_LEADS) + r")\b)")


@dataclass(frozen=True)
class DebateRun:
    """The report's input and the runs it came from (for tables and files)."""

    data: ReportInput
    results: dict[str, Any]


def debate_report_input(
    scenarios: Sequence[str | LoadedScenario] | None = None,
    *,
    horizon: int | None = None,
    cut_total: int | None = None,
    generated_by: str = "immiplan run",
    on_scenario: Callable[[str], None] | None = None,
    year: int = 2018,
    what_it_takes: Callable[[int, int], tuple[Any, ...]] | None = None,
) -> DebateRun:
    """Run ``scenarios`` with their outcomes and gather everything the report shows.

    Parameters
    ----------
    scenarios:
        Shipped scenario names, scenario files or loaded scenarios; the first is the
        reference. Default: the debate's own (:data:`DEBATES`).
    horizon:
        The last year (1 July) of every projection; by default each scenario's own, and
        the report stops at the earliest.
    cut_total:
        The new total of the cut of the debate's admissions under each regime (persons);
        default the debate's (40,000 for 2018; the 2025 debate has no cut).
    on_scenario:
        Called with each scenario's name before it runs (a progress bar).
    year:
        The debate (:data:`DEBATES`): its scenarios, plans, cut and series.
    what_it_takes:
        Gives the "What would it take" rows for the base year and the report's horizon
        (default :func:`immiplan.solver.report.report_rows`); called when the report's
        page is written, so that its solves overlap the chart export.

    Raises
    ------
    InputError
        An unknown scenario or an invalid scenario file, before anything runs; a horizon
        before a scenario's base year.
    """
    from immiplan.pipeline import run
    from immiplan.projection.scenario import LoadedScenario, load_scenario

    spec = debate(year)
    if scenarios is None:
        scenarios = spec.scenarios
    if not scenarios:
        raise InputError("name at least one scenario", field="--scenarios")
    # Every file checked first (a scenario already loaded is used as it is).
    loaded = [s if isinstance(s, LoadedScenario) else load_scenario(s) for s in scenarios]
    keys = [item.scenario.name for item in loaded]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise InputError("a scenario is named twice", field="--scenarios", value=duplicated)
    base_years = {item.scenario.first_year for item in loaded}
    if len(base_years) > 1:
        raise InputError(
            "the scenarios of one report must share their base year",
            field="base_year",
            value=sorted(base_years),
        )
    base_year = base_years.pop()
    if horizon is not None and horizon <= base_year:
        raise InputError(
            f"the horizon must be after the base year ({base_year})",
            field="--horizon",
            value=horizon,
        )
    results: dict[str, Any] = {}
    for item in loaded:
        if on_scenario is not None:
            on_scenario(item.scenario.name)
        results[item.scenario.name] = run(item, horizon=horizon)
    last = min(int(result.projection.metadata["horizon"]) for result in results.values())
    takes = functools.partial(what_it_takes or _report_rows, base_year, last)
    data = ReportInput(
        scenarios=[scenario_info(item.scenario) for item in loaded],
        series=pd.concat(
            [series_frame(key, result, spec.series) for key, result in results.items()],
            ignore_index=True,
        ),
        plans=plans_frame(spec.plan_columns, spec.actual),
        selectors=selectors_table(),
        cut=_cut(spec, cut_total),
        sources=shared_sources((item.scenario.base for item in loaded), spec.plan_columns),
        assumptions=shared_assumptions(loaded[0].scenario.base),
        base_year=base_year,
        horizon=last,
        generated_by=generated_by,
        plan_labels=spec.plan_labels,
        base_label=base_label(loaded[0].scenario.base),
        jurisdiction=_jurisdiction_of(loaded[0].scenario.base),
        what_it_takes=takes,
    )
    data.validate()
    return DebateRun(data=data, results=results)


def _report_rows(base_year: int, horizon: int) -> tuple[Any, ...]:
    """:func:`immiplan.solver.report.report_rows`, its solver imported when the page asks
    for the rows (after the charts are handed to the export helpers)."""
    from immiplan.solver.report import report_rows

    return report_rows(base_year, horizon)


def _jurisdiction_of(base: str) -> str:
    """The jurisdiction of a base (its manifest)."""
    from immiplan.projection.bases import load_manifest

    return str(load_manifest(base).jurisdiction)


def _cut(spec: Debate, cut_total: int | None) -> pd.DataFrame:
    """The debate's cut table, or an empty one (the report then leaves the section out)."""
    total = spec.cut_total if cut_total is None else cut_total
    if total is None or spec.actual[1] != BASE:
        from immiplan.report.model import CUT_COLUMNS

        return pd.DataFrame({c: pd.Series(dtype=float) for c in CUT_COLUMNS}).astype(
            {"regime": str, "category": str}
        )
    return cuts_table(total)


def series_frame(
    key: str, result: Any, series: dict[str, tuple[str, str, str, float]] | None = None
) -> pd.DataFrame:
    """One scenario's report series in long form: ``scenario, year, indicator, value``.

    ``result`` is an :class:`~immiplan.outcomes.OutcomeResult`. Flows of the last year
    (which has a population but no following year) are left out, not shown as zero.
    """
    from immiplan.outcomes.run import select_series

    years, names, numbers = [], [], []
    for indicator, values in select_series(result, series or SERIES).items():
        number = values.to_numpy(dtype=float)
        kept = ~np.isnan(number)
        years.append(values.index.to_numpy(dtype=np.int64)[kept])
        numbers.append(number[kept])
        names.append(np.full(int(kept.sum()), indicator, dtype=object))
    # One frame from the stacked columns (a frame per indicator, then a concat, took
    # most of the time of the report's series).
    return pd.DataFrame(
        {
            "scenario": key,
            "year": np.concatenate(years) if years else np.zeros(0, dtype=np.int64),
            "indicator": np.concatenate(names) if names else np.zeros(0, dtype=object),
            "value": np.concatenate(numbers) if numbers else np.zeros(0),
        }
    )


def scenario_info(scenario: Any) -> ScenarioInfo:
    """A scenario as the reader sees it: its title, what it does to admissions, the rest
    of its description as assumptions, and every reference in its file."""
    description: dict[str, str] = {}
    assumptions: dict[str, list[str]] = {}
    for lang in ("fr", "en"):
        sentences = [s.strip() for s in _SPLIT.split(scenario.description_in(lang)) if s.strip()]
        admissions = [s for s in sentences if s.startswith("Admissions")]
        description[lang] = " ".join(admissions) or (sentences[0] if sentences else "")
        assumptions[lang] = [s for s in sentences if s not in admissions]
    return ScenarioInfo(
        key=scenario.name,
        label={lang: scenario.title_in(lang) for lang in ("fr", "en")},
        description=description,
        sources=unique_references(_model_references(scenario)),
        assumptions=assumptions,
    )


def plans_frame(
    columns: Sequence[tuple[str, str, int]] = PLAN_COLUMNS,
    actual_column: tuple[str, str, int] = ("2018 actual", BASE, 2018),
) -> pd.DataFrame:
    """The observed admissions and the plans' targets by top-level category (persons).

    Lines outside a plan's cap (Quebec's PEQ graduates in 2024–2025) are counted: they are
    admissions too.
    """
    tree = category_tree()
    label, actual_name, actual_year = actual_column
    actual = load_plan(actual_name)
    plans = [(column, load_plan(name), year) for column, name, year in columns]
    rows = []
    for code in (*tree.top, "total"):
        row: dict[str, Any] = {
            "category": code,
            "label_fr": category_label(code, "fr"),
            "label_en": category_label(code, "en"),
            label: actual.level(code, actual_year),
        }
        for column, plan, year in plans:
            row[column] = (
                plan.total(year, "target", include_outside=True)
                if code == "total"
                else plan.level(code, year, "target", include_outside=True)
            )
        rows.append(row)
    return pd.DataFrame(rows).astype({label: float, **{c: float for c, _, _ in columns}})


def shared_sources(
    bases: Iterable[str] | None = None,
    plan_columns: Sequence[tuple[str, str, int]] = PLAN_COLUMNS,
) -> list[Reference]:
    """The references behind the inputs the scenarios share: each base's data files, its
    jurisdiction's projection and outcome parameters and admissions, and the plans shown."""
    from immiplan.projection.bases import DEFAULT_BASE, load_base

    root = data_root()
    references: list[Reference] = []
    for name in sorted(set(bases or (DEFAULT_BASE,))):
        base = load_base(name)
        for refs in base.references.values():
            references.extend(refs)
        branch = root / "parameters" / base.manifest.parameters.replace(".", "/")
        for path in _yaml_files(branch):
            references.extend(references_in(load_yaml(path)))
        references.extend(
            references_in(load_yaml(root / "admissions" / f"{base.jurisdiction}.yaml"))
        )
    for _, name, _ in plan_columns:
        references.extend(load_plan(name).references)
    return unique_references(references)


def _yaml_files(folder: Any) -> Iterator[Any]:
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.is_dir():
            yield from _yaml_files(item)
        elif item.name.endswith(".yaml"):
            yield item


def _model_references(model: BaseModel) -> Iterator[Reference]:
    """Every reference on a scenario model and its parts (``reference``/``references``)."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Reference):
            yield value
        elif isinstance(value, BaseModel):
            yield from _model_references(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Reference):
                    yield item
                elif isinstance(item, BaseModel):
                    yield from _model_references(item)
