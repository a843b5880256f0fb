"""The one pipeline: load → plan levels → selection link → prepare → project → outcomes.

Every way of running a scenario goes through :func:`run` — the Python API
(:func:`immiplan.outcomes.run_with_outcomes`, :func:`immiplan.projection.results.run_scenario`),
the report (:mod:`immiplan.report.debate`) and the command line (``immiplan project``,
``immiplan run``) — so data flows one way and nothing downstream re-runs what upstream
computed:

1. **load** the scenario file (:func:`~immiplan.projection.scenario.load_scenario`), its base
   named by ``base:`` (:func:`~immiplan.projection.bases.load_base`);
2. **plan levels**: admissions by calendar year and category from the plans, levels and paths
   (:func:`~immiplan.projection.levels.prepare_levels`);
3. **selection link**: the economic category's profile from a selection scenario, when the
   scenario has a ``selection:`` block (:mod:`immiplan.projection.selection_link`);
4. **prepare** the engine inputs on the base (:func:`~immiplan.projection.prepare.prepare`,
   steps 2–3 inside it);
5. **project** once: with the French trait when that outcome is on, so the outcomes are
   computed from the projection's own run (:func:`~immiplan.outcomes.run.outcomes_for`);
6. **outcomes** from those arrays (knowledge of French, labour force, francization), each
   calibrated on the scenario's base.
"""

from __future__ import annotations

from pathlib import Path

from immiplan.outcomes.run import OutcomeOptions, OutcomeResult, project_with_outcomes
from immiplan.projection.scenario import LoadedScenario, load_scenario, prepare

__all__ = ["NO_OUTCOMES", "run"]

NO_OUTCOMES = OutcomeOptions(french=False, labour=False, francization=False)
"""Options of a population-only run."""


def run(
    scenario: str | Path | LoadedScenario,
    *,
    horizon: int | None = None,
    options: OutcomeOptions | None = None,
) -> OutcomeResult:
    """Run a scenario through the whole pipeline (see the module docstring).

    Parameters
    ----------
    scenario:
        A shipped scenario name, a path to a scenario YAML file, or a loaded scenario.
    horizon:
        Overrides the scenario's horizon (the last 1 July projected).
    options:
        Which outcomes to compute; default the scenario's ``outcomes:`` block.
        :data:`NO_OUTCOMES` runs the population alone (one trait).

    Returns
    -------
    OutcomeResult
        The projection (``.projection``, a :class:`~immiplan.projection.results.ProjectionResult`)
        and its outcomes.

    Raises
    ------
    InputError
        A bad scenario, base, plan or parameter: one message naming the file, the field and
        the value, before anything is written.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    prepared = prepare(loaded, horizon=horizon)
    return project_with_outcomes(prepared, options, source_text=loaded.text)
