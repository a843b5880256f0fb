"""The engine's trajectory axis: a batch of R inputs is R projections, each closing its books."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.projection.engine import (
    BATCHED_FIELDS,
    ProjectionInputs,
    ProjectionOutputs,
    _rate_classes,
    project,
)
from immiplan.projection.synthetic import synthetic_inputs

OUTPUTS = (
    "population",
    "births",
    "deaths",
    "immigrants",
    "npr_transitions",
    "emigration",
    "interprovincial",
    "npr_net",
    "other_migration",
)


def _stack(runs: list[ProjectionInputs], fields: tuple[str, ...]) -> ProjectionInputs:
    """The first run with ``fields`` taken from every run along a new leading axis."""
    stacked: dict[str, Any] = {}
    for name in fields:
        values = [getattr(r, name) for r in runs]
        if values[0] is not None:
            stacked[name] = np.stack(values)
    return dataclasses.replace(runs[0], **stacked)


def _one(batch: ProjectionInputs, r: int) -> ProjectionInputs:
    """Trajectory ``r`` of a batch as an ordinary (unbatched) input."""
    fields: dict[str, Any] = {}
    for name in BATCHED_FIELDS:
        value = getattr(batch, name)
        if value is not None and value.ndim > CORE_NDIM[name]:
            fields[name] = value[r]
    return dataclasses.replace(batch, **fields)


CORE_NDIM = {
    "emigration_scale": 1,
    "interprovincial_scale": 1,
    "population": 4,
    "survival": 3,
    "newborn_survival": 2,
    "asfr": 2,
    "birth_sex_shares": 2,
    "emigration": 4,
    "interprovincial": 4,
    "immigrants": 4,
    "npr_transition_share": 2,
    "npr_stock": 3,
    "net_migration": 4,
}


def _assert_equal_runs(batch: ProjectionInputs, out: ProjectionOutputs) -> None:
    assert batch.trajectories is not None
    for r in range(batch.trajectories):
        alone = project(_one(batch, r))
        assert alone.inputs.trajectories is None
        for name in OUTPUTS:
            got, want = getattr(out, name)[r], getattr(alone, name)
            assert got.shape == want.shape, name
            scale = max(float(np.max(np.abs(want))), 1.0)
            assert np.max(np.abs(got - want)) <= 1e-12 * scale, (name, r)


def _identity_error(out: ProjectionOutputs) -> float:
    totals = out.totals
    return float(
        np.max(np.abs(np.diff(totals, axis=-1) - out.growth_from_components()) / totals[..., 1:])
    )


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    r=st.integers(1, 4),
    k=st.integers(1, 3),
    h=st.sampled_from([0.0, 0.5, 1.0]),
    npr=st.booleans(),
    exo=st.booleans(),
)
def test_a_batch_equals_separate_runs_and_closes_per_trajectory(
    seed: int, r: int, k: int, h: float, npr: bool, exo: bool
) -> None:
    runs = [
        synthetic_inputs(
            seed + j,
            steps=6,
            n_traits=k,
            migration_at_start=h,
            with_npr=npr,
            with_exogenous=exo,
            with_transition=k > 1,
        )
        for j in range(r)
    ]
    batch = _stack(runs, BATCHED_FIELDS)
    assert batch.trajectories == r
    out = project(batch)
    assert out.population.shape == (r, 7, 46, k, 2, 101)
    assert out.births.shape == (r, 6, 2) and out.emigration.shape == (r, 6)
    _assert_equal_runs(batch, out)
    assert _identity_error(out) < 1e-9


@pytest.mark.parametrize(
    "fields",
    [
        ("survival",),
        ("asfr", "newborn_survival"),
        ("immigrants", "npr_stock"),
        ("emigration", "interprovincial"),
        ("population",),
    ],
)
def test_a_field_given_per_trajectory_with_the_rest_shared(fields: tuple[str, ...]) -> None:
    runs = [synthetic_inputs(s, steps=5, with_npr=True) for s in (1, 2, 3)]
    # The other fields are those of the first run: the batch differs only in ``fields``.
    runs = [dataclasses.replace(runs[0], **{f: getattr(x, f) for f in fields}) for x in runs]
    batch = _stack(runs, fields)
    out = project(batch)
    _assert_equal_runs(batch, out)
    for r, alone in enumerate(runs):
        np.testing.assert_allclose(out.population[r], project(alone).population, rtol=1e-12)
    assert not np.allclose(out.population[0], out.population[1])


def test_trait_progression_given_as_a_function_sees_every_trajectory() -> None:
    runs = [synthetic_inputs(s, steps=5, n_traits=2, with_transition=True) for s in (4, 5)]
    rates = np.asarray(runs[0].trait_transition)

    def rate(step: int, year: int, survivors: np.ndarray) -> np.ndarray:
        return rates[step]  # (S, K - 1, X, A): the same for every trajectory

    batch = dataclasses.replace(_stack(runs, BATCHED_FIELDS), trait_transition=rate)
    out = project(batch)
    for r in range(2):
        alone = dataclasses.replace(_one(batch, r), trait_transition=rates)
        np.testing.assert_allclose(out.population[r], project(alone).population, rtol=1e-12)


def test_rate_multipliers_equal_the_multiplied_rates() -> None:
    base = synthetic_inputs(8, steps=6, with_npr=True)
    rng = np.random.default_rng(0)
    emig = rng.uniform(0.5, 1.5, (3, 6))
    interp = rng.uniform(0.0, 2.0, (3, 6))
    scaled = dataclasses.replace(base, emigration_scale=emig, interprovincial_scale=interp)
    out = project(scaled)
    for r in range(3):
        direct = dataclasses.replace(
            base,
            emigration=base.emigration * emig[r][:, None, None, None],
            interprovincial=base.interprovincial * interp[r][:, None, None, None],
        )
        want = project(direct)
        np.testing.assert_allclose(out.population[r], want.population, rtol=1e-12)
        np.testing.assert_allclose(out.emigration[r], want.emigration, rtol=1e-12)
    # One multiplier path shared by all is an ordinary, unbatched run.
    single = project(dataclasses.replace(base, emigration_scale=emig[0]))
    assert single.inputs.trajectories is None
    direct = dataclasses.replace(base, emigration=base.emigration * emig[0][:, None, None, None])
    np.testing.assert_allclose(single.population, project(direct).population, rtol=1e-12)


def test_a_reduction_keeps_two_years_and_gives_the_reduced_history() -> None:
    runs = [synthetic_inputs(s, steps=7, with_npr=True) for s in (1, 2)]
    batch = _stack(runs, BATCHED_FIELDS)
    full = project(batch)
    by_age = project(batch, reduce=lambda p: p.sum(axis=(-4, -3)))
    assert by_age.population.shape == (2, 8, 2, 101)
    np.testing.assert_allclose(by_age.population, full.population.sum(axis=(2, 3)), rtol=1e-13)
    np.testing.assert_array_equal(by_age.births, full.births)
    one = project(runs[1], reduce=lambda p: p.sum(axis=(-4, -3)))
    np.testing.assert_allclose(one.population, by_age.population[1], rtol=1e-12)


def test_trajectory_counts_that_disagree_are_refused() -> None:
    runs = [synthetic_inputs(s, steps=4) for s in (1, 2, 3)]
    batch = _stack(runs, ("survival",))
    with pytest.raises(InputError) as err:
        dataclasses.replace(batch, asfr=np.stack([r.asfr for r in runs[:2]]))
    assert err.value.field == "asfr"
    with pytest.raises(InputError, match="trajectory axis") as empty:
        dataclasses.replace(runs[0], survival=runs[0].survival[None][:0])
    assert empty.value.field == "survival"
    with pytest.raises(InputError) as bad_scale:
        dataclasses.replace(runs[0], emigration_scale=-np.ones(4))
    assert bad_scale.value.field == "emigration_scale"


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    width=st.integers(2, 6),
    differ_at=st.one_of(st.none(), st.integers(0, 5)),
    k=st.integers(1, 2),
    scaled=st.booleans(),
)
def test_states_sharing_their_rates_give_the_same_batch_as_separate_runs(
    seed: int, width: int, differ_at: int | None, k: int, scaled: bool
) -> None:
    """A batch computes the survival factor once per run of states whose migration rates
    are equal in every step; a state that shares them in some steps only is not merged.
    Either way each trajectory equals its own run."""
    base = synthetic_inputs(seed, steps=6, n_traits=k, with_npr=True, with_transition=k > 1)
    emig, interp = np.array(base.emigration), np.array(base.interprovincial)
    firsts = np.arange(0, 46, width)
    of_state = firsts[np.arange(46) // width]  # runs of ``width`` states share rates
    emig, interp = emig[:, of_state], interp[:, of_state]
    if differ_at is not None:  # ... but for one state in one step
        emig[differ_at, 1] *= 1.5
    # State 1 then splits the first run in two (width 2) or three.
    expected = firsts.size + (0 if differ_at is None else 1 if width == 2 else 2)
    assert _rate_classes(emig[:, None], interp[:, None])[1].size == expected  # type: ignore[index]
    shared = dataclasses.replace(base, emigration=emig, interprovincial=interp)
    rng = np.random.default_rng(seed)
    extra: dict[str, Any] = {"survival": np.stack([shared.survival, shared.survival * 0.999])}
    if scaled:
        extra["emigration_scale"] = rng.uniform(0.5, 1.5, (2, 6))
    batch = dataclasses.replace(shared, **extra)
    out = project(batch)
    _assert_equal_runs(batch, out)
    assert _identity_error(out) < 1e-9
