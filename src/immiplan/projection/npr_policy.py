"""Temporary residents as a policy: NPR entries, exits and transitions as engine inputs.

A policy gives, per year, the NPR *entries* (a level, optionally by permit type, each with an
age-sex profile), the *exits* (a rate of the stock, or a renewal rate: exits = 1 − renewal)
and the *transitions* to permanent residence (a rate of the stock, or a share of the year's
admissions that come from the NPR stock — a plan's "already living in the province" share).
Transitions are always counted inside the permanent admissions, never on top of them.

:func:`npr_flow_inputs` turns a policy into the arrays :class:`~immiplan.projection.engine.
ProjectionInputs` reads: entries as net migration into the NPR state, ``npr_exit_rate``,
and either ``npr_transition_rate`` or ``npr_transition_share``.

The flow balance: with constant entries ``E``, exit rate ``x`` and transition rate ``τ``, and
no deaths, emigration or ageing out, the stock tends to ``E / (x + τ)`` (immsim's defaults:
150,000 / (0.12 + 0.06) = 833,333); deaths and emigration of temporary residents keep it below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from immiplan.errors import InputError
from immiplan.fields import Count, Rate, Share, Year
from immiplan.plans.npr import PermitType
from immiplan.projection.state import N_AGES

FloatArray = NDArray[np.float64]

EntryType = Literal["work", "study", "work_and_study", "asylum", "other"]
"""A permit type entries can be given for (``permit_holders`` only groups published figures;
the asylum claimants' permit sub-types of the published table are not followed apart)."""

ENTRY_TYPES: tuple[PermitType, ...] = get_args(EntryType)


class NprFlowPolicy(BaseModel):
    """A policy for the NPR stock (strict types; what a scenario's ``npr.flows`` block holds).

    Attributes
    ----------
    entries:
        Persons entering the NPR stock a year, by permit type (``work``, ``study``,
        ``work_and_study``, ``asylum``, ``other``): one level for every year, or a
        ``{year: persons}`` path (12 months from 1 July; linear between its years, held
        outside them).
    exit_rate, renewal_rate:
        Share of the stock leaving for abroad each year — one rate, or a rate by permit type
        (then every type with entries or a stock needs one) — or the share renewing (exits
        = 1 − renewal). One of them.
    transition_rate, already_resident_share:
        Share of the stock becoming permanent resident each year, or the share of the
        year's admissions that come from the NPR stock (one share, a ``{year: share}`` path,
        or ``plan``: the plans' "already living in the province" share, its low bound, by
        year), or neither. Transitions are always inside the permanent admissions.
    asylum_stock:
        Asylum claimants on their own path (Ottawa decides them): their stock on 1 July by
        year, interpolated linearly and held after the last year; they then have no entries.
    profiles:
        Age profile of each type's entries, persons or shares by single age 0..100 (both
        sexes alike); default the base's NPR stock's age-sex shape (immsim's convention).
    stock_by_type:
        The stock by permit type at the base date; default the shipped observation of the
        base's jurisdiction on that date (``data/npr/``) in the base's own vintage (the one
        whose total is nearest the base's NPR stock), scaled to the base's NPR stock.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: dict[EntryType, Count | dict[Year, Count]] = Field(min_length=1)
    exit_rate: Rate | dict[EntryType, Rate] | None = None
    renewal_rate: Rate | None = None
    transition_rate: Rate | None = None
    already_resident_share: Share | dict[Year, Share] | Literal["plan"] | None = None
    asylum_stock: dict[Year, Count] | None = None
    profiles: dict[EntryType, list[Count]] | None = None
    stock_by_type: dict[EntryType, Count] | None = None

    @field_validator("transition_rate")
    @classmethod
    def _within_the_stock(cls, rate: float | None, info: ValidationInfo) -> float | None:
        if rate is None:
            return rate
        exits = info.data.get("exit_rate")
        renewal = info.data.get("renewal_rate")
        highest = (
            max(exits.values(), default=0.0)
            if isinstance(exits, dict)
            else float(exits)
            if exits is not None
            else 1.0 - float(renewal)
            if renewal is not None
            else 0.0
        )
        if highest + rate > 1.0:
            raise ValueError(
                f"exits and transitions exceed the stock (their rates add up to "
                f"{highest + rate:g}, above 1)"
            )
        return rate

    @field_validator("profiles")
    @classmethod
    def _ages(cls, profiles: dict[str, list[float]] | None) -> dict[str, list[float]] | None:
        for kind, shape in (profiles or {}).items():
            if len(shape) != N_AGES:
                raise ValueError(f"the {kind} profile needs {N_AGES} values (ages 0..100)")
            if sum(shape) <= 0:
                raise ValueError(f"the {kind} profile must not be all zero")
        return profiles

    @model_validator(mode="after")
    def _one_of_each(self) -> NprFlowPolicy:
        if (self.exit_rate is None) == (self.renewal_rate is None):
            raise ValueError("give exit_rate or renewal_rate (one of them)")
        if self.transition_rate is not None and self.already_resident_share is not None:
            raise ValueError("give transition_rate or already_resident_share, not both")
        if self.asylum_stock is not None and "asylum" in self.entries:
            raise ValueError("asylum claimants on their own path have no entries")
        if self.asylum_stock is not None and not self.asylum_stock:
            raise ValueError("an asylum-claimant path needs at least one year")
        if isinstance(self.exit_rate, dict):
            missing = [k for k in self.entries if k not in self.exit_rate]
            if missing:
                raise ValueError(f"no exit rate for the permit type {missing[0]}")
        for kind, path in self.entries.items():
            if isinstance(path, dict) and not path:
                raise ValueError(f"the {kind} entries need at least one year")
        return self

    @property
    def exits(self) -> float:
        """The yearly exit rate (from ``renewal_rate`` where that is given; by type: the
        highest)."""
        if isinstance(self.exit_rate, dict):
            return float(max(self.exit_rate.values(), default=0.0))
        return float(self.exit_rate if self.exit_rate is not None else 1.0 - self.renewal_rate)  # type: ignore[operator]

    def exit_for(self, kind: str) -> float:
        """The exit rate of one permit type (asylum claimants on a path: 0, their path rules)."""
        if kind == "asylum" and self.asylum_stock is not None:
            return 0.0
        if isinstance(self.exit_rate, dict):
            return float(self.exit_rate.get(kind, self.exits))  # type: ignore[call-overload]
        return self.exits

    def entries_at(self, kind: str, years: NDArray[np.int64]) -> FloatArray:
        """One type's entries in the 12 months from 1 July of each of ``years``."""
        given = self.entries[kind]  # type: ignore[index]
        if not isinstance(given, dict):
            return np.full(years.size, float(given))
        known = sorted(given)
        return np.interp(years.astype(float), known, [float(given[y]) for y in known])

    def balance(self) -> float | None:
        """``entries / (exits + transitions)``: the stock constant flows alone lead to."""
        if self.transition_rate is None and self.already_resident_share is not None:
            return None
        if isinstance(self.exit_rate, dict) or any(
            isinstance(v, dict) for v in self.entries.values()
        ):
            return None
        out = self.exits + (self.transition_rate or 0.0)
        total = sum(float(v) for v in self.entries.values() if not isinstance(v, dict))
        return total / out if out > 0 else None


@dataclass(frozen=True)
class NprFlowInputs:
    """Engine arrays for a policy over ``T`` steps and ``X`` sexes."""

    entries: FloatArray
    """Persons entering the NPR state during each step, ``(T, X, A)``."""
    exit_rate: FloatArray
    """``(T, X, A)``."""
    transition_rate: FloatArray | None
    """``(T, X, A)``, or None when transitions are a share of admissions."""
    transition_share: float | None
    """Share of every category's admissions from the NPR stock, or None."""
    asylum_stock: FloatArray | None = None
    """Asylum claimants' stock on 1 July at the end of each step, ``(T, X, A)``, or None."""


def npr_flow_inputs(
    policy: NprFlowPolicy,
    steps: int,
    profiles: dict[str, FloatArray],
    base_year: int | None = None,
) -> NprFlowInputs:
    """The engine arrays of ``policy`` for ``steps`` years from 1 July of ``base_year``.

    ``profiles`` gives each permit type's age-sex profile of entries, ``(X, A)`` summing to
    1 (immsim spreads every entry by the stock's age shape: give that for each type), and
    of the asylum claimants' stock when they follow their own path (key ``asylum``; then
    ``base_year`` is needed to read the path's years, as for entries given by year). The
    exit rate is the policy's one rate (:func:`typed_flow_inputs` handles rates by type).
    """
    shapes = {np.shape(p) for p in profiles.values()}
    if len(shapes) != 1 or next(iter(shapes))[-1:] != (N_AGES,):
        raise InputError("entry profiles must all have shape (sexes, 101)", field="profiles")
    years = np.arange(steps) + (0 if base_year is None else base_year)
    if base_year is None and any(isinstance(v, dict) for v in policy.entries.values()):
        raise InputError("entries given by year need the base year", field="entries")
    per_step: FloatArray | None = None
    for kind in policy.entries:
        if kind not in profiles:
            raise InputError(
                "no age-sex profile for this permit type", field="profiles", value=kind
            )
        profile = np.asarray(profiles[kind], dtype=float)
        if profile.min() < 0 or not np.isclose(profile.sum(), 1.0, atol=1e-9):
            raise InputError(
                "an entry profile must be non-negative and sum to 1", field="profiles", value=kind
            )
        part = policy.entries_at(kind, years)[:, None, None] * profile[None]
        per_step = part if per_step is None else per_step + part
    assert per_step is not None
    shape = per_step.shape
    rate = np.full(shape, policy.exits)
    transition = (
        None if policy.transition_rate is None else np.full(shape, float(policy.transition_rate))
    )
    asylum = None
    if policy.asylum_stock is not None:
        if base_year is None or "asylum" not in profiles:
            raise InputError(
                "an asylum-claimant path needs the base year and an 'asylum' profile",
                field="asylum_stock",
            )
        asylum = (
            _asylum_path(policy, base_year, steps)[1:, None, None]
            * np.asarray(profiles["asylum"], dtype=float)[None]
        )
    share = policy.already_resident_share
    return NprFlowInputs(
        entries=per_step,
        exit_rate=rate,
        transition_rate=transition,
        transition_share=share if isinstance(share, float) else None,
        asylum_stock=asylum,
    )


def _asylum_path(policy: NprFlowPolicy, base_year: int, steps: int) -> FloatArray:
    """The asylum claimants' stock on 1 July of ``base_year .. base_year + steps``."""
    path = policy.asylum_stock or {}
    known = sorted(path)
    ends = np.arange(base_year, base_year + steps + 1).astype(float)
    return np.interp(ends, known, [float(path[y]) for y in known])


@dataclass(frozen=True)
class TypedFlowInputs:
    """A policy's engine arrays for one NPR state that holds every permit type.

    The split of the stock by type follows each type's own entries and exit rate from the
    base's stock by type; transitions, deaths, emigration and ageing are shared by the types
    in proportion to their stock (derived: the engine carries one NPR group). The engine's
    exit rate of each step is the types' rates weighted by that split, so its exits are the
    sum of each type's. Asylum claimants on their own path enter the NPR state as the
    change of their path (plus the transitions they supply at the policy's transition
    rate), with no exits of their own: their part of the stock follows the path.
    """

    inputs: NprFlowInputs
    types: tuple[str, ...]
    """Permit types of :attr:`shares`."""
    shares: FloatArray
    """Share of the NPR stock of each type on 1 July of each year, ``(T + 1, N)``."""
    entries_by_type: FloatArray
    """Entries in each step by type, ``(T, N)`` (asylum claimants on a path: the path's net)."""


def typed_flow_inputs(
    policy: NprFlowPolicy,
    steps: int,
    profiles: dict[str, FloatArray],
    base_year: int,
    stock_by_type: dict[str, float],
    expected_transitions: FloatArray | None = None,
) -> TypedFlowInputs:
    """Engine arrays of ``policy`` on one NPR state, with the stock followed by permit type.

    Parameters
    ----------
    policy:
        The flow policy.
    steps:
        Number of yearly steps from 1 July of ``base_year``.
    profiles:
        Age-sex profile ``(X, A)`` of each type's entries (and ``asylum`` for a path).
    base_year:
        The year of the base (the first 1 July).
    stock_by_type:
        The NPR stock by permit type on 1 July of ``base_year``.
    expected_transitions:
        With transitions as a share of admissions, the persons that share asks for in each
        step ``(T,)`` (the engine takes no more than the cells hold): the split's
        transition rate of each step is that over the stock.
    """
    years = np.arange(base_year, base_year + steps)
    types = tuple(
        t
        for t in ENTRY_TYPES
        if t in policy.entries
        or stock_by_type.get(t, 0.0) > 0
        or (t == "asylum" and policy.asylum_stock)
    )
    n = len(types)
    entries = np.zeros((steps, n))
    exits = np.array([policy.exit_for(t) for t in types])
    for j, kind in enumerate(types):
        if kind in policy.entries:
            entries[:, j] = policy.entries_at(kind, years)
    tau = float(policy.transition_rate or 0.0)
    asylum = types.index("asylum") if policy.asylum_stock is not None else None
    path = _asylum_path(policy, base_year, steps) if asylum is not None else np.zeros(0)
    stock = np.zeros((steps + 1, n))
    stock[0] = [stock_by_type.get(t, 0.0) for t in types]
    if asylum is not None:
        stock[0, asylum] = path[0]
    for i in range(steps):  # one short loop over years, not over cells
        rate = tau
        if expected_transitions is not None and stock[i].sum() > 0:
            rate = min(float(expected_transitions[i]) / stock[i].sum(), 1.0 - float(exits.max()))
        if asylum is not None:  # the change of their path, plus the transitions they supply
            entries[i, asylum] = path[i + 1] - path[i] * (1.0 - rate)
        stock[i + 1] = np.maximum(stock[i] * (1.0 - exits - rate) + entries[i], 0.0)
    total = stock.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total > 0, stock / total, 1.0 / n)
    rate = (shares[:-1] * exits).sum(axis=1)
    x, a = next(iter(profiles.values())).shape
    flows = np.zeros((steps, x, a))
    for j, kind in enumerate(types):
        if entries[:, j].any():
            profile = np.asarray(profiles.get(kind, profiles.get("asylum")), dtype=float)
            flows += entries[:, j, None, None] * profile[None]
    share = policy.already_resident_share
    inputs = NprFlowInputs(
        entries=flows,
        exit_rate=np.broadcast_to(rate[:, None, None], (steps, x, a)).copy(),
        transition_rate=None if policy.transition_rate is None else np.full((steps, x, a), tau),
        transition_share=share if isinstance(share, float) else None,
    )
    return TypedFlowInputs(inputs=inputs, types=types, shares=shares, entries_by_type=entries)
