"""Survival schedules for drawn life expectancies, vectorised over trajectories.

The projection moves the base death rates to a target e0 by the age-specific method of
:mod:`immiplan.projection.mortality` (Lee–Carter ``b_x``, one period index solved per step and
sex). Solving it for every trajectory × year × sex is the slowest part of a large ensemble, and
the schedule depends on e0 alone, not on the year, so this module solves it once on a grid of
e0 values every :data:`STEP` years per sex (one vectorised call) and interpolates linearly
between grid points. The interpolated change is added to the scenario's exact schedule,
``S(path + w) = S_exact(path) + G(path + w) − G(path)``, so a zero deviation gives the
scenario's survival exactly, and a drawn e0 outside the grid is held at its edge.

Men's rates are floored at women's of the same year (:mod:`immiplan.projection.mortality`), so
men's schedule depends a little on women's e0: the men's grid is solved with women's e0 at the
path's mean gap above men's (the floor binds only at a few ages; the centre stays exact).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immiplan.ensembles.model import StochasticModel
from immiplan.projection.mortality import survival_from_e0
from immiplan.projection.state import SEXES

FloatArray = NDArray[np.float64]

__all__ = ["STEP", "SurvivalGrid", "survival_grid"]

STEP = 0.5
"""Spacing of the e0 grid (years)."""


@dataclass(frozen=True)
class SurvivalGrid:
    """Survival ``(2, G, 101)`` and newborn survival ``(2, G)`` at e0 ``(2, G)`` by sex."""

    e0: FloatArray
    survival_at: FloatArray
    newborn_at: FloatArray

    def _interp(self, e0: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Grid values at ``e0`` ``(..., 2)``: ``(..., 2, 101)`` and ``(..., 2)``."""
        out_s = np.empty((*e0.shape, self.survival_at.shape[-1]))
        out_n = np.empty(e0.shape)
        for j in range(e0.shape[-1]):  # two sexes
            grid = self.e0[j]
            x = np.clip(e0[..., j], grid[0], grid[-1])
            k = np.clip(np.searchsorted(grid, x) - 1, 0, grid.size - 2)
            w = ((x - grid[k]) / (grid[k + 1] - grid[k]))[..., None]
            s = self.survival_at[j]
            out_s[..., j, :] = s[k] * (1.0 - w) + s[k + 1] * w
            nb = self.newborn_at[j]
            out_n[..., j] = nb[k] * (1.0 - w[..., 0]) + nb[k + 1] * w[..., 0]
        return out_s, out_n

    def survival(
        self, e0: FloatArray, exact: FloatArray, exact_newborn: FloatArray, path: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Survival ``(R, T, 2, 101)`` and newborn survival ``(R, T, 2)`` at drawn e0.

        ``e0`` is ``(R, T, 2)``; ``exact`` and ``exact_newborn`` are the scenario's own
        schedules at its e0 ``path`` ``(T, 2)``.
        """
        at_draw, nb_draw = self._interp(e0)
        at_path, nb_path = self._interp(path)
        survival = np.clip(exact[None] + at_draw - at_path[None], 0.0, 1.0)
        newborn = np.clip(exact_newborn[None] + nb_draw - nb_path[None], 0.0, 1.0)
        return survival, newborn


def survival_grid(
    path: FloatArray, model: StochasticModel, steps: int, mx: FloatArray, bx: FloatArray
) -> SurvivalGrid:
    """The grid covering ``path`` ``(T, 2)`` ± 4 standard deviations of the last year's walk.

    ``mx`` ``(2, 101)`` are the base's death rates and ``bx`` ``(2, 101)`` the age pattern of
    improvement the scenario's own schedules were solved with.
    """
    sigmas = (model.e0_female.sigma, model.e0_male.sigma)
    grids = []
    for j in range(len(SEXES)):
        reach = 4.0 * sigmas[j] * np.sqrt(steps) + STEP
        low = np.floor((path[:, j].min() - reach) / STEP) * STEP
        high = np.ceil((path[:, j].max() + reach) / STEP) * STEP
        grids.append(np.arange(max(low, 40.0), min(high, 100.0) + STEP / 2, STEP))
    size = max(g.size for g in grids)
    # Same length for both sexes (extend the shorter grid) so the arrays stack.
    e0 = np.stack(
        [np.concatenate([g, g[-1] + STEP * np.arange(1, size - g.size + 1)]) for g in grids]
    )
    gap = float(np.mean(path[:, 0] - path[:, 1]))
    # Rows of (female, male) e0: the women's grid, then the men's with women at the mean gap.
    pairs = np.stack(
        [np.stack([e0[0], e0[0] - gap], axis=-1), np.stack([e0[1] + gap, e0[1]], axis=-1)]
    )
    pairs[..., 1] = np.minimum(pairs[..., 1], pairs[..., 0] - 1e-3)  # men below women
    survival, newborn = survival_from_e0(mx, pairs, bx=bx)  # (2, G, 2, 101), (2, G, 2)
    return SurvivalGrid(
        e0,
        np.stack([survival[0, :, 0], survival[1, :, 1]]),
        np.stack([newborn[0, :, 0], newborn[1, :, 1]]),
    )
