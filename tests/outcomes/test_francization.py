"""Francization demand, cost and the federal grant."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from immiplan.errors import InputError
from immiplan.outcomes.francization import (
    cost_per_student,
    francization_flows,
    grant_by_fiscal_year,
    load_francization_parameters,
)
from immiplan.projection.state import N_AGES
from immiplan.system.parameters import DatedValue, Parameter


def test_cost_per_student_is_the_documented_arithmetic() -> None:
    # By hand (docs/outcomes.md): the VGQ's 74–75 M$ (2016-17) over the students of a year,
    # 100,000 adults admitted without French over 7 years × 40 % enrolled (MIFI 2016 peak)
    # = 5,714.29 students: 74.5 M$ × 7 / 40,000 = 13,037.50 $ (12,950 to 13,125 $).
    cost = cost_per_student()
    assert cost.students == pytest.approx(5_714.2857, abs=1e-3)
    assert cost.value == pytest.approx(13_037.50, abs=0.01)
    assert cost.low == pytest.approx(12_950.00, abs=0.01)
    assert cost.high == pytest.approx(13_125.00, abs=0.01)
    assert "2016-17" in cost.arithmetic()


def test_the_grant_is_as_published_and_missing_years_stay_missing() -> None:
    years = [2011, 2012, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2030]
    grant = grant_by_fiscal_year(years)
    expected = {2011: 280e6, 2020: 650.27e6, 2021: 697e6, 2023: 775.1e6}
    for year, value in zip(years, grant, strict=True):
        if year in expected:
            assert value == pytest.approx(expected[year])
        else:
            assert np.isnan(value), year


def test_a_grant_counts_for_the_fiscal_year_it_is_in_force_on_1_april() -> None:
    # Made-up dated values: a grant counts for fiscal year Y (1 April Y to 31 March Y + 1)
    # when it is the value in force on 1 April Y and took effect in Y. One that takes effect
    # after 1 April (2015-07-01) never counts; of two before 1 April of the same year, the
    # later; a withdrawn value (None) leaves its years missing.
    def dated(day: str, value: object) -> DatedValue:
        return DatedValue(dt.date.fromisoformat(day), value, ())

    grant = Parameter(
        "grant",
        "made up",
        "CAD",
        (
            dated("2011-04-01", {"total": 1.0}),
            dated("2015-07-01", {"total": 2.0}),
            dated("2016-01-01", 3.0),
            dated("2016-03-01", {"total": 4.0}),
            dated("2017-04-01", None),
            dated("2018-04-01", 5.0),
        ),
    )
    params = dataclasses.replace(load_francization_parameters(), grant=grant)
    years = list(range(2010, 2020))
    expected = {2011: 1.0, 2016: 4.0, 2018: 5.0}
    got = grant_by_fiscal_year(years, params)
    for year, value in zip(years, got, strict=True):
        if year in expected:
            assert value == expected[year], year
        else:
            assert np.isnan(value), year


def test_flows_count_adults_without_french_only() -> None:
    steps, cats = 2, 4
    immigrants = np.zeros((steps, cats, 2, N_AGES))
    immigrants[:, 0, 0, 10] = 100.0  # children: never francization demand
    immigrants[:, 1, 1, 30] = 200.0
    immigrants[:, 2, 0, 16] = 50.0
    french = np.array([[0.5, 0.25, 1.0, 0.0], [0.5, 0.25, 0.0, 0.0]])[:, :, None, None]
    flows = francization_flows(immigrants, french, [2018, 2019])
    # By hand: 2018: 200 × 0.75 (family, a quarter French) + 50 × 0 (refugees all French);
    # 2019: 200 × 0.75 + 50 × 1 = 200. Enrolment 32 % (MIFI 2019, held); a third of the
    # enrolled do not attend (VGQ 2017: 33.3 %); 13,037.50 $ a student.
    np.testing.assert_allclose(flows["demand"], [150.0, 200.0])
    np.testing.assert_allclose(flows["students"], [48.0, 64.0])
    np.testing.assert_allclose(flows["places"], [32.016, 42.688])
    np.testing.assert_allclose(flows["cost"], [625_800.0, 834_400.0])
    np.testing.assert_allclose(flows["admissions"], [350.0, 350.0])
    np.testing.assert_allclose(flows["cost_per_admitted"], [1_788.0, 2_384.0])
    assert np.isnan(flows["grant"]).all()
    assert np.isnan(flows["grant_per_admitted"]).all()


def test_no_admissions_give_missing_per_capita_values() -> None:
    flows = francization_flows(np.zeros((1, 4, 2, N_AGES)), 0.5, [2020])
    assert flows["grant"][0] == pytest.approx(650.27e6)
    assert np.isnan(flows["grant_per_admitted"][0])


def test_a_negative_cost_is_rejected() -> None:
    params = load_francization_parameters()
    with pytest.raises(InputError, match=r"program_cost\.low") as info:
        dataclasses.replace(params, program_cost=(-1.0, 75e6))
    assert "-1.0" in str(info.value)


def test_a_participation_outside_the_unit_interval_is_rejected() -> None:
    params = load_francization_parameters()
    with pytest.raises(InputError, match="non_attendance_share"):
        dataclasses.replace(params, non_attendance=1.3)
    with pytest.raises(InputError, match="entry_french"):
        francization_flows(np.ones((1, 4, 2, N_AGES)), 1.5, [2018])
