"""The multistate cohort-component engine: arrays in, arrays out, one loop over years.

:func:`project` advances a population ``P[state, trait, sex, age]`` (layout in
:mod:`immiplan.projection.state`) by annual steps from 1 July to 1 July. Everything it
needs is in a :class:`ProjectionInputs` of NumPy arrays indexed by step; it does no I/O.
Step ``i`` runs from 1 July of ``base_year + i`` to 1 July of the next year.

Conventions of one step (UN ccmppWPP algebra, extended to states; ``h`` =
``migration_at_start``, 0.5 for the UN "even" timing, 0 for "end"):

1. *Rate-based migration* (net emigration, net interprovincial) is counted on the
   population at the start: ``NM = P·(m − e)`` per cell (cohort convention: the cell is
   the cohort aged ``a`` on 1 July, which is aged ``a + 1`` at the end).
2. *Immigration*: admissions ``I[c, sex, a]`` by category and age at the start. A share
   of them are transitions from the non-permanent-resident (NPR) stock, taken from the
   NPR cell of the same sex and age (capped by what is there; the rest come from abroad),
   so transitions move people between groups without adding any: the plan's level counts
   them once. Transitions happen at the start; arrivals from abroad follow the timing.
3. ``P* = P + h·NM`` (+ ``h`` of the exogenous net migration and arrivals). Deaths are
   ``P*·(1 − S)`` where ``S[sex, a]`` is the share of those aged ``a`` at the start alive
   at the end (``S[99] = S[100] = T_100/T_99``, the UN open-group ratio).
4. Survivors plus the end share ``(1 − h)`` of migrants age one year: age ``a → a + 1``
   (the open group keeps its own), immigrant duration ``d → d + 1`` (10+ keeps its own);
   arrivals land at duration 0.
5. The optional NPR stock path sets the NPR group to its target at the end (net NPR
   arrivals, positive or negative, counted as a migration component).
6. Births: ``B = Σ f_a·((1 − w)·F*_a + w·F'_a)`` with ``F*``/``F'`` the start
   (migration-adjusted) and end female populations of age ``a`` (``w`` =
   ``birth_exposure_end``, 0.5 in the UN method), split by sex with ``birth_sex_shares``
   and surviving to age 0 with ``L_0/l_0``. Newborns enter ``space.newborn_state``
   (non-immigrants) in trait ``newborn_trait``, whatever the mother's group.

Per step the flows close the accounting identity exactly (to rounding)::

    ΣP(t+1) − ΣP(t) = births − deaths + immigrants − npr_transitions + npr_net
                      − emigration + interprovincial + other_migration

The trait axis (``K`` traits) is carried by every operation: rates broadcast over it,
arrivals come with a share over traits, transitions from the NPR stock keep the cell's
trait mix, and after survival a per-cell progression moves people from trait ``k`` to
``k + 1`` with a given yearly probability. Totals never depend on the trait split.

*Trajectories.* The population and every per-step input that may differ between
trajectories (:data:`BATCHED_FIELDS`: population, survival, newborn survival, asfr,
birth sex shares, emigration, interprovincial, immigrants, NPR transition shares, NPR
stock, exogenous net migration, and the multipliers of the emigration and
interprovincial rates) may carry an optional leading axis of ``R`` trajectories; fields
given without it are shared by all. One call then advances all ``R`` projections
together and every output carries the same leading axis. Inside, the trajectory axis is
the *last* (innermost) axis of every work array, so each NumPy operation runs over
``R`` contiguous values and the code of one step is the same as for one run; the only
Python loop stays over years. Each trajectory's numbers equal those of its own
unbatched run to rounding (a batched sum adds in another order). The trait shares of
arrivals and the trait progression are shared by all trajectories; a
:data:`TraitTransition` callable receives, in a batched run, the survivors as
``(S, K, X, A, R)`` and may return ``(S, K − 1, X, A)`` or ``(S, K − 1, X, A, R)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.state import N_AGES, StateSpace

FloatArray = NDArray[np.float64]
TraitTransition = Callable[[int, int, FloatArray], FloatArray]
"""``f(step, year, survivors)`` → yearly probabilities of moving from trait ``k`` to
``k + 1``, broadcastable to ``(state, K − 1, sex, age)``; ``survivors`` is the
``(state, K, sex, age)`` array after survival (read-only by convention)."""

BATCHED_FIELDS: tuple[str, ...] = (
    "emigration_scale",
    "interprovincial_scale",
    "population",
    "survival",
    "newborn_survival",
    "asfr",
    "birth_sex_shares",
    "emigration",
    "interprovincial",
    "immigrants",
    "npr_transition_share",
    "npr_stock",
    "net_migration",
)
"""Inputs that may carry a leading trajectory axis ``R`` (see the module docstring)."""

__all__ = [
    "BATCHED_FIELDS",
    "ProjectionInputs",
    "ProjectionOutputs",
    "TraitTransition",
    "project",
    "with_traits",
]


def _array(
    value: object, name: str, shape: tuple[int, ...], batch: list[int] | None = None
) -> FloatArray:
    """``value`` as a finite float array of ``shape``; with ``batch`` (the trajectory
    counts seen so far), ``(R, *shape)`` is accepted too and ``R`` appended to it."""
    array = np.asarray(value, dtype=float)
    if batch is not None and array.ndim == len(shape) + 1 and array.shape[1:] == shape:
        if array.shape[0] < 1:
            raise InputError(f"{name} has an empty trajectory axis", field=name, value=0)
        if batch and array.shape[0] != batch[0]:
            raise InputError(
                f"{name} has {array.shape[0]} trajectories, other inputs {batch[0]}",
                field=name,
                value=array.shape[0],
            )
        batch.append(array.shape[0])
    elif array.shape != shape:
        wanted = f"{shape} or (trajectories, *{shape})" if batch is not None else f"{shape}"
        raise InputError(f"{name} must have shape {wanted}, got {array.shape}", field=name)
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} must be finite (no NaN or infinity)", field=name)
    return np.ascontiguousarray(array)


def _in_unit(array: FloatArray, name: str) -> None:
    if array.size and (array.min() < 0.0 or array.max() > 1.0):
        bad = array.min() if array.min() < 0.0 else array.max()
        raise InputError(f"{name} must lie in [0, 1]", field=name, value=float(bad))


def _not_negative(array: FloatArray, name: str) -> None:
    if array.size and array.min() < 0.0:
        raise InputError(f"{name} must not be negative", field=name, value=float(array.min()))


@dataclass(frozen=True)
class ProjectionInputs:
    """Everything one projection needs, as arrays by step (no I/O, no defaults hidden).

    ``T`` steps, ``S`` states (``space.n_states``), ``K`` traits, ``X`` sexes, ``A = 101``
    ages, ``C`` categories (``len(space.categories)``). Step ``i`` covers 1 July of
    ``base_year + i`` to 1 July of ``base_year + i + 1``. Every field of
    :data:`BATCHED_FIELDS` may carry a leading trajectory axis ``R`` (the shapes below
    then start with ``R``); :attr:`trajectories` is ``R``, or ``None`` for one run.

    Attributes
    ----------
    space:
        The state layout.
    base_year:
        Year of the starting population (1 July).
    population:
        Persons on 1 July of ``base_year``, ``(S, K, X, A)``.
    survival:
        Share of those aged ``a`` on 1 July alive a year later, ``(T, X, A)``; from a life
        table ``S[a] = L_{a+1}/L_a`` and ``S[99] = S[100] = T_100/T_99``.
    newborn_survival:
        Share of the step's births alive at its end, ``L_0/l_0``, ``(T, X)``.
    asfr:
        Births per woman per year by age ``a`` of mother, ``(T, A)``.
    birth_sex_shares:
        Share of births of each sex, ``(T, X)``, rows summing to 1 (``1/(1+SRB)``,
        ``SRB/(1+SRB)`` for two sexes).
    emigration:
        Net emigrants per person on 1 July (positive = loss), ``(T, S, X, A)``.
    interprovincial:
        Net interprovincial migrants per person on 1 July (positive = gain),
        ``(T, S, X, A)``.
    immigrants:
        Admissions of permanent residents during the step by category, sex and age on
        1 July at the start, ``(T, C, X, A)`` (persons).
    npr_transition_share:
        Share of each category's admissions that come from the NPR stock, ``(T, C)``.
    npr_stock:
        Target NPR stock on 1 July at the end of each step, ``(T, X, A)``, or ``None``.
    net_migration:
        Exogenous net migrants by state, sex and age (UN ccmppWPP convention: ``h`` of them
        join cell ``a`` at the start, the rest cell ``a`` at the end), ``(T, S, X, A)``,
        or ``None``.
    migration_at_start:
        ``h``: share of migrants counted at the start of the step and exposed to its
        survival and fertility (0.5 = UN "even", 0 = "end").
    birth_exposure_end:
        ``w``: weight of the end female population in the births' exposure (0.5 = UN).
    n_traits:
        ``K``.
    entry_traits:
        Share of arrivals from abroad in each trait, ``(C, X, A, K)`` for every step or
        ``(T, C, X, A, K)`` step by step; ``None`` = trait 0.
    npr_entry_traits:
        Share of net NPR arrivals in each trait, ``(X, A, K)`` or ``(T, X, A, K)``;
        ``None`` = trait 0.
    newborn_trait:
        Trait index of newborns.
    trait_transition:
        Yearly probability of moving from trait ``k`` to ``k + 1`` after survival, by
        state, sex and age at the start: an array ``(T, S, K − 1, X, A)``, a callable
        (:data:`TraitTransition`), or ``None``.
    npr_state:
        Index of the NPR state, or ``None`` when the layout has none.
    emigration_scale, interprovincial_scale:
        Multipliers of each step's ``emigration`` / ``interprovincial`` rates, ``(T,)`` or
        ``(R, T)`` by trajectory, or ``None`` (= 1): a level that varies by trajectory
        without a copy of the ``(T, S, X, A)`` schedule per trajectory.
    """

    space: StateSpace
    base_year: int
    population: FloatArray
    survival: FloatArray
    newborn_survival: FloatArray
    asfr: FloatArray
    birth_sex_shares: FloatArray
    emigration: FloatArray
    interprovincial: FloatArray
    immigrants: FloatArray
    npr_transition_share: FloatArray
    npr_stock: FloatArray | None = None
    net_migration: FloatArray | None = None
    migration_at_start: float = 0.5
    birth_exposure_end: float = 0.5
    n_traits: int = 1
    entry_traits: FloatArray | None = None
    npr_entry_traits: FloatArray | None = None
    newborn_trait: int = 0
    trait_transition: FloatArray | TraitTransition | None = None
    npr_state: int | None = None
    emigration_scale: FloatArray | None = None
    interprovincial_scale: FloatArray | None = None
    trajectories: int | None = dataclasses.field(default=None, init=False, compare=False)
    """``R`` when some input carries a trajectory axis, else ``None`` (set on validation)."""

    @property
    def steps(self) -> int:
        """Number of annual steps ``T``."""
        return int(self.survival.shape[-3])

    @property
    def years(self) -> NDArray[np.int64]:
        """The ``T + 1`` dates (1 July of each year) of the output populations."""
        return np.arange(self.base_year, self.base_year + self.steps + 1)

    def __post_init__(self) -> None:
        sp = self.space
        t = np.asarray(self.survival).shape[-3] if np.ndim(self.survival) in (3, 4) else -1
        if t < 1:
            raise InputError("survival must have shape (steps, sexes, 101)", field="survival")
        r: list[int] = []  # trajectory counts of the batched fields
        s, k, x, c = sp.n_states, int(self.n_traits), sp.n_sexes, len(sp.categories)
        if k < 1:
            raise InputError("n_traits must be at least 1", field="n_traits", value=k)
        a = N_AGES
        put = object.__setattr__
        put(self, "population", _array(self.population, "population", (s, k, x, a), r))
        _not_negative(self.population, "population")
        put(self, "survival", _array(self.survival, "survival", (t, x, a), r))
        _in_unit(self.survival, "survival")
        put(self, "newborn_survival", _array(self.newborn_survival, "newborn_survival", (t, x), r))
        _in_unit(self.newborn_survival, "newborn_survival")
        put(self, "asfr", _array(self.asfr, "asfr", (t, a), r))
        _not_negative(self.asfr, "asfr")
        put(self, "birth_sex_shares", _array(self.birth_sex_shares, "birth_sex_shares", (t, x), r))
        _in_unit(self.birth_sex_shares, "birth_sex_shares")
        if not np.allclose(self.birth_sex_shares.sum(axis=-1), 1.0, atol=1e-12):
            raise InputError("birth_sex_shares must sum to 1 each step", field="birth_sex_shares")
        put(self, "emigration", _array(self.emigration, "emigration", (t, s, x, a), r))
        put(
            self,
            "interprovincial",
            _array(self.interprovincial, "interprovincial", (t, s, x, a), r),
        )
        for name in ("emigration", "interprovincial"):
            rates = getattr(self, name)
            scale_name = f"{name}_scale"
            scale = getattr(self, scale_name)
            largest = float(np.abs(rates).max()) if rates.size else 0.0
            if scale is not None:
                scale = _array(scale, scale_name, (t,), r)
                _not_negative(scale, scale_name)
                put(self, scale_name, scale)
                largest *= float(scale.max())
            if largest > 1.0:
                raise InputError(f"{name} rates must lie in [-1, 1]", field=name, value=largest)
        put(self, "immigrants", _array(self.immigrants, "immigrants", (t, c, x, a), r))
        _not_negative(self.immigrants, "immigrants")
        put(
            self,
            "npr_transition_share",
            _array(self.npr_transition_share, "npr_transition_share", (t, c), r),
        )
        _in_unit(self.npr_transition_share, "npr_transition_share")
        if self.npr_state is None and (
            self.npr_stock is not None or np.any(self.npr_transition_share > 0)
        ):
            raise InputError("an NPR stock or transitions need an npr_state", field="npr_state")
        if self.npr_state is not None and not 0 <= self.npr_state < s:
            raise InputError("npr_state outside the state axis", field="npr_state")
        if self.npr_stock is not None:
            put(self, "npr_stock", _array(self.npr_stock, "npr_stock", (t, x, a), r))
            _not_negative(self.npr_stock, "npr_stock")
        if self.net_migration is not None:
            put(self, "net_migration", _array(self.net_migration, "net_migration", (t, s, x, a), r))
        for name in ("migration_at_start", "birth_exposure_end"):
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise InputError(f"{name} must lie in [0, 1]", field=name, value=value)
        if not 0 <= self.newborn_trait < k:
            raise InputError("newborn_trait outside 0..K-1", field="newborn_trait")
        if self.entry_traits is not None:
            arrivals: tuple[int, ...] = (c, x, a, k)
            if np.ndim(self.entry_traits) == 5:
                arrivals = (t, *arrivals)
            put(self, "entry_traits", _traits(self.entry_traits, "entry_traits", arrivals))
        if self.npr_entry_traits is not None:
            npr_shape: tuple[int, ...] = (x, a, k)
            if np.ndim(self.npr_entry_traits) == 4:
                npr_shape = (t, *npr_shape)
            put(
                self,
                "npr_entry_traits",
                _traits(self.npr_entry_traits, "npr_entry_traits", npr_shape),
            )
        if self.trait_transition is not None and not callable(self.trait_transition):
            if k < 2:
                raise InputError("a trait transition needs n_traits >= 2", field="trait_transition")
            put(
                self,
                "trait_transition",
                _array(self.trait_transition, "trait_transition", (t, s, k - 1, x, a)),
            )
            _in_unit(np.asarray(self.trait_transition), "trait_transition")
        put(self, "trajectories", r[0] if r else None)


def with_traits(
    inputs: ProjectionInputs,
    population_shares: FloatArray,
    *,
    entry_traits: FloatArray | None = None,
    npr_entry_traits: FloatArray | None = None,
    newborn_trait: int = 0,
    trait_transition: FloatArray | TraitTransition | None = None,
) -> ProjectionInputs:
    """Give one-trait inputs a trait axis of ``K`` traits.

    Parameters
    ----------
    inputs:
        Inputs with ``n_traits == 1`` (e.g. ``prepare(load_scenario(...)).inputs``).
    population_shares:
        Share of each base-year cell in each trait, ``(S, X, A, K)``, summing to 1 over
        ``K``; ``K`` is read from its last axis.
    entry_traits, npr_entry_traits, newborn_trait, trait_transition:
        As in :class:`ProjectionInputs` (arrivals' trait shares, newborns' trait, and the
        yearly progression from trait ``k`` to ``k + 1``).

    Returns
    -------
    ProjectionInputs
        The same inputs with ``population`` split over the traits; every rate unchanged,
        so totals do not depend on the split.
    """
    if inputs.n_traits != 1:
        raise InputError("these inputs already carry traits", field="n_traits")
    sp = inputs.space
    shares = np.asarray(population_shares, dtype=float)
    if shares.ndim != 4 or shares.shape[:3] != (sp.n_states, sp.n_sexes, N_AGES):
        raise InputError(
            f"population_shares must have shape ({sp.n_states}, {sp.n_sexes}, {N_AGES}, K)",
            field="population_shares",
        )
    shares = _traits(shares, "population_shares", shares.shape)
    population = inputs.population[..., 0, :, :, None] * shares  # ([R,] S, X, A, K)
    return dataclasses.replace(
        inputs,
        population=np.moveaxis(population, -1, -3),
        n_traits=shares.shape[-1],
        entry_traits=entry_traits,
        npr_entry_traits=npr_entry_traits,
        newborn_trait=newborn_trait,
        trait_transition=trait_transition,
    )


def _traits(value: object, name: str, shape: tuple[int, ...]) -> FloatArray:
    array = _array(value, name, shape)
    _in_unit(array, name)
    if not np.allclose(array.sum(axis=-1), 1.0, atol=1e-9):
        raise InputError(f"{name} must sum to 1 over traits in every cell", field=name)
    return array


@dataclass(frozen=True)
class ProjectionOutputs:
    """What :func:`project` returns: populations on 1 July and the flows of each step.

    With ``R`` trajectories (``inputs.trajectories``) every array below carries a leading
    axis of length ``R``.

    Attributes
    ----------
    inputs:
        The inputs (for the layout, the years and the metadata).
    population:
        Persons on 1 July of each of the ``T + 1`` years, ``(T + 1, S, K, X, A)``.
    births:
        Births during each step by sex, ``(T, X)``.
    deaths:
        Deaths during each step by sex (including the step's newborns), ``(T, X)``.
    immigrants:
        Admissions during each step by category, ``(T, C)`` (transitions included).
    npr_transitions:
        The part of the admissions that came from the NPR stock, ``(T, C)``.
    emigration:
        Net emigrants (positive = loss), ``(T,)``.
    interprovincial:
        Net interprovincial migrants (positive = gain), ``(T,)``.
    npr_net:
        Net NPR arrivals from outside Quebec set by the NPR stock path, ``(T,)``.
    other_migration:
        Exogenous net migration, ``(T,)``.
    """

    inputs: ProjectionInputs
    population: FloatArray
    births: FloatArray
    deaths: FloatArray
    immigrants: FloatArray
    npr_transitions: FloatArray
    emigration: FloatArray
    interprovincial: FloatArray
    npr_net: FloatArray
    other_migration: FloatArray

    @property
    def years(self) -> NDArray[np.int64]:
        """The ``T + 1`` years of :attr:`population`."""
        return self.inputs.years

    @property
    def totals(self) -> FloatArray:
        """Total population on 1 July of each year, ``([R,] T + 1)``."""
        return np.asarray(self.population.sum(axis=(-4, -3, -2, -1)), dtype=float)

    def growth_from_components(self) -> FloatArray:
        """``births − deaths + every migration component`` per step, ``([R,] T)``."""
        return np.asarray(
            self.births.sum(axis=-1)
            - self.deaths.sum(axis=-1)
            + self.immigrants.sum(axis=-1)
            - self.npr_transitions.sum(axis=-1)
            + self.npr_net
            - self.emigration
            + self.interprovincial
            + self.other_migration,
            dtype=float,
        )


def project(
    inputs: ProjectionInputs, *, reduce: Callable[[FloatArray], FloatArray] | None = None
) -> ProjectionOutputs:
    """Run the projection described by ``inputs`` (see the module docstring).

    Parameters
    ----------
    inputs:
        Validated arrays by step, optionally with a leading trajectory axis on the fields
        of :data:`BATCHED_FIELDS`.
    reduce:
        Keep only what this function makes of each year's population instead of the
        whole state (e.g. ``lambda p: p.sum(axis=(0, 1))`` for sex × age): the engine then
        holds two years in memory, not ``T + 1``, which is what lets thousands of
        trajectories run in bounded memory. It receives ``(S, K, X, A)``, or in a batched
        run ``(S, K, X, A, R)`` (trajectories last), and must keep that last axis; the
        outputs' ``population`` is then ``([R,] T + 1, *reduced)``.

    Returns
    -------
    ProjectionOutputs
        Populations on 1 July of every year from ``base_year`` to ``base_year + T`` and the
        flows of each step (persons), each with a leading trajectory axis when
        ``inputs.trajectories`` is set.
    """
    inp = inputs
    sp = inp.space
    n_t = inp.steps
    n_s, n_k, n_x, n_a = inp.population.shape[-4:]
    n_c = len(sp.categories)
    n_d = sp.n_durations
    h = float(inp.migration_at_start)
    w_end = float(inp.birth_exposure_end)
    blk = sp.block
    entry = slice(blk.start, blk.stop, n_d)  # the duration-0 state of each category
    newborn = sp.newborn_state
    npr = inp.npr_state
    multi_trait = n_k > 1
    n_r = inp.trajectories
    # Work arrays carry the trajectory axis last (``tail``); shared inputs get a
    # broadcast one (``last``: a view, no copy).
    tail: tuple[int, ...] = () if n_r is None else (n_r,)
    last: tuple[Any, ...] = () if n_r is None else (..., None)

    def given(name: str, core: int) -> FloatArray:
        """Input ``name`` (``core`` axes unbatched) laid out with the trajectories last."""
        array: FloatArray = getattr(inp, name)
        if n_r is None:
            return array
        if array.ndim == core:
            return np.broadcast_to(array[..., None], (*array.shape, n_r))
        return np.ascontiguousarray(np.moveaxis(array, 0, -1))

    def shared(array: FloatArray) -> FloatArray:
        """A shared array with the trajectory axis of length 1 (to broadcast)."""
        return array if n_r is None else array[last]

    survival = given("survival", 3)
    newborn_survival = given("newborn_survival", 2)
    asfr = given("asfr", 2)
    sex_shares = given("birth_sex_shares", 2)
    emigration = given("emigration", 4)
    interprovincial = given("interprovincial", 4)
    admissions = given("immigrants", 4)
    share = given("npr_transition_share", 2)
    npr_stock = None if inp.npr_stock is None else given("npr_stock", 3)
    exo = None if inp.net_migration is None else given("net_migration", 4)
    emig_scale = None if inp.emigration_scale is None else given("emigration_scale", 1)
    interp_scale = None if inp.interprovincial_scale is None else given("interprovincial_scale", 1)

    if reduce is None:
        pop = np.empty((n_t + 1, n_s, n_k, n_x, n_a, *tail))
    else:  # two alternating years
        pop = np.empty((2, n_s, n_k, n_x, n_a, *tail))
    pop[0] = inp.population if n_r is None else given("population", 4)
    kept: list[FloatArray] = [] if reduce is None else [np.array(reduce(pop[0]))]
    births = np.zeros((n_t, n_x, *tail))
    deaths = np.zeros((n_t, n_x, *tail))
    immigrants = admissions.sum(axis=(2, 3))
    transitions = np.zeros((n_t, n_c, *tail))
    emig_out = np.zeros((n_t, *tail))
    interp_out = np.zeros((n_t, *tail))
    npr_net = np.zeros((n_t, *tail))
    other = np.zeros((n_t, *tail))

    # Per-step arrays computed once, outside the loop.
    deaths_weight = 1.0 - survival  # (T, X, A[, R])
    take_transitions = npr is not None and bool(np.any(share > 0))
    # Trait shares of arrivals by step: (T, C, K, X, A) and (T, K, X, A).
    if inp.entry_traits is None:
        entry_by_step = np.zeros((1, n_c, n_k, n_x, n_a))
        entry_by_step[:, :, 0] = 1.0
    else:
        traits = inp.entry_traits if inp.entry_traits.ndim == 5 else inp.entry_traits[None]
        entry_by_step = np.ascontiguousarray(np.moveaxis(traits, -1, 2))
    if inp.npr_entry_traits is None:
        npr_by_step = np.zeros((1, n_k, n_x, n_a))
        npr_by_step[:, 0] = 1.0
    else:
        npr_in = inp.npr_entry_traits
        npr_by_step = np.ascontiguousarray(
            np.moveaxis(npr_in if npr_in.ndim == 4 else npr_in[None], -1, 1)
        )
    entry_varies = entry_by_step.shape[0] > 1
    npr_varies = npr_by_step.shape[0] > 1
    if exo is not None:
        other[:] = exo.sum(axis=(1, 2, 3))
    trans = inp.trait_transition
    trans_fn = trans if callable(trans) else None
    trans_array = None if (trans is None or callable(trans)) else np.asarray(trans)
    fem = 0  # the female row of the sex axis (the only row in a one-sex layout)

    # Work buffers, reused every step.
    start = np.empty((n_s, n_k, n_x, n_a, *tail))
    moved = np.empty((n_s, n_k, n_x, n_a, *tail))
    surv = np.empty((n_s, n_k, n_x, n_a, *tail))
    ent = np.empty((n_c, n_k, n_x, n_a, *tail))
    late = np.empty((n_c, n_k, n_x, n_a, *tail))

    for i in range(n_t):
        p, new = (pop[i], pop[i + 1]) if reduce is None else (pop[i % 2], pop[(i + 1) % 2])
        sv = survival[i]
        emig_i = emigration[i] if emig_scale is None else emigration[i] * emig_scale[i]
        interp_i = (
            interprovincial[i] if interp_scale is None else interprovincial[i] * interp_scale[i]
        )

        # 1. rate-based net migration, counted on the start population.
        np.multiply(p, (interp_i - emig_i)[:, None], out=moved)
        p_by_state = p.sum(axis=1) if multi_trait else p[:, 0]
        emig_out[i] = _dot(p_by_state, emig_i, n_r)
        interp_out[i] = _dot(p_by_state, interp_i, n_r)

        # 2. start population P* = P + h·NM (+ h·exogenous migrants).
        np.multiply(moved, h, out=start)
        start += p
        exo_k = None
        if exo is not None:
            exo_k = _exogenous_by_trait(exo[i], p) if multi_trait else exo[i][:, None]
            start += h * exo_k

        # 3. admissions: transitions out of the NPR stock (at the start), the rest from
        # abroad (h at the start, 1 - h at the end).
        abroad = admissions[i]
        entry_traits_k = shared(entry_by_step[i if entry_varies else 0])
        if take_transitions and npr is not None:
            demand = share[i][:, None, None] * abroad  # (C, X, A[, R])
            wanted = demand.sum(axis=0)
            stock_k = start[npr]  # (K, X, A[, R]) view: the NPR cells at the start
            stock = stock_k.sum(axis=0) if multi_trait else stock_k[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                # Take what is asked, or what is there (nothing from an empty cell).
                ratio = np.where(wanted > stock, np.maximum(stock, 0.0) / wanted, 1.0)
                mix = np.where(stock > 0, stock_k / stock, 0.0)  # trait mix of the cell
                left = np.where(stock > 0, 1.0 - wanted * ratio / stock, 1.0)
            taken = demand * ratio  # (C, X, A[, R])
            transitions[i] = taken.sum(axis=(1, 2))
            abroad = abroad - taken
            np.multiply(abroad[:, None], entry_traits_k, out=late)
            stock_k *= left
            # Transitions are already in Quebec: all of them face the whole step.
            np.multiply(taken[:, None], mix[None], out=ent)
            ent += h * late
        else:
            np.multiply(abroad[:, None], entry_traits_k, out=late)
            np.multiply(late, h, out=ent)
        late *= 1.0 - h

        # 4. deaths and survivors (start population and arrivals counted at the start).
        dw = deaths_weight[i]
        if n_r is None:
            died = np.einsum("skxa,xa->x", start, dw) + np.einsum("ckxa,xa->x", ent, dw)
        else:
            died = np.einsum("skxar,xar->xr", start, dw) + np.einsum("ckxar,xar->xr", ent, dw)
        fem_start = start[:, :, fem].sum(axis=(0, 1)) + ent[:, :, fem].sum(axis=(0, 1))
        np.multiply(start, sv, out=surv)
        if h < 1.0:
            moved *= 1.0 - h
            surv += moved
        ent *= sv
        ent += late

        # 5. trait progression after survival.
        if trans_fn is not None:
            prob = np.asarray(trans_fn(i, int(inp.base_year) + i, surv))
            _progress(surv, prob if n_r is None or prob.ndim == 5 else prob[last])
        elif trans_array is not None:
            _progress(surv, shared(trans_array[i]))

        # 6. ageing and durations, then arrivals at duration 0.
        _advance(surv, new, blk, n_c, n_d)
        arrived = new[entry]
        arrived[:, :, :, 1:] += ent[:, :, :, :-1]
        arrived[:, :, :, -1] += ent[:, :, :, -1]
        if exo_k is not None:
            new += (1.0 - h) * exo_k

        # 7. the NPR stock path: net arrivals (or departures) to reach the target.
        if npr_stock is not None and npr is not None:
            cur_k = new[npr]
            cur = cur_k.sum(axis=0) if multi_trait else cur_k[0]
            gap = npr_stock[i] - cur
            npr_net[i] = gap.sum() if n_r is None else gap.sum(axis=(0, 1))
            with np.errstate(divide="ignore", invalid="ignore"):
                keep = np.where(gap < 0, np.where(cur > 0, 1.0 + gap / cur, 0.0), 1.0)
            cur_k *= keep
            cur_k += np.maximum(gap, 0.0) * shared(npr_by_step[i if npr_varies else 0])

        # 8. births from the start and end female exposure; newborns are non-immigrants.
        fem_end = new[:, :, fem].sum(axis=(0, 1))
        exposure = (1.0 - w_end) * fem_start + w_end * fem_end
        total_births = _dot(asfr[i], exposure, n_r)
        born = total_births * sex_shares[i]
        alive = born * newborn_survival[i]
        new[newborn, inp.newborn_trait, :, 0] += alive
        births[i] = born
        deaths[i] = died + born - alive
        if reduce is not None:
            kept.append(np.array(reduce(new)))

    if reduce is not None:
        pop = np.stack(kept)
    if n_r is not None:  # back to the public layout: trajectories first (views)
        return ProjectionOutputs(
            inp,
            *(
                np.moveaxis(a, -1, 0)
                for a in (
                    pop,
                    births,
                    deaths,
                    immigrants,
                    transitions,
                    emig_out,
                    interp_out,
                    npr_net,
                    other,
                )
            ),
        )
    return ProjectionOutputs(
        inputs=inp,
        population=pop,
        births=births,
        deaths=deaths,
        immigrants=immigrants,
        npr_transitions=transitions,
        emigration=emig_out,
        interprovincial=interp_out,
        npr_net=npr_net,
        other_migration=other,
    )


def _dot(a: FloatArray, b: FloatArray, n_r: int | None) -> FloatArray | float:
    """Sum of products over every axis (one run) or every axis but the last (``R``)."""
    if n_r is None:
        return float(np.vdot(a, b)) if a.ndim > 1 else float(a @ b)
    axes = "abcdefgh"[: a.ndim - 1]
    return np.asarray(np.einsum(f"{axes}r,{axes}r->r", a, b), dtype=float)  # no temporary


def _progress(surv: FloatArray, prob: FloatArray) -> None:
    """Move ``prob`` of each trait ``k`` to ``k + 1`` in place (``surv``: ``(S, K, X, A[, R])``)."""
    step_up = prob * surv[:, :-1]
    surv[:, :-1] -= step_up
    surv[:, 1:] += step_up


def _exogenous_by_trait(flow: FloatArray, p: FloatArray) -> FloatArray:
    """Exogenous migrants ``(S, X, A)`` spread over traits like the cell they join."""
    held = np.maximum(p, 0.0)
    total = held.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(total > 0, held / total, 0.0)
    empty = (total[:, 0] <= 0)[:, None]
    mix[:, :1] = np.where(empty, 1.0, mix[:, :1])
    return np.asarray(flow[:, None] * mix, dtype=float)


def _advance(surv: FloatArray, new: FloatArray, blk: slice, n_c: int, n_d: int) -> None:
    """Age every cell one year and move immigrant durations on, writing into ``new``.

    ``surv`` and ``new`` are ``(S, K, X, A[, R])``. Age ``a → a + 1`` with the open group
    keeping its own; in the block, duration ``d → d + 1`` with the last absorbing itself.
    Single states keep their index.
    """
    # Single states: shift ages in place of the whole axis first (the block is rewritten).
    new[:, :, :, 0] = 0.0
    new[:, :, :, 1:] = surv[:, :, :, :-1]
    new[:, :, :, -1] += surv[:, :, :, -1]
    if n_c == 0 or n_d == 1:
        return
    shape = (n_c, n_d, *surv.shape[1:])
    src = surv[blk].reshape(shape)
    dst = new[blk].reshape(shape)
    # dst currently holds src aged in place (same duration); rebuild it with d → d + 1.
    dst[:, -1, :, :, 1:] += dst[:, -2, :, :, 1:]
    dst[:, 1:-1, :, :, 1:] = src[:, :-2, :, :, :-1]
    dst[:, 1:-1, :, :, -1] += src[:, :-2, :, :, -1]
    dst[:, 0] = 0.0
