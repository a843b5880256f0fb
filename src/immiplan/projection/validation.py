"""Validation runs: the ISQ 2024 reference projection, and a 2001–2019 backtest.

Both run the same vectorised engine (:func:`immiplan.projection.engine.project`) in a
one-sex, one-group configuration (:func:`immiplan.projection.state.one_group`), on the
ISQ workbooks ``population_qc_isq.xlsx`` and ``tx_isq.xlsx`` (both sexes, single ages
0..100+; see ``../shared/validation/isq/README.md``). Nothing here is shipped data: the
folder is passed in.

**Timing convention of the ISQ inputs (worked out from the data).** The rates of the year
labelled ``t`` are the events of the 12 months from 1 July ``t`` divided by the
population on 1 July ``t`` at the same age, and the events of the cohort aged ``a`` on
1 July ``t`` land it at ``a + 1`` on 1 July ``t + 1``: among the four alignments of
(year, age) tried, this one closes the cohort accounting best. The NPR column is a stock
from 2021 on, and its change along the cohort (``N(t+1, a+1) − N(t, a)``) enters as net
migration at the end of the year. ``tx_naissance`` is the population aged 0 on 1 July
divided by the population aged 15–45 on the same date, so the newborns of the step that
ends on 1 July ``t + 1`` are ``tx_naissance[t+1]`` times the end population aged 15–45.
In engine terms: ``migration_at_start = 0`` (ISQ counts migrants after the year's
deaths, which its rates put on the 1 July population), ``birth_exposure_end = 1``,
survival ``1 − mx``, newborn survival 1.

(``pcmichaud/immsim``'s own loop applies the rates of year ``t + 1`` to the population
shifted from ``t``, and drops the 100+ survivors of the previous year; its deviation from
the ISQ numbers is larger, see ``docs/validation.md``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.engine import ProjectionInputs, ProjectionOutputs, project
from immiplan.projection.state import N_AGES, one_group

FloatArray = NDArray[np.float64]

__all__ = [
    "Backtest",
    "IsqData",
    "IsqReproduction",
    "backtest",
    "closure_residual",
    "isq_inputs",
    "read_isq",
    "reproduce_isq",
]

FERTILE = slice(15, 46)
"""Ages 15..45, the denominator of ISQ's crude birth input."""
NPR_STOCK_FROM = 2021
"""First year whose NPR column is a stock (a net change before)."""


@dataclass(frozen=True)
class IsqData:
    """The ISQ workbooks as arrays by year (rows) and single age 0..100 (columns).

    Attributes
    ----------
    years:
        Years of the estimates and projection (1989..2070).
    population, deaths, immigrants, emigrants, interprovincial, npr:
        ``(years, 101)`` from ``population_qc_isq.xlsx``; ``npr`` is a net change up to
        2020 and a stock from 2021.
    tx_years:
        Years of the projection inputs (2023..2070).
    mx, emigration, interprovincial_rate, immigrant_share:
        ``(tx_years, 101)`` rates and age shares from ``tx_isq.xlsx``.
    immigrant_total:
        ``(tx_years,)`` immigrants per year.
    birth_rate:
        ``(tx_years,)`` population aged 0 / population aged 15–45.
    tx_population, tx_npr:
        ``(tx_years, 101)`` ISQ's projected population and NPR stock.
    """

    years: NDArray[np.int64]
    population: FloatArray
    deaths: FloatArray
    immigrants: FloatArray
    emigrants: FloatArray
    interprovincial: FloatArray
    npr: FloatArray
    tx_years: NDArray[np.int64]
    mx: FloatArray
    emigration: FloatArray
    interprovincial_rate: FloatArray
    immigrant_share: FloatArray
    immigrant_total: FloatArray
    birth_rate: FloatArray
    tx_population: FloatArray
    tx_npr: FloatArray

    def row(self, year: int) -> int:
        """Row of ``year`` in the estimate arrays."""
        return int(year - self.years[0])


def _pivot(frame: pd.DataFrame, column: str) -> tuple[NDArray[np.int64], FloatArray]:
    table = frame.pivot(index="year", columns="age", values=column).sort_index()
    if list(table.columns) != list(range(N_AGES)):
        raise InputError(f"the ISQ table must have ages 0..100 for '{column}'")
    return table.index.to_numpy(dtype=np.int64), table.to_numpy(dtype=float)


def read_isq(folder: str | Path) -> IsqData:
    """Read the two ISQ workbooks of ``folder`` into :class:`IsqData`."""
    folder = Path(folder)
    try:
        pop = pd.read_excel(folder / "population_qc_isq.xlsx")
        sheets = pd.read_excel(folder / "tx_isq.xlsx", sheet_name=None)
    except FileNotFoundError as exc:
        raise InputError("ISQ workbook not found", source=str(exc.filename)) from exc
    years, population = _pivot(pop, "population")
    arrays = {
        c: _pivot(pop, c)[1]
        for c in ("death", "immigrant", "emmigrant", "net_interp_migration", "NPR")
    }
    tx = sheets["tx_by_age"]
    tx_years, mx = _pivot(tx, "mx")
    births = sheets["tx_naissance"].set_index("year")["tx_naissance"].sort_index()
    totals = tx.groupby("year")["tot_immig"].mean().sort_index()
    return IsqData(
        years=years,
        population=population,
        deaths=arrays["death"],
        immigrants=arrays["immigrant"],
        emigrants=arrays["emmigrant"],
        interprovincial=arrays["net_interp_migration"],
        npr=arrays["NPR"],
        tx_years=tx_years,
        mx=mx,
        emigration=_pivot(tx, "tx_net_emmigrant")[1],
        interprovincial_rate=_pivot(tx, "tx_net_interp_migration")[1],
        immigrant_share=_pivot(tx, "prop_immig")[1],
        immigrant_total=totals.reindex(list(tx_years)).to_numpy(dtype=float),
        birth_rate=births.reindex(list(tx_years)).to_numpy(dtype=float),
        tx_population=_pivot(tx, "population")[1],
        tx_npr=_pivot(tx, "NPR")[1],
    )


def _stock_change(start: FloatArray, end: FloatArray) -> FloatArray:
    """Net migration by end age that takes an NPR stock from ``start`` to ``end`` (``(T, A)``).

    Along the cohort: end age ``a`` receives ``end[a] − start[a − 1]``; the open group
    ``end[100] − start[99] − start[100]``; age 0 nothing (newborns are set by the birth
    rate, which already counts NPR infants).
    """
    out = np.zeros_like(end)
    out[:, 1:] = end[:, 1:] - start[:, :-1]
    out[:, -1] -= start[:, -1]
    return out


def isq_inputs(data: IsqData, first: int = 2023, last: int = 2070) -> ProjectionInputs:
    """Engine inputs reproducing the ISQ projection from ``first`` to ``last`` (1 July)."""
    if not data.tx_years[0] <= first < last <= data.tx_years[-1]:
        raise InputError(
            f"the ISQ inputs cover {data.tx_years[0]}..{data.tx_years[-1]}",
            value=(first, last),
        )
    i0 = int(first - data.tx_years[0])
    n = last - first
    steps = slice(i0, i0 + n)
    nxt = slice(i0 + 1, i0 + n + 1)
    asfr = np.zeros((n, N_AGES))
    asfr[:, FERTILE] = data.birth_rate[nxt, None]
    immigrants = data.immigrant_total[steps, None] * data.immigrant_share[steps]
    npr_flow = _stock_change(data.tx_npr[steps], data.tx_npr[nxt])
    return ProjectionInputs(
        space=one_group(),
        base_year=first,
        population=data.tx_population[i0][None, None, None],
        survival=(1.0 - data.mx[steps])[:, None],
        newborn_survival=np.ones((n, 1)),
        asfr=asfr,
        birth_sex_shares=np.ones((n, 1)),
        emigration=data.emigration[steps][:, None, None],
        interprovincial=data.interprovincial_rate[steps][:, None, None],
        immigrants=immigrants[:, None, None],
        npr_transition_share=np.zeros((n, 1)),
        net_migration=npr_flow[:, None, None],
        migration_at_start=0.0,
        birth_exposure_end=1.0,
    )


@dataclass(frozen=True)
class IsqReproduction:
    """The ISQ reproduction and its errors.

    Attributes
    ----------
    outputs:
        The engine's run.
    years:
        1 July dates compared.
    projected, published:
        Population by year and age, ``(years, 101)``.
    """

    outputs: ProjectionOutputs
    years: NDArray[np.int64]
    projected: FloatArray
    published: FloatArray

    @property
    def total_error(self) -> FloatArray:
        """Relative error of the total population by year (projected / published − 1)."""
        return np.asarray(self.projected.sum(axis=1) / self.published.sum(axis=1) - 1.0)

    @property
    def age_error(self) -> FloatArray:
        """Relative error by year and single age, ``(years, 101)``."""
        return np.asarray(self.projected / self.published - 1.0)

    def table(self) -> pd.DataFrame:
        """Errors by year: totals, and the largest single-age error (%)."""
        worst = np.abs(self.age_error).argmax(axis=1)
        return pd.DataFrame(
            {
                "year": self.years,
                "published": self.published.sum(axis=1),
                "projected": self.projected.sum(axis=1),
                "total_error_pct": 100.0 * self.total_error,
                "max_age_error_pct": 100.0 * np.abs(self.age_error).max(axis=1),
                "at_age": worst,
            }
        )


def reproduce_isq(data: IsqData, first: int = 2023, last: int = 2070) -> IsqReproduction:
    """Run the ISQ reproduction and compare it with ISQ's published projection."""
    outputs = project(isq_inputs(data, first, last))
    i0 = int(first - data.tx_years[0])
    published = data.tx_population[i0 : i0 + last - first + 1]
    return IsqReproduction(
        outputs=outputs,
        years=outputs.years,
        projected=outputs.population[:, 0, 0, 0],
        published=published,
    )


def closure_residual(data: IsqData, first: int, last: int) -> FloatArray:
    """The data's own accounting residual along cohorts, ``(years, 99)`` persons.

    ``P(t+1, a+1) − P(t, a) + D − I + E − M − ΔNPR`` for ``a = 0..98`` and the years
    ``first..last − 1``: what no timing convention can remove. ``ΔNPR`` is the cohort
    change of the NPR stock from 2021 on (where the column is a stock) and the year's net
    change before (where it is a flow).
    """
    out = []
    ages = np.arange(0, 99)
    for year in range(first, last):
        r0, r1 = data.row(year), data.row(year + 1)
        change = data.population[r1, ages + 1] - data.population[r0, ages]
        if year >= NPR_STOCK_FROM:
            npr = data.npr[r1, ages + 1] - data.npr[r0, ages]
        else:
            npr = data.npr[r0, ages]
        flows = (
            -data.deaths[r0, ages]
            + data.immigrants[r0, ages]
            - data.emigrants[r0, ages]
            + data.interprovincial[r0, ages]
            + npr
        )
        out.append(change - flows)
    return np.asarray(out)


@dataclass(frozen=True)
class Backtest:
    """A projection from estimated data with the observed components, and its errors.

    Attributes
    ----------
    years:
        1 July dates.
    projected, estimated:
        Population by year and age, ``(years, 101)``.
    """

    years: NDArray[np.int64]
    projected: FloatArray
    estimated: FloatArray

    @property
    def total_error(self) -> FloatArray:
        """Relative error of the total by year."""
        return np.asarray(self.projected.sum(axis=1) / self.estimated.sum(axis=1) - 1.0)

    def by_age_group(self, width: int = 5) -> pd.DataFrame:
        """Relative error (%) by year and age group (``0-4 … 95-99, 100+``)."""
        starts = np.arange(0, N_AGES, width)
        groups = np.searchsorted(starts, np.arange(N_AGES), side="right") - 1
        proj = np.stack([np.bincount(groups, row) for row in self.projected])
        est = np.stack([np.bincount(groups, row) for row in self.estimated])
        labels = [f"{s}-{s + width - 1}" if s + width - 1 < N_AGES - 1 else f"{s}+" for s in starts]
        return pd.DataFrame(100.0 * (proj / est - 1.0), index=self.years, columns=labels)


def backtest(data: IsqData, first: int = 2001, last: int = 2019) -> Backtest:
    """Project the estimated ``first`` population to ``last`` with the observed components.

    One sex, one group; the observed deaths, net emigration and net interprovincial
    migration of each year become rates on the 1 July population (as the ISQ inputs are
    built), immigrants and the net NPR change are counts (the NPR column is a net change
    before 2021), all at the end of the year. Births are the observed population aged 0
    on 1 July over that aged 15–45 (the ISQ input's definition), applied to the projected
    end population: the backtest tests the cohort mechanics and the components, not a
    fertility model.
    """
    if not (data.years[0] <= first < last <= NPR_STOCK_FROM - 1):
        raise InputError("the backtest needs estimate years with NPR flows (up to 2020)")
    n = last - first
    rows = np.arange(data.row(first), data.row(first) + n)
    pop = data.population
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = np.where(pop[rows] > 0, data.deaths[rows] / pop[rows], 0.0)
        emig = np.where(pop[rows] > 0, data.emigrants[rows] / pop[rows], 0.0)
        interp = np.where(pop[rows] > 0, data.interprovincial[rows] / pop[rows], 0.0)
    birth_rate = pop[rows + 1, 0] / pop[rows + 1, FERTILE].sum(axis=1)
    asfr = np.zeros((n, N_AGES))
    asfr[:, FERTILE] = birth_rate[:, None]
    # The NPR net change of the year, by age at the start, lands one year older.
    npr = np.zeros((n, N_AGES))
    npr[:, 1:] = data.npr[rows, :-1]
    npr[:, -1] += data.npr[rows, -1]
    inputs = ProjectionInputs(
        space=one_group(),
        base_year=first,
        population=pop[rows[0]][None, None, None],
        survival=np.clip(1.0 - mx, 0.0, 1.0)[:, None],
        newborn_survival=np.ones((n, 1)),
        asfr=asfr,
        birth_sex_shares=np.ones((n, 1)),
        emigration=np.clip(emig, -1.0, 1.0)[:, None, None],
        interprovincial=np.clip(interp, -1.0, 1.0)[:, None, None],
        immigrants=np.maximum(data.immigrants[rows], 0.0)[:, None, None],
        npr_transition_share=np.zeros((n, 1)),
        net_migration=npr[:, None, None],
        migration_at_start=0.0,
        birth_exposure_end=1.0,
    )
    outputs = project(inputs)
    return Backtest(
        years=outputs.years,
        projected=outputs.population[:, 0, 0, 0],
        estimated=pop[data.row(first) : data.row(last) + 1],
    )


def _markdown(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> str:
    digits = digits or {}
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---:|" * len(cols)]
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(cols, row, strict=True):
            if isinstance(value, float | np.floating):
                cells.append(f"{value:,.{digits.get(col, 2)}f}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_report(data: IsqData) -> str:
    """The error tables of ``docs/validation.md`` (ISQ reproduction and backtest).

    Regenerate with::

        python -c "from immiplan.projection.validation import *; \\
            print(markdown_report(read_isq('../shared/validation/isq')))"
    """
    rep = reproduce_isq(data)
    table = rep.table()
    table["year"] = table["year"].astype(int)
    table["at_age"] = table["at_age"].astype(int)
    parts = [
        "### ISQ 2024 reference projection, 2023–2070: error by year",
        "",
        f"Largest error on the total: {100 * np.abs(rep.total_error).max():.3f} %; "
        f"largest error at a single age: {100 * np.abs(rep.age_error).max():.2f} %.",
        "",
        _markdown(
            table,
            {"published": 0, "projected": 0, "total_error_pct": 3, "max_age_error_pct": 2},
        ),
        "",
        "### ISQ reproduction: error (%) by five-year age group",
        "",
    ]
    groups = Backtest(rep.years, rep.projected, rep.published).by_age_group()
    picked = groups.loc[[2030, 2040, 2050, 2060, 2070]].T.reset_index()
    picked.columns = ["age group", *[str(y) for y in picked.columns[1:]]]
    parts += [_markdown(picked), ""]
    residual = closure_residual(data, 2023, 2070)
    cohort = pd.DataFrame(
        {
            "years": ["2023–2069"],
            "mean |residual| per age and year (persons)": [float(np.abs(residual).mean())],
            "sum per year, mean (persons)": [float(residual.sum(axis=1).mean())],
        }
    )
    parts += [
        "### The inputs' own cohort residual (projection years)",
        "",
        _markdown(
            cohort,
            {"mean |residual| per age and year (persons)": 1, "sum per year, mean (persons)": 0},
        ),
        "",
    ]
    bt = backtest(data, 2001, 2019)
    resid = closure_residual(data, 2001, 2019)
    cum = np.concatenate([[0.0], np.cumsum(resid.sum(axis=1))])
    est = bt.estimated.sum(axis=1)
    bt_table = pd.DataFrame(
        {
            "year": bt.years.astype(int),
            "estimated": est,
            "projected": bt.projected.sum(axis=1),
            "error_pct": 100.0 * bt.total_error,
            "data_residual_pct": -100.0 * cum / est,
        }
    )
    parts += [
        "### Backtest 2001–2019: error on the total by year",
        "",
        "`data_residual_pct` is minus the estimates' own cumulative cohort residual (ages "
        "1–99), as a % of the estimate: the error a perfect engine would show.",
        "",
        _markdown(
            bt_table,
            {"estimated": 0, "projected": 0, "error_pct": 3, "data_residual_pct": 3},
        ),
        "",
        "### Backtest: error (%) by five-year age group",
        "",
    ]
    by_group = bt.by_age_group().loc[[2005, 2010, 2015, 2019]].T.reset_index()
    by_group.columns = ["age group", *[str(y) for y in by_group.columns[1:]]]
    parts += [_markdown(by_group), ""]
    return "\n".join(parts)
