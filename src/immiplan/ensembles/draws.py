"""Random paths of one chunk of trajectories, the same whatever the chunking.

Trajectory ``i`` of seed ``s`` draws from its own stream,
``numpy.random.SeedSequence(s, spawn_key=(i,))`` — the ``i``-th child of
``SeedSequence(s).spawn(n)`` — always the same standard normals in the same order
(:data:`COMPONENTS` × steps), so a trajectory's numbers do not depend on which chunk,
worker or process draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immiplan.ensembles.model import AR1, StochasticModel

FloatArray = NDArray[np.float64]

__all__ = ["COMPONENTS", "Draws", "draw", "trajectory_generator"]

COMPONENTS: tuple[str, ...] = (
    "tfr",
    "e0_female",
    "e0_male",
    "admissions",
    "economic",
    "family",
    "refugees",
    "other",
    "emigration",
    "interprovincial",
    "npr",
)
"""The standard normals of a trajectory, one row of ``steps`` each, in this order."""


@dataclass(frozen=True)
class Draws:
    """The deviations of ``R`` trajectories over ``T`` steps.

    Attributes
    ----------
    tfr:
        Multiplier of the TFR path, ``(R, T)``.
    e0:
        Years added to the e0 path, ``(R, T, 2)`` (female, male).
    admissions:
        Multiplier of the planned admissions by category, ``(R, T, C)``.
    emigration, interprovincial:
        Multipliers of the rate schedules, ``(R, T)``.
    npr:
        Multiplier of the NPR stock path, ``(R, T)``.
    """

    tfr: FloatArray
    e0: FloatArray
    admissions: FloatArray
    emigration: FloatArray
    interprovincial: FloatArray
    npr: FloatArray


def trajectory_generator(seed: int, index: int) -> np.random.Generator:
    """The random stream of trajectory ``index`` of ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def _ar1(process: AR1, shocks: FloatArray) -> FloatArray:
    """``x_t = phi x_{t−1} + sigma ε_t`` from ``x_{−1} = 0`` over the last axis."""
    out = np.empty_like(shocks)
    level = np.zeros(shocks.shape[:-1])
    for t in range(shocks.shape[-1]):
        level = process.phi * level + process.sigma * shocks[..., t]
        out[..., t] = level
    return out


def draw(model: StochasticModel, seed: int, start: int, stop: int, steps: int) -> Draws:
    """The deviations of trajectories ``start .. stop − 1`` of ``seed`` over ``steps`` steps.

    Step ``i`` is the deviation of projection step ``i`` (its TFR, e0, admissions and
    migration); the NPR multiplier of step ``i`` applies to the stock at its end.
    """
    shocks = np.stack(
        [
            trajectory_generator(seed, i).standard_normal((len(COMPONENTS), steps))
            for i in range(start, stop)
        ]
    )  # (R, components, T)
    z = {name: shocks[:, k] for k, name in enumerate(COMPONENTS)}
    common = _ar1(model.admissions, z["admissions"])
    categories = np.stack(
        [
            common + model.admissions_category_sigma * z[c]
            for c in ("economic", "family", "refugees", "other")
        ],
        axis=-1,
    )
    return Draws(
        tfr=np.exp(_ar1(model.tfr, z["tfr"])),
        e0=np.stack(
            [_ar1(model.e0_female, z["e0_female"]), _ar1(model.e0_male, z["e0_male"])], axis=-1
        ),
        admissions=np.exp(categories),
        emigration=np.exp(_ar1(model.emigration, z["emigration"])),
        interprovincial=np.exp(_ar1(model.interprovincial, z["interprovincial"])),
        npr=np.exp(_ar1(model.npr, z["npr"])),
    )
