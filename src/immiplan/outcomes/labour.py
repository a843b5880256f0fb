"""Labour force: participation and unemployment rates applied to the projected cells.

Rates are by age band (15–24, 25–54, 55–64, 65+) and *status*: born in Canada (the
projection's ``non_immigrant`` group), immigrants landed under 5 years (durations 0–4),
5 to 10 years (5–9) and 10 years or more (10+), and non-permanent residents. They are
read at the base's ``calibration.labour_year`` (2017 for ``quebec-2018``, 2023 for
``quebec-2023``), held over the projection and multiply the population cells
(``labour force = population × participation``, ``unemployed = labour force ×
unemployment rate``), vectorised over years, states and ages.

What comes from the Labour Force Survey (Statistics Canada, Quebec), as published:

* unemployment of ages 25–54 by status (2017: 4.5 % born in Canada, 14.1 % under 5 years,
  6.4 % 5–10, 7.7 % 10+; 2023: 3.1, 8.4, 5.7, 5.1 %); all immigrants (a check);
* employment rate 25–54 of immigrants and of those landed under 5 years (2017), of every
  status (2023);
* employment rate 15+ of immigrants and of people born in Canada.

What is derived or assumed (docs/outcomes.md):

* core-age (25–54) participation = employment / (1 − unemployment) of each status that has
  its own employment rate 25–54; where only all immigrants' is published (2017), 5–10 and
  10+ share one value that reproduces it with the base population's mix of durations
  (derived); born in Canada without a rate 25–54 (2017): the level that reproduces its
  employment rate 15+ over the base population (calibrated);
* other age bands: the core rate times a relative participation (2017: an assumption;
  2023: derived from the whole population's rates by age,
  ``outcomes.labour.relative_participation``) and the status's core unemployment rate
  (assumption: no age gradient by status in the sources);
* no difference by sex and none by knowledge of French (no Quebec LFS figures by sex or
  French knowledge in the sources); non-permanent residents take the under-5-years rates
  (assumption).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.outcomes import _checks
from immiplan.projection.state import N_AGES, StateSpace
from immiplan.system.parameters import parameters

FloatArray = NDArray[np.float64]

__all__ = [
    "AGE_BANDS",
    "STATUSES",
    "LabourFit",
    "LabourParameters",
    "LabourRates",
    "calibrate_labour",
    "load_labour_parameters",
    "state_status",
]

STATUSES: tuple[str, ...] = (
    "canadian_born",
    "landed_under_5",
    "landed_5_to_10",
    "landed_10_plus",
    "npr",
)
"""Immigrant status of a cell, the rows of the rate tables."""
AGE_BANDS: dict[str, tuple[int, int]] = {
    "15-24": (15, 24),
    "25-54": (25, 54),
    "55-64": (55, 64),
    "65+": (65, N_AGES - 1),
}
"""Age bands of the rates (first and last age, inclusive)."""
CORE = "25-54"
_LFS_STATUSES = STATUSES[:4]
OPTIONAL_CORE: tuple[str, ...] = ("landed_5_to_10", "landed_10_plus", "canadian_born")
"""Statuses whose employment rate 25–54 a year may publish (2023 does, 2017 does not)."""


@dataclass(frozen=True)
class LabourParameters:
    """The labour parameters, checked.

    Attributes
    ----------
    unemployment:
        Unemployment rate 25–54 by status (the four LFS statuses) and ``immigrants``.
    employment_core:
        Employment rate 25–54 of ``immigrants`` and ``landed_under_5``, and of the other
        statuses where published (:data:`OPTIONAL_CORE`).
    employment_15_plus:
        Employment rate 15+ of ``immigrants`` and ``canadian_born`` (and of the durations
        where published: checks).
    relative_participation:
        Participation of each age band relative to 25–54 (``CORE`` must be 1).
    """

    unemployment: dict[str, float]
    employment_core: dict[str, float]
    employment_15_plus: dict[str, float]
    relative_participation: dict[str, float]

    def __post_init__(self) -> None:
        _checks.shares(
            self.unemployment, "outcomes.labour.unemployment_25_54", (*_LFS_STATUSES, "immigrants")
        )
        _checks.shares(
            self.employment_core,
            "outcomes.labour.employment_rate_25_54",
            ("immigrants", "landed_under_5"),
        )
        given = [s for s in OPTIONAL_CORE[:2] if s in self.employment_core]
        if len(given) == 1:  # one settled duration alone cannot share the other's rate
            raise InputError(
                f"gives {given[0]} without {OPTIONAL_CORE[1 - OPTIONAL_CORE.index(given[0])]}",
                field="outcomes.labour.employment_rate_25_54",
                value=dict(self.employment_core),
            )
        _checks.shares(
            self.employment_15_plus,
            "outcomes.labour.employment_rate_15_plus",
            ("immigrants", "canadian_born"),
        )
        name = "outcomes.labour.relative_participation"
        missing = [band for band in AGE_BANDS if band not in self.relative_participation]
        if missing:
            raise InputError(
                f"is missing the bands {', '.join(missing)}",
                field=name,
                value=self.relative_participation,
            )
        for band in AGE_BANDS:
            _checks.non_negative(self.relative_participation[band], f"{name}.{band}")
        if self.relative_participation[CORE] != 1.0:
            raise InputError(
                "the core band 25-54 is the reference and must be 1",
                field=f"{name}.{CORE}",
                value=self.relative_participation[CORE],
            )


@cache
def load_labour_parameters(year: int | None = None, branch: str | None = None) -> LabourParameters:
    """Read ``<branch>/outcomes/labour/`` in force in ``year`` (a base's
    ``calibration.labour_year``; both default to the default base's).

    Raises
    ------
    InputError
        A missing file or field, or a rate outside [0, 1], naming the file, the field
        (``values.DATE.value.KEY``) and the value.
    """
    branch, _, manifest = _checks.branch_defaults(branch, None)
    year = manifest.calibration.labour_year if year is None else year
    tree = parameters()

    def read(
        name: str,
        keys: tuple[str, ...],
        check: Any = _checks.share,
        optional: tuple[str, ...] = (),
    ) -> dict[str, float]:
        param = _checks.read(tree, f"{branch}.outcomes.labour.{name}")
        try:
            entry = param.entry_at(year)
        except InputError:
            raise InputError(
                f"no value in force in {year}",
                source=_checks.parameter_file(param.name),
                field="values",
            ) from None
        given = entry.value if isinstance(entry.value, dict) else {}
        wanted = (*keys, *(key for key in optional if key in given))
        return {key: _checks.checked(param, entry, check, key) for key in wanted}

    durations = _LFS_STATUSES[1:]
    return LabourParameters(
        unemployment=read("unemployment_25_54", (*_LFS_STATUSES, "immigrants")),
        employment_core=read(
            "employment_rate_25_54", ("immigrants", "landed_under_5"), optional=OPTIONAL_CORE
        ),
        employment_15_plus=read(
            "employment_rate_15_plus", ("immigrants", "canadian_born"), optional=durations
        ),
        relative_participation=read(
            "relative_participation", tuple(AGE_BANDS), _checks.non_negative
        ),
    )


def state_status(space: StateSpace) -> NDArray[np.intp]:
    """Index in :data:`STATUSES` of every compact state, ``(S,)``.

    ``non_immigrant`` → born in Canada; a category at duration 0–4 → under 5 years, 5–9 →
    5 to 10, 10+ → 10 or more; ``npr`` → npr. Other single states count as born in Canada.
    """
    durations = space.duration_of_state()
    groups = space.group_of_state()
    out = np.zeros(space.n_states, dtype=np.intp)
    n_lead = len(space.leading)
    in_block = (groups >= n_lead) & (groups < n_lead + len(space.categories))
    out[in_block] = np.select(
        [durations[in_block] < 5, durations[in_block] < 10], [1, 2], default=3
    )
    if "npr" in space.groups:
        out[space.state("npr")] = STATUSES.index("npr")
    return out


def _band_of_age() -> tuple[NDArray[np.intp], list[str]]:
    """Band index of every age (−1 under 15)."""
    names = list(AGE_BANDS)
    out = np.full(N_AGES, -1, dtype=np.intp)
    for i, (first, last) in enumerate(AGE_BANDS.values()):
        out[first : last + 1] = i
    return out, names


@dataclass(frozen=True)
class LabourFit:
    """The derived core participation and how the base year reproduces the targets.

    Shares are fractions; "model" values are computed on the base population.
    """

    core_participation: dict[str, float]
    unemployment_25_54: dict[str, float]
    immigrants_unemployment_25_54: float
    immigrants_unemployment_target: float
    immigrants_employment_15_plus: float
    immigrants_employment_target: float
    canadian_born_employment_15_plus: float
    canadian_born_employment_target: float
    immigrants_employment_25_54: float = float("nan")
    """All immigrants' employment rate 25–54 on the base population: calibrated where the
    settled durations share a rate, a check where each has its own."""
    immigrants_employment_25_54_target: float = float("nan")
    employment_15_plus: dict[str, float] = field(default_factory=dict)
    """Every status's employment rate 15+ on the base population (checks of the age
    profile where published, :attr:`LabourParameters.employment_15_plus`)."""


@dataclass(frozen=True)
class LabourRates:
    """Participation and unemployment rates by compact state and age, ``(S, A)`` each."""

    participation: FloatArray
    unemployment: FloatArray
    status: NDArray[np.intp]
    fit: LabourFit | None = None

    def __post_init__(self) -> None:
        _checks.share_array(self.participation, "participation")
        _checks.share_array(self.unemployment, "unemployment")
        if self.participation.shape != self.unemployment.shape:
            raise InputError("participation and unemployment need the same shape")

    def apply(self, population: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Labour force and employed persons by year, state and age, ``(Y, S, A)`` each.

        ``population`` is ``(Y, S, K, X, A)`` or ``(Y, S, X, A)`` (persons on 1 July); the
        rates do not depend on trait or sex, so those axes are summed first.
        """
        pop = np.asarray(population, dtype=float)
        by_state_age = pop.sum(axis=tuple(range(2, pop.ndim - 1)))
        labour_force = by_state_age * self.participation
        employed = labour_force * (1.0 - self.unemployment)
        return labour_force, employed


def _rates(
    core: FloatArray, unemployment: FloatArray, relative: FloatArray, status: NDArray[np.intp]
) -> tuple[FloatArray, FloatArray]:
    """``(S, A)`` tables from core participation and unemployment by status."""
    band, _ = _band_of_age()
    rel = np.where(band >= 0, relative[np.maximum(band, 0)], 0.0)
    part = core[status][:, None] * rel[None, :]
    unemp = np.where(band[None, :] >= 0, unemployment[status][:, None], 0.0)
    return part, unemp


def calibrate_labour(
    population: FloatArray, space: StateSpace, params: LabourParameters | None = None
) -> LabourRates:
    """Derive the rate tables from the LFS figures and the base population.

    Parameters
    ----------
    population:
        Base-year persons by state, ``(S, X, A)`` or ``(S, K, X, A)``.
    space:
        The state layout.
    params:
        Labour parameters; default :func:`load_labour_parameters`.

    Returns
    -------
    LabourRates
        With the :class:`LabourFit` of the base year. The two calibrations are linear in
        the unknown and solved exactly (closed form).
    """
    p = load_labour_parameters() if params is None else params
    pop = np.asarray(population, dtype=float)
    by_state_age = pop.sum(axis=tuple(range(1, pop.ndim - 1)))  # (S, A)
    status = state_status(space)
    band, names = _band_of_age()
    relative = np.array([p.relative_participation[n] for n in names])
    unemployment = np.array(
        [p.unemployment[s] for s in _LFS_STATUSES] + [p.unemployment["landed_under_5"]]
    )
    core_ages = band == names.index(CORE)
    adults = band >= 0

    # Persons by status: core ages and, for the 15+ calibration, weighted by relative rates.
    core_n = np.array([by_state_age[status == k][:, core_ages].sum() for k in range(len(STATUSES))])
    rel_age = np.where(adults, relative[np.maximum(band, 0)], 0.0)
    weighted_15 = np.array(
        [(by_state_age[status == k] * rel_age).sum() for k in range(len(STATUSES))]
    )
    adults_n = np.array([by_state_age[status == k][:, adults].sum() for k in range(len(STATUSES))])

    core = np.zeros(len(STATUSES))
    lt5, mid, old = 1, 2, 3
    # Participation 25-54 = employment / (1 - unemployment) of each status publishing both.
    for k in (lt5, mid, old, 0):
        if STATUSES[k] in p.employment_core:
            core[k] = p.employment_core[STATUSES[k]] / (1.0 - unemployment[k])
    if STATUSES[mid] not in p.employment_core:
        # One shared rate for 5-10 and 10+ that reproduces all immigrants' employment rate
        # with the base population's mix of durations.
        settled = core_n[mid] * (1.0 - unemployment[mid]) + core_n[old] * (1.0 - unemployment[old])
        if settled <= 0.0:
            raise InputError(
                "the base population has no immigrants landed 5 years or more at 25-54"
            )
        immigrants_core = core_n[lt5] + core_n[mid] + core_n[old]
        core[mid] = core[old] = (
            p.employment_core["immigrants"] * immigrants_core
            - core_n[lt5] * core[lt5] * (1.0 - unemployment[lt5])
        ) / settled
    if STATUSES[0] not in p.employment_core:
        # The level that reproduces the employment rate 15+ over the base population.
        core[0] = (
            p.employment_15_plus["canadian_born"]
            * adults_n[0]
            / (weighted_15[0] * (1.0 - unemployment[0]))
        )
    core[STATUSES.index("npr")] = core[lt5]
    peak = core[:, None] * relative[None, :]
    if np.any(core < 0.0) or np.any(peak > 1.0):
        worst = int(np.argmax(peak.max(axis=1)))
        raise InputError(
            f"the labour parameters imply a participation rate of {peak.max():.3f} for "
            f"{STATUSES[worst]} (core {core[worst]:.3f}), outside [0, 1]",
            field="outcomes.labour",
            value=float(peak.max()),
        )
    participation, unemp = _rates(core, unemployment, relative, status)

    lf = by_state_age * participation
    employed = lf * (1.0 - unemp)
    imm = (status >= lt5) & (status <= old)

    def rate(
        num: FloatArray, den: FloatArray, states: NDArray[np.bool_], ages: NDArray[np.bool_]
    ) -> float:
        return float(num[states][:, ages].sum() / den[states][:, ages].sum())

    fit = LabourFit(
        core_participation={s: float(core[k]) for k, s in enumerate(STATUSES)},
        unemployment_25_54={
            s: 1.0 - rate(employed, lf, status == k, core_ages) for k, s in enumerate(_LFS_STATUSES)
        },
        immigrants_unemployment_25_54=1.0 - rate(employed, lf, imm, core_ages),
        immigrants_unemployment_target=p.unemployment["immigrants"],
        immigrants_employment_15_plus=rate(employed, by_state_age, imm, adults),
        immigrants_employment_target=p.employment_15_plus["immigrants"],
        canadian_born_employment_15_plus=rate(employed, by_state_age, status == 0, adults),
        canadian_born_employment_target=p.employment_15_plus["canadian_born"],
        immigrants_employment_25_54=rate(employed, by_state_age, imm, core_ages),
        immigrants_employment_25_54_target=p.employment_core["immigrants"],
        employment_15_plus={
            s: rate(employed, by_state_age, status == k, adults)
            for k, s in enumerate(_LFS_STATUSES)
        },
    )
    return LabourRates(participation=participation, unemployment=unemp, status=status, fit=fit)
