"""Everything a solve needs that does not depend on the decision, built once per base.

A :class:`Context` holds one prepared scenario (the assumptions: fertility, mortality,
migration, the NPR stock, and the path of admissions the plan starts from), its engine
inputs with the French trait, the admissions' age-sex profiles and the primitive weights.
It is cached by ``(base, scenario, horizon)``: a second solve on the same base starts at once.

The French shares at entry are held *by category* at the assumptions' values when levels
change (a plan's all-category French target is a result of its mix, not a constraint), so
that every indicator stays affine in the admissions.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.outcomes.francization import FrancizationParameters
from immiplan.outcomes.french import FrenchModel
from immiplan.outcomes.labour import LabourRates
from immiplan.outcomes.run import (
    add_french,
    francization_parameters,
    french_model,
    labour_rates,
    plan_targets,
)
from immiplan.projection.engine import ProjectionInputs
from immiplan.projection.quebec import admissions_by_period
from immiplan.projection.scenario import PreparedScenario, load_scenario, prepare
from immiplan.projection.state import CATEGORIES
from immiplan.solver.indicators import Primitives
from immiplan.system.parameters import data_root, load_yaml

FloatArray = NDArray[np.float64]

__all__ = ["Context", "build_context", "default_scenario", "known_bases"]


def known_bases() -> list[str]:
    """Bases the project knows (``immiplan.projection.bases.list_bases`` where it exists)."""
    try:
        from immiplan.projection import bases as _bases

        return list(_bases.list_bases())
    except (ImportError, AttributeError):
        return sorted(_solver_defaults())


@cache
def _solver_defaults() -> dict[str, str]:
    raw = load_yaml(data_root() / "solver" / "defaults.yaml")
    return {str(k): str(v["scenario"]) for k, v in raw["bases"].items()}


def default_scenario(base: str) -> str:
    """The shipped scenario whose assumptions a solve on ``base`` uses by default."""
    defaults = _solver_defaults()
    if base in defaults:
        return defaults[base]
    from immiplan.projection.scenario import shipped_scenarios

    for name in shipped_scenarios():
        if getattr(load_scenario(name).scenario, "base", None) == base:
            return name
    raise InputError(
        f"no shipped scenario gives the assumptions of base {base!r}; name one with --scenario",
        field="--base",
        value=base,
    )


def _scenario_base(prepared: PreparedScenario) -> str:
    return str(getattr(prepared.scenario, "base", None) or "quebec-2018")


@dataclass(frozen=True)
class Context:
    """The fixed part of a solve (see the module docstring).

    Attributes
    ----------
    base, scenario:
        The base's name and the assumptions scenario's name.
    prepared:
        The prepared assumptions scenario (horizon = the solve's horizon).
    inputs:
        Engine inputs with the French trait and the entry shares of every step.
    profiles:
        Age-sex shares of each step's admissions by category, ``(T, C, X, A)``.
    levels:
        The assumptions' calendar-year admissions by category, ``{year: (C,)}``.
    primitives:
        The primitive weights (:class:`~immiplan.solver.indicators.Primitives`).
    french, labour, francization:
        The outcome models, for the forward verification by the outcomes' own code.
    """

    base: str
    scenario: str
    prepared: PreparedScenario
    inputs: ProjectionInputs
    profiles: FloatArray
    levels: dict[int, FloatArray]
    primitives: Primitives
    french: FrenchModel
    labour: LabourRates
    francization: FrancizationParameters
    entry_french: FloatArray
    plain: Context | None = None
    memo: dict[Any, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    """Results that depend on the context alone (the projection without admissions from a
    given year), kept for the next solve on it."""
    """The same context without the French trait (``K = 1``): half the engine's work, for
    solves whose targets do not name knowledge of French (totals never depend on a trait)."""

    def for_targets(self, french: bool) -> Context:
        """This context, or its one-trait twin when no target needs the French trait."""
        return self if french or self.plain is None else self.plain

    @property
    def first_year(self) -> int:
        """The first 1 July of the outputs (the base year)."""
        return int(self.inputs.base_year)

    @property
    def horizon(self) -> int:
        """The last 1 July projected."""
        return int(self.inputs.base_year + self.inputs.steps)

    @property
    def years(self) -> NDArray[np.int64]:
        """Output years, ``(Y,)``."""
        return self.inputs.years

    def immigrants(self, levels: dict[int, FloatArray]) -> FloatArray:
        """Engine admissions ``(T, C, X, A)`` from calendar-year levels ``{year: (C,)}``."""
        periods = admissions_by_period(levels, self.first_year, self.horizon - 1)
        return np.asarray(periods[:, :, None, None] * self.profiles, dtype=float)

    def with_immigrants(self, immigrants: FloatArray) -> ProjectionInputs:
        """The inputs with other admissions.

        The rest of the inputs were validated once when the context was built; only the
        admissions are checked here (shape, finite, not negative), so that the many runs of
        a solve do not re-validate every rate array.
        """
        return replace_validated(
            self.inputs, immigrants=_admissions(immigrants, self.inputs.immigrants.shape)
        )

    def metadata(self) -> dict[str, Any]:
        """JSON-friendly description of the context."""
        return {
            "base": self.base,
            "scenario": self.scenario,
            "first_year": self.first_year,
            "horizon": self.horizon,
        }


def _admissions(immigrants: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    array = np.ascontiguousarray(immigrants, dtype=float)
    if array.shape != shape:
        raise InputError(
            f"admissions must have shape {shape}, got {array.shape}", field="immigrants"
        )
    if not np.isfinite(array).all() or array.min(initial=0.0) < -1e-9:
        raise InputError("admissions must be finite and not negative", field="immigrants")
    return np.maximum(array, 0.0)


def replace_validated(inputs: ProjectionInputs, **changes: Any) -> ProjectionInputs:
    """A copy of validated inputs with some fields changed, without validating again.

    For slices and admissions derived from inputs that were validated (the caller keeps them
    consistent); :func:`dataclasses.replace` would check every array again.
    """
    new = copy.copy(inputs)
    for name, value in changes.items():
        object.__setattr__(new, name, value)
    return new


def _profiles(prepared: PreparedScenario) -> FloatArray:
    """Admissions' age-sex shares by step and category, from the prepared admissions.

    A step where a category has no admissions takes the mean shape of its other steps
    (or, where it never has any, the mean over categories).
    """
    imm = np.asarray(prepared.inputs.immigrants, dtype=float)
    totals = imm.sum(axis=(2, 3), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(totals > 0, imm / totals, np.nan)
    filled = np.nanmean(shares, axis=0) if np.isfinite(shares).any() else None
    if filled is None or not np.isfinite(filled).all():
        from immiplan.projection.bases import DEFAULT_BASE, load_base

        fallback = np.asarray(load_base(DEFAULT_BASE).category_profiles, dtype=float)
        filled = fallback if filled is None else np.where(np.isfinite(filled), filled, fallback)
    return np.asarray(np.where(np.isfinite(shares), shares, filled[None]), dtype=float)


@cache
def build_context(base: str, scenario: str | None, horizon: int) -> Context:
    """Prepare the fixed part of a solve on ``base`` to 1 July of ``horizon``.

    Parameters
    ----------
    base:
        A base known to the project (:func:`known_bases`).
    scenario:
        A shipped scenario name or file giving the assumptions and the starting path of
        admissions; ``None`` = the base's default (:func:`default_scenario`).
    horizon:
        The last year projected.
    """
    bases = known_bases()
    if base not in bases:
        raise InputError(f"unknown base (known: {', '.join(bases)})", field="--base", value=base)
    name = default_scenario(base) if scenario is None else scenario
    loaded = load_scenario(name)
    prepared = prepare(loaded, horizon=horizon)
    if _scenario_base(prepared) != base:
        raise InputError(
            f"scenario {name!r} is on base {_scenario_base(prepared)!r}, not {base!r}",
            field="--scenario",
            value=name,
        )
    targets = plan_targets(prepared.scenario.immigration.plans)
    french = add_french(
        prepared.inputs, targets=targets, model=french_model(base), selection=prepared.selection
    )
    inputs = dataclasses.replace(french.inputs, entry_traits=french.entry_traits)
    population = np.ascontiguousarray(prepared.inputs.population.sum(axis=1))
    labour = labour_rates(population, prepared.inputs.space, base)
    francization = francization_parameters(base)
    primitives = Primitives.build(
        inputs.space,
        inputs.n_traits,
        french.model.non_immigrant,
        labour,
        french.entry,
        francization,
    )
    levels = {int(y): np.asarray(v, dtype=float) for y, v in prepared.levels.items()}
    missing = [y for y in range(int(inputs.base_year), horizon + 1) if y not in levels]
    if missing:
        raise InputError(
            f"the scenario gives no admissions for {missing[:3]}", field="--scenario", value=name
        )
    if len(CATEGORIES) != len(inputs.space.categories):
        raise InputError("the solver needs the four admission categories", field="--scenario")
    full = Context(
        base=base,
        scenario=str(name),
        prepared=prepared,
        inputs=inputs,
        profiles=_profiles(prepared),
        levels=levels,
        primitives=primitives,
        french=french.model,
        labour=labour,
        francization=francization,
        entry_french=french.entry,
    )
    plain_primitives = Primitives.build(
        prepared.inputs.space, 1, french.model.non_immigrant, labour, french.entry, francization
    )
    plain = dataclasses.replace(full, inputs=prepared.inputs, primitives=plain_primitives)
    return dataclasses.replace(full, plain=plain)
