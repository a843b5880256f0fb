"""Derived bases: an earlier base advanced with observed components, then calibrated.

:func:`build_quebec_2023` makes the ``quebec-2023`` base from ``quebec-2018``:

1. **Advance.** The engine runs the 2018 base's states (recent and long-term immigrants by
   category and duration, NPRs, non-immigrants) over the five steps from 1 July 2018 to
   1 July 2023 with what was observed: admissions by category of each calendar year
   (``data/admissions``; halves of adjacent years per July-June step), fertility at each
   year's published TFR (2018's age pattern), mortality at each year's published e0 by sex
   (2018's schedule moved to it), the NPR stock set on every 1 July to its published value
   (its age pattern as published for 2021-2023, 2018's before; half of each age per sex),
   net emigration and net interprovincial migration at the 2018 schedules. Each step takes
   the calendar year of its midpoint (1 January): the step from 1 July 2018 takes 2019's.
2. **Calibrate by single age.** At every age the non-NPR states (both sexes together) are
   multiplied by one factor so that the population, with the published NPR stock of that
   age, equals ISQ's 1 July 2023 estimate. The sex split, the groups and the durations are
   the advance's; the factors are the calibration residuals (the advance's error, which
   gathers the components not modelled: revisions of the estimates, the 2021 fertility
   upturn, interprovincial and emigration changes, unrecorded NPR flows).
3. **Rates of 2023.** Fertility: 2018's age pattern at the 2023 TFR; mortality: 2018's
   schedule moved to 2023's e0 by sex (one factor per sex).

Run from a checkout: ``write_quebec_2023("src/immiplan/data/base/quebec-2023")``; a test
re-derives the shipped files from their sources.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.projection.base import AGES, SEXES
from immiplan.projection.bases import base_path
from immiplan.projection.builders.quebec_2018 import _source_columns
from immiplan.projection.engine import ProjectionInputs, ProjectionOutputs, project
from immiplan.projection.history import admissions_by_period, calendar_admissions
from immiplan.projection.lifetable import calibrate_to_e0
from immiplan.projection.prepare import base_inputs
from immiplan.projection.retention import migration_rates
from immiplan.projection.state import CATEGORIES
from immiplan.projection.survival import survival_paths

FloatArray = NDArray[np.float64]

__all__ = ["AdvancedBase", "build_quebec_2023", "derived_tables_2023", "write_quebec_2023"]

SOURCE_BASE = "quebec-2018"
TARGET_BASE = "quebec-2023"


@dataclass(frozen=True)
class AdvancedBase:
    """The steps of :func:`build_quebec_2023`, kept for the documentation and the tests.

    Attributes
    ----------
    outputs:
        The engine's run from 1 July 2018 to 1 July 2023 (before calibration).
    advanced:
        Persons by state, sex and age on 1 July 2023 before calibration, ``(S, 2, 101)``.
    state:
        The same after calibration (the shipped ``state.csv``).
    factors:
        The calibration factor of every age, ``(101,)`` (1 = the advance was exact).
    target, npr:
        ISQ's 1 July 2023 population and NPR stock by age, ``(101,)``.
    tfr, e0:
        The TFR ``(5,)`` and e0 ``(5, 2)`` of each step (calendar years 2019-2023).
    asfr, mx, mortality_factors, e0_before:
        The 2023 rates: fertility ``(101,)``, death rates ``(2, 101)``, the factors on 2018's
        rates ``(2,)`` and the e0 of 2018's rates ``(2,)``.
    immigrants_2021:
        Permanent immigrants (all durations) on 1 July 2021 in the advance, persons.
    """

    outputs: ProjectionOutputs
    advanced: FloatArray
    state: FloatArray
    factors: FloatArray
    target: FloatArray
    npr: FloatArray
    tfr: FloatArray
    e0: FloatArray
    asfr: FloatArray
    mx: FloatArray
    mortality_factors: FloatArray
    e0_before: FloatArray
    immigrants_2021: float


def _path(years: FloatArray, values: FloatArray, at: NDArray[np.int64]) -> FloatArray:
    known = ~np.isnan(values)
    return np.asarray(np.interp(at, years[known], values[known]), dtype=float)


def build_quebec_2023(sources: Any | None = None) -> AdvancedBase:
    """Advance ``quebec-2018`` to 1 July 2023 and calibrate it (module docstring).

    Parameters
    ----------
    sources:
        The ``sources/`` folder of the 2023 base (default the shipped one).
    """
    folder = sources if sources is not None else base_path(TARGET_BASE) / "sources"
    isq = _source_columns("isq_population_2023", folder)
    observed = _source_columns("observed_2018_2023", folder)
    given = base_inputs(SOURCE_BASE)
    base, retention, split = given.base, given.retention, given.split
    space = base.manifest.space
    start, end = base.year, 2023
    steps = end - start
    x, a = space.n_sexes, AGES.size
    step_years = np.arange(start + 1, end + 1)  # the calendar year of each step's midpoint

    years = observed["year"]
    tfr = _path(years, observed["tfr"], step_years)
    e0 = np.stack([_path(years, observed[f"e0_{sex}"], step_years) for sex in SEXES], axis=1)
    survival, newborn = survival_paths(base.mx, e0, source="quebec-2023/sources")
    asfr = base.asfr[None, :] * (tfr / base.asfr.sum())[:, None]
    srb = base.srb
    sex_shares = np.broadcast_to([1.0 / (1.0 + srb), srb / (1.0 + srb)], (steps, x))

    calendar = {y: calendar_admissions(y, TARGET_BASE) for y in range(start, end + 1)}
    periods = admissions_by_period(calendar, start, end - 1)
    immigrants = periods[:, :, None, None] * base.category_profiles[None]
    emig, interp = migration_rates(base, retention, *given.rate_factors, space)

    npr_index = space.state("npr")
    old_shape = split.population[npr_index].sum(axis=0)
    old_shape = old_shape / old_shape.sum()
    stock = np.zeros((steps, x, a))
    for i, year in enumerate(range(start + 1, end + 1)):
        total = float(observed["npr_stock"][list(years).index(year)])
        column = f"npr_{year}"
        shape = isq[column] / isq[column].sum() if column in isq else old_shape
        stock[i] = 0.5 * total * shape[None, :]
    shares = np.array([given.assumptions.npr_transition_share.get(c, 0.0) for c in CATEGORIES])

    inputs = ProjectionInputs(
        space=space,
        base_year=start,
        population=split.population[:, None],
        survival=survival,
        newborn_survival=newborn,
        asfr=asfr,
        birth_sex_shares=sex_shares,
        emigration=np.broadcast_to(emig, (steps, *emig.shape)),
        interprovincial=np.broadcast_to(interp, (steps, *interp.shape)),
        immigrants=immigrants,
        npr_transition_share=np.broadcast_to(shares, (steps, len(CATEGORIES))),
        npr_stock=stock,
        npr_state=npr_index,
    )
    outputs = project(inputs)
    advanced = outputs.population[-1][:, 0]
    target = isq["population_2023"]
    npr = isq["npr_2023"]
    others = advanced.sum(axis=(0, 1)) - advanced[npr_index].sum(axis=0)
    factors = (target - npr) / others
    state = advanced * factors[None, None, :]
    state[npr_index] = 0.5 * npr[None, :]

    mx = np.empty((x, a))
    factors_mx = np.empty(x)
    before = np.empty(x)
    for j, sex in enumerate(SEXES):
        cal = calibrate_to_e0(base.mx[j], float(e0[-1, j]), sex=sex)  # type: ignore[arg-type]
        mx[j], factors_mx[j], before[j] = cal.mx, cal.factor, cal.e0_before
    at_2021 = outputs.population[2021 - start][:, 0]
    return AdvancedBase(
        outputs=outputs,
        advanced=advanced,
        state=state,
        factors=factors,
        target=target,
        npr=npr,
        tfr=tfr,
        e0=e0,
        asfr=asfr[-1],
        mx=mx,
        mortality_factors=factors_mx,
        e0_before=before,
        immigrants_2021=float(at_2021[space.block].sum()),
    )


def _format(value: float) -> str:
    return f"{value:.12g}"


def derived_tables_2023(built: AdvancedBase) -> dict[str, list[list[str]]]:
    """The derived CSV files of ``quebec-2023`` (header row first)."""
    space = base_inputs(SOURCE_BASE).base.manifest.space
    groups, durations = space.group_of_state(), space.duration_of_state()
    state_rows: list[list[str]] = [["group", "duration", "sex", "age", "persons"]]
    for s in range(space.n_states):
        for j, sex in enumerate(SEXES):
            for age in AGES:
                value = built.state[s, j, age]
                if value != 0.0:
                    state_rows.append(
                        [
                            space.groups[groups[s]],
                            str(durations[s]),
                            sex,
                            str(age),
                            _format(value),
                        ]
                    )
    population = built.state.sum(axis=0)
    fertile = np.nonzero(built.asfr)[0]
    indicators = [
        ["indicator", "value", "unit", "period"],
        ["population_female", _format(population[0].sum()), "persons", "1 July 2023"],
        ["population_male", _format(population[1].sum()), "persons", "1 July 2023"],
        ["npr", _format(built.npr.sum()), "persons", "1 July 2023"],
        ["tfr", _format(built.tfr[-1]), "children per woman", "2023"],
        ["mean_age_childbearing", "31.3", "years", "2023"],
        ["births", "77950", "births", "2023 (provisional)"],
        ["deaths", "77550", "deaths", "2023 (provisional)"],
        [
            "srb",
            _format(base_inputs(SOURCE_BASE).base.srb),
            "male births per female birth",
            "carried from 2018",
        ],
        ["e0_female", _format(built.e0[-1, 0]), "years", "2023"],
        ["e0_male", _format(built.e0[-1, 1]), "years", "2023"],
        ["immigrants", "52808", "persons", "2023"],
    ]
    return {
        "state": state_rows,
        "population": [["age", *SEXES]]
        + [[str(age), *(_format(population[j, age]) for j in range(2))] for age in AGES],
        "fertility": [["age", "asfr"]] + [[str(age), _format(built.asfr[age])] for age in fertile],
        "mortality": [["age", *SEXES]]
        + [[str(age), *(_format(built.mx[j, age]) for j in range(2))] for age in AGES],
        "mortality_calibration": [["sex", "e0_target", "e0_before", "factor"]]
        + [
            [
                sex,
                _format(built.e0[-1, j]),
                _format(built.e0_before[j]),
                _format(built.mortality_factors[j]),
            ]
            for j, sex in enumerate(SEXES)
        ],
        "indicators": indicators,
        "calibration_residuals": [["age", "advanced", "target", "npr", "factor"]]
        + [
            [
                str(age),
                _format(built.advanced[:, :, age].sum()),
                _format(built.target[age]),
                _format(built.npr[age]),
                _format(built.factors[age]),
            ]
            for age in AGES
        ],
    }


def write_quebec_2023(folder: str | Path) -> list[str]:
    """Rebuild the derived files of ``quebec-2023`` in ``folder``; returns their names.

    Sidecars and ``sources/`` are not touched.
    """
    root = Path(folder)
    written = []
    for name, rows in derived_tables_2023(build_quebec_2023(root / "sources")).items():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        (root / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
        written.append(f"{name}.csv")
    return written
