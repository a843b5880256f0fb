"""The planner's two heavier questions, bounded: the level a target needs, and a fan chart.

:func:`solve_request` runs :func:`immiplan.solver.solve` (the inverse planner of
``immiplan plan solve``) with the same defaults and the same one-line messages for a bad
target, base, regime or span; an answer out of reach comes back as an answer
(``status: "infeasible"``, with the closest achievable value), not as an error.
:func:`fan_request` runs a seeded ensemble of a scenario (:mod:`immiplan.ensembles`,
``immiplan ensemble``) and returns quantiles of each population indicator by year.

Both refuse work beyond fixed bounds before anything runs: a few targets, a span of at most
the server's ``max_steps`` years, and at most :data:`MAX_TRAJECTORY_YEARS` trajectory-years
for a fan.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from immiplan.errors import InputError
from immiplan.projection.loading import LoadedScenario

__all__ = [
    "FAN_QUANTILES",
    "MAX_TARGETS",
    "MAX_TRAJECTORIES",
    "MAX_TRAJECTORY_YEARS",
    "fan_request",
    "solve_request",
]

MAX_TARGETS = 5
"""Targets one solve may hold."""

MAX_TRAJECTORIES = 500
"""Trajectories one fan chart may ask for."""

MAX_TRAJECTORY_YEARS = 25_000
"""Trajectories × projected years one fan chart may ask for (500 trajectories to 50 years)."""

FAN_QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)
"""The fan's bands: 95 % and 80 % intervals and the median."""


def default_years(base: str) -> tuple[int, int]:
    """The decision years ``immiplan plan solve`` uses on ``base`` without ``--years``:
    the year after the assumptions' base year to their horizon."""
    from immiplan.projection.bases import base_date
    from immiplan.projection.loading import load_scenario
    from immiplan.solver import default_scenario, known_bases

    if base not in known_bases():
        raise InputError(
            f"unknown base (known: {', '.join(known_bases())})", field="--base", value=base
        )
    scenario = load_scenario(default_scenario(base)).scenario
    first = int(scenario.base_year) if scenario.base_year is not None else base_date(base).year
    return first + 1, int(scenario.horizon)


def solve_request(
    targets: list[str],
    *,
    base: str,
    years: tuple[int, int] | None,
    regime: str,
    shape: str,
    objective: str,
    mix: str | None,
    max_steps: int,
) -> dict[str, Any]:
    """The JSON answer of a solve (:meth:`immiplan.solver.Solution.to_dict` and the span).

    Raises
    ------
    InputError
        A bad target, base, regime, mix or span (the CLI's messages), more than
        :data:`MAX_TARGETS` targets, or a span longer than ``max_steps`` years.
    """
    from immiplan.solver import solve

    if not targets:
        raise InputError("give at least one target", field="--target")
    if len(targets) > MAX_TARGETS:
        raise InputError(
            f"the server solves for at most {MAX_TARGETS} targets at once",
            field="--target",
            value=len(targets),
        )
    if mix is not None and mix.strip().startswith("plan:"):
        _check_shipped_plan(mix)
    first, last = years if years is not None else default_years(base)
    if last - first + 1 > max_steps:
        raise InputError(
            f"the server solves over at most {max_steps} years",
            field="--years",
            value=f"{first}:{last}",
        )
    answer = solve(
        targets,
        base=base,
        years=(int(first), int(last)),
        regime=regime,
        shape=shape,  # type: ignore[arg-type]
        objective=objective,  # type: ignore[arg-type]
        mix=mix,
    )
    out: dict[str, Any] = _finite(answer.to_dict())
    out["base"] = base
    out["years"] = [int(first), int(last)]
    out["constant_level"] = (
        None if answer.constant_level is None else _number(answer.constant_level)
    )
    return out


def _check_shipped_plan(mix: str) -> None:
    """``plan:NAME[:YEAR]`` names a shipped plan: the server never reads a file a request
    names."""
    from immiplan.plans import shipped_plan_names

    name = mix.strip()[len("plan:") :].strip()
    known = shipped_plan_names()
    if name in known:
        return
    head, _, year = name.rpartition(":")
    if head in known and year.strip().isdigit():
        return
    raise InputError(
        f"unknown plan: the server uses shipped plans ({', '.join(known)})",
        field="--mix",
        value=mix,
    )


def fan_request(
    loaded: LoadedScenario, *, horizon: int | None, trajectories: int, seed: int
) -> dict[str, Any]:
    """Quantiles by year of each population indicator over a seeded ensemble.

    The trajectories are those of ``immiplan ensemble --population-only`` with the same
    seed: a trajectory depends only on the seed and its index.

    Raises
    ------
    InputError
        More than :data:`MAX_TRAJECTORIES` trajectories or :data:`MAX_TRAJECTORY_YEARS`
        trajectory-years.
    """
    from immiplan.ensembles.model import calibrate
    from immiplan.ensembles.run import INDICATORS, ensemble_base, run_ensemble
    from immiplan.projection.prepare import prepare

    if not 1 <= trajectories <= MAX_TRAJECTORIES:
        raise InputError(
            f"the server runs 1 to {MAX_TRAJECTORIES} trajectories",
            field="trajectories",
            value=trajectories,
        )
    prepared = prepare(loaded, horizon=horizon)
    steps = int(prepared.inputs.steps)
    if trajectories * steps > MAX_TRAJECTORY_YEARS:
        raise InputError(
            f"the server runs at most {MAX_TRAJECTORY_YEARS:,} trajectory-years "
            f"(trajectories × projected years; this scenario projects {steps} years)",
            field="trajectories",
            value=trajectories,
        )
    model = calibrate().model
    base = ensemble_base(prepared, outcomes=False, model=model)
    result = run_ensemble(base, model, trajectories=trajectories, seed=seed)
    years = np.asarray(result.years, dtype=int)
    keep = years >= int(prepared.first_output_year)
    quantiles = np.quantile(result.values[:, keep, :], FAN_QUANTILES, axis=0)
    series: dict[str, Any] = {}
    for k, name in enumerate(result.indicators):
        series[name] = {
            "unit": INDICATORS[name],
            "deterministic": [_number(v) for v in result.deterministic[keep, k]],
            "quantiles": {
                f"{q:g}": [_number(v) for v in quantiles[j, :, k]]
                for j, q in enumerate(FAN_QUANTILES)
            },
        }
    return {
        "scenario": str(loaded.scenario.name),
        "sha256": loaded.sha256,
        "base": str(loaded.scenario.base),
        "trajectories": int(trajectories),
        "seed": int(seed),
        "years": [int(y) for y in years[keep]],
        "series": series,
        "method": "docs/uncertainty.md (immiplan ensemble --population-only)",
    }


def _number(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def _finite(value: Any) -> Any:
    """JSON without NaN or infinities (``null`` instead); NumPy scalars as Python's."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _number(value)
    return str(value)
