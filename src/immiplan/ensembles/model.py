"""The stochastic model of an ensemble and its calibration to observed series.

Each component moves a scenario's deterministic path by a random deviation whose centre is
zero, so the scenario stays the ensemble's centre and zero variances give the
deterministic run exactly:

* **TFR**: ``log TFR_t = log path_t + x_t``, ``x_t = φ x_{t−1} + σ ε_t`` (AR(1), ``x_0 = 0``);
* **e0** by sex: ``e0_t = path_t + w_t``, ``w_t = w_{t−1} + σ_sex ε_t`` (a random walk whose
  drift is the path's own improvement);
* **admissions** against the plan, by category: ``level_{t,c} × exp(u_t + v_{t,c})``, with
  a common ``u_t = ρ u_{t−1} + σ_u ε_t`` (persistence of a year's shortfall or catch-up)
  and a category part ``v_{t,c} ~ N(0, σ_v²)``;
* **net emigration** and **net interprovincial migration**: the scenario's rate schedules
  times ``exp(y_t)``, ``y_t`` AR(1) (``φ``, ``σ``);
* **NPR stock**: the scenario's stock path times ``exp(z_t)``, ``z_t`` AR(1).

:func:`calibrate` fits every parameter to the series shipped in
``data/parameters/ensembles/<jurisdiction>.yaml`` and to the shipped plans and admissions
(``docs/uncertainty.md`` shows each table). The method is the same for each AR(1):
the deviations ``d_t`` of the observed log series from their least-squares line (or from
the plan, for admissions), ``φ`` their lag-1 autocorrelation (within ±0.95), and
``σ = sd(d)·√(1 − φ²)`` the innovation that gives the observed spread.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.state import CATEGORIES
from immiplan.system.parameters import data_root, parse_yaml, read_text

FloatArray = NDArray[np.float64]

__all__ = [
    "AR1",
    "Calibration",
    "StochasticModel",
    "ar1_fit",
    "calibrate",
    "model_from_mapping",
    "observed_series",
    "plan_ratios",
]

PHI_LIMIT = 0.95
"""Largest persistence a fit may return (a short series cannot tell 0.95 from 1)."""


COMPONENTS = ("tfr", "e0_female", "e0_male", "admissions", "emigration", "interprovincial", "npr")
"""The model's drawn components, each with its own standard deviation."""


@dataclass(frozen=True)
class AR1:
    """``x_t = phi · x_{t−1} + sigma · ε_t`` with ``x_0 = 0`` (``phi = 1``: random walk)."""

    phi: float
    sigma: float

    def check(self, name: str) -> None:
        if not np.isfinite(self.sigma) or self.sigma < 0.0:
            raise InputError(
                f"{name}.sigma must be a non-negative number (a standard deviation)",
                field=f"{name}.sigma",
                value=self.sigma,
            )
        if not np.isfinite(self.phi) or not -1.0 <= self.phi <= 1.0:
            raise InputError(f"{name}.phi must lie in [-1, 1]", field=f"{name}.phi", value=self.phi)


@dataclass(frozen=True)
class StochasticModel:
    """Every component's parameters (see the module docstring).

    Attributes
    ----------
    tfr:
        AR(1) of the log TFR around its path.
    e0_female, e0_male:
        Random walks (``phi = 1``) of e0 around its path (years).
    admissions:
        AR(1) of the log ratio actual/plan common to every category.
    admissions_category_sigma:
        Standard deviation of each category's own log ratio (independent each year).
    emigration, interprovincial:
        AR(1) of the log multiplier of the rate schedules.
    npr:
        AR(1) of the log multiplier of the NPR stock path.
    """

    tfr: AR1
    e0_female: AR1
    e0_male: AR1
    admissions: AR1
    admissions_category_sigma: float
    emigration: AR1
    interprovincial: AR1
    npr: AR1

    def __post_init__(self) -> None:
        for name in (
            "tfr",
            "e0_female",
            "e0_male",
            "admissions",
            "emigration",
            "interprovincial",
            "npr",
        ):
            getattr(self, name).check(name)
        value = self.admissions_category_sigma
        if not np.isfinite(value) or value < 0.0:
            raise InputError(
                "admissions_category_sigma must be a non-negative number (a standard deviation)",
                field="admissions_category_sigma",
                value=value,
            )

    @property
    def is_deterministic(self) -> bool:
        """Whether every variance is zero (the ensemble is then the scenario)."""
        return (
            all(getattr(self, n).sigma == 0.0 for n in COMPONENTS)
            and self.admissions_category_sigma == 0.0
        )

    def scaled(self, factor: float) -> StochasticModel:
        """Every standard deviation times ``factor`` (0 = deterministic)."""
        if not np.isfinite(factor) or factor < 0.0:
            raise InputError("the variance scale must be >= 0", field="scale", value=factor)
        changes: dict[str, Any] = {
            n: dataclasses.replace(getattr(self, n), sigma=getattr(self, n).sigma * factor)
            for n in COMPONENTS
        }
        changes["admissions_category_sigma"] = self.admissions_category_sigma * factor
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly parameters."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Calibration:
    """A fitted model with the series and deviations behind every parameter."""

    model: StochasticModel
    tables: dict[str, list[dict[str, Any]]]
    references: dict[str, Any]


def ar1_fit(deviations: FloatArray, *, random_walk: bool = False) -> AR1:
    """AR(1) parameters reproducing a series of deviations (see the module docstring).

    With ``random_walk`` the persistence is 1 and ``sigma`` is the standard deviation of
    the year-on-year changes about their mean (the drift belongs to the path).
    """
    d = np.asarray(deviations, dtype=float)
    if d.size < 3:
        raise InputError(
            "an AR(1) fit needs at least 3 observations", field="series", value=int(d.size)
        )
    if random_walk:
        return AR1(phi=1.0, sigma=float(np.std(np.diff(d), ddof=1)))
    c = d - d.mean()
    phi = float(np.clip(np.sum(c[1:] * c[:-1]) / np.sum(c * c), -PHI_LIMIT, PHI_LIMIT))
    return AR1(phi=phi, sigma=float(np.std(d, ddof=1) * np.sqrt(1.0 - phi * phi)))


def _detrended_log(values: FloatArray, years: FloatArray) -> FloatArray:
    logs = np.log(np.abs(values))
    slope, intercept = np.polyfit(years, logs, 1)
    return np.asarray(logs - (intercept + slope * years), dtype=float)


@cache
def observed_series(jurisdiction: str = "quebec") -> dict[str, Any]:
    """The shipped observed series of a jurisdiction
    (``data/parameters/ensembles/<jurisdiction>.yaml``)."""
    path = data_root() / "parameters" / "ensembles" / f"{jurisdiction}.yaml"
    if not path.is_file():
        raise InputError(
            "no observed series to calibrate an ensemble for this jurisdiction",
            field="jurisdiction",
            value=jurisdiction,
        )
    raw = parse_yaml(read_text(path), str(path))
    return dict(raw)


def plan_ratios(jurisdiction: str = "quebec") -> list[dict[str, Any]]:
    """Actual/plan admissions by year and category for every shipped plan with admissions.

    The plan's point is its target, or the middle of its range; a plan's catch-up is added
    to its total. A category the plan does not give is left out.
    """
    from immiplan.plans.admissions import history_table
    from immiplan.plans.catalog import all_plans

    actual = history_table(jurisdiction)
    rows: list[dict[str, Any]] = []
    for plan in all_plans():
        # Tabled plans only (a consultation scenario was never a plan to miss).
        if plan.jurisdiction != jurisdiction or plan.kind != "plan" or plan.status != "tabled":
            continue
        for year in plan.years:
            # Admissions count every admission: lines outside a cap included.
            total = plan.total(year, include_outside=True)
            if year not in actual or total is None:
                continue
            catch_up = plan.year(year).catch_up or 0.0
            row: dict[str, Any] = {"plan": plan.name, "year": year}
            row["total_plan"] = total + catch_up
            row["total_actual"] = actual[year]["total"]
            for c in CATEGORIES:
                level = plan.level(c, year, include_outside=True)
                if level is not None and actual[year].get(c) is not None:
                    row[f"{c}_plan"] = level
                    row[f"{c}_actual"] = actual[year][c]
            rows.append(row)
    return sorted(rows, key=lambda r: (r["year"], r["plan"]))


@cache
def calibrate(jurisdiction: str = "quebec") -> Calibration:
    """Fit every component to the shipped observed series (see the module docstring)."""
    obs = observed_series(jurisdiction)
    tables: dict[str, list[dict[str, Any]]] = {}

    tfr_years = np.array(sorted(obs["tfr"]["values"]), dtype=float)
    tfr = np.array([obs["tfr"]["values"][int(y)] for y in tfr_years], dtype=float)
    tfr_dev = _detrended_log(tfr, tfr_years)
    tables["tfr"] = [
        {"year": int(y), "tfr": float(v), "log_deviation": float(d)}
        for y, v, d in zip(tfr_years, tfr, tfr_dev, strict=True)
    ]

    e0 = obs["e0"]
    e0_years = sorted(e0["male"])
    e0_fits = {}
    for sex in ("female", "male"):
        values = np.array([e0[sex][y] for y in e0_years], dtype=float)
        e0_fits[sex] = ar1_fit(values, random_walk=True)
    tables["e0"] = [
        {"year": int(y), "female": float(e0["female"][y]), "male": float(e0["male"][y])}
        for y in e0_years
    ]

    # Plan years without a total (quebec-2020-2022 in 2021) give categories only.
    ratios = [r for r in plan_ratios(jurisdiction) if "total_plan" in r]
    totals = np.array([np.log(r["total_actual"] / r["total_plan"]) for r in ratios])
    spread = [
        np.log(r[f"{c}_actual"] / r[f"{c}_plan"]) - np.log(r["total_actual"] / r["total_plan"])
        for r in ratios
        for c in CATEGORIES
        if f"{c}_plan" in r and r[f"{c}_plan"] > 0 and r[f"{c}_actual"] > 0
    ]
    # The log ratio is a deviation from the plan itself (centre 0, no trend to remove).
    common = _ar1_about_zero(totals)
    category_sigma = float(np.sqrt(np.mean(np.square(spread)))) if spread else 0.0
    tables["admissions"] = [
        {**r, "total_ratio": r["total_actual"] / r["total_plan"]} for r in ratios
    ]

    mig = obs["migration"]
    mig_years = np.array(sorted(mig["net_emigration"]), dtype=float)
    emig = np.array([mig["net_emigration"][int(y)] for y in mig_years], dtype=float)
    inter = np.array([mig["net_interprovincial"][int(y)] for y in mig_years], dtype=float)
    emig_dev = _detrended_log(emig, mig_years)
    inter_dev = _detrended_log(inter, mig_years)
    tables["migration"] = [
        {
            "year": int(y),
            "net_emigration": float(a),
            "emigration_log_deviation": float(da),
            "net_interprovincial": float(b),
            "interprovincial_log_deviation": float(db),
        }
        for y, a, da, b, db in zip(mig_years, emig, emig_dev, inter, inter_dev, strict=True)
    ]

    stock = _npr_stock(obs["npr"])
    npr_years = np.array(sorted(stock), dtype=float)
    npr_values = np.array([stock[int(y)] for y in npr_years], dtype=float)
    npr_dev = _detrended_log(npr_values, npr_years)
    tables["npr"] = [
        {"year": int(y), "stock": float(v), "log_deviation": float(d)}
        for y, v, d in zip(npr_years, npr_values, npr_dev, strict=True)
    ]

    model = StochasticModel(
        tfr=ar1_fit(tfr_dev),
        e0_female=e0_fits["female"],
        e0_male=e0_fits["male"],
        admissions=common,
        admissions_category_sigma=category_sigma,
        emigration=ar1_fit(emig_dev),
        interprovincial=ar1_fit(inter_dev),
        npr=ar1_fit(npr_dev),
    )
    references = {
        key: obs[key].get("reference", obs[key].get("references"))
        for key in ("tfr", "e0", "migration", "npr")
    }
    references["admissions"] = (
        "data/admissions/quebec.yaml and data/plans/quebec-*.yaml (their own references)"
    )
    return Calibration(model=model, tables=tables, references=references)


def _ar1_about_zero(values: FloatArray) -> AR1:
    d = np.asarray(values, dtype=float)
    if d.size < 3:
        raise InputError(
            "an AR(1) fit needs at least 3 observations", field="admissions", value=int(d.size)
        )
    phi = float(np.clip(np.sum(d[1:] * d[:-1]) / np.sum(d * d), -PHI_LIMIT, PHI_LIMIT))
    sigma = float(np.sqrt(np.mean(d * d)) * np.sqrt(1.0 - phi * phi))
    return AR1(phi=phi, sigma=sigma)


def _npr_stock(npr: dict[str, Any]) -> dict[int, float]:
    """Stocks on 1 July: the given ones, and earlier ones from the later net changes."""
    stock = {int(y): float(v) for y, v in npr["stock"].items()}
    first = min(stock)
    changes = {int(y): float(v) for y, v in npr["net_change"].items()}
    level = stock[first]
    for year in sorted(changes, reverse=True):
        if year < first:
            # The change labelled ``year`` takes 1 July ``year`` to 1 July ``year + 1``.
            level -= changes[year]
            stock[year] = level
    return dict(sorted(stock.items()))


def model_from_mapping(raw: Any, base: StochasticModel, source: str = "model") -> StochasticModel:
    """``base`` with the parameters a mapping overrides (e.g. a ``--model`` YAML file).

    Keys are component names with ``phi``/``sigma`` (``{tfr: {sigma: 0.02}}``) and
    ``admissions_category_sigma``; an unknown key or a bad value is one :class:`InputError`.
    """
    if raw is None:
        return base
    if not isinstance(raw, dict):
        raise InputError("the model file must be a mapping of components", source=source)
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "admissions_category_sigma":
            changes[key] = _number(value, source, key)
            continue
        current = getattr(base, str(key), None)
        if not isinstance(current, AR1):
            raise InputError(
                "unknown component of the stochastic model",
                source=source,
                field=str(key),
                value=key,
            )
        if not isinstance(value, dict):
            raise InputError(
                "a component takes a mapping of phi and sigma", source=source, field=str(key)
            )
        unknown = set(value) - {"phi", "sigma"}
        if unknown:
            name = sorted(map(str, unknown))[0]
            raise InputError("unknown parameter", source=source, field=f"{key}.{name}", value=name)
        changes[str(key)] = AR1(
            phi=_number(value.get("phi", current.phi), source, f"{key}.phi"),
            sigma=_number(value.get("sigma", current.sigma), source, f"{key}.sigma"),
        )
    try:
        return dataclasses.replace(base, **changes)
    except InputError as exc:
        raise InputError(exc.message, source=source, field=exc.field, value=exc.value) from None


def _number(value: Any, source: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError("must be a number", source=source, field=name, value=value)
    return float(value)
