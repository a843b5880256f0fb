"""Validation runs: the ISQ 2024 reference projection, and a 2001–2019 backtest.

Both run the same vectorised engine (:func:`immiplan.projection.engine.project`) in a
one-sex, one-group configuration (:func:`immiplan.projection.state.one_group`), on the
ISQ workbooks ``population_qc_isq.xlsx`` and ``tx_isq.xlsx`` (both sexes, single ages
0..100+; see ``../shared/validation/isq/README.md``). Nothing here is shipped data: the
folder is passed in.

**Timing convention of the ISQ inputs (worked out from the data).** The rates of the year
labelled ``t`` are the events of the 12 months from 1 July ``t`` divided by the
population on 1 July ``t`` at the same age, and the events of the cohort aged ``a`` on
1 July ``t`` land it at ``a + 1`` on 1 July ``t + 1``: of 2,401 joint alignments of
deaths, immigrants, emigrants and interprovincial migrants (age at the start or the end,
two Lexis triangles, this year's or next year's column), this one closes the cohort
accounting best (``docs/validation.md`` lists what else was tried). The NPR column is a stock
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

**What remains.** ISQ's published components do not close its own cohort accounting
(:func:`closure_residual`); :func:`decompose` splits a run's error on the total into that
residual and what the rates do with the persons it misplaces, leaving what the engine
adds itself (rounding).
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
    "Decomposition",
    "IsqData",
    "IsqReproduction",
    "backtest",
    "closure_residual",
    "decompose",
    "isq_inputs",
    "markdown_report",
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

    def decomposition(self, data: IsqData) -> Decomposition:
        """The error on the total split into the data's residual and its consequences."""
        first, last = int(self.years[0]), int(self.years[-1])
        residual = closure_residual(data, first, last)
        return decompose(self.outputs.inputs, self.projected, self.published, residual)

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


def _to_end_age(by_start: FloatArray) -> FloatArray:
    """Counts by age on 1 July at the start → the age they reach a year later (``(..., 101)``).

    Age ``a`` lands at ``a + 1``; the open group receives ages 99 and 100; age 0 nothing.
    """
    out = np.zeros_like(by_start)
    out[..., 1:] = by_start[..., :-1]
    out[..., -1] += by_start[..., -1]
    return out


def closure_residual(data: IsqData, first: int, last: int) -> FloatArray:
    """The data's own accounting residual along cohorts, ``(years, 100)`` persons.

    For the years ``first..last − 1`` and the end ages ``1..100`` (column ``j`` is end
    age ``j + 1``; the last column is the open group 100+, fed by ages 99 and 100)::

        P(t+1, a+1) − P(t, a) + D(t, a) − I(t, a) + E(t, a) − M(t, a) − ΔNPR

    ``ΔNPR`` is the cohort change of the NPR stock, ``N(t+1, a+1) − N(t, a)``, from 2021
    on (where the column is a stock) and the year's net change ``N(t, a)`` before (where
    it is a flow). Age 0 has no residual: the birth input is defined from it. This is
    what no engine can remove: started from the published population, one engine step
    misses the next published population by exactly this.
    """
    rows = np.arange(data.row(first), data.row(last))
    flows = -data.deaths[rows] + data.immigrants[rows] - data.emigrants[rows]
    flows = flows + data.interprovincial[rows]
    stock = (data.years[rows] >= NPR_STOCK_FROM)[:, None]
    npr = np.where(
        stock,
        _stock_change(data.npr[rows], data.npr[rows + 1]),
        _to_end_age(data.npr[rows]),
    )
    change = data.population[rows + 1] - _to_end_age(data.population[rows])
    return np.asarray((change - _to_end_age(flows) - npr)[:, 1:])


@dataclass(frozen=True)
class Decomposition:
    """An engine run's error on the total, split into what causes it (persons, cumulative).

    With ``e(t)`` the engine's population minus the reference, one step adds
    ``e(t+1) − e(t) = −ΣR(t) − Σ(1 − S)·e(t) − Σ(em − ip)·e(t) + Σ f·e(t+1)``: the data's
    own residual ``R`` (:func:`closure_residual`), and what the rates do to the persons
    already off (they die, migrate, and give birth at the reference's rates). Every
    term vanishes with ``R``: an engine that adds no error of its own has ``unexplained``
    at rounding level.

    Attributes
    ----------
    years:
        1 July dates.
    reference:
        The reference totals (published or estimated).
    error, residual, via_deaths, via_migration, via_births, unexplained:
        Persons by year, cumulative from the start; ``error`` = the sum of the others.
    """

    years: NDArray[np.int64]
    reference: FloatArray
    error: FloatArray
    residual: FloatArray
    via_deaths: FloatArray
    via_migration: FloatArray
    via_births: FloatArray
    unexplained: FloatArray

    def table(self) -> pd.DataFrame:
        """The decomposition as % of the reference total, by year."""
        pct = 100.0 / self.reference
        return pd.DataFrame(
            {
                "year": self.years.astype(int),
                "error_pct": pct * self.error,
                "data_residual_pct": pct * self.residual,
                "via_deaths_pct": pct * self.via_deaths,
                "via_migration_pct": pct * self.via_migration,
                "via_births_pct": pct * self.via_births,
                "engine_pct": pct * self.unexplained,
            }
        )


def decompose(
    inputs: ProjectionInputs, projected: FloatArray, reference: FloatArray, residual: FloatArray
) -> Decomposition:
    """Split the error of a one-group, one-sex run (end timing, end birth exposure).

    ``projected`` and ``reference`` are ``(T + 1, 101)``; ``residual`` is the reference's
    own cohort residual by step and end age 1..100, ``(T, 100)``.
    """
    if (
        inputs.population.shape[:3] != (1, 1, 1)
        or inputs.migration_at_start != 0.0
        or inputs.birth_exposure_end != 1.0
    ):
        raise InputError("decompose needs a one-state, one-sex run with end timing")
    diff = projected - reference
    start = diff[:-1]
    deaths = ((1.0 - inputs.survival[:, 0]) * start).sum(axis=1)
    net = (inputs.interprovincial - inputs.emigration)[:, 0, 0]
    migration = (net * start).sum(axis=1)
    births = (inputs.asfr * diff[1:]).sum(axis=1) * inputs.newborn_survival[:, 0]

    def cumulative(per_step: FloatArray) -> FloatArray:
        return np.concatenate([[0.0], np.cumsum(per_step)])

    error = diff.sum(axis=1)
    parts = {
        "residual": cumulative(-residual.sum(axis=1)),
        "via_deaths": cumulative(-deaths),
        "via_migration": cumulative(migration),
        "via_births": cumulative(births),
    }
    explained = sum(parts.values(), np.zeros_like(error))
    return Decomposition(
        years=inputs.years,
        reference=reference.sum(axis=1),
        error=error,
        unexplained=error - explained,
        **parts,
    )


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
    inputs: ProjectionInputs | None = None

    @property
    def total_error(self) -> FloatArray:
        """Relative error of the total by year."""
        return np.asarray(self.projected.sum(axis=1) / self.estimated.sum(axis=1) - 1.0)

    def decomposition(self, data: IsqData) -> Decomposition:
        """The error on the total split into the estimates' residual and its consequences."""
        if self.inputs is None:
            raise InputError("this backtest carries no inputs to decompose")
        residual = closure_residual(data, int(self.years[0]), int(self.years[-1]))
        return decompose(self.inputs, self.projected, self.estimated, residual)

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
    npr = _to_end_age(data.npr[rows])
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
        inputs=inputs,
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


def _residual_by_group(residual: FloatArray) -> pd.DataFrame:
    """Mean residual per single age and year by five-year group of end age (``(T, 100)``)."""
    ages = np.arange(1, N_AGES)
    groups = np.minimum(ages // 5, 20)
    labels = [f"{5 * g}-{5 * g + 4}" if g < 20 else "100+" for g in range(21)]
    first = residual[0]
    rest = residual[1:].mean(axis=0)
    return pd.DataFrame(
        {
            "end age": labels,
            "2023→2024": [float(first[groups == g].mean()) for g in range(21)],
            "2024→2070, mean": [float(rest[groups == g].mean()) for g in range(21)],
        }
    )


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
    residual = closure_residual(data, 2023, 2070)
    dec = rep.decomposition(data).table()
    pct = {c: 3 for c in dec.columns if c.endswith("_pct")}
    pct["engine_pct"] = 6
    within = rep.years[np.abs(rep.total_error) <= 0.001]
    parts = [
        "### ISQ 2024 reference projection, 2023–2070",
        "",
        f"Largest error on the total: {100 * np.abs(rep.total_error).max():.3f} % "
        f"(within 0.1 % through {int(within.max())}); largest error at a single age: "
        f"{100 * np.abs(rep.age_error).max():.2f} %. What the engine adds itself: "
        f"{100 * np.abs(rep.decomposition(data).unexplained).max() / table['published'].min():.0e}"
        " % at most.",
        "",
        "#### The inputs' own cohort residual, persons per single age and year",
        "",
        "`P(t+1, a+1) − P(t, a) + D − I + E − M − ΔNPR` from ISQ's published columns, by "
        f"five-year group of end age. Mean |residual|: {np.abs(residual).mean():.1f} persons "
        f"per age and year; sum per year: {residual.sum(axis=1).mean():.0f} persons on average.",
        "",
        _markdown(_residual_by_group(residual), {"2023→2024": 0, "2024→2070, mean": 1}),
        "",
        "#### Error on the total, decomposed (% of ISQ's total, cumulative)",
        "",
        "`data_residual_pct`: minus the cumulated residual; `via_deaths_pct`, "
        "`via_migration_pct`, `via_births_pct`: the deaths, net migration and births that "
        "ISQ's rates give the persons the residual moved; `engine_pct`: the rest, what the "
        "engine adds.",
        "",
        _markdown(dec[dec["year"].isin([2024, 2030, 2040, 2047, 2048, 2050, 2060, 2070])], pct),
        "",
        "#### Error by year",
        "",
        _markdown(
            table,
            {"published": 0, "projected": 0, "total_error_pct": 3, "max_age_error_pct": 2},
        ),
        "",
        "#### Error (%) by five-year age group",
        "",
    ]
    groups = Backtest(rep.years, rep.projected, rep.published).by_age_group()
    picked = groups.loc[[2030, 2040, 2050, 2060, 2070]].T.reset_index()
    picked.columns = ["age group", *[str(y) for y in picked.columns[1:]]]
    parts += [_markdown(picked), ""]
    bt = backtest(data, 2001, 2019)
    bt_dec = bt.decomposition(data).table()
    est = bt.estimated.sum(axis=1)
    bt_table = pd.DataFrame(
        {
            "year": bt.years.astype(int),
            "estimated": est,
            "projected": bt.projected.sum(axis=1),
            "error_pct": bt_dec["error_pct"],
            "data_residual_pct": bt_dec["data_residual_pct"],
            "feedback_pct": bt_dec["via_deaths_pct"]
            + bt_dec["via_migration_pct"]
            + bt_dec["via_births_pct"],
            "engine_pct": bt_dec["engine_pct"],
        }
    )
    gap = (bt_table["error_pct"] - bt_table["data_residual_pct"]).abs().max()
    parts += [
        "### Backtest 2001–2019: error on the total by year",
        "",
        "`data_residual_pct`: minus the estimates' own cumulative cohort residual (end ages "
        "1–100+), as a % of the estimate: the error of an engine that followed the "
        "components exactly; `feedback_pct`: the deaths, migration and births the rates give "
        "the persons the residual moved; `engine_pct`: the rest. Largest "
        f"|error − data residual|: {gap:.3f} points.",
        "",
        _markdown(
            bt_table,
            {
                "estimated": 0,
                "projected": 0,
                "error_pct": 3,
                "data_residual_pct": 3,
                "feedback_pct": 3,
                "engine_pct": 6,
            },
        ),
        "",
        "### Backtest: error (%) by five-year age group",
        "",
    ]
    by_group = bt.by_age_group().loc[[2005, 2010, 2015, 2019]].T.reset_index()
    by_group.columns = ["age group", *[str(y) for y in by_group.columns[1:]]]
    parts += [_markdown(by_group), ""]
    return "\n".join(parts)
