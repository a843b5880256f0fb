"""Survival schedules for drawn life expectancies, vectorised over trajectories.

The projection moves the base death rates to a target e0 with one root-finding per
``(sex, e0)`` (:func:`immiplan.projection.quebec.survival_for_e0`), too slow for
thousands of trajectories × years. Until a vectorised e0 → survival function lands in
:mod:`immiplan.projection` (branch ``mortality``), this module evaluates that function once
on a grid of e0 values every :data:`STEP` years per sex and interpolates linearly between
grid points. The interpolated change is added to the scenario's exact schedule,
``S(path + w) = S_exact(path) + G(path + w) − G(path)``, so a zero deviation gives the
scenario's survival exactly, and a drawn e0 outside the grid is held at its edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immiplan.ensembles.model import StochasticModel
from immiplan.projection.quebec import survival_for_e0
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


def survival_grid(path: FloatArray, model: StochasticModel, steps: int) -> SurvivalGrid:
    """The grid covering ``path`` ``(T, 2)`` ± 4 standard deviations of the last year's walk."""
    sigmas = (model.e0_female.sigma, model.e0_male.sigma)
    grids, survs, newborns = [], [], []
    for j, sex in enumerate(SEXES):
        reach = 4.0 * sigmas[j] * np.sqrt(steps) + STEP
        low = np.floor((path[:, j].min() - reach) / STEP) * STEP
        high = np.ceil((path[:, j].max() + reach) / STEP) * STEP
        values = np.arange(max(low, 40.0), min(high, 100.0) + STEP / 2, STEP)
        rows = [survival_for_e0(sex, round(float(v), 6)) for v in values]
        grids.append(values)
        survs.append(np.stack([r[0] for r in rows]))
        newborns.append(np.array([r[1] for r in rows]))
    size = max(g.size for g in grids)
    # Same length for both sexes (pad by repeating the last point) so the arrays stack.
    pad = [np.concatenate([g, g[-1] + STEP * np.arange(1, size - g.size + 1)]) for g in grids]
    s_pad = [np.concatenate([s, np.repeat(s[-1:], size - s.shape[0], axis=0)]) for s in survs]
    n_pad = [np.concatenate([n, np.repeat(n[-1:], size - n.shape[0])]) for n in newborns]
    return SurvivalGrid(np.stack(pad), np.stack(s_pad), np.stack(n_pad))
