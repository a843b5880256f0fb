"""Projection scenarios in YAML: what a plan does, under stated assumptions.

A scenario file names its base (``base: quebec-2023``, default ``quebec-2018``), the
immigration levels (plans, year by year, then held or following a stated path), the
fertility and mortality paths, the migration assumptions and the horizon. It is reproducible
from its text and the package version, which the outputs' metadata record (with the file's
SHA-256).

The work is split into modules that each do one job; this module gathers their public names
(the stable entry points):

* :mod:`immiplan.projection.schema` — the schema (:class:`Scenario` and its blocks);
* :mod:`immiplan.projection.loading` — :func:`load_scenario`, :func:`load_scenario_text`;
* :mod:`immiplan.projection.levels` — admissions by calendar year (:func:`prepare_levels`);
* :mod:`immiplan.projection.selection_link` — the ``selection:`` block;
* :mod:`immiplan.projection.prepare` — engine inputs on the base (:func:`prepare`).

Shipped scenarios live in ``immiplan/data/scenarios/``. Two optional blocks reach beyond the
population itself: ``outcomes`` switches the integration outcomes of :mod:`immiplan.outcomes`
on or off (all on by default), and ``selection`` takes the economic category's age-sex
profile and French-at-admission share from a selection scenario.
"""

from __future__ import annotations

from immiplan.projection.bases import DEFAULT_BASE
from immiplan.projection.levels import by_category, interpolate, prepare_levels
from immiplan.projection.loading import (
    LoadedScenario,
    load_scenario,
    load_scenario_text,
    shipped_scenarios,
)
from immiplan.projection.prepare import (
    BaseInputs,
    PreparedScenario,
    base_inputs,
    prepare,
    rate_factors,
)
from immiplan.projection.schema import (
    NPR,
    CanadaPath,
    Fertility,
    Immigration,
    Migration,
    Mortality,
    OutcomeSwitches,
    ParentPath,
    Scenario,
    SelectionLink,
)
from immiplan.projection.selection_link import (
    EconomicSelection,
    economic_selection,
    engine_profile,
)

__all__ = [
    "DEFAULT_BASE",
    "NPR",
    "BaseInputs",
    "CanadaPath",
    "EconomicSelection",
    "Fertility",
    "Immigration",
    "LoadedScenario",
    "Migration",
    "Mortality",
    "OutcomeSwitches",
    "ParentPath",
    "PreparedScenario",
    "Scenario",
    "SelectionLink",
    "base_inputs",
    "by_category",
    "economic_selection",
    "engine_profile",
    "interpolate",
    "load_scenario",
    "load_scenario_text",
    "prepare",
    "prepare_levels",
    "rate_factors",
    "shipped_scenarios",
]
