"""Selection: points grids (PRTQ, CRS), candidate pools and invitation rounds.

The lever Quebec controls is *who* its economic immigrants are. This package scores candidates
exactly as the published grids do, runs invitation rounds that deliver a plan's economic
target, and hands the projection the profile of the people selected.

* Grids are dated parameters (``parameters/selection/{crs,prtq}``): :func:`load_grid`
  (``"prtq-2018"``, ``"crs-2019"``, ``"crs@2021-06-01"``, with optional reform overrides);
  ``grid.score(profiles)`` gives a :class:`ScoreTable`; :func:`explain` traces one candidate.
* Profiles follow one documented schema (:data:`COLUMNS`): :func:`read_profiles`,
  :func:`from_frame`, :func:`write_profiles`; :func:`generate_pool` makes a labelled synthetic
  pool; :func:`snapshot_fit` compares a pool with IRCC's published distribution.
* Rounds: :func:`run_rounds` (ranked by score, tie-break by submission time, with targeting,
  entries and expiries); :func:`fill_plan` chooses the invitations a plan needs.
* :func:`cohort_profile` turns the invited into an age-sex, French and education profile;
  :func:`run_scenario` does it all from a scenario file (:func:`load_scenario`).
"""

from immiplan.selection.cohort import CohortAssumptions, CohortProfile, cohort_profile
from immiplan.selection.grids import (
    NAMED_GRIDS,
    Grid,
    ScoreTable,
    explain,
    grids_frame,
    load_grid,
    references,
    resolve_grid_name,
)
from immiplan.selection.pool import (
    POOL_KINDS,
    crs_snapshot_2019,
    generate_pool,
    snapshot_fit,
)
from immiplan.selection.rounds import (
    Conversion,
    RoundSpec,
    RoundsResult,
    Targeting,
    fill_plan,
    invitations_needed,
    plan_rounds,
    run_rounds,
)
from immiplan.selection.scenario import (
    ScenarioResult,
    SelectionScenario,
    economic_profile,
    load_scenario,
    run_scenario,
    scenario_names,
)
from immiplan.selection.schema import (
    COLUMNS,
    EDUCATION,
    Column,
    Profiles,
    from_frame,
    read_profiles,
    schema_frame,
    write_profiles,
)

__all__ = [
    "COLUMNS",
    "EDUCATION",
    "NAMED_GRIDS",
    "POOL_KINDS",
    "CohortAssumptions",
    "CohortProfile",
    "Column",
    "Conversion",
    "Grid",
    "Profiles",
    "RoundSpec",
    "RoundsResult",
    "ScenarioResult",
    "ScoreTable",
    "SelectionScenario",
    "Targeting",
    "cohort_profile",
    "crs_snapshot_2019",
    "economic_profile",
    "explain",
    "fill_plan",
    "from_frame",
    "generate_pool",
    "grids_frame",
    "invitations_needed",
    "load_grid",
    "load_scenario",
    "plan_rounds",
    "read_profiles",
    "references",
    "resolve_grid_name",
    "run_rounds",
    "run_scenario",
    "scenario_names",
    "schema_frame",
    "snapshot_fit",
    "write_profiles",
]
