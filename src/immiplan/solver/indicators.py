"""What a target can name: every indicator as a linear count or a ratio of linear counts.

Each indicator is built from *primitives*, counts that are linear in the engine's arrays:
populations on 1 July (a weight over ``(state, trait, sex, age)``) and flows of a step
(from the admissions array). With rates fixed, every primitive is then affine in the
yearly admissions, and a ratio ``num / den ≥ x`` is the linear constraint
``num − x·den ≥ 0`` (``den > 0``).

The weights here serve the linear programme only; every answer is checked against the
projection's and the outcomes' own indicator code (:func:`official_values`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.outcomes.francization import FrancizationParameters, francization_flows
from immiplan.outcomes.french import CAN, CANNOT
from immiplan.outcomes.labour import LabourRates
from immiplan.projection.engine import ProjectionOutputs
from immiplan.projection.state import CATEGORIES, N_AGES, StateSpace

FloatArray = NDArray[np.float64]

__all__ = [
    "FLOW_PRIMITIVES",
    "INDICATORS",
    "POPULATION_PRIMITIVES",
    "Indicator",
    "Primitives",
    "indicator",
    "official_values",
]


@dataclass(frozen=True)
class Indicator:
    """One indicator a target can name.

    ``value = scale × Σ numerator / Σ denominator`` (a count when ``denominator`` is empty).
    ``flow`` indicators cover the 12 months from 1 July of the year (none in the last year).
    """

    name: str
    label: str
    unit: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    scale: float = 1.0
    flow: bool = False
    category: str | None = None

    @property
    def ratio(self) -> bool:
        """Whether the indicator is a ratio of counts."""
        return bool(self.denominator)


_POP = "persons on 1 July"
INDICATORS: dict[str, Indicator] = {
    ind.name: ind
    for ind in (
        Indicator("population", "population", _POP, ("total",)),
        Indicator("population_0_19", "population aged 0-19", _POP, ("age_0_19",)),
        Indicator("population_15_64", "population aged 15-64", _POP, ("age_15_64",)),
        Indicator("population_20_64", "population aged 20-64", _POP, ("age_20_64",)),
        Indicator("population_65_plus", "population aged 65+", _POP, ("age_65_plus",)),
        Indicator(
            "share_65_plus",
            "share aged 65+",
            "share of the population",
            ("age_65_plus",),
            ("total",),
        ),
        Indicator(
            "support_ratio",
            "potential support ratio (15-64 per 65+)",
            "persons 15-64 per person 65+ (UN)",
            ("age_15_64",),
            ("age_65_plus",),
        ),
        Indicator(
            "dependency_ratio",
            "dependency ratio",
            "(0-19 + 65+) per 100 aged 20-64 (ISQ)",
            ("age_0_19", "age_65_plus"),
            ("age_20_64",),
            scale=100.0,
        ),
        Indicator(
            "old_age_dependency",
            "old-age dependency",
            "persons 65+ per person 20-64",
            ("age_65_plus",),
            ("age_20_64",),
        ),
        Indicator(
            "labour_force", "labour force", "persons 15+ employed or unemployed", ("labour",)
        ),
        Indicator("knows_french", "persons knowing French", _POP, ("french",)),
        Indicator(
            "french_share",
            "French knowledge, whole population",
            "share able to conduct a conversation in French",
            ("french",),
            ("total",),
        ),
        Indicator(
            "french_share_immigrants",
            "French knowledge, immigrants",
            "share of permanent immigrants able to conduct a conversation in French",
            ("french_immigrants",),
            ("immigrants",),
        ),
        Indicator(
            "french_share_recent",
            "French knowledge, recent immigrants (landed under 5 years)",
            "share of immigrants landed under 5 years knowing French",
            ("french_recent",),
            ("recent",),
        ),
        Indicator(
            "francization_cost",
            "francization cost",
            "CAD of 2016-17 in the year from 1 July",
            ("francization_cost",),
            flow=True,
        ),
        Indicator(
            "admissions",
            "admissions",
            "permanent residents admitted in the year from 1 July",
            ("admissions",),
            flow=True,
        ),
        *(
            Indicator(
                f"admissions_{c}",
                f"admissions, {c}",
                "permanent residents admitted in the year from 1 July",
                (f"admissions_{c}",),
                flow=True,
                category=c,
            )
            for c in CATEGORIES
        ),
    )
}
"""Every indicator a target can name, by name."""

POPULATION_PRIMITIVES: tuple[str, ...] = (
    "total",
    "age_0_19",
    "age_15_64",
    "age_20_64",
    "age_65_plus",
    "labour",
    "french",
    "french_immigrants",
    "immigrants",
    "french_recent",
    "recent",
)
FLOW_PRIMITIVES: tuple[str, ...] = (
    "admissions",
    *(f"admissions_{c}" for c in CATEGORIES),
    "francization_cost",
)


def indicator(name: str, field: str = "target") -> Indicator:
    """The indicator ``name``; an :class:`InputError` listing the known ones otherwise."""
    if name not in INDICATORS:
        raise InputError(
            f"unknown indicator (known: {', '.join(INDICATORS)})", field=field, value=name
        )
    return INDICATORS[name]


@dataclass(frozen=True)
class Primitives:
    """Turns engine outputs into the primitive counts, ``(P, Y)``, by one matrix product.

    Attributes
    ----------
    weights:
        ``(P_pop, S·K·X·A)``: each population primitive as a weight over the cells.
    entry_french:
        Share of each step's admissions knowing French by category, ``(T, C)``.
    francization:
        The francization parameters (cost per student, participation).
    """

    weights: FloatArray
    entry_french: FloatArray
    francization: FrancizationParameters
    needs_french: frozenset[str] = frozenset({"french", "french_immigrants", "french_recent"})
    active: NDArray[np.bool_] | None = None

    @classmethod
    def build(
        cls,
        space: StateSpace,
        n_traits: int,
        non_immigrant_french: float,
        labour: LabourRates,
        entry_french: FloatArray,
        francization: FrancizationParameters,
    ) -> Primitives:
        """The weights of :data:`POPULATION_PRIMITIVES` for one layout."""
        s, x, a = space.n_states, space.n_sexes, N_AGES
        ages = np.arange(a)
        shape = (s, n_traits, x, a)

        def band(first: int, last: int) -> FloatArray:
            return np.broadcast_to(((ages >= first) & (ages <= last)).astype(float), shape)

        groups = space.group_of_state()
        durations = space.duration_of_state()
        n_lead = len(space.leading)
        block = ((groups >= n_lead) & (groups < n_lead + len(space.categories))).astype(float)
        recent_mask = block * (durations < 5)
        state_w = np.ones(shape)
        french = np.zeros(shape)
        if n_traits > CAN:
            french[:, CAN] = 1.0
            ni = space.state("non_immigrant")
            french[ni, CANNOT, :, 0] = non_immigrant_french  # the census counts age 0 so
        labour_w = np.broadcast_to(labour.participation[:, None, None, :], shape)
        by_state = {
            "total": state_w,
            "age_0_19": band(0, 19),
            "age_15_64": band(15, 64),
            "age_20_64": band(20, 64),
            "age_65_plus": band(65, a - 1),
            "labour": labour_w,
            "french": french,
            "french_immigrants": french * block[:, None, None, None],
            "immigrants": np.broadcast_to(block[:, None, None, None], shape),
            "french_recent": french * recent_mask[:, None, None, None],
            "recent": np.broadcast_to(recent_mask[:, None, None, None], shape),
        }
        weights = np.stack([np.reshape(by_state[p], -1) for p in POPULATION_PRIMITIVES])
        return cls(np.ascontiguousarray(weights), np.asarray(entry_french, float), francization)

    def only(self, names: set[str]) -> Primitives:
        """The same primitives computing only the population primitives in ``names``; the
        others come out NaN, so an unneeded row can never be mistaken for a zero (and the
        products are a fraction of the work)."""
        keep = np.array([p in names for p in POPULATION_PRIMITIVES])
        return dataclasses.replace(self, active=keep)

    def of(
        self, population: FloatArray, immigrants: FloatArray, years: NDArray[np.int64]
    ) -> FloatArray:
        """Primitive counts ``(P, Y)`` of one run.

        ``population`` is the engine's ``(Y, S, K, X, A)``; ``immigrants`` its admissions
        ``(T, C, X, A)`` (``T = Y − 1``); flows sit at the year their step starts, NaN-free
        (0) in the last year.
        """
        # einsum, not BLAS: small products where a threaded BLAS only adds contention.
        flat = population.reshape(population.shape[0], -1)
        pop = np.full((self.weights.shape[0], flat.shape[0]), np.nan)
        pop[self.rows] = np.einsum("pc,yc->py", self.weights[self.rows], flat)
        return np.concatenate([pop, self.flows(immigrants, years)])

    @property
    def rows(self) -> NDArray[np.intp]:
        """Indices of the population primitives computed."""
        if self.active is None:
            return np.arange(self.weights.shape[0])
        return np.flatnonzero(self.active)

    def flows(self, immigrants: FloatArray, years: NDArray[np.int64]) -> FloatArray:
        """Flow primitives ``(F, Y)`` of admissions ``(T, C, X, A)`` (0 in the last year);
        linear in the admissions."""
        flows = np.zeros((len(FLOW_PRIMITIVES), len(years)))
        steps = immigrants.shape[0]
        by_cat = immigrants.sum(axis=(2, 3))  # (T, C)
        flows[0, :steps] = by_cat.sum(axis=1)
        flows[1 : 1 + len(CATEGORIES), :steps] = by_cat.T
        cost = francization_flows(
            immigrants,
            self.entry_french[:steps, :, None, None],
            [int(y) for y in years[:steps]],
            self.francization,
        )["cost"]
        flows[-1, :steps] = cost
        return flows


PRIMITIVES: tuple[str, ...] = (*POPULATION_PRIMITIVES, *FLOW_PRIMITIVES)
"""Row order of :meth:`Primitives.of`."""


def official_values(
    outputs: ProjectionOutputs, projection_table: pd.DataFrame, outcomes_table: pd.DataFrame
) -> dict[str, pd.Series]:
    """Every indicator by year from the projection's and the outcomes' own tables.

    ``projection_table`` is :func:`immiplan.projection.indicators.indicator_table`,
    ``outcomes_table`` :func:`immiplan.outcomes.indicators.outcome_indicators` (tidy).
    """
    itab = projection_table.set_index("year")
    names = outcomes_table["indicator"].to_numpy(dtype=object)
    groups = outcomes_table["group"].to_numpy(dtype=object)
    years = outcomes_table["year"].to_numpy(dtype=int)
    numbers = outcomes_table["value"].to_numpy(dtype=float)
    all_years = itab.index.to_numpy(dtype=int)

    def outcome(name: str, group: str = "all") -> pd.Series:
        mask = (names == name) & (groups == group)
        if not mask.any():  # an outcome that was off (French without the trait)
            return pd.Series(np.nan, index=all_years)
        return pd.Series(numbers[mask], index=years[mask])

    w15, w20, old = (
        outcome("population_15_64"),
        outcome("population_20_64"),
        outcome("population_65_plus"),
    )
    values = {
        "population": itab["population"],
        "population_0_19": itab["share_0_19"] * itab["population"] / 100.0,
        "population_15_64": w15,
        "population_20_64": w20,
        "population_65_plus": old,
        "share_65_plus": itab["share_65_plus"] / 100.0,
        "support_ratio": w15 / old,
        "dependency_ratio": itab["dependency_ratio"],
        "old_age_dependency": outcome("old_age_dependency"),
        "labour_force": outcome("labour_force"),
        "knows_french": outcome("knows_french"),
        "french_share": outcome("french_share"),
        "french_share_immigrants": outcome("french_share", "immigrants"),
        "french_share_recent": outcome("french_share", "landed_under_5"),
        "francization_cost": outcome("francization_cost"),
        "admissions": outcome("admissions"),
    }
    steps = outputs.immigrants.shape[0]
    years = np.asarray(outputs.years)[:steps]
    for c, name in enumerate(CATEGORIES):
        values[f"admissions_{name}"] = pd.Series(outputs.immigrants[:, c], index=years)
    return {k: pd.Series(v, dtype=float) for k, v in values.items()}
