"""Chance-constrained targets: the constant level that meets the targets with probability p.

The ensembles' draws (:mod:`immiplan.ensembles`: fertility, life expectancy, net emigration
and interprovincial migration, the NPR stock, and realised admissions against the plan) give
``N`` trajectories. In each, every count is still affine in the level, so each draw ``k`` has
its own impulse response and its own interval of levels ``[L_k, U_k]`` that meet every target
row. The answer is the least level within the bounds that lies in the intervals of at least
``p·N`` draws (the sample version of ``P(targets met) ≥ p``), and a forward batch of the ``N``
draws at that level counts how many meet the targets.

One engine call runs the ``2N`` trajectories (each draw at the point and with one more unit).
Constant levels with a given mix; a target on knowledge of French runs the draws on the
two-trait model (the draws change rates only, none of which depends on the trait), others on
the one-trait model; a ``max_without_immigration`` reference keeps its deterministic value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.engine import BATCHED_FIELDS, project
from immiplan.solver.context import Context
from immiplan.solver.decision import Decision
from immiplan.solver.inverse import INDICATORS, _Compiler
from immiplan.solver.responses import UNIT, Linearisation, unit_admissions
from immiplan.solver.targets import Target

FloatArray = NDArray[np.float64]

__all__ = ["ChanceSolution", "solve_chance"]


@dataclass(frozen=True)
class ChanceSolution:
    """The answer of a chance-constrained solve.

    Attributes
    ----------
    probability:
        The probability asked for.
    level:
        The province's constant level a year (``None`` when no level within the bounds
        reaches the probability).
    achieved:
        Share of the draws whose forward run meets every target at ``level`` (or at the
        upper bound when out of reach).
    draws:
        Number of draws.
    required:
        Each draw's least level meeting every target (``inf`` where none within the bounds).
    """

    probability: float
    level: float | None
    achieved: float
    draws: int
    required: FloatArray
    decision: Decision
    targets: tuple[Target, ...]
    closest: float | None = None
    """With no answer: the level that meets the targets in the most draws (``achieved``)."""

    def summary(self) -> list[str]:
        """The answer in plain words."""
        d = self.decision
        who = f"the province's categories under {d.regime.name}"
        span = f"{int(d.years[0])}–{int(d.years[-1])}"
        finite = self.required[np.isfinite(self.required)]
        none = self.draws - finite.size
        spread = (
            f" Across the {self.draws} draws the least level meeting them runs from "
            f"{finite.min():,.0f} to {finite.max():,.0f} (median {np.median(finite):,.0f})"
            + (f"; in {none} draws no level within the bounds does." if none else ".")
            if finite.size
            else f" In none of the {self.draws} draws does a level within the bounds meet them."
        )
        if self.level is None:
            where = (
                f"the most any level reaches is {self.achieved:.0%} of the draws, at "
                f"{self.closest:,.0f} a year"
                if self.closest is not None
                else f"{self.achieved:.0%} of the draws meet them at best"
            )
            return [
                f"No constant level of {who} within the bounds ({d.lower:,.0f}–{d.upper:,.0f}) "
                f"meets every target with probability {self.probability:.0%} over {span}: "
                f"{where}." + spread
            ]
        return [
            f"A constant {self.level:,.0f} a year for {who} meets every target in "
            f"{self.achieved:.0%} of {self.draws} draws (asked: {self.probability:.0%}), "
            f"{span}." + spread
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly answer."""
        return {
            "probability": self.probability,
            "level": self.level,
            "achieved": self.achieved,
            "draws": self.draws,
            "closest": self.closest,
            # No interpolation: a draw with no level within the bounds counts as infinity.
            "required_quantiles": {
                q: float(np.quantile(self.required, q / 100, method="inverted_cdf"))
                for q in (10, 50, 90)
            },
            "summary": self.summary(),
        }


def _batched(inputs: Any, reference: Any, *, twice: bool = True) -> dict[str, Any]:
    """The draws' batched fields (those with one more axis than in ``reference``, the
    deterministic inputs, or absent there), admissions apart; with ``twice`` each repeated
    twice: the point, then the point plus a unit."""
    out: dict[str, Any] = {}
    for name in BATCHED_FIELDS:
        value = getattr(inputs, name, None)
        ref = getattr(reference, name, None)
        if name == "immigrants" or value is None:
            continue
        if ref is None or np.ndim(value) == np.ndim(ref) + 1:
            array = np.asarray(value)
            out[name] = np.concatenate([array, array]) if twice else array
    return out


def solve_chance(
    context: Context,
    decision: Decision,
    targets: Sequence[Target],
    fields: Sequence[str],
    *,
    probability: float,
    draws: int = 200,
    seed: int = 1,
) -> ChanceSolution:
    """The least constant level meeting ``targets`` with ``probability`` over ``draws``.

    Raises
    ------
    InputError
        A probability outside (0, 1), fewer than 10 draws, a path or a free mix.
    """
    from immiplan.ensembles.model import calibrate
    from immiplan.ensembles.run import batch_inputs, ensemble_base

    if not 0.0 < probability < 1.0:
        raise InputError(
            "a probability lies between 0 and 1", field="--probability", value=probability
        )
    if draws < 10:
        raise InputError("give at least 10 draws", field="--draws", value=draws)
    if decision.n != 1:
        raise InputError(
            "a chance-constrained target needs one constant level with a given mix",
            field="--shape",
            value=decision.shape,
        )
    french = context.primitives.needs_french
    needs_french = any(
        set(INDICATORS[t.indicator].numerator + INDICATORS[t.indicator].denominator) & french
        for target in targets
        for t in target.terms
        if t.indicator
    )
    plain = context.for_targets(needs_french)
    model = calibrate().model
    base = ensemble_base(context.prepared, outcomes=False, model=model)
    drawn, multipliers = batch_inputs(base, model, seed, 0, draws)  # (N, T, C) multipliers
    # The draws change rates only (survival, fertility, migration multipliers, the NPR
    # stock), none of which depends on a trait: the same draws apply to the French model.
    inputs = dataclasses.replace(plain.inputs, **_batched(drawn, base.inputs, twice=False))
    unit = unit_admissions(plain, decision)[0]
    compiler = _Compiler(plain, decision, targets, fields)
    z0 = decision.start.copy()
    level: float | None = None
    required = np.full(draws, np.inf)
    for _ in range(4):  # re-linearise at the answer where a cap moved
        point = plain.immigrants(decision.calendar(plain, z0))
        own = point[None] * multipliers[:, :, :, None, None]
        more = (point + UNIT * unit)[None] * multipliers[:, :, :, None, None]
        batch = np.concatenate([own, more])
        prims = _run(plain, inputs, batch, draws)
        lower, upper = _intervals(compiler, plain, prims, own, more, z0, draws)
        required = _required(lower, upper, decision.lower, decision.upper)
        level = _least(lower, upper, probability, decision.lower, decision.upper)
        check = _most(lower, upper, decision.lower, decision.upper) if level is None else level
        achieved = _achieved(compiler, plain, decision, inputs, multipliers, check, draws)
        if level is None or achieved >= probability or abs(check - float(z0[0])) < 1e-6:
            break
        z0 = np.array([check])
    closest = check if level is None else None
    return ChanceSolution(
        probability, level, achieved, draws, required, decision, tuple(targets), closest
    )


def _run(context: Context, inputs: Any, batch: FloatArray, draws: int) -> FloatArray:
    """Population primitives ``(R, P_pop, Y)`` of a batch of admissions (the draws twice)."""
    weights = context.primitives.weights
    changes = _batched(inputs, context.inputs) if batch.shape[0] == 2 * draws else {}
    run = dataclasses.replace(inputs, immigrants=batch, **changes)
    n_r = batch.shape[0]

    def reduce(population: FloatArray) -> FloatArray:
        return np.einsum("pc,rc->rp", weights, population.reshape(n_r, -1))

    return np.ascontiguousarray(np.swapaxes(project(run, reduce=reduce).population, 1, 2))


def _lin(
    context: Context, prims: FloatArray, imm: FloatArray, z0: FloatArray, resp: FloatArray | None
) -> Linearisation:
    years = context.years
    base = np.concatenate([prims, context.primitives.flows(imm, years)])
    responses = np.zeros((1, *base.shape)) if resp is None else resp[None]
    return Linearisation(z0, base, responses)


def _intervals(
    compiler: _Compiler,
    context: Context,
    prims: FloatArray,
    own: FloatArray,
    more: FloatArray,
    z0: FloatArray,
    draws: int,
) -> tuple[FloatArray, FloatArray]:
    """Each draw's interval ``[L_k, U_k]`` of levels meeting every target row."""
    years = context.years
    lower = np.full(draws, -np.inf)
    upper = np.full(draws, np.inf)
    for k in range(draws):
        at = np.concatenate([prims[k], context.primitives.flows(own[k], years)])
        up = np.concatenate([prims[draws + k], context.primitives.flows(more[k], years)])
        lin = Linearisation(z0, at, ((up - at) / UNIT)[None])
        for row in compiler.rows(lin):
            a, b = float(row.a[0]), row.b
            senses = [">=", "<="] if row.sense == "==" else [row.sense]
            for sense in senses:
                if abs(a) < 1e-15:
                    ok = (b <= 0.0) if sense == ">=" else (b >= 0.0)
                    if not ok:
                        lower[k], upper[k] = np.inf, -np.inf
                    continue
                bound = b / a
                if (sense == ">=") == (a > 0):
                    lower[k] = max(lower[k], bound)
                else:
                    upper[k] = min(upper[k], bound)
    return lower, upper


def _required(lower: FloatArray, upper: FloatArray, low: float, high: float) -> FloatArray:
    """Each draw's least level in ``[low, high]`` inside its interval ``[lower, upper]``
    (``low`` when it has no floor); infinity when the interval misses the bounds."""
    reachable = (lower <= upper) & (upper >= low - 1e-9) & (lower <= high + 1e-9)
    return np.where(reachable, np.maximum(lower, low), np.inf)


def _coverage(
    lower: FloatArray, upper: FloatArray, low: float, high: float
) -> tuple[FloatArray, NDArray[np.intp]]:
    """The candidate levels in ``[low, high]`` (``low`` and every finite floor, ascending)
    and how many intervals each lies in."""
    candidates = np.unique(np.clip(np.concatenate([[low], lower[np.isfinite(lower)]]), low, high))
    inside = (lower[None] <= candidates[:, None] + 1e-9) & (
        candidates[:, None] <= upper[None] + 1e-9
    )
    return candidates, inside.sum(axis=1)


def _least(lower: FloatArray, upper: FloatArray, p: float, low: float, high: float) -> float | None:
    """The least level in ``[low, high]`` inside at least ``p`` of the intervals."""
    need = int(np.ceil(p * lower.size - 1e-9))
    candidates, counts = _coverage(lower, upper, low, high)
    enough = np.flatnonzero(counts >= need)
    return float(candidates[enough[0]]) if enough.size else None


def _most(lower: FloatArray, upper: FloatArray, low: float, high: float) -> float:
    """The least level in ``[low, high]`` inside the most intervals (the closest answer)."""
    candidates, counts = _coverage(lower, upper, low, high)
    return float(candidates[int(np.argmax(counts))])


def _achieved(
    compiler: _Compiler,
    context: Context,
    decision: Decision,
    inputs: Any,
    multipliers: FloatArray,
    level: float,
    draws: int,
) -> float:
    """Share of the draws whose forward run at ``level`` meets every target row."""
    point = context.immigrants(decision.calendar(context, np.array([level])))
    own = point[None] * multipliers[:, :, :, None, None]
    prims = _run(context, inputs, own, draws)
    met = 0
    years = context.years
    for k in range(draws):
        at = np.concatenate([prims[k], context.primitives.flows(own[k], years)])
        lin = Linearisation(np.array([level]), at, np.zeros((1, *at.shape)))
        rows = compiler.rows(lin)
        ok = all(
            (r.a @ lin.z0 - r.b) * (1 if r.sense != "<=" else -1) >= -1e-7 * r.norm
            if r.sense != "=="
            else abs(r.a @ lin.z0 - r.b) <= 1e-7 * r.norm
            for r in rows
        )
        met += bool(ok)
    return met / draws
