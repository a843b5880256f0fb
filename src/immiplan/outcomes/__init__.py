"""Integration outcomes of a projection: knowledge of French, labour force, francization.

>>> from immiplan.outcomes import run_with_outcomes
>>> result = run_with_outcomes("quebec-2019-plan")  # doctest: +SKIP
>>> result.table("immigrants")[["year", "french_share", "unemployment_rate"]]  # doctest: +SKIP

Modules: :mod:`~immiplan.outcomes.french` (the French trait: entry shares, acquisition,
base split, calibration), :mod:`~immiplan.outcomes.labour` (participation and
unemployment rates), :mod:`~immiplan.outcomes.francization` (demand, cost, grant),
:mod:`~immiplan.outcomes.indicators` (the tidy table and the Dataset variables),
:mod:`~immiplan.outcomes.run` (a scenario run with outcomes). Method and sources:
``docs/outcomes.md``.
"""

from immiplan.outcomes.francization import (
    CostPerStudent,
    FrancizationParameters,
    cost_per_student,
    francization_flows,
    grant_by_fiscal_year,
    load_francization_parameters,
)
from immiplan.outcomes.french import (
    TRAITS,
    BaseFit,
    FrenchCalibration,
    FrenchModel,
    FrenchParameters,
    calibrate_french,
    known_french,
    load_french_parameters,
    split_by_category,
)
from immiplan.outcomes.indicators import (
    OUTCOME_GROUPS,
    UNITS,
    OutcomeArrays,
    OutcomeModels,
    attach_outcomes,
    outcome_indicators,
)
from immiplan.outcomes.labour import (
    LabourFit,
    LabourParameters,
    LabourRates,
    calibrate_labour,
    load_labour_parameters,
)
from immiplan.outcomes.run import (
    FrenchInputs,
    OutcomeOptions,
    OutcomeResult,
    add_french,
    outcomes_for,
    plan_targets,
    project_french,
    project_with_outcomes,
    run_with_outcomes,
)

__all__ = [
    "OUTCOME_GROUPS",
    "TRAITS",
    "UNITS",
    "BaseFit",
    "CostPerStudent",
    "FrancizationParameters",
    "FrenchCalibration",
    "FrenchInputs",
    "FrenchModel",
    "FrenchParameters",
    "LabourFit",
    "LabourParameters",
    "LabourRates",
    "OutcomeArrays",
    "OutcomeModels",
    "OutcomeOptions",
    "OutcomeResult",
    "add_french",
    "attach_outcomes",
    "calibrate_french",
    "calibrate_labour",
    "cost_per_student",
    "francization_flows",
    "grant_by_fiscal_year",
    "known_french",
    "load_francization_parameters",
    "load_french_parameters",
    "load_labour_parameters",
    "outcome_indicators",
    "outcomes_for",
    "plan_targets",
    "project_french",
    "project_with_outcomes",
    "run_with_outcomes",
    "split_by_category",
]
