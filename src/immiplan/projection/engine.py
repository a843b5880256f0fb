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
   arrivals, positive or negative, counted as a migration component). Instead of a path,
   the NPR stock may follow a *flow policy*: exits ``npr_exit_rate × stock`` leave for
   abroad at the start, and transitions to permanent residence ``npr_transition_rate ×
   stock`` are taken at the start from the NPR cell of the same sex and age *inside* the
   step's admissions (capped at them; the admissions from abroad are what is left, with
   their own age profile, and each category keeps its share of the step's admissions).
   Entries are exogenous: net migration into the NPR state (``net_migration``). Asylum
   claimants may be a state of their own (``asylum_state``) following their own stock
   path (``asylum_stock``, as Ottawa decides them), counted in ``npr_net`` like the NPR path.
6. Births: ``B = Σ f_a·((1 − w)·F*_a + w·F'_a)`` with ``F*``/``F'`` the start
   (migration-adjusted) and end female populations of age ``a`` (``w`` =
   ``birth_exposure_end``, 0.5 in the UN method), split by sex with ``birth_sex_shares``
   and surviving to age 0 with ``L_0/l_0``. Newborns enter ``space.newborn_state``
   (non-immigrants) in trait ``newborn_trait``, whatever the mother's group.

Per step the flows close the accounting identity exactly (to rounding)::

    ΣP(t+1) − ΣP(t) = births − deaths + immigrants − npr_transitions + npr_net
                      − npr_exits − emigration + interprovincial + other_migration

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
together and every output carries the same leading axis. Inside, every work array is
``(R, S, K, X, A)``, trajectories first (``R = 1`` for one run, so a run and a batch share
one code path): each trajectory's state is one contiguous block, so each NumPy operation
runs over thousands of contiguous cells and a shared rate broadcasts along the leading
axis. (With trajectories innermost, a shared rate broadcast with stride 0 cuts every
operation into loops of ``R`` values: batches of 8–16 ran about 1.5× slower.) The only Python loop
stays over years. Each trajectory's numbers equal those of its own unbatched run to
rounding (a batched sum may add in another order). The trait shares of arrivals and the
trait progression are shared by all trajectories; a :data:`TraitTransition` callable
receives, in a batched run, the survivors as ``(R, S, K, X, A)`` and may return
``(S, K − 1, X, A)`` or ``(R, S, K − 1, X, A)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

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
    "npr_exit_rate",
    "npr_transition_rate",
    "asylum_stock",
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
    npr_exit_rate:
        NPR flow policy: share of the NPR stock at the start of the step that leaves for
        abroad during it, ``(T, X, A)``, or ``None`` (1 − renewal rate).
    npr_transition_rate:
        NPR flow policy: share of the NPR stock at the start of the step that becomes
        permanent resident during it, counted inside ``immigrants``, ``(T, X, A)``, or
        ``None``. Exclusive of ``npr_stock`` and ``npr_transition_share``; exit plus
        transition rates may not exceed 1 in any cell.
    asylum_state, asylum_stock:
        Index of a state of asylum claimants and their target stock on 1 July at the end of
        each step, ``(T, X, A)`` (both or neither): the state is set to its path like the
        NPR stock path, whatever the NPR policy.
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
    npr_exit_rate: FloatArray | None = None
    npr_transition_rate: FloatArray | None = None
    asylum_state: int | None = None
    asylum_stock: FloatArray | None = None
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
        self._check_npr_flows(t, x, a, r)
        if (self.asylum_state is None) != (self.asylum_stock is None):
            raise InputError(
                "an asylum-claimant path needs both asylum_state and asylum_stock",
                field="asylum_state",
            )
        if self.asylum_state is not None:
            if not 0 <= self.asylum_state < s or self.asylum_state in (
                self.npr_state,
                sp.newborn_state,
            ):
                raise InputError(
                    "asylum_state must be a state of its own",
                    field="asylum_state",
                    value=self.asylum_state,
                )
            path = _array(self.asylum_stock, "asylum_stock", (t, x, a), r)
            _not_negative(path, "asylum_stock")
            put(self, "asylum_stock", path)
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

    def _check_npr_flows(self, t: int, x: int, a: int, r: list[int]) -> None:
        """The NPR flow policy's rates: in [0, 1], together at most the stock, one policy."""
        given = [
            n for n in ("npr_exit_rate", "npr_transition_rate") if getattr(self, n) is not None
        ]
        if not given:
            return
        if self.npr_state is None:
            raise InputError("an NPR flow policy needs an npr_state", field=given[0])
        if self.npr_stock is not None:
            raise InputError(
                "give the NPR stock as a path or as flows, not both", field="npr_stock"
            )
        if "npr_transition_rate" in given and np.any(self.npr_transition_share > 0):
            raise InputError(
                "transitions as a rate of the stock exclude a share of admissions",
                field="npr_transition_share",
            )
        total = np.zeros(1)
        for name in given:
            rate = _array(getattr(self, name), name, (t, x, a), r)
            _in_unit(rate, name)
            object.__setattr__(self, name, rate)
            total = total + rate
        if float(np.max(total)) > 1.0 + 1e-12:
            raise InputError(
                "exits and transitions exceed the stock (their rates add up above 1)",
                field="npr_exit_rate",
                value=float(np.max(total)),
            )


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
        Net NPR arrivals from outside Quebec set by the NPR (and asylum-claimant) stock
        paths, ``(T,)``.
    npr_exits:
        NPR exits to abroad under a flow policy, ``(T,)``, or ``None``.
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
    npr_exits: FloatArray | None = None
    """NPR exits to abroad under a flow policy, ``([R,] T)``; ``None`` without one."""

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
            - (0.0 if self.npr_exits is None else self.npr_exits)
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
        whole state (e.g. ``lambda p: p.sum(axis=(-4, -3))`` for sex × age): the engine then
        holds two years in memory, not ``T + 1``, which is what lets thousands of
        trajectories run in bounded memory. It receives ``(S, K, X, A)``, or in a batched
        run ``(R, S, K, X, A)`` (trajectories first), and must keep that first axis; the
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
    batched = inp.trajectories is not None
    n_r = inp.trajectories if inp.trajectories is not None else 1

    def by_step(name: str, core: int) -> FloatArray:
        """Input ``name`` as ``(T, R or 1, ...)``: step first, then trajectories (a view).

        A shared input (``core`` axes) gets a trajectory axis of length 1, which
        broadcasts; a batched one ``(R, T, ...)`` is viewed step first, so each step's
        slice is ``R`` contiguous blocks and every NumPy operation runs over long
        contiguous cells.
        """
        array: FloatArray = getattr(inp, name)
        if array.ndim == core:
            return array[:, None]
        return np.moveaxis(array, 0, 1)

    def optional(name: str, core: int) -> FloatArray | None:
        return None if getattr(inp, name) is None else by_step(name, core)

    survival = by_step("survival", 3)  # (T, R|1, X, A)
    newborn_survival = by_step("newborn_survival", 2)
    asfr = by_step("asfr", 2)
    sex_shares = by_step("birth_sex_shares", 2)
    emigration = by_step("emigration", 4)  # (T, R|1, S, X, A)
    interprovincial = by_step("interprovincial", 4)
    admissions = by_step("immigrants", 4)  # (T, R|1, C, X, A)
    share = by_step("npr_transition_share", 2)  # (T, R|1, C)
    npr_stock = optional("npr_stock", 3)
    exit_rate = optional("npr_exit_rate", 3)
    trans_rate = optional("npr_transition_rate", 3)
    asylum_stock = optional("asylum_stock", 3)
    paths: list[tuple[int, FloatArray]] = []
    if npr_stock is not None and npr is not None:
        paths.append((npr, npr_stock))
    if asylum_stock is not None and inp.asylum_state is not None:
        paths.append((inp.asylum_state, asylum_stock))
    flows = npr is not None and (exit_rate is not None or trans_rate is not None)
    exo = optional("net_migration", 4)
    emig_scale = optional("emigration_scale", 1)  # (T, R|1)
    interp_scale = optional("interprovincial_scale", 1)

    # Work arrays carry the trajectory axis first: (R, S, K, X, A), R = 1 for one run.
    shape = (n_r, n_s, n_k, n_x, n_a)
    pop = np.empty((n_t + 1 if reduce is None else 2, *shape))  # two years with ``reduce``
    pop[0] = inp.population if batched else inp.population[None]
    kept: list[FloatArray] = [] if reduce is None else [_reduced(reduce, pop[0], batched)]
    births = np.zeros((n_t, n_r, n_x))
    immigrants = np.array(np.broadcast_to(admissions.sum(axis=(3, 4)), (n_t, n_r, n_c)))
    transitions = np.zeros((n_t, n_r, n_c))
    # Flows by cell, kept for every step and summed once after the loop.
    exposed = np.zeros((n_t, n_r, n_x, n_a))  # the start population P*, by sex and age
    lost = np.zeros((n_t, n_r, n_x, n_a))  # net emigrants
    gained = np.zeros((n_t, n_r, n_x, n_a))  # net interprovincial migrants
    net_arrivals = np.zeros((n_t, n_r, n_x, n_a))  # set by the stock paths
    taken_by_cell = np.zeros((n_t, n_r, n_c, n_x, n_a))  # transitions from the NPR stock
    npr_exits = np.zeros((n_t, n_r))
    other = np.zeros((n_t, n_r))

    # Per-step arrays computed once, outside the loop (none of the state's size).
    deaths_weight = 1.0 - survival  # (T, R|1, X, A)
    growth_factor = h * survival + (1.0 - h)  # (T, R|1, X, A), see _growth
    take_transitions = npr is not None and bool(np.any(share > 0))
    # Trait shares of arrivals by step: (T, C, K, X, A) and (T, K, X, A), shared.
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
        other[:] = exo.sum(axis=(2, 3, 4))
    trans = inp.trait_transition
    trans_fn = trans if callable(trans) else None
    trans_array = None if (trans is None or callable(trans)) else np.asarray(trans)
    fem = 0  # the female row of the sex axis (the only row in a one-sex layout)

    # Work buffers, reused every step.
    surv = np.empty(shape)
    by_state = np.empty((n_r, n_s, n_x, n_a)) if multi_trait else None
    ent = np.empty((n_r, n_c, n_k, n_x, n_a))
    late = np.empty((n_r, n_c, n_k, n_x, n_a))
    from_stock = npr is not None and (flows or take_transitions)
    if from_stock and npr is not None:
        # The NPR cells' net rate m (T, R|1, X, A): P* = P·(1 + h·m) there.
        m_npr = _net_rate_of(npr, interprovincial, interp_scale, emigration, emig_scale)
        npr_at_start = 1.0 + h * m_npr
        npr_late = (1.0 - h) * m_npr

    # The survival factor g of step 2, by trajectory, state, sex and age. In a batch, states
    # whose migration rates are equal in every step (immigrant durations in one band, say)
    # share it: it is computed once per such class and spread to the states.
    classes = _rate_classes(emigration, interprovincial) if n_r > 1 else None
    loss_rates, gain_rates = emigration, interprovincial  # (T, R|1, S or classes, X, A)
    if classes is not None:
        class_of_state, first_state = classes
        loss_rates, gain_rates = emigration[:, :, first_state], interprovincial[:, :, first_state]
        spread = np.empty((n_r, n_s, n_x, n_a))
    grow = np.empty((2, n_r, gain_rates.shape[2], n_x, n_a))  # g and a scaled rate

    # Divisions below guard their zero cases with np.where or np.fmin.
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n_t):
            p, new = (pop[i], pop[i + 1]) if reduce is None else (pop[i % 2], pop[(i + 1) % 2])
            sv = survival[i][:, None]  # (R|1, 1, X, A): broadcasts over states
            emig_s = None if emig_scale is None else emig_scale[i]
            interp_s = None if interp_scale is None else interp_scale[i]

            # 1. rate-based net migration NM = P·m, m = interprovincial − emigration rates,
            # counted on the start population. The flows and the start population need P·m
            # only summed over states, and m is linear in the two rates, so each rate meets
            # the population once: Σ_s P·emigration and Σ_s P·interprovincial, by sex and age.
            p_by_state = _over_traits(p, by_state)  # (R, S, X, A)
            _over_states(p_by_state, emigration[i], emig_s, lost[i])  # (R, X, A)
            _over_states(p_by_state, interprovincial[i], interp_s, gained[i])

            # 2. the start population P* = P + h·NM (+ h·exogenous migrants). Below, P* is
            # needed only summed over states (deaths, exposure) and in the NPR cells (the
            # transitions), so it is never built: its survivors plus the end share of NM are
            # P*·S + (1 − h)·NM = P·g with g = S + m·(h·S + 1 − h), one pass over the state.
            at_start = exposed[i]
            np.sum(p_by_state, axis=1, out=at_start)
            at_start += h * (gained[i] - lost[i])
            g = _growth(
                growth_factor[i], survival[i], gain_rates[i], interp_s, loss_rates[i], emig_s, grow
            )
            if classes is not None:
                g = np.take(g, class_of_state, axis=1, out=spread[: g.shape[0]], mode="clip")
            np.multiply(p, g[:, :, None], out=surv)
            exo_k = None
            if exo is not None:
                exo_k = _exogenous_by_trait(exo[i], p) if multi_trait else exo[i][:, :, None]
                at_start += h * exo_k.sum(axis=(1, 2))
                surv += (h * sv[:, :, None]) * exo_k

            # 3. admissions: transitions out of the NPR stock (at the start), the rest from
            # abroad (h at the start, 1 - h at the end).
            abroad = admissions[i]  # (R|1, C, X, A)
            entry_traits_k = entry_by_step[i if entry_varies else 0][None]  # (1, C, K, X, A)
            if from_stock and npr is not None:
                # The NPR cells of P* (R, K, X, A), which the transitions and exits deplete.
                stock_k = p[:, npr] * npr_at_start[i][:, None]
                if exo_k is not None:
                    stock_k += h * exo_k[:, npr]
                before = stock_k.sum(axis=1) if multi_trait else stock_k[:, 0].copy()
            if flows and npr is not None:
                abroad = _npr_flows(
                    stock_k,
                    abroad,
                    None if exit_rate is None else exit_rate[i],
                    None if trans_rate is None else trans_rate[i],
                    share[i] if take_transitions else None,
                    npr_exits[i],
                    transitions[i],
                    ent,
                    multi_trait,
                )
                np.multiply(abroad[:, :, None], entry_traits_k, out=late)
                ent += h * late
            elif take_transitions and npr is not None:
                demand = share[i][:, :, None, None] * abroad  # (R|1, C, X, A)
                wanted = demand.sum(axis=1)
                stock = stock_k.sum(axis=1) if multi_trait else stock_k[:, 0]
                # Take what is asked, or what is there (nothing from an empty cell; a share
                # of 1 where nothing is asked).
                ratio = np.fmin(np.maximum(stock, 0.0) / wanted, 1.0)
                taken = np.multiply(demand, ratio[:, None], out=taken_by_cell[i])  # (R, C, X, A)
                abroad = abroad - taken
                np.multiply(abroad[:, :, None], entry_traits_k, out=late)
                # Transitions leave the stock with its trait mix and are already in the
                # province: all of them face the whole step.
                if multi_trait:
                    mix = np.where(stock[:, None] > 0, stock_k / stock[:, None], 0.0)
                    stock_k -= (wanted * ratio)[:, None] * mix
                    np.multiply(taken[:, :, None], mix[:, None], out=ent)
                else:
                    stock_k[:, 0] -= wanted * ratio
                    ent[:, :, 0] = taken
                ent += h * late
            else:
                np.multiply(abroad[:, :, None], entry_traits_k, out=late)
                np.multiply(late, h, out=ent)
            late *= 1.0 - h
            if from_stock and npr is not None:
                # What the NPR cells kept survives (and their share of NM moves at the end).
                at_start += (stock_k.sum(axis=1) if multi_trait else stock_k[:, 0]) - before
                np.multiply(stock_k, sv, out=surv[:, npr])
                surv[:, npr] += p[:, npr] * npr_late[i][:, None]

            # 4. deaths (start population and arrivals counted at the start) and the
            # arrivals' survivors.
            at_start += ent.sum(axis=(1, 2))  # (R, X, A)
            fem_start = at_start[:, fem]
            ent *= sv[:, :, None]
            ent += late

            # 5. trait progression after survival.
            if trans_fn is not None:
                prob = np.asarray(trans_fn(i, int(inp.base_year) + i, surv if batched else surv[0]))
                _progress(surv, prob if prob.ndim == 5 else prob[None])
            elif trans_array is not None:
                _progress(surv, trans_array[i][None])

            # 6. ageing and durations, then arrivals at duration 0.
            _advance(surv, new, blk, n_c, n_d)
            arrived = new[:, entry]  # (R, C, K, X, A) view
            arrived[..., 1:] += ent[..., :-1]
            arrived[..., -1] += ent[..., -1]
            if exo_k is not None:
                new += (1.0 - h) * exo_k

            # 7. stock paths (NPR, asylum claimants): net arrivals (or departures) to reach them.
            for state, target in paths:
                cur_k = new[:, state]  # (R, K, X, A) view
                cur = cur_k.sum(axis=1) if multi_trait else cur_k[:, 0]
                gap = target[i] - cur
                net_arrivals[i] += gap
                if multi_trait:
                    # Departures leave each trait in proportion (a cell that loses people
                    # held some: the target is never negative); arrivals come with the
                    # NPR entry traits.
                    cur_k *= np.where(gap < 0, target[i] / cur, 1.0)[:, None]
                    cur_k += (
                        np.maximum(gap, 0.0)[:, None] * npr_by_step[i if npr_varies else 0][None]
                    )
                else:
                    cur_k[:, 0] = target[i]

            # 8. births from the start and end female exposure; newborns are non-immigrants.
            fem_end = new[:, :, :, fem].sum(axis=(1, 2))  # (R, A)
            exposure = (1.0 - w_end) * fem_start + w_end * fem_end
            total_births = (asfr[i] * exposure).sum(axis=-1)  # (R,)
            born = total_births[:, None] * sex_shares[i]  # (R, X)
            new[:, newborn, inp.newborn_trait, :, 0] += born * newborn_survival[i]
            births[i] = born
            if reduce is not None:
                kept.append(_reduced(reduce, new, batched))

    emig_out = lost.sum(axis=(2, 3))
    interp_out = gained.sum(axis=(2, 3))
    npr_net = net_arrivals.sum(axis=(2, 3))
    if take_transitions and not flows:
        transitions = taken_by_cell.sum(axis=(3, 4))
    # Deaths: those of the start population and of the arrivals counted at the start, and
    # the newborns who do not survive to the end of the step.
    deaths = (exposed * deaths_weight).sum(axis=-1) + births * (1.0 - newborn_survival)

    # The public layout: trajectories first in a batched run, no trajectory axis otherwise.
    def out(a: FloatArray) -> FloatArray:
        return np.moveaxis(a, 0, 1) if batched else a[:, 0]

    population = np.stack(kept, axis=1 if batched else 0) if reduce is not None else out(pop)
    return ProjectionOutputs(
        inputs=inp,
        population=population,
        births=out(births),
        deaths=out(deaths),
        immigrants=out(immigrants),
        npr_transitions=out(transitions),
        emigration=out(emig_out),
        interprovincial=out(interp_out),
        npr_net=out(npr_net),
        other_migration=out(other),
        npr_exits=out(npr_exits) if flows else None,
    )


def _reduced(
    reduce: Callable[[FloatArray], FloatArray], state: FloatArray, batched: bool
) -> FloatArray:
    """``reduce`` of one year's state ``(R, S, K, X, A)``: all of it, or the one run."""
    return np.array(reduce(state if batched else state[0]))


def _over_traits(population: FloatArray, out: FloatArray | None) -> FloatArray:
    """``population`` ``(R, S, K, X, A)`` summed over traits into ``out`` ``(R, S, X, A)``
    (a view of the one trait where ``K = 1``)."""
    if out is None:
        return population[:, :, 0]
    if population.shape[2] == 2:  # a pairwise add reads the strided halves faster than sum
        return np.add(population[:, :, 0], population[:, :, 1], out=out)
    return np.sum(population, axis=2, out=out)


def _over_states(
    population: FloatArray, rate: FloatArray, scale: FloatArray | None, out: FloatArray
) -> FloatArray:
    """``Σ_s population·rate·scale`` by trajectory, sex and age, written into ``out``
    ``(R, X, A)``.

    ``population`` is ``(R, S, X, A)``, ``rate`` ``(R|1, S, X, A)`` and ``scale`` the
    step's multiplier ``(R|1,)`` of the rate, or ``None``.
    """
    if rate.shape[0] == population.shape[0]:
        np.einsum("rsxa,rsxa->rxa", population, rate, out=out)
    else:
        np.einsum("rsxa,sxa->rxa", population, rate[0], out=out)
    if scale is not None:
        out *= scale[:, None, None]
    return out


def _scaled_rate(rate: FloatArray, scale: FloatArray | None) -> FloatArray:
    """A rate (or factor) ``rate`` times its multiplier ``scale``, whose axes are its leading
    ones, if any (small arrays)."""
    if scale is None:
        return rate
    return np.asarray(rate * scale.reshape(scale.shape + (1,) * (rate.ndim - scale.ndim)))


def _net_rate_of(
    state: int,
    gain: FloatArray,
    gain_scale: FloatArray | None,
    loss: FloatArray,
    loss_scale: FloatArray | None,
) -> FloatArray:
    """The net rate ``m = gain·gain_scale − loss·loss_scale`` of one state, ``(..., X, A)``,
    from rates ``(..., S, X, A)`` and multipliers ``(...)`` or ``None``."""
    return np.asarray(
        _scaled_rate(gain[..., state, :, :], gain_scale)
        - _scaled_rate(loss[..., state, :, :], loss_scale),
        dtype=float,
    )


def _rate_classes(*rates: FloatArray) -> tuple[NDArray[np.intp], NDArray[np.intp]] | None:
    """Runs of consecutive states whose ``rates`` (``(T, 1, S, X, A)``, shared by the
    trajectories) are equal in every step, sex and age: the class of each state and the
    first state of each class; ``None`` where rates differ by trajectory or where classes
    would save less than a quarter of the states."""
    if any(r.shape[1] != 1 for r in rates):
        return None
    n_s = rates[0].shape[2]
    same = np.ones(n_s - 1, dtype=bool)
    for r in rates:
        same &= (r[:, :, 1:] == r[:, :, :-1]).all(axis=(0, 1, 3, 4))
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    if starts.size > 0.75 * n_s:
        return None
    return np.cumsum(np.concatenate([[0], ~same])).astype(np.intp), starts


def _growth(
    factor: FloatArray,
    survival: FloatArray,
    gain: FloatArray,
    gain_scale: FloatArray | None,
    loss: FloatArray,
    loss_scale: FloatArray | None,
    buffers: FloatArray,
) -> FloatArray:
    """One step's survival factor ``g = S + m·(h·S + 1 − h)`` of every cell, ``m`` the net
    rate ``gain·gain_scale − loss·loss_scale``.

    ``factor`` is ``h·S + 1 − h`` and ``survival`` ``S``, both ``(R|1, X, A)``; the rates
    are ``(R|1, S, X, A)`` and their multipliers ``(R|1,)`` or ``None``. The result is
    written into ``buffers[0]`` (``buffers``: ``(2, R, S, X, A)``), so no array of the
    state's size is allocated. The multipliers go into the small ``factor`` rather than
    into the rates, so a rate scaled by trajectory costs no extra pass over the state.
    """
    scales = [s.shape[0] for s in (gain_scale, loss_scale) if s is not None]
    n = max(factor.shape[0], gain.shape[0], loss.shape[0], *scales)
    out, tmp = buffers[0, :n], buffers[1, :n]
    factor = factor[:, None]  # (R|1, 1, X, A)
    if gain_scale is None and loss_scale is None:
        np.subtract(gain, loss, out=out)
        out *= factor
    else:
        np.multiply(gain, _scaled_rate(factor, gain_scale), out=out)
        np.multiply(loss, _scaled_rate(factor, loss_scale), out=tmp)
        out -= tmp
    out += survival[:, None]
    return out


def _npr_flows(
    stock_k: FloatArray,
    admissions: FloatArray,
    exit_rate: FloatArray | None,
    trans_rate: FloatArray | None,
    share: FloatArray | None,
    exits_out: FloatArray,
    transitions_out: FloatArray,
    ent: FloatArray,
    multi_trait: bool,
) -> FloatArray:
    """One step of the NPR flow policy, at the start; returns the admissions from abroad.

    ``stock_k`` is the NPR state at the start, ``(R, K, X, A)``, updated in place (exits
    and transitions leave it); ``admissions`` ``(R|1, C, X, A)``. Transitions are either
    ``trans_rate × stock`` capped at the step's admissions (each category taking its share
    of them), or ``share`` ``(R|1, C)`` of each category's admissions taken from the cell
    of the same sex and age (capped by what the exits leave there). Either way the plan's
    level counts them once. Writes the exits (into ``exits_out``, ``(R,)``), the
    transitions by category (``(R, C)``) and their entries into the immigrant block by
    trait (``ent``, ``(R, C, K, X, A)``).
    """
    stock = np.maximum(stock_k.sum(axis=1) if multi_trait else stock_k[:, 0], 0.0)  # (R, X, A)
    out = np.zeros_like(stock) if exit_rate is None else exit_rate * stock
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mix = np.where(stock[:, None] > 0, stock_k / stock[:, None], 0.0)  # trait mix
        if trans_rate is not None:
            wanted = trans_rate * stock
            by_cat = admissions.sum(axis=(2, 3))  # (R|1, C)
            level = by_cat.sum(axis=1)  # (R|1,)
            asked = wanted.sum(axis=(1, 2))  # (R,)
            ratio = np.where(asked > level, np.where(asked > 0, level / asked, 0.0), 1.0)
            cat_share = np.where(level[:, None] > 0, by_cat / level[:, None], 0.0)
            left_abroad = np.where(level > 0, 1.0 - asked * ratio / level, 0.0)
            taken_c = cat_share[:, :, None, None] * (wanted * ratio[:, None, None])[:, None]
            abroad = admissions * left_abroad[:, None, None, None]
        else:
            demand = (
                np.zeros_like(admissions) if share is None else share[:, :, None, None] * admissions
            )
            wanted = demand.sum(axis=1)
            room = stock - out
            ratio = np.where(wanted > room, np.where(wanted > 0, room / wanted, 0.0), 1.0)
            taken_c = demand * ratio[:, None]
            abroad = admissions - taken_c
    taken = taken_c.sum(axis=1)  # (R, X, A)
    exits_out[...] = out.sum(axis=(1, 2))
    transitions_out[...] = taken_c.sum(axis=(2, 3))
    stock_k -= (out + taken)[:, None] * mix
    # Transitions are already in the province: all of them face the whole step.
    np.multiply(taken_c[:, :, None], mix[:, None], out=ent)
    return np.asarray(abroad, dtype=float)


def _progress(surv: FloatArray, prob: FloatArray) -> None:
    """Move ``prob`` of each trait ``k`` to ``k + 1`` in place (``surv``: ``(R, S, K, X, A)``)."""
    step_up = prob * surv[:, :, :-1]
    surv[:, :, :-1] -= step_up
    surv[:, :, 1:] += step_up


def _exogenous_by_trait(flow: FloatArray, p: FloatArray) -> FloatArray:
    """Exogenous migrants ``(R|1, S, X, A)`` spread over traits like the cell they join."""
    held = np.maximum(p, 0.0)  # (R, S, K, X, A)
    total = held.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(total > 0, held / total, 0.0)
    empty = total[:, :, 0] <= 0  # (R, S, X, A)
    mix[:, :, 0] = np.where(empty, 1.0, mix[:, :, 0])
    return np.asarray(flow[:, :, None] * mix, dtype=float)


def _advance(surv: FloatArray, new: FloatArray, blk: slice, n_c: int, n_d: int) -> None:
    """Age every cell one year and move immigrant durations on, writing into ``new``.

    ``surv`` and ``new`` are ``(R, S, K, X, A)``. Age ``a → a + 1`` with the open group
    keeping its own; in the block, duration ``d → d + 1`` with the last absorbing itself.
    Single states keep their index.
    """
    # Every state ages first (the block is then rewritten from ``surv``).
    _age(surv, new)
    if n_c == 0 or n_d == 1:
        return
    shape = (surv.shape[0], n_c, n_d, *surv.shape[2:])
    src = surv[:, blk].reshape(shape)
    dst = new[:, blk].reshape(shape)
    # dst holds src aged at the same duration; rebuild it with d → d + 1 (the last
    # duration keeps its own and takes the one before).
    dst[:, :, -1, ..., 1:] += dst[:, :, -2, ..., 1:]
    dst[:, :, 1:-1, ..., 1:] = src[:, :, :-2, ..., :-1]
    dst[:, :, 1:-1, ..., -1] += src[:, :, :-2, ..., -1]
    dst[:, :, 0] = 0.0  # duration 0 is filled by the step's arrivals


def _age(src: FloatArray, dst: FloatArray) -> None:
    """``dst`` = ``src`` one year older: age ``a → a + 1``, the open group keeps its own."""
    dst[..., 0] = 0.0
    dst[..., 1:] = src[..., :-1]
    dst[..., -1] += src[..., -1]
