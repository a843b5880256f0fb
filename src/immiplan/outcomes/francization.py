"""Francization demand and cost, and the federal grant under the Canada–Quebec Accord.

Per projection step (1 July of ``y`` to 1 July of ``y + 1``, admissions of calendar year
``y + 1`` for the dated rates, fiscal year ``y``–``y + 1`` for money):

* **demand**: adults (16 and over at admission) admitted without French
  = Σ admissions × (1 − share knowing French at entry);
* **students** = demand × participation rate of the admission year (31 % for 2010–2013,
  40 % in 2016, 32 % in 2019; MIFI / VGQ), counted in the year of admission;
* **course places** = students × (1 − share who never attend or drop out, "about a
  third", VGQ) — assumption: one place per attending student, none for those who leave;
* **cost** = students × cost per student. The cost per student is *derived*:
  program cost 2016-17 ($74–75 M, VGQ; midpoint $74.5 M) / students of that year, where
  students = 100,000 adults admitted without French over the seven years 2010–2016 (VGQ)
  / 7 × the 2016 participation rate (40 %) = 5,714, so $74.5 M / 5,714 = $13,038 (range
  $12,950–$13,125). Held constant, in 2016-17 dollars (no indexation, assumption);
* **federal grant** by fiscal year as published (missing years stay missing: NaN);
* cost and grant **per admitted immigrant** = cost (grant) / all admissions of the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.outcomes import _checks
from immiplan.outcomes.french import ADULT_AGE
from immiplan.system.parameters import Parameter, parameters

FloatArray = NDArray[np.float64]

__all__ = [
    "CostPerStudent",
    "FrancizationParameters",
    "cost_per_student",
    "francization_flows",
    "grant_by_fiscal_year",
    "load_francization_parameters",
]


@dataclass(frozen=True)
class FrancizationParameters:
    """The francization and grant parameters, checked.

    Attributes
    ----------
    participation:
        Dated enrolment share of adults admitted without French, by admission year.
    non_attendance:
        Share of enrolled students who never attend or drop out.
    program_cost:
        ``(low, high)`` cost of the French-course programs in ``cost_fiscal_year`` (CAD).
    cost_fiscal_year:
        First calendar year of the fiscal year of ``program_cost`` (2016 for 2016-17).
    adults_without_french:
        Adults admitted without French over ``period`` (persons).
    period:
        First and last admission year of ``adults_without_french``.
    grant:
        Dated federal grant by fiscal year (a mapping with ``total``, or missing).
    """

    participation: Parameter
    non_attendance: float
    program_cost: tuple[float, float]
    cost_fiscal_year: int
    adults_without_french: float
    period: tuple[int, int]
    grant: Parameter

    def __post_init__(self) -> None:
        _checks.dated_shares(self.participation)
        _checks.share(self.non_attendance, "outcomes.francization.non_attendance_share")
        low, high = (
            _checks.non_negative(v, f"outcomes.francization.program_cost.{k}")
            for k, v in zip(("low", "high"), self.program_cost, strict=True)
        )
        if low > high:
            raise InputError(
                "the low cost exceeds the high cost",
                field="outcomes.francization.program_cost",
                value=self.program_cost,
            )
        _checks.non_negative(
            self.adults_without_french, "outcomes.francization.adults_admitted_without_french"
        )
        if self.period[0] > self.period[1]:
            raise InputError(
                "the period ends before it starts",
                field="outcomes.francization.adults_admitted_without_french",
                value=self.period,
            )
        for item in self.grant.values:
            if item.value is not None:
                total = item.value.get("total") if isinstance(item.value, Mapping) else item.value
                _checks.non_negative(total, f"{self.grant.name} ({item.start.isoformat()})")

    def participation_at(self, year: int) -> float:
        """Participation of ``year``'s admissions (first value before the series starts)."""
        first = self.participation.values[0]
        if year < first.start.year:
            return float(first.value)
        return float(self.participation.at(year))


@cache
def load_francization_parameters(
    branch: str | None = None, when: dt.date | None = None
) -> FrancizationParameters:
    """Read ``<branch>/outcomes/francization/`` at the base date ``when`` (both default to
    the default base's).

    Raises
    ------
    InputError
        A missing file or field, or a value out of range, naming the file, the field
        (``values.DATE.value[.KEY]``) and the value.
    """
    branch, when, _ = _checks.branch_defaults(branch, when)
    tree = parameters()

    def read(name: str) -> Parameter:
        return _checks.read(tree, f"{branch}.outcomes.francization.{name}")

    participation = _checks.checked_all(read("participation"))
    attendance = read("non_attendance_share")
    cost = read("program_cost")
    cost_entry = _checks.at(cost, when)
    adults = read("adults_admitted_without_french")
    adults_entry = _checks.at(adults, when)
    grant = _checks.checked_all(read("federal_grant"), _checks.non_negative, "total")
    return FrancizationParameters(
        participation=participation,
        non_attendance=_checks.checked(attendance, _checks.at(attendance, when)),
        program_cost=(
            _checks.checked(cost, cost_entry, _checks.non_negative, "low"),
            _checks.checked(cost, cost_entry, _checks.non_negative, "high"),
        ),
        cost_fiscal_year=cost_entry.start.year,
        adults_without_french=_checks.checked(
            adults, adults_entry, _checks.non_negative, "without_french"
        ),
        period=(
            _checks.year_of(adults, adults_entry, "first_year"),
            _checks.year_of(adults, adults_entry, "last_year"),
        ),
        grant=grant,
    )


@dataclass(frozen=True)
class CostPerStudent:
    """The derived cost per francization student (CAD of ``fiscal_year``).

    ``value = midpoint cost / students``; ``low``/``high`` use the cost range.
    """

    value: float
    low: float
    high: float
    students: float
    fiscal_year: int

    def arithmetic(self) -> str:
        """The derivation in one line, for the docs and reports."""
        return (
            f"{self.fiscal_year}-{(self.fiscal_year + 1) % 100:02d}: program cost / students "
            f"= {self.value * self.students:,.0f} / {self.students:,.0f} = {self.value:,.0f} CAD "
            f"(range {self.low:,.0f}–{self.high:,.0f})"
        )


def cost_per_student(params: FrancizationParameters | None = None) -> CostPerStudent:
    """Derive the cost per student of the program-cost year (see the module docstring)."""
    p = load_francization_parameters() if params is None else params
    years = p.period[1] - p.period[0] + 1
    students = p.adults_without_french / years * p.participation_at(p.cost_fiscal_year)
    if students <= 0.0:
        raise InputError(
            "no francization students in the cost year: cannot derive a cost per student",
            field="outcomes.francization.adults_admitted_without_french",
            value=p.adults_without_french,
        )
    low, high = p.program_cost
    return CostPerStudent(
        value=0.5 * (low + high) / students,
        low=low / students,
        high=high / students,
        students=students,
        fiscal_year=p.cost_fiscal_year,
    )


def grant_by_fiscal_year(
    years: FloatArray | list[int], params: FrancizationParameters | None = None
) -> FloatArray:
    """The published federal grant of fiscal years starting 1 April of ``years`` (CAD).

    NaN where no amount was published (before the first value, the null years, and after the
    last published value): missing stays missing.
    """
    p = load_francization_parameters() if params is None else params
    published = _published_grants(p.grant)
    return np.array([published.get(int(year), np.nan) for year in years], dtype=float)


def _published_grants(grant: Parameter) -> dict[int, float]:
    """The grant of each fiscal year it was published for, by the fiscal year's first
    calendar year: the value in force on 1 April of that year, where it took effect that
    same year (one pass over the dated values, not a dated lookup per year)."""
    values = grant.values
    out: dict[int, float] = {}
    for item, after in zip(values, [*values[1:], None], strict=True):
        april = dt.date(item.start.year, 4, 1)
        in_force = item.start <= april and (after is None or after.start > april)
        if in_force and item.value is not None:
            value = item.value
            out[item.start.year] = float(value["total"] if isinstance(value, Mapping) else value)
    return out


def francization_flows(
    immigrants: FloatArray,
    entry_french: FloatArray,
    start_years: FloatArray | list[int],
    params: FrancizationParameters | None = None,
) -> dict[str, FloatArray]:
    """Demand, students, places, cost and grant of every step, ``(T,)`` each.

    Parameters
    ----------
    immigrants:
        Admissions by step, category, sex and age at the start of the step, ``(T, C, X, A)``.
    entry_french:
        Share knowing French at entry, broadcastable to ``immigrants`` (e.g. ``(T, C, 1, 1)``).
    start_years:
        Year of 1 July starting each step, ``(T,)``.
    params:
        Default :func:`load_francization_parameters`.

    Returns
    -------
    dict
        ``admissions``, ``demand`` (adults 16+ without French), ``students``, ``places``
        (persons); ``cost``, ``grant`` (CAD); ``cost_per_admitted``, ``grant_per_admitted``
        (CAD per person, NaN where there were no admissions or no grant).
    """
    p = load_francization_parameters() if params is None else params
    imm = np.asarray(immigrants, dtype=float)
    french = _checks.share_array(np.broadcast_to(entry_french, imm.shape), "entry_french")
    years = np.asarray(start_years, dtype=int)
    adults = np.arange(imm.shape[-1]) >= ADULT_AGE
    demand = np.sum(imm[..., adults] * (1.0 - french[..., adults]), axis=(1, 2, 3))
    participation = np.array([p.participation_at(int(y) + 1) for y in years])
    students = demand * participation
    places = students * (1.0 - p.non_attendance)
    cost = students * cost_per_student(p).value
    admissions = imm.sum(axis=(1, 2, 3))
    grant = grant_by_fiscal_year(years, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_cost = np.where(admissions > 0, cost / admissions, np.nan)
        per_grant = np.where(admissions > 0, grant / admissions, np.nan)
    return {
        "admissions": admissions,
        "demand": demand,
        "students": students,
        "places": places,
        "cost": cost,
        "grant": grant,
        "cost_per_admitted": per_cost,
        "grant_per_admitted": per_grant,
    }
