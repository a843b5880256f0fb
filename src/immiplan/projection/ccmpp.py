"""The cohort-component method of population projection, as the UN Population Division runs it.

This is the algebra of ``project_ccmpp_z_by_z`` in the UN's ccmppWPP package (Sara Hertog,
``markalava/ccmppWPP``, ``R/project_ccmpp_z_by_z.R``), the same as bayesPop's C core, on
plain NumPy arrays: two sexes, age groups of width ``z`` equal to the projection step, an
open last age group, and net migration counted either at the end of the step or spread
evenly over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immiplan.errors import InputError

FloatArray = NDArray[np.float64]
MigrationTiming = Literal["even", "end"]

NEGATIVE_FLOOR = 0.0005
"""What a negative projected cell becomes (persons), as in ccmppWPP ("same as Abacus")."""

__all__ = ["NEGATIVE_FLOOR", "CCMPPResult", "ccmpp", "survival_ratios"]


@dataclass(frozen=True)
class CCMPPResult:
    """What :func:`ccmpp` returns. Sex axes are ``(female, male)``.

    Attributes
    ----------
    population:
        Persons by sex and age group at the start of each step and at the end of the last,
        shape ``(steps + 1, 2, n)``; ``population[0]`` is the input.
    births_by_age:
        Births during each step by age group of mother (at the start of the step), shape
        ``(steps, n)``.
    births:
        Births during each step by sex of the child, shape ``(steps, 2)``.
    deaths:
        Deaths during each step by sex and by the age group the cohort reaches at the end
        of the step (cohort–period deaths; index 0 holds deaths of the step's births),
        shape ``(steps, 2, n)``.
    floored:
        Number of projected cells that were negative and set to :data:`NEGATIVE_FLOOR`, by
        step, shape ``(steps,)``.
    width:
        Age-group width and step length ``z`` (years).
    """

    population: FloatArray
    births_by_age: FloatArray
    births: FloatArray
    deaths: FloatArray
    floored: NDArray[np.int64]
    width: int

    @property
    def steps(self) -> int:
        """Number of projection steps."""
        return int(self.births.shape[0])

    @property
    def total(self) -> FloatArray:
        """Total population (persons) at each of the ``steps + 1`` dates."""
        return np.asarray(self.population.sum(axis=(1, 2)), dtype=float)


def _vector(value: ArrayLike, name: str, size: int | None = None) -> FloatArray:
    array = np.asarray(value, dtype=float)
    if array.ndim != 1:
        raise InputError(f"{name} must be a 1-D array by age group", field=name)
    if size is not None and array.size != size:
        raise InputError(
            f"{name} has {array.size} age groups, expected {size} (as population_female)",
            field=name,
        )
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} must be finite (no NaN or infinity)", field=name)
    return array


def survival_ratios(Lx: ArrayLike, *, width: int = 1, radix: float = 100_000.0) -> FloatArray:  # noqa: N803
    """UN survival ratios from a life table's ``Lx`` (the open group's value being its ``T``).

    ``S_0 = L_0 / (z·l_0)`` (births surviving to the first age group), ``S_x = L_x / L_{x-1}``
    for closed groups, and ``S_ω = L_ω / (L_{ω-1} + L_ω)`` for the open group (``T``-based).

    Parameters
    ----------
    Lx:
        Person-years lived in each age group of width ``width`` from ``radix`` births.
    width:
        Age-group width ``z`` in years.
    radix:
        ``l_0`` of the life table.

    Returns
    -------
    numpy.ndarray
        Survival ratios, one per age group (dimensionless, in ``(0, 1]``).
    """
    big_l = _vector(Lx, "Lx")
    if big_l.size < 3:
        raise InputError("Lx needs at least 3 age groups (first, closed, open)", field="Lx")
    if np.any(big_l <= 0):
        raise InputError(
            "Lx must be positive in every age group", field="Lx", value=float(big_l.min())
        )
    ratios = np.empty_like(big_l)
    ratios[0] = big_l[0] / (width * radix)
    ratios[1:-1] = big_l[1:-1] / big_l[:-2]
    ratios[-1] = big_l[-1] / (big_l[-2] + big_l[-1])
    if np.any(ratios > 1.0 + 1e-12):
        worst = int(np.argmax(ratios))
        raise InputError(
            f"Lx implies a survival ratio above 1 at age group {worst} "
            "(Lx must not increase between closed groups and L_0 must not exceed width·radix)",
            field="Lx",
        )
    return np.minimum(ratios, 1.0)


def ccmpp(
    population_female: ArrayLike,
    population_male: ArrayLike,
    Lx_female: ArrayLike,  # noqa: N803 - life-table notation
    Lx_male: ArrayLike,  # noqa: N803
    asfr: ArrayLike,
    migration_female: ArrayLike,
    migration_male: ArrayLike,
    *,
    srb: float = 1.05,
    width: int = 1,
    radix: float = 100_000,
    steps: int = 1,
    migration_timing: MigrationTiming = "even",
) -> CCMPPResult:
    """Project a two-sex population by the UN cohort-component method.

    Each step of ``z = width`` years, with ``P`` the population at the start, ``NM`` net
    migration over the step, ``S`` the survival ratios of :func:`survival_ratios`:

    * timing ``"even"``: half the migrants arrive at the start and are exposed to the
      step's survival and fertility, ``P* = P + NM/2``; the other half arrive at the end
      without survival. Timing ``"end"``: ``P* = P`` and all migrants are added after
      births and deaths.
    * ageing: ``P'_x = P*_{x-1}·S_x (+ NM_x/2)``; open group
      ``P'_ω = (P*_{ω-1} + P*_ω)·S_ω (+ NM_ω/2)`` with ``S_ω = L_ω / (L_{ω-1} + L_ω)``.
    * births: ``B_x = z·f_x·(P*ᶠ_x + P'ᶠ_x)/2``, the mean of the start (migration-adjusted)
      and end female populations of age group ``x`` (end population before the ``"end"``
      migrants, including the end half of ``"even"`` migrants, as in ccmppWPP); the first
      and open groups bear no births. ``Bᶠ = B/(1 + SRB)``, ``Bᵐ = B - Bᶠ``.
    * first age group: ``P'_0 = B_sex·S_0 (+ NM_0/2)`` with ``S_0 = L_0/(z·l_0)``.
    * a negative projected cell (more emigrants than people) becomes
      :data:`NEGATIVE_FLOOR` = 0.0005 persons, as in ccmppWPP, so that results match the
      UN's; the number of such cells is reported in ``floored``.

    The same rates and migration apply to every step unless ``migration_*`` is given per
    step.

    Parameters
    ----------
    population_female, population_male:
        Persons by age group at the start (``n`` groups of ``width`` years, the last
        open-ended).
    Lx_female, Lx_male:
        Person-years lived in each age group of a period life table with ``l_0 = radix``
        (for the open group, its total ``T_ω``), referring to the step.
    asfr:
        Births per woman per year by age group of mother at the start of the step (zero in
        the first and the open group).
    migration_female, migration_male:
        Net migrants (persons, may be negative) by age group over one step: shape ``(n,)``
        for every step, or ``(steps, n)``.
    srb:
        Sex ratio at birth, male births per female birth.
    width:
        Width ``z`` of the age groups = length of a step, in years (1 or 5, say).
    radix:
        ``l_0`` of the life tables that gave ``Lx``.
    steps:
        Number of steps to project.
    migration_timing:
        ``"even"`` (default; matches the ISQ's 1 July - 30 June accounting) or ``"end"``.

    Returns
    -------
    CCMPPResult
        Populations at the ``steps + 1`` dates, births by age of mother and by sex, deaths.

    Raises
    ------
    InputError
        On arrays of the wrong shape, negative or non-finite populations, non-positive
        ``Lx``, survival ratios above 1, negative fertility (or fertility in the first or
        open group), a non-positive ``srb``/``width``/``radix``, or an unknown timing.
    """
    if migration_timing not in ("even", "end"):
        raise InputError(
            "unknown migration timing (expected 'even' or 'end')",
            field="migration_timing",
            value=migration_timing,
        )
    if int(width) != width or width < 1:
        raise InputError(
            "width must be a positive whole number of years", field="width", value=width
        )
    if int(steps) != steps or steps < 1:
        raise InputError("steps must be a positive whole number", field="steps", value=steps)
    if not (np.isfinite(srb) and srb > 0):
        raise InputError("srb must be a positive number", field="srb", value=srb)
    if not (np.isfinite(radix) and radix > 0):
        raise InputError("radix must be a positive number", field="radix", value=radix)
    z = int(width)
    n_steps = int(steps)

    pop_f = _vector(population_female, "population_female")
    n = pop_f.size
    if n < 3:
        raise InputError("at least 3 age groups are needed (first, closed, open)")
    pop = np.stack([pop_f, _vector(population_male, "population_male", n)])
    if np.any(pop < 0):
        sex, age = np.argwhere(pop < 0)[0]
        name = ("population_female", "population_male")[sex]
        raise InputError(
            f"{name} is negative at age group {age}", field=name, value=float(pop[sex, age])
        )
    ratios = np.stack(
        [
            survival_ratios(_vector(Lx_female, "Lx_female", n), width=z, radix=radix),
            survival_ratios(_vector(Lx_male, "Lx_male", n), width=z, radix=radix),
        ]
    )
    fert = _vector(asfr, "asfr", n)
    if np.any(fert < 0):
        raise InputError("asfr must not be negative", field="asfr", value=float(fert.min()))
    if fert[0] != 0 or fert[-1] != 0:
        raise InputError("asfr must be zero in the first and the open age group", field="asfr")
    migration = np.stack(
        [
            _migration(migration_female, "migration_female", n, n_steps),
            _migration(migration_male, "migration_male", n, n_steps),
        ],
        axis=1,
    )  # (steps, 2, n)

    out_pop = np.empty((n_steps + 1, 2, n))
    out_pop[0] = pop
    births_by_age = np.empty((n_steps, n))
    births = np.empty((n_steps, 2))
    deaths = np.empty((n_steps, 2, n))
    floored = np.zeros(n_steps, dtype=np.int64)
    sex_shares = np.array([1.0 / (1.0 + srb), srb / (1.0 + srb)])
    even = migration_timing == "even"
    for step in range(n_steps):
        net = migration[step]
        start = out_pop[step] + net / 2 if even else out_pop[step].copy()
        late = net / 2 if even else np.zeros_like(net)
        end = np.empty_like(start)
        died = np.empty_like(start)
        # Cohorts age one group: survivors of group x-1 reach x; the open group also
        # receives the survivors of the last closed group.
        died[:, 1:-1] = (1.0 - ratios[:, 1:-1]) * start[:, :-2]
        end[:, 1:-1] = start[:, :-2] - died[:, 1:-1] + late[:, 1:-1]
        oldest = start[:, -2] + start[:, -1]
        died[:, -1] = (1.0 - ratios[:, -1]) * oldest
        end[:, -1] = oldest - died[:, -1] + late[:, -1]
        # Births: mean of start and end female exposure; no births in the first and open
        # groups (their end values are not yet, or not meaningfully, defined).
        by_age = np.zeros(n)
        by_age[1:-1] = z * fert[1:-1] * (start[0, 1:-1] + end[0, 1:-1]) / 2.0
        total_births = by_age.sum()
        born = total_births * sex_shares
        died[:, 0] = (1.0 - ratios[:, 0]) * born
        end[:, 0] = born - died[:, 0] + late[:, 0]
        if not even:
            end = end + net
        negative = end < 0
        floored[step] = int(negative.sum())
        end[negative] = NEGATIVE_FLOOR
        out_pop[step + 1] = end
        births_by_age[step] = by_age
        births[step] = born
        deaths[step] = died
    return CCMPPResult(
        population=out_pop,
        births_by_age=births_by_age,
        births=births,
        deaths=deaths,
        floored=floored,
        width=z,
    )


def _migration(value: ArrayLike, name: str, n: int, steps: int) -> FloatArray:
    array = np.asarray(value, dtype=float)
    if array.shape == (n,):
        array = np.broadcast_to(array, (steps, n))
    elif array.shape != (steps, n):
        raise InputError(
            f"{name} must have shape ({n},) or ({steps}, {n}), got {array.shape}", field=name
        )
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} must be finite (no NaN or infinity)", field=name)
    return np.asarray(array, dtype=float)
