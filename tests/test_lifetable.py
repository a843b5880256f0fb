"""Life tables: hand-computed values, invariants, old ages, graduation and calibration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from immiplan.errors import InputError
from immiplan.projection.lifetable import (
    KannistoFit,
    calibrate_to_e0,
    fit_kannisto,
    graduate_grouped_rates,
    infant_ax,
    life_expectancy,
    life_table,
)

# A Quebec-like schedule (deaths per person-year) used where a realistic shape helps.
AGES = np.arange(101)
REALISTIC = np.exp(-9.6 + 0.095 * AGES)
REALISTIC[0] = 0.0042
REALISTIC[-1] = 0.42


def test_three_age_toy_table_matches_hand_computation() -> None:
    # m = 0.1, 0.2, 0.5 (open); female a0 by Andreev-Kingkade for m0 >= 0.06891: 0.31411.
    # q0 = 0.1 / (1 + 0.68589 * 0.1); q1 = 0.2 / 1.1; l1 = 1000 (1 - q0); l2 = l1 (1 - q1);
    # L0 = l1 + a0 d0; L1 = l2 + d1 / 2; L2 = l2 / 0.5.
    table = life_table([0.1, 0.2, 0.5], sex="female", radix=1000)
    assert table.ax[0] == pytest.approx(0.31411)
    assert table.qx == pytest.approx([0.09358134886284625, 0.18181818181818182, 1.0], rel=1e-12)
    assert table.lx == pytest.approx([1000.0, 906.4186511371537, 741.6152600213076], rel=1e-12)
    assert table.Lx == pytest.approx(
        [935.8134886284623, 824.0169555792306, 1483.2305200426151], rel=1e-12
    )
    assert table.e0 == pytest.approx(3.243060964250308, rel=1e-12)
    assert table.ex[1] == pytest.approx(2.5454545454545454, rel=1e-12)
    assert table.ex[2] == pytest.approx(2.0)  # 1 / m of the open group


def test_abridged_table_uses_coale_demeny_for_ages_0_and_1_4() -> None:
    mx = [0.02, 0.001, 0.0005, 0.3]
    table = life_table(mx, sex="male", ages=[0, 1, 5, 10], a0_rule="coale-demeny")
    assert table.ax[0] == pytest.approx(0.045 + 2.684 * 0.02)
    assert table.ax[1] == pytest.approx(1.651 - 2.816 * 0.02)
    assert table.ax[2] == pytest.approx(2.5)
    assert table.qx[1] == pytest.approx(4 * 0.001 / (1 + (4 - table.ax[1]) * 0.001))
    assert list(table.width[:3]) == [1, 4, 5]


def test_infant_ax_rules() -> None:
    assert infant_ax(0.004, "male") == pytest.approx(0.14929 - 1.99545 * 0.004)
    assert infant_ax(0.004, "female") == pytest.approx(0.14903 - 2.05527 * 0.004)
    assert infant_ax(0.05, "male") == pytest.approx(0.02832 + 3.26201 * 0.05)
    assert infant_ax(0.2, "female", "coale-demeny") == pytest.approx(0.35)
    with pytest.raises(InputError, match="unknown a0 rule"):
        infant_ax(0.01, "male", "bogus")


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(2, 110), elements=st.floats(1e-5, 3.0)),
    st.sampled_from(["female", "male"]),
)
def test_life_table_invariants(mx: np.ndarray, sex: str) -> None:
    table = life_table(mx, sex=sex)
    assert np.all((table.qx >= 0) & (table.qx <= 1))
    assert table.qx[-1] == 1.0
    assert np.all(np.diff(table.lx) <= 0)
    assert np.all(table.Lx[:-1] <= table.lx[:-1] * table.width[:-1] * (1 + 1e-12))
    assert np.all(table.ex > 0)
    assert table.Tx[0] == pytest.approx(table.Lx.sum(), rel=1e-12)
    # The central rate is deaths over person-years in every group where q was not capped at 1
    # (a rate above 1/(n - a) has no consistent q) and in the open group.
    kept = np.append(table.qx[:-1] < 1, True)
    assert table.dx[kept] == pytest.approx(table.mx[kept] * table.Lx[kept], rel=1e-9, abs=1e-9)
    assert table.lx[:-1] - table.dx[:-1] == pytest.approx(table.lx[1:], rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(60.0, 92.0), st.sampled_from(["female", "male"]))
def test_calibration_hits_the_target(target: float, sex: str) -> None:
    result = calibrate_to_e0(REALISTIC, target, sex=sex)
    assert result.table.e0 == pytest.approx(target, abs=1e-6)
    assert result.mx == pytest.approx(result.factor * REALISTIC)
    assert life_expectancy(result.mx, sex=sex) == pytest.approx(target, abs=1e-6)
    higher = life_expectancy(REALISTIC * result.factor * 1.1, sex=sex)
    assert higher < target  # more mortality, shorter life


def test_calibration_rejects_an_unreachable_target() -> None:
    with pytest.raises(InputError, match="no proportional change"):
        calibrate_to_e0(REALISTIC, 0.1, sex="female")  # below a0: even certain death gives more
    with pytest.raises(InputError, match="positive number of years"):
        calibrate_to_e0(REALISTIC, -1.0, sex="female")


def test_regroup_to_five_years_keeps_the_table() -> None:
    single = life_table(REALISTIC, sex="female")
    five = single.regroup(5)
    assert list(five.age[:3]) == [0, 5, 10]
    assert five.age[-1] == 100
    assert five.e0 == pytest.approx(single.e0, rel=1e-12)
    assert five.Lx[0] == pytest.approx(single.Lx[:5].sum())
    assert five.Lx[-1] == pytest.approx(single.Lx[-1])
    assert five.dx == pytest.approx(five.mx * five.Lx)
    with pytest.raises(InputError, match="positive whole number"):
        single.regroup(0)


def test_to_frame_has_named_columns() -> None:
    frame = life_table(REALISTIC, sex="male").to_frame()
    assert frame.index.name == "age"
    assert {"mx", "qx", "lx", "dx", "Lx", "Tx", "ex", "ax"} <= set(frame.columns)
    assert len(frame) == 101


@pytest.mark.parametrize(
    ("mx", "kwargs", "message"),
    [
        ([0.1, -0.2, 0.5], {}, "must not be negative"),
        ([0.1, 0.2, 0.0], {}, "open age group must be positive"),
        ([0.1, np.nan, 0.5], {}, "finite"),
        ([0.5], {}, "at least 2"),
        ([0.1, 0.2, 0.5], {"ages": [1, 2, 3]}, "start at 0"),
        ([0.1, 0.2, 0.5], {"ages": [0, 5, 10]}, "first age group must be 0-1"),
        ([0.1, 0.2, 0.5], {"sex": "both"}, "sex must be"),
        ([0.1, 0.2, 0.5], {"radix": 0}, "radix"),
    ],
)
def test_bad_input_is_an_input_error(mx: list[float], kwargs: dict, message: str) -> None:
    options = {"sex": "female", **kwargs}
    with pytest.raises(InputError, match=message):
        life_table(mx, **options)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(2, 20), elements=st.floats(-10.0, -1e-9)))
def test_negative_rates_are_always_refused(bad: np.ndarray) -> None:
    with pytest.raises(InputError, match="mx"):
        life_table(np.append(bad, 0.5), sex="male")


def test_kannisto_round_trip() -> None:
    truth = KannistoFit(a=0.045, b=0.115)
    starts = np.array([70.0, 75, 80, 85, 90])
    widths = np.array([5.0, 5, 5, 5, np.inf])
    fit = fit_kannisto(starts, widths, truth.central_rates(starts, widths))
    assert fit.a == pytest.approx(truth.a, rel=1e-5)
    assert fit.b == pytest.approx(truth.b, rel=1e-5)
    # Exposure-weighted fit: the group rates a real (non-stationary) population would show.
    exposure = np.linspace(5000, 100, 31)  # ages 70..100+
    single = truth.single_age_rates(70, 100)
    member = [(slice(0, 5)), slice(5, 10), slice(10, 15), slice(15, 20), slice(20, 31)]
    observed = np.array([np.average(single[s], weights=exposure[s]) for s in member])
    weighted = fit_kannisto(starts, widths, observed, exposure=exposure)
    assert weighted.a == pytest.approx(truth.a, rel=1e-5)
    assert weighted.b == pytest.approx(truth.b, rel=1e-5)


def test_kannisto_hazard_and_open_rate() -> None:
    fit = KannistoFit(a=0.05, b=0.12)
    assert fit.hazard(80.0) == pytest.approx(0.05 / 1.05)
    rates = fit.single_age_rates(90, 100)
    assert rates.size == 11
    assert np.all(np.diff(rates) > 0)
    assert np.all(rates < 1)
    # Central rate of one year lies between the hazards at its two ends.
    assert fit.hazard(90.0) < rates[0] < fit.hazard(91.0)
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        fit_kannisto([80, 85], [5, 5], [0.05, 1.5])


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.integers(2, 12), elements=st.floats(1e-4, 0.5)),
    st.booleans(),
)
def test_log_graduation_keeps_group_means(rates: np.ndarray, weighted: bool) -> None:
    starts = np.arange(rates.size) * 5
    end = int(starts[-1]) + 5
    exposure = np.linspace(1000, 200, end) if weighted else None
    single = graduate_grouped_rates(starts, rates, end, exposure=exposure)
    weights = np.ones(end) if exposure is None else exposure
    means = [np.average(single[s : s + 5], weights=weights[s : s + 5]) for s in starts]
    assert means == pytest.approx(rates, rel=1e-9)
    assert np.all(single > 0)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(2, 12), elements=st.floats(-0.01, 0.01)))
def test_linear_graduation_keeps_signed_group_means(rates: np.ndarray) -> None:
    starts = np.arange(rates.size) * 5
    single = graduate_grouped_rates(starts, rates, int(starts[-1]) + 5, scale="linear")
    means = [single[s : s + 5].mean() for s in starts]
    assert means == pytest.approx(rates, rel=1e-9, abs=1e-15)


def test_graduation_of_a_straight_log_line_is_exact() -> None:
    single_truth = np.exp(-8 + 0.09 * (np.arange(20, 60) + 0.5))
    starts = np.arange(20, 60, 5)
    groups = single_truth.reshape(-1, 5).mean(axis=1)
    single = graduate_grouped_rates(starts, groups, 60)
    assert single == pytest.approx(single_truth, rel=2e-3)


def test_graduation_errors() -> None:
    with pytest.raises(InputError, match="positive"):
        graduate_grouped_rates([0, 5], [0.1, -0.1], 10)
    with pytest.raises(InputError, match="ascending"):
        graduate_grouped_rates([5, 0], [0.1, 0.1], 10)
    with pytest.raises(InputError, match="exposure"):
        graduate_grouped_rates([0, 5], [0.1, 0.1], 10, exposure=np.ones(3))
