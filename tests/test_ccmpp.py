"""The UN cohort-component algebra: hand-computed steps, a reference port, identities, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from immiplan.errors import InputError
from immiplan.projection import ccmpp
from immiplan.projection.ccmpp import NEGATIVE_FLOOR, survival_ratios
from immiplan.projection.lifetable import life_table


def reference_step(
    z: int,
    pop_f: np.ndarray,
    pop_m: np.ndarray,
    surv_f: np.ndarray,
    surv_m: np.ndarray,
    asfr: np.ndarray,
    srb: float,
    mig_f: np.ndarray,
    mig_m: np.ndarray,
    timing: str,
) -> tuple[np.ndarray, np.ndarray, float]:
    """A line-by-line, loop-based port of ccmppWPP's project_ccmpp_z_by_z (one step)."""
    n = len(pop_f)
    out = []
    if timing == "end":
        adj = [pop_f.copy(), pop_m.copy()]
        late = [np.zeros(n), np.zeros(n)]
    else:
        adj = [pop_f + mig_f / 2, pop_m + mig_m / 2]
        late = [mig_f / 2, mig_m / 2]
    for sex, surv in enumerate((surv_f, surv_m)):
        end = np.zeros(n)
        for x in range(1, n - 1):
            end[x] = adj[sex][x - 1] - (1 - surv[x]) * adj[sex][x - 1] + late[sex][x]
        both = adj[sex][n - 2] + adj[sex][n - 1]
        end[n - 1] = both - (1 - surv[n - 1]) * both + late[sex][n - 1]
        out.append(end)
    births = 0.0
    for x in range(1, n - 1):
        births += z * asfr[x] * (adj[0][x] + out[0][x]) / 2
    b_f = births / (1 + srb)
    b_m = births - b_f
    out[0][0] = b_f - (1 - surv_f[0]) * b_f + late[0][0]
    out[1][0] = b_m - (1 - surv_m[0]) * b_m + late[1][0]
    if timing == "end":
        out[0] = out[0] + mig_f
        out[1] = out[1] + mig_m
    for sex in range(2):
        for x in range(n):
            if out[sex][x] < 0:
                out[sex][x] = 0.0005
    return out[0], out[1], births


def test_one_step_by_hand() -> None:
    # Three groups (0, 1, 2+), width 1, radix 100: L = 99, 98, 300 (T of the open group).
    # S0 = 0.99, S1 = 98/99, S2 = 300/398. Population 10, 20, 30 women; fertility 0.5 at 1.
    lx = np.array([99.0, 98.0, 300.0])
    res = ccmpp(
        [10.0, 20.0, 30.0],
        [10.0, 20.0, 30.0],
        lx,
        lx,
        [0.0, 0.5, 0.0],
        [2.0, 4.0, 6.0],
        [0.0, 0.0, 0.0],
        srb=1.0,
        radix=100,
        migration_timing="even",
    )
    s1, s2 = 98 / 99, 300 / 398
    start = np.array([11.0, 22.0, 33.0])  # P + NM/2 for women
    end1 = start[0] * s1 + 2.0
    end2 = (start[1] + start[2]) * s2 + 3.0
    births = 0.5 * (start[1] + end1) / 2
    assert res.births_by_age[0] == pytest.approx([0.0, births, 0.0])
    assert res.births[0] == pytest.approx([births / 2, births / 2])
    assert res.population[1, 0] == pytest.approx([births / 2 * 0.99 + 1.0, end1, end2])
    # Men: no migration, so plain survival.
    assert res.population[1, 1] == pytest.approx([births / 2 * 0.99, 10 * s1, 50 * s2])
    assert res.deaths[0, 1, 2] == pytest.approx(50 * (1 - s2))


def test_end_timing_by_hand() -> None:
    lx = np.array([99.0, 98.0, 300.0])
    res = ccmpp(
        [10.0, 20.0, 30.0],
        [0.0, 0.0, 0.0],
        lx,
        lx,
        [0.0, 0.5, 0.0],
        [2.0, 4.0, 6.0],
        [0.0, 0.0, 0.0],
        srb=1.0,
        radix=100,
        migration_timing="end",
    )
    s1, s2 = 98 / 99, 300 / 398
    births = 0.5 * (20.0 + 10 * s1) / 2  # end exposure before the migrants arrive
    assert res.births[0].sum() == pytest.approx(births)
    assert res.population[1, 0] == pytest.approx(
        [births / 2 * 0.99 + 2.0, 10 * s1 + 4.0, 50 * s2 + 6.0]
    )


def test_survival_ratios_follow_the_un_convention() -> None:
    ratios = survival_ratios([95.0, 90.0, 80.0, 400.0], width=1, radix=100)
    assert ratios == pytest.approx([0.95, 90 / 95, 80 / 90, 400 / 480])
    five = survival_ratios([490.0, 480.0, 2000.0], width=5, radix=100)
    assert five[0] == pytest.approx(490 / 500)


def _inputs(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    mx = np.sort(rng.uniform(0.0005, 0.3, size=n))
    return {
        "pf": rng.uniform(0, 1000, n),
        "pm": rng.uniform(0, 1000, n),
        "lf": life_table(mx, sex="female").Lx,
        "lm": life_table(mx * 1.2, sex="male").Lx,
        "asfr": np.r_[0.0, rng.uniform(0, 0.2, n - 2), 0.0],
        "mf": rng.uniform(-300, 300, n),
        "mm": rng.uniform(-300, 300, n),
    }


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 40),
    st.integers(0, 2**31),
    st.sampled_from(["even", "end"]),
    st.floats(0.9, 1.2),
)
def test_matches_a_loop_port_of_ccmppwpp(n: int, seed: int, timing: str, srb: float) -> None:
    data = _inputs(n, seed)
    res = ccmpp(
        data["pf"],
        data["pm"],
        data["lf"],
        data["lm"],
        data["asfr"],
        data["mf"],
        data["mm"],
        srb=srb,
        migration_timing=timing,
        steps=2,
    )
    sf = survival_ratios(data["lf"])
    sm = survival_ratios(data["lm"])
    pf, pm = data["pf"], data["pm"]
    for step in range(2):
        pf, pm, births = reference_step(
            1, pf, pm, sf, sm, data["asfr"], srb, data["mf"], data["mm"], timing
        )
        assert res.population[step + 1, 0] == pytest.approx(pf, rel=1e-10, abs=1e-9)
        assert res.population[step + 1, 1] == pytest.approx(pm, rel=1e-10, abs=1e-9)
        assert res.births[step].sum() == pytest.approx(births, rel=1e-10, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 30),
    st.integers(0, 2**31),
    st.sampled_from(["even", "end"]),
    st.sampled_from([1, 5]),
)
def test_demographic_balance_holds(n: int, seed: int, timing: str, width: int) -> None:
    data = _inputs(n, seed)
    # Immigration only, so no cell goes negative and nothing is floored.
    mig_f, mig_m = np.abs(data["mf"]), np.abs(data["mm"])
    lx_f = life_table(np.full(n, 0.02), sex="female").Lx * width  # a synthetic z-year table
    res = ccmpp(
        data["pf"],
        data["pm"],
        lx_f,
        data["lm"] * width,
        data["asfr"],
        mig_f,
        mig_m,
        width=width,
        migration_timing=timing,
        steps=3,
    )
    assert not res.floored.any()
    for step in range(3):
        before = res.population[step].sum()
        after = res.population[step + 1].sum()
        flows = res.births[step].sum() - res.deaths[step].sum() + mig_f.sum() + mig_m.sum()
        assert after == pytest.approx(before + flows, rel=1e-10)
        assert res.births_by_age[step].sum() == pytest.approx(res.births[step].sum())
    assert res.births[:, 1] / res.births[:, 0] == pytest.approx(1.05)


def test_width_five_uses_five_year_person_years() -> None:
    single = life_table(np.r_[0.004, np.full(99, 0.002), 0.3], sex="female")
    five = single.regroup(5)
    n = five.age.size  # 0-4 ... 95-99, 100+
    pop = np.full(n, 1000.0)
    asfr = np.zeros(n)
    asfr[3:10] = 0.06  # 15-19 ... 45-49
    res = ccmpp(pop, pop, five.Lx, five.Lx, asfr, np.zeros(n), np.zeros(n), width=5)
    ratios = survival_ratios(five.Lx, width=5)
    assert res.population[1, 0, 4] == pytest.approx(1000 * ratios[4])
    exposure = (pop[3:10] + res.population[1, 0, 3:10]) / 2
    assert res.births[0].sum() == pytest.approx(5 * 0.06 * exposure.sum())
    assert res.population[1, 0, 0] == pytest.approx(res.births[0, 0] * five.Lx[0] / 500_000)


def test_negative_cells_are_floored_like_the_un() -> None:
    lx = life_table([0.01, 0.01, 0.01, 0.2], sex="male").Lx
    res = ccmpp(
        [100.0, 100, 100, 100],
        [100.0, 100, 100, 100],
        lx,
        lx,
        np.zeros(4),
        [0.0, -500.0, 0.0, 0.0],
        np.zeros(4),
        migration_timing="end",
    )
    assert res.population[1, 0, 1] == NEGATIVE_FLOOR
    assert res.floored[0] == 1


def test_result_shapes_and_total() -> None:
    data = _inputs(10, 1)
    res = ccmpp(
        data["pf"],
        data["pm"],
        data["lf"],
        data["lm"],
        data["asfr"],
        np.tile(data["mf"], (4, 1)),
        data["mm"],
        steps=4,
    )
    assert res.population.shape == (5, 2, 10)
    assert res.births_by_age.shape == (4, 10)
    assert res.births.shape == (4, 2)
    assert res.deaths.shape == (4, 2, 10)
    assert res.steps == 4
    assert res.total == pytest.approx(res.population.sum(axis=(1, 2)))
    assert res.population[0, 0] == pytest.approx(data["pf"])


GOOD = _inputs(5, 7)


def _call(**changes: object) -> None:
    args: dict[str, object] = {
        "population_female": GOOD["pf"],
        "population_male": GOOD["pm"],
        "Lx_female": GOOD["lf"],
        "Lx_male": GOOD["lm"],
        "asfr": GOOD["asfr"],
        "migration_female": GOOD["mf"],
        "migration_male": GOOD["mm"],
    }
    options = {k: v for k, v in changes.items() if k not in args}
    args.update({k: v for k, v in changes.items() if k in args})
    ccmpp(*args.values(), **options)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"population_male": np.ones(4)}, "population_male has 4 age groups"),
        ({"population_female": -np.ones(5)}, "population_female is negative at age group 0"),
        ({"Lx_female": np.r_[GOOD["lf"][:4], 0.0]}, "Lx must be positive"),
        ({"Lx_male": np.r_[1.0, 2.0, 3.0, 4.0, 5.0]}, "survival ratio above 1"),
        ({"asfr": np.r_[0.0, -0.1, 0, 0, 0]}, "asfr must not be negative"),
        ({"asfr": np.r_[0.1, 0, 0, 0, 0]}, "first and the open age group"),
        ({"migration_female": np.ones((3, 5))}, "migration_female must have shape"),
        ({"migration_male": np.r_[np.nan, 0, 0, 0, 0]}, "migration_male must be finite"),
        ({"migration_timing": "middle"}, "unknown migration timing"),
        ({"width": 0}, "width"),
        ({"steps": 0}, "steps"),
        ({"srb": -1.0}, "srb"),
        ({"radix": 0.0}, "radix"),
    ],
)
def test_bad_input_names_the_argument(changes: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _call(**changes)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, 5, elements=st.floats(-1e6, -1e-6)))
def test_any_negative_population_is_refused(bad: np.ndarray) -> None:
    with pytest.raises(InputError, match="population_male is negative"):
        _call(population_male=bad)


def test_quebec_base_year_projects_plausibly() -> None:
    from immiplan.projection.bases import load_base

    base = load_base("quebec-2018")
    lx = [life_table(base.mx[i], sex=s).Lx for i, s in enumerate(("female", "male"))]
    res = ccmpp(
        base.population[0],
        base.population[1],
        lx[0],
        lx[1],
        base.asfr,
        np.zeros(101),
        np.zeros(101),
        srb=base.srb,
    )
    # Births of the 2018/19 year with no migration: near ISQ's 83,840 for 2018.
    assert res.births[0].sum() == pytest.approx(83_840, rel=0.03)
    assert res.births[0, 1] / res.births[0, 0] == pytest.approx(base.srb)
