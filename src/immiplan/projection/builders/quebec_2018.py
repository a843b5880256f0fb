"""How the ``quebec-2018`` base's files were made from the tables it was published in.

The shipped CSVs of ``data/base/quebec-2018/`` were made by the functions below from the
published tables kept, as published, in its ``sources/`` folder (each with its own sidecar), and
the published indicators of ``indicators.csv``. :func:`build_quebec_2018` re-derives every
derived file, so a test checks that the shipped numbers follow from the sources and the
documented methods (``docs/base-data.md``); :func:`write_derived_files` rewrites them. Nothing
here runs in a projection: :func:`immiplan.projection.bases.load_base` reads the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.projection.base import AGES, CATEGORIES, SEXES, FloatArray
from immiplan.projection.bases import _by_age, _numbers, _table, base_path
from immiplan.projection.lifetable import (
    Calibration,
    KannistoFit,
    calibrate_to_e0,
    fit_kannisto,
    graduate_grouped_rates,
)

BASE = "quebec-2018"
"""The base these recipes build."""

__all__ = [
    "BASE",
    "build_fertility",
    "build_quebec_2018",
    "derived_tables",
    "published_targets",
    "read_table",
    "write_derived_files",
]


def read_table(folder: Any, name: str) -> dict[str, list[str]]:
    """Read ``name.csv`` of ``folder`` into columns of strings (header row = names)."""
    return _table(folder / f"{name}.csv", f"{name}.csv")


def _by_age_file(folder: Any, name: str) -> FloatArray:
    """The female and male columns of an ``age``-indexed file over ages 0..100."""
    return _by_age(read_table(folder, name), SEXES, f"{BASE}/{name}.csv")


def published_targets(folder: Any) -> dict[str, float]:
    """The base's published indicators (``indicators.csv``) by name."""
    table = read_table(folder, "indicators")
    values = _numbers(table, "value", f"{BASE}/indicators.csv")
    return dict(zip(table["indicator"], values.tolist(), strict=True))


FERTILE_AGES = np.arange(15, 50)
KANNISTO_FROM = 90
"""First single age whose death rate comes from the fitted Kannisto curve."""
CATEGORY_BANDS = ((0, 15), (15, 25), (25, 45), (45, 65), (65, 101))
"""The broad age bands (first age, one past the last) of IRCC's by-category age shares."""


def _source_columns(name: str, folder: Any | None = None) -> dict[str, FloatArray]:
    """A ``sources/`` table as float columns (empty cells -> NaN, ``inf`` -> infinity)."""
    where = folder if folder is not None else base_path(BASE) / "sources"
    table = read_table(where, name)
    out: dict[str, FloatArray] = {}
    for column, cells in table.items():
        try:
            out[column] = np.array([float(c) if c.strip() else np.nan for c in cells])
        except ValueError:
            continue  # a text column (category names)
    return out


def _groups_of(starts: FloatArray, ages: NDArray[np.int64] = AGES) -> NDArray[np.intp]:
    """Index of the group (given by its first ages) holding each single age."""
    return np.searchsorted(starts, ages, side="right") - 1


def build_fertility(groups: dict[str, FloatArray], tfr: float) -> FloatArray:
    """Single-age fertility 15..49 from the 2017 five-year rates, rescaled to ``tfr``.

    The MSSS/ISQ group rates are the plain means of the single-year rates, so they are
    graduated with equal weights (log-linear, mean-keeping), then multiplied by one factor
    so that they sum to ``tfr``: 2017's age pattern at 2018's level.
    """
    starts = groups["age_start"].astype(int)
    per_woman = groups["asfr_2017"] / 1000.0
    single = graduate_grouped_rates(starts, per_woman, int(FERTILE_AGES[-1]) + 1)
    return single * (tfr / single.sum())


def split_by_sex_ratio(
    both: FloatArray, ratio_male_to_female: FloatArray, pop_female: FloatArray, pop_male: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Split both-sex rates into female and male rates with a given male/female rate ratio.

    Keeps the both-sex events: ``m_F·P_F + m_M·P_M = m·(P_F + P_M)`` with ``m_M = r·m_F``.
    """
    female = both * (pop_female + pop_male) / (pop_female + ratio_male_to_female * pop_male)
    return female, ratio_male_to_female * female


@dataclass(frozen=True)
class MortalityBuild:
    """The steps of :func:`build_mortality`, kept for the documentation and the tests."""

    graduated: FloatArray
    """Single-age rates before calibration, ``(2, 101)``, per person-year."""
    calibrations: tuple[Calibration, Calibration]
    """Female and male calibrations to the published e0."""
    kannisto: tuple[KannistoFit, KannistoFit]
    """Female and male Kannisto fits (70-74 … 90+)."""
    old_group_rates: FloatArray
    """Sex-specific 80-84, 85-89, 90+ rates split from Quebec's both-sex rates, ``(2, 3)``."""

    @property
    def mx(self) -> FloatArray:
        """Calibrated rates, ``(2, 101)``."""
        return np.stack([c.mx for c in self.calibrations])


def build_mortality(
    quebec: dict[str, FloatArray],
    canada: dict[str, FloatArray],
    population: FloatArray,
    e0: dict[str, float],
) -> MortalityBuild:
    """Single-age death rates 0..100+ by sex for 2018, calibrated to the published e0.

    1. Age 0: ISQ's infant rate. 2. Ages 80-84, 85-89 and 90+: Quebec's both-sex rates
    split by sex with Canada's 2018 male/female rate ratios, keeping Quebec's deaths.
    3. Ages 1..89: the group rates graduated log-linearly, weighted by the 1 July 2018
    population so that each group's deaths are kept. 4. Ages 90..99 and 100+: a Kannisto
    curve fitted to the 70-74 … 90+ rates of each sex. 5. One factor per sex on every rate
    so that e0 equals ISQ's published value.
    """
    starts = quebec["age_start"].astype(int)
    widths = quebec["age_width"]
    old = np.isnan(quebec["female"])
    groups = _groups_of(starts.astype(float))
    pop_by_group = np.stack([np.bincount(groups, p, minlength=starts.size) for p in population])
    ratio = canada["male"] / canada["female"]
    old_f, old_m = split_by_sex_ratio(
        quebec["both_sexes"][old], ratio, pop_by_group[0, old], pop_by_group[1, old]
    )
    old_rates = np.stack([old_f, old_m]) / 1000.0
    graduated = np.zeros((2, AGES.size))
    fits: list[KannistoFit] = []
    for row, sex in enumerate(SEXES):
        rates = quebec[sex] / 1000.0
        rates[old] = old_rates[row]
        graduated[row, 0] = rates[0]
        closed = (starts >= 1) & (starts < KANNISTO_FROM)
        graduated[row, 1:KANNISTO_FROM] = graduate_grouped_rates(
            starts[closed], rates[closed], KANNISTO_FROM, exposure=population[row, 1:KANNISTO_FROM]
        )
        fit_rows = starts >= 70
        fit = fit_kannisto(
            starts[fit_rows], widths[fit_rows], rates[fit_rows], exposure=population[row, 70:]
        )
        fits.append(fit)
        graduated[row, KANNISTO_FROM:] = fit.single_age_rates(KANNISTO_FROM, int(AGES[-1]))
    cal_f = calibrate_to_e0(graduated[0], e0["female"], sex="female")
    cal_m = calibrate_to_e0(graduated[1], e0["male"], sex="male")
    return MortalityBuild(graduated, (cal_f, cal_m), (fits[0], fits[1]), old_rates)


def _single_age_shares(counts: FloatArray, starts: FloatArray) -> FloatArray:
    """Graduate group counts to single ages 0..100 (log-linear, group totals kept)."""
    bounds = np.append(starts, AGES[-1] + 1)
    density = counts / np.diff(bounds)
    return graduate_grouped_rates(starts.astype(int), density, int(AGES[-1]) + 1)


def _canada_by_quebec_group(
    canada: dict[str, FloatArray], column: str, starts: FloatArray
) -> FloatArray:
    """Canada's column summed into Quebec's groups; the '-1' (born in the year) row joins 0-4."""
    ages = np.maximum(canada["age_start"], 0.0).astype(int)
    values = np.nan_to_num(canada[column])
    return np.bincount(_groups_of(starts, ages), values, minlength=starts.size).astype(float)


def build_immigrant_profiles(
    quebec: dict[str, FloatArray], canada: dict[str, FloatArray], bands: dict[str, FloatArray]
) -> tuple[FloatArray, FloatArray]:
    """The all-category ``(2, 101)`` profile and the ``(4, 2, 101)`` category profiles.

    Single ages: Quebec's 2018 immigrants by five-year group graduated log-linearly (group
    counts kept). Sex: in each group, Canada's 2018/19 female share of immigrants. Category:
    IRCC's Canada-2014 share of each broad band (<15, 15-24, 25-44, 45-64, 65+) spread
    over the band's single ages in proportion to the all-category Quebec profile (the
    within-band shape and the sex split are assumed common to every category).
    """
    starts = quebec["age_start"]
    single = _single_age_shares(quebec["immigrants"], starts)
    female = _canada_by_quebec_group(canada, "immigrants_female", starts)
    male = _canada_by_quebec_group(canada, "immigrants_male", starts)
    share_f = (female / (female + male))[_groups_of(starts)]
    profile = np.stack([single * share_f, single * (1.0 - share_f)])
    profile /= profile.sum()
    by_category = np.zeros((len(CATEGORIES), len(SEXES), AGES.size))
    band_of = np.zeros(AGES.size, dtype=int)
    for index, (low, high) in enumerate(CATEGORY_BANDS):
        band_of[low:high] = index
    within = single / np.bincount(band_of, single)[band_of]
    columns = ("under_15", "age_15_24", "age_25_44", "age_45_64", "age_65_plus")
    for row, _category in enumerate(CATEGORIES):
        shares = np.array([bands[c][row] for c in columns])
        ages_share = (shares / shares.sum())[band_of] * within
        by_category[row] = np.stack([ages_share * share_f, ages_share * (1.0 - share_f)])
    return profile, by_category


def build_emigration_rates(
    quebec: dict[str, FloatArray], canada: dict[str, FloatArray], population: FloatArray
) -> FloatArray:
    """Net emigration per resident per year by single age and sex, ``(2, 101)``.

    Quebec's group rate (net emigrants / population, both sexes) plus Canada's 2018/19 sex
    gap in the same group (sex rate minus both-sex rate), the gaps re-centred on Quebec's
    sex mix so that Quebec's group total is kept; then graduated linearly within groups
    (rates change sign at 15-24, so a multiplicative split or a log scale cannot be used).
    """
    starts = quebec["age_start"]
    groups = _groups_of(starts)
    rate = quebec["net_emigration"] / quebec["population"]
    ne = np.stack([_canada_by_quebec_group(canada, f"net_emigration_{s}", starts) for s in SEXES])
    pop = np.stack([_canada_by_quebec_group(canada, f"population_{s}", starts) for s in SEXES])
    gap = ne / pop - ne.sum(axis=0) / pop.sum(axis=0)
    qc_pop = np.stack([np.bincount(groups, p, minlength=starts.size) for p in population])
    gap -= (gap * qc_pop).sum(axis=0) / qc_pop.sum(axis=0)
    out = np.zeros((2, AGES.size))
    for row in range(2):
        out[row] = graduate_grouped_rates(
            starts.astype(int),
            rate + gap[row],
            int(AGES[-1]) + 1,
            exposure=population[row],
            scale="linear",
        )
    return out


def build_interprovincial_rates(
    quebec: dict[str, FloatArray], population: FloatArray
) -> FloatArray:
    """Net interprovincial migrants per resident per year, ``(2, 101)``, same for both sexes.

    Quebec's group rate (net interprovincial migration / population, both sexes), graduated
    linearly within groups (it changes sign); no sex split was published, so both sexes
    share the rate.
    """
    starts = quebec["age_start"]
    rate = quebec["net_interprovincial"] / quebec["population"]
    both = graduate_grouped_rates(
        starts.astype(int),
        rate,
        int(AGES[-1]) + 1,
        exposure=population.sum(axis=0),
        scale="linear",
    )
    return np.stack([both, both])


def build_quebec_2018(folder: Any | None = None) -> dict[str, FloatArray]:
    """Re-derive every derived base file from the published tables in ``sources/``.

    The TFR and the e0 by sex the rates are scaled to are the base's published indicators
    (``indicators.csv``: ISQ's 1.586, 84.2 and 80.7 for 2018). Returns arrays keyed like the
    :class:`~immiplan.projection.base.BaseData` fields: ``asfr`` (``(101,)``), ``mx``,
    ``mx_graduated``, ``mortality_factors``, ``e0_target``, ``e0_before``, ``immigrant_profile``,
    ``category_profiles``, ``emigration_rates``, ``interprovincial_rates``.
    """
    root = folder if folder is not None else base_path(BASE)
    sources = root / "sources"
    population = _by_age_file(root, "population")
    targets = published_targets(root)
    fert = build_fertility(_source_columns("msss_asfr_groups", sources), targets["tfr"])
    asfr = np.zeros(AGES.size)
    asfr[FERTILE_AGES] = fert
    e0 = {sex: targets[f"e0_{sex}"] for sex in SEXES}
    mortality = build_mortality(
        _source_columns("isq_mx_groups_2018", sources),
        _source_columns("statcan_canada_mx_2018", sources),
        population,
        e0,
    )
    migration = _source_columns("isq_migration_groups_2018", sources)
    canada = _source_columns("statcan_canada_migration_2018_2019", sources)
    bands = _source_columns("ircc_canada_category_age_2014", sources)
    profile, by_category = build_immigrant_profiles(migration, canada, bands)
    return {
        "asfr": asfr,
        "mx": mortality.mx,
        "mx_graduated": mortality.graduated,
        "mortality_factors": np.array([c.factor for c in mortality.calibrations]),
        "e0_target": np.array([e0[sex] for sex in SEXES]),
        "e0_before": np.array([c.e0_before for c in mortality.calibrations]),
        "immigrant_profile": profile,
        "category_profiles": by_category,
        "emigration_rates": build_emigration_rates(migration, canada, population),
        "interprovincial_rates": build_interprovincial_rates(migration, population),
    }


def _format(value: float) -> str:
    return f"{value:.12g}"


def derived_tables(built: dict[str, FloatArray]) -> dict[str, list[list[str]]]:
    """The derived CSV files (header row first) made from :func:`build_quebec_2018`."""

    def by_age(columns: dict[str, FloatArray], rows: NDArray[np.int64] = AGES) -> list[list[str]]:
        header = ["age", *columns]
        body = [[str(a)] + [_format(columns[c][a]) for c in columns] for a in rows]
        return [header, *body]

    cats = {
        f"{cat}_{sex}": built["category_profiles"][i, j]
        for i, cat in enumerate(CATEGORIES)
        for j, sex in enumerate(SEXES)
    }
    calibration = [["sex", "e0_target", "e0_before", "factor"]] + [
        [
            sex,
            _format(built["e0_target"][j]),
            _format(built["e0_before"][j]),
            _format(built["mortality_factors"][j]),
        ]
        for j, sex in enumerate(SEXES)
    ]
    return {
        "fertility": by_age({"asfr": built["asfr"]}, FERTILE_AGES),
        "mortality": by_age(dict(zip(SEXES, built["mx"], strict=True))),
        "mortality_calibration": calibration,
        "immigrant_profile": by_age(dict(zip(SEXES, built["immigrant_profile"], strict=True))),
        "immigrant_profile_by_category": by_age(cats),
        "emigration_rates": by_age(dict(zip(SEXES, built["emigration_rates"], strict=True))),
        "interprovincial_rates": by_age(
            dict(zip(SEXES, built["interprovincial_rates"], strict=True))
        ),
    }


def write_derived_files(folder: str | Any) -> list[str]:
    """Rebuild the derived CSV files of a base folder in place; returns their names.

    Run from a checkout: ``write_derived_files("src/immiplan/data/base/quebec-2018")``.
    The sidecars and the published tables (``population.csv``, ``indicators.csv``,
    ``sources/``) are not touched.
    """
    root = Path(folder)
    written = []
    for name, rows in derived_tables(build_quebec_2018(root)).items():
        text = "".join(",".join(row) + "\n" for row in rows)
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
        written.append(f"{name}.csv")
    return written
