"""Impulse responses: what one more admission of each decision variable does to every count.

With rates fixed the projection is affine in the admissions (every flow is a rate times a
population, births included), except where a cap binds (transitions from the NPR stock are
capped by what the NPR cells hold). So around a point ``z0`` the primitive counts are
``prim(z) = prim(z0) + R·(z − z0)``, where row ``j`` of ``R`` is the engine's own answer to a
unit of variable ``j``: the difference of two projections, exact (not a derivative
estimate) wherever no cap changes state between them.

The engine runs once per variable plus once at ``z0``: one batch of ``n + 1`` trajectories
(:func:`run_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immiplan.projection.engine import ProjectionInputs, ProjectionOutputs, project
from immiplan.projection.quebec import admissions_by_period
from immiplan.solver.context import Context, replace_validated
from immiplan.solver.decision import Decision

FloatArray = NDArray[np.float64]

__all__ = ["Linearisation", "linearise", "run_batch", "unit_admissions"]

UNIT = 100.0
"""Admissions per impulse (persons): large enough that rounding stays far below 1e-9 of a
count, small enough not to cross a cap that does not bind at the point."""

_STEPPED = (
    "survival",
    "newborn_survival",
    "asfr",
    "birth_sex_shares",
    "emigration",
    "interprovincial",
    "npr_transition_share",
)


def _from_step(
    inputs: ProjectionInputs, start: int, population: FloatArray, immigrants: FloatArray
) -> ProjectionInputs:
    """The same projection started at step ``start`` from ``population`` (exactly the same
    arithmetic for every later step)."""
    changes: dict[str, object] = {k: getattr(inputs, k)[start:] for k in _STEPPED}
    for name in ("npr_stock", "net_migration"):
        value = getattr(inputs, name)
        if value is not None:
            changes[name] = value[start:]
    if inputs.entry_traits is not None and np.ndim(inputs.entry_traits) == 5:
        changes["entry_traits"] = inputs.entry_traits[start:]
    if inputs.npr_entry_traits is not None and np.ndim(inputs.npr_entry_traits) == 4:
        changes["npr_entry_traits"] = inputs.npr_entry_traits[start:]
    if inputs.trait_transition is not None and not callable(inputs.trait_transition):
        changes["trait_transition"] = np.asarray(inputs.trait_transition)[start:]
    return replace_validated(
        inputs,
        base_year=int(inputs.base_year) + start,
        population=np.ascontiguousarray(population),
        immigrants=np.ascontiguousarray(immigrants[start:]),
        **changes,
    )


def run_batch(
    context: Context,
    base: FloatArray,
    deltas: list[FloatArray],
    outputs: ProjectionOutputs | None = None,
) -> tuple[ProjectionOutputs, list[tuple[int, FloatArray]]]:
    """Project the admissions ``base`` and each ``base + delta``.

    Parameters
    ----------
    base:
        Admissions ``(T, C, X, A)``.
    deltas:
        Changes of the admissions, each ``(T, C, X, A)``.
    outputs:
        The engine outputs at ``base`` when already run.

    Returns
    -------
    tuple
        The engine outputs at ``base`` and, for each delta, ``(start, population)``: the
        first step the delta touches and the perturbed populations ``(Y − start, S, K, X,
        A)`` from that year on (earlier years are the base run's).

    Notes
    -----
    Until the engine has a batch axis, the perturbed trajectories run one after the other,
    each from the first step its delta touches.
    """
    if outputs is None:
        outputs = project(context.with_immigrants(base))
    runs: list[tuple[int, FloatArray]] = []
    steps = base.shape[0]
    for delta in deltas:
        touched = np.flatnonzero(np.abs(delta).reshape(steps, -1).max(axis=1) > 0)
        start = int(touched[0]) if touched.size else steps
        if start >= steps:
            runs.append((steps, outputs.population[steps:]))
            continue
        sub = project(_from_step(context.inputs, start, outputs.population[start], base + delta))
        runs.append((start, sub.population))
    return outputs, runs


def unit_admissions(context: Context, decision: Decision) -> list[FloatArray]:
    """Engine admissions ``(T, C, X, A)`` of one unit of each variable."""
    steps = context.inputs.steps
    out = []
    for j in range(decision.n):
        calendar = {
            y: np.zeros(decision.maps.shape[2])
            for y in range(context.first_year, context.horizon + 1)
        }
        calendar.update(decision.unit_calendar(j))
        periods = admissions_by_period(calendar, context.first_year, context.first_year + steps - 1)
        out.append(np.asarray(periods[:, :, None, None] * context.profiles, dtype=float))
    return out


@dataclass(frozen=True)
class Linearisation:
    """The affine model around ``z0``: ``prim(z) = base + Σ_j (z − z0)_j · responses[j]``.

    Attributes
    ----------
    z0:
        The point, ``(n,)``.
    base:
        Primitive counts at ``z0``, ``(P, Y)``.
    responses:
        Change of each primitive per unit of each variable, ``(n, P, Y)``.
    outputs:
        The engine outputs at ``z0``.
    """

    z0: FloatArray
    base: FloatArray
    responses: FloatArray
    outputs: ProjectionOutputs

    def predict(self, z: FloatArray) -> FloatArray:
        """Primitive counts at ``z`` by the affine model, ``(P, Y)``."""
        return np.asarray(
            self.base + np.tensordot(z - self.z0, self.responses, axes=1), dtype=float
        )


def linearise(
    context: Context,
    decision: Decision,
    z0: FloatArray,
    units: list[FloatArray] | None = None,
    outputs: ProjectionOutputs | None = None,
) -> Linearisation:
    """Impulse responses of every primitive to every variable at ``z0`` (one batch run).

    ``outputs``: the engine outputs at ``z0`` when already run (a forward check).
    """
    units = unit_admissions(context, decision) if units is None else units
    base_imm = context.immigrants(decision.calendar(context, z0))
    deltas = [UNIT * u for u in units]
    outputs, runs = run_batch(context, base_imm, deltas, outputs)
    years = context.years
    prim = context.primitives
    base = prim.of(outputs.population, base_imm, years)
    n_pop = prim.weights.shape[0]
    responses = np.zeros((decision.n, *base.shape))
    for j, ((start, pop), delta) in enumerate(zip(runs, deltas, strict=True)):
        diff = pop - outputs.population[start:]
        responses[j, :n_pop, start:] = (diff.reshape(diff.shape[0], -1) @ prim.weights.T).T / UNIT
        # Flows are linear in the admissions themselves: the delta's own flows.
        responses[j, n_pop:] = prim.flows(delta, years) / UNIT
    return Linearisation(np.asarray(z0, dtype=float), base, responses, outputs)
