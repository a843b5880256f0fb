"""Old home of the default engine inputs; each job now has its own module.

Kept so that code written against it keeps working:

* :mod:`immiplan.projection.assumptions` — the dated assumptions, read at a base date;
* :mod:`immiplan.projection.survival` — survival by e0 (the swap point of the mortality method);
* :mod:`immiplan.projection.retention` — recent immigrants' departures, solved for targets;
* :mod:`immiplan.projection.history` — observed admissions by category and period;
* :mod:`immiplan.projection.base_split` — the base population split into states.
"""

from __future__ import annotations

from immiplan.projection.assumptions import (
    ProjectionAssumptions,
    QuebecAssumptions,
    load_assumptions,
)
from immiplan.projection.base_split import BaseSplit, LongTermStock, base_split, long_term_stock
from immiplan.projection.history import admissions_by_period, calendar_admissions, category_mix
from immiplan.projection.retention import (
    EARLY_DURATIONS,
    Retention,
    calibrate_retention,
    cohort_retention,
    migration_rates,
    recent_rates,
)
from immiplan.projection.survival import base_survival, survival_for_e0, survival_from_lx

__all__ = [
    "EARLY_DURATIONS",
    "BaseSplit",
    "LongTermStock",
    "ProjectionAssumptions",
    "QuebecAssumptions",
    "Retention",
    "admissions_by_period",
    "base_split",
    "base_survival",
    "calendar_admissions",
    "calibrate_retention",
    "category_mix",
    "cohort_retention",
    "load_assumptions",
    "long_term_stock",
    "migration_rates",
    "recent_rates",
    "survival_for_e0",
    "survival_from_lx",
]
