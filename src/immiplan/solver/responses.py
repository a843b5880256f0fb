"""Impulse responses: what one more admission of each decision variable does to every count.

With rates fixed the projection is affine in the admissions (every flow is a rate times a
population, births included), except where a cap binds (transitions from the NPR stock are
capped by what the NPR cells hold). So around a point ``z0`` the primitive counts are
``prim(z) = prim(z0) + R·(z − z0)``, where row ``j`` of ``R`` is the engine's own answer to a
unit of variable ``j``: the difference of two projections, exact (not a derivative
estimate) wherever no cap changes state between them.

The engine runs all of them at once: one batch of ``n + 1`` trajectories (the point and
one unit of each variable) through the engine's trajectory axis (:func:`run_batch`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immiplan.projection.engine import project
from immiplan.projection.quebec import admissions_by_period
from immiplan.solver.context import Context
from immiplan.solver.decision import Decision

FloatArray = NDArray[np.float64]

__all__ = ["UNIT", "Linearisation", "linearise", "run_batch", "unit_admissions"]

UNIT = 100.0
"""Admissions per impulse (persons): large enough that rounding stays far below 1e-9 of a
count, small enough not to cross a cap that does not bind at the point."""


def run_batch(context: Context, base: FloatArray, deltas: list[FloatArray]) -> FloatArray:
    """Project the admissions ``base`` and each ``base + delta`` as one batch of trajectories.

    One call of the engine with a trajectory axis of ``1 + len(deltas)`` on the admissions
    (every other input shared); each year's population is reduced on the fly to the
    population primitives, so the batch holds two years of states, not ``T + 1``.

    Parameters
    ----------
    base:
        Admissions ``(T, C, X, A)``.
    deltas:
        Changes of the admissions, each ``(T, C, X, A)``.

    Returns
    -------
    numpy.ndarray
        Population primitives ``(1 + len(deltas), P_pop, Y)``: the base run first (NaN
        for the primitives the context does not compute, :meth:`Primitives.only`).
    """
    rows = context.primitives.rows
    weights = np.ascontiguousarray(context.primitives.weights[rows])
    batch = np.stack([base, *(base + d for d in deltas)])
    inputs = dataclasses.replace(context.inputs, immigrants=batch)
    n_r = batch.shape[0]

    def reduce(population: FloatArray) -> FloatArray:
        # einsum, not BLAS: a small product per year, where a threaded BLAS only contends.
        return np.einsum("pc,rc->rp", weights, population.reshape(n_r, -1))  # (R, rows)

    outputs = project(inputs, reduce=reduce)  # population: (R, Y, rows)
    out = np.full((n_r, context.primitives.weights.shape[0], outputs.population.shape[1]), np.nan)
    out[:, rows] = np.swapaxes(outputs.population, 1, 2)
    return out


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
    """

    z0: FloatArray
    base: FloatArray
    responses: FloatArray

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
) -> Linearisation:
    """Impulse responses of every primitive to every variable at ``z0`` (one batch run)."""
    units = unit_admissions(context, decision) if units is None else units
    base_imm = context.immigrants(decision.calendar(context, z0))
    deltas = [UNIT * u for u in units]
    populations = run_batch(context, base_imm, deltas)  # (1 + n, P_pop, Y)
    years = context.years
    prim = context.primitives
    base = np.concatenate([populations[0], prim.flows(base_imm, years)])
    responses = np.empty((decision.n, *base.shape))
    responses[:, : populations.shape[1]] = (populations[1:] - populations[0]) / UNIT
    for j, delta in enumerate(deltas):
        # Flows are linear in the admissions themselves: the delta's own flows.
        responses[j, populations.shape[1] :] = prim.flows(delta, years) / UNIT
    return Linearisation(np.asarray(z0, dtype=float), base, responses)
