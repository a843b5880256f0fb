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

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from immiplan.errors import InputError
from immiplan.fields import Count, Rate, Share, Year
from immiplan.plans.npr import PERMIT_TYPES, PermitType
from immiplan.projection.state import N_AGES

FloatArray = NDArray[np.float64]

ENTRY_TYPES: tuple[PermitType, ...] = tuple(t for t in PERMIT_TYPES if t != "permit_holders")


class NprFlowPolicy(BaseModel):
    """A policy for the NPR stock, constant over the years it covers (strict types).

    Attributes
    ----------
    entries:
        Persons entering the NPR stock a year, by permit type (``work``, ``study``,
        ``work_and_study``, ``asylum``, ``other``).
    exit_rate, renewal_rate:
        Share of the stock leaving for abroad each year, or the share renewing (one of
        them; exits = 1 − renewal).
    transition_rate, already_resident_share:
        Share of the stock becoming permanent resident each year, or the share of the
        year's admissions that come from the NPR stock (one of them, or neither).
    asylum_stock:
        Asylum claimants on their own path (Ottawa decides them): their stock on 1 July by
        year, interpolated linearly and held after the last year; they then have no entries.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: dict[PermitType, Count] = Field(min_length=1)
    exit_rate: Rate | None = None
    renewal_rate: Rate | None = None
    transition_rate: Rate | None = None
    already_resident_share: Share | None = None
    asylum_stock: dict[Year, Count] | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> NprFlowPolicy:
        if "permit_holders" in self.entries:
            raise ValueError(
                "entries are by permit type: work, study, work_and_study, asylum, other"
            )
        if (self.exit_rate is None) == (self.renewal_rate is None):
            raise ValueError("give exit_rate or renewal_rate (one of them)")
        if self.transition_rate is not None and self.already_resident_share is not None:
            raise ValueError("give transition_rate or already_resident_share, not both")
        if self.asylum_stock is not None and "asylum" in self.entries:
            raise ValueError("asylum claimants on their own path have no entries")
        if self.asylum_stock is not None and not self.asylum_stock:
            raise ValueError("an asylum-claimant path needs at least one year")
        if self.exits + (self.transition_rate or 0.0) > 1.0:
            raise ValueError("exits and transitions exceed the stock (their rates add above 1)")
        return self

    @property
    def exits(self) -> float:
        """The yearly exit rate (from ``renewal_rate`` where that is given)."""
        return float(self.exit_rate if self.exit_rate is not None else 1.0 - self.renewal_rate)  # type: ignore[operator]

    def balance(self) -> float | None:
        """``entries / (exits + transitions)``: the stock the flows alone lead to."""
        if self.transition_rate is None and self.already_resident_share is not None:
            return None
        out = self.exits + (self.transition_rate or 0.0)
        return sum(self.entries.values()) / out if out > 0 else None


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
    ``base_year`` is needed to read the path's years).
    """
    shapes = {np.shape(p) for p in profiles.values()}
    if len(shapes) != 1 or next(iter(shapes))[-1:] != (N_AGES,):
        raise InputError("entry profiles must all have shape (sexes, 101)", field="profiles")
    per_year: FloatArray | None = None
    for kind, level in policy.entries.items():
        if kind not in profiles:
            raise InputError(
                "no age-sex profile for this permit type", field="profiles", value=kind
            )
        profile = np.asarray(profiles[kind], dtype=float)
        if profile.min() < 0 or not np.isclose(profile.sum(), 1.0, atol=1e-9):
            raise InputError(
                "an entry profile must be non-negative and sum to 1", field="profiles", value=kind
            )
        part = level * profile
        per_year = part if per_year is None else per_year + part
    assert per_year is not None
    shape = (steps, *per_year.shape)
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
        known = sorted(policy.asylum_stock)
        ends = np.arange(base_year + 1, base_year + steps + 1)
        levels = np.interp(ends, known, [policy.asylum_stock[y] for y in known])
        asylum = levels[:, None, None] * np.asarray(profiles["asylum"], dtype=float)[None]
    return NprFlowInputs(
        entries=np.broadcast_to(per_year, shape).copy(),
        exit_rate=rate,
        transition_rate=transition,
        transition_share=policy.already_resident_share,
        asylum_stock=asylum,
    )
