"""Synthetic engine inputs: random but plausible arrays for tests and benchmarks.

Nothing here is data about Quebec; it exercises the engine's algebra (accounting identity,
conservation over traits, null conditions) on inputs of the real shapes.
"""

from __future__ import annotations

import numpy as np

from immiplan.projection.engine import ProjectionInputs
from immiplan.projection.state import N_AGES, QUEBEC, StateSpace

__all__ = ["synthetic_inputs"]


def synthetic_inputs(
    seed: int = 0,
    *,
    steps: int = 48,
    space: StateSpace = QUEBEC,
    n_traits: int = 1,
    migration_at_start: float = 0.5,
    birth_exposure_end: float = 0.5,
    with_npr: bool = True,
    with_exogenous: bool = False,
    with_transition: bool = False,
    scale: float = 1.0,
) -> ProjectionInputs:
    """Random engine inputs of the given layout (``steps`` years from 2018).

    Parameters
    ----------
    seed:
        Seed of the random generator.
    steps:
        Number of annual steps.
    space:
        State layout; with ``with_npr`` its last trailing state must be ``"npr"``.
    n_traits:
        ``K``.
    migration_at_start, birth_exposure_end:
        Timing parameters ``h`` and ``w`` of :class:`ProjectionInputs`.
    with_npr:
        Give an NPR stock path and transitions (needs an ``npr`` state).
    with_exogenous:
        Add exogenous net migration (some negative).
    with_transition:
        Add a random trait progression (needs ``n_traits >= 2``).
    scale:
        Multiplies every rate (0 switches off deaths, births and migration rates).
    """
    rng = np.random.default_rng(seed)
    s, k, x, a, c = space.n_states, n_traits, space.n_sexes, N_AGES, len(space.categories)
    t = steps
    population = rng.uniform(100.0, 5000.0, (s, k, x, a))
    mort = scale * np.clip(0.0005 * np.exp(0.085 * np.arange(a)), 0.0, 0.6)
    survival = np.broadcast_to(1.0 - mort * rng.uniform(0.8, 1.2, (t, x, 1)), (t, x, a)).copy()
    newborn_survival = 1.0 - scale * rng.uniform(0.002, 0.006, (t, x))
    asfr = np.zeros((t, a))
    asfr[:, 15:50] = scale * rng.uniform(0.0, 0.1, (t, 35))
    srb = rng.uniform(1.02, 1.08, t)
    birth_sex_shares = np.stack([1.0 / (1.0 + srb), srb / (1.0 + srb)], axis=1)[:, :x]
    if x == 1:
        birth_sex_shares = np.ones((t, 1))
    emigration = scale * rng.uniform(-0.002, 0.01, (t, s, x, a))
    interprovincial = scale * rng.uniform(-0.01, 0.003, (t, s, x, a))
    immigrants = scale * rng.uniform(0.0, 200.0, (t, c, x, a))
    npr_state = None
    npr_stock = None
    share = np.zeros((t, c))
    npr_traits = None
    if with_npr:
        npr_state = space.state("npr")
        npr_stock = rng.uniform(0.0, 3000.0, (t, x, a))
        share = rng.uniform(0.0, 0.8, (t, c))
        if k > 1:
            npr_traits = rng.dirichlet(np.ones(k), (x, a))
    exo = rng.uniform(-50.0, 100.0, (t, s, x, a)) * scale if with_exogenous else None
    entry_traits = rng.dirichlet(np.ones(k), (c, x, a)) if k > 1 else None
    transition = rng.uniform(0.0, 0.2, (t, s, k - 1, x, a)) if with_transition else None
    return ProjectionInputs(
        space=space,
        base_year=2018,
        population=population,
        survival=survival,
        newborn_survival=newborn_survival,
        asfr=asfr,
        birth_sex_shares=birth_sex_shares,
        emigration=emigration,
        interprovincial=interprovincial,
        immigrants=immigrants,
        npr_transition_share=share,
        npr_stock=npr_stock,
        net_migration=exo,
        migration_at_start=migration_at_start,
        birth_exposure_end=birth_exposure_end,
        n_traits=k,
        entry_traits=entry_traits,
        npr_entry_traits=npr_traits,
        trait_transition=transition,
        npr_state=npr_state,
    )
