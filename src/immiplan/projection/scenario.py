"""Projection scenarios in YAML: what a plan does, under stated assumptions.

A scenario file names the immigration levels (plans, year by year, then held or following
a stated path), the fertility and mortality paths, the migration assumptions, the base
year and the horizon. It is reproducible from its text and the package version, which
the outputs' metadata record (with the file's SHA-256).

Shipped scenarios live in ``immiplan/data/scenarios/``; :func:`load_scenario` takes a
shipped name or a path. Every path (``{year: value}``) is interpolated linearly between
its years and held before the first and after the last. A bad file raises one
:class:`~immiplan.errors.InputError` naming the file, the field and the value.

Calendar-year admissions become July–June projection periods by averaging adjacent years
(:func:`immiplan.projection.quebec.admissions_by_period`).

Two optional blocks reach beyond the population itself: ``outcomes`` switches the integration
outcomes of :mod:`immiplan.outcomes` on or off (all on by default), and ``selection`` takes the
economic category's age-sex profile and French-at-admission share from a selection scenario
(:func:`immiplan.selection.economic_profile`) instead of the historical profile.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from immiplan import __version__
from immiplan.errors import InputError
from immiplan.projection.base import BaseData, load_quebec_2018
from immiplan.projection.engine import ProjectionInputs
from immiplan.projection.mortality import age_pattern, survival_from_e0
from immiplan.projection.quebec import (
    BaseSplit,
    Retention,
    admissions_by_period,
    base_split,
    calendar_admissions,
    calibrate_retention,
    load_assumptions,
    migration_rates,
)
from immiplan.projection.state import CATEGORIES, N_AGES, QUEBEC, SEXES
from immiplan.system.parameters import data_root, parse_yaml, read_text
from immiplan.system.references import Reference

FloatArray = NDArray[np.float64]
Category = Literal["economic", "family", "refugees", "other"]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[float, Field(ge=0.0)]
Year = Annotated[int, Field(ge=1900, le=2300)]

BASE_YEAR = 2018
"""The year of the embedded base population (1 July)."""

__all__ = [
    "EconomicSelection",
    "OutcomeSwitches",
    "PreparedScenario",
    "Scenario",
    "SelectionLink",
    "interpolate",
    "load_scenario",
    "prepare",
    "prepare_levels",
    "shipped_scenarios",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reference: Reference | None = None
    references: list[Reference] | None = None


class Fertility(_Model):
    """Total fertility rate path (children per woman) and the sex ratio at birth."""

    tfr: dict[Year, Annotated[float, Field(ge=0.0, le=10.0)]]
    srb: Annotated[float, Field(gt=0.5, lt=2.0)] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Fertility:
        if not self.tfr:
            raise ValueError("tfr needs at least one year")
        return self


class Mortality(_Model):
    """Life expectancy at birth by sex (years), a path per sex."""

    e0: dict[Literal["female", "male"], dict[Year, Annotated[float, Field(gt=20.0, lt=120.0)]]]

    @model_validator(mode="after")
    def _both_sexes(self) -> Mortality:
        missing = [s for s in SEXES if not self.e0.get(s)]  # type: ignore[call-overload]
        if missing:
            raise ValueError(f"e0 needs a path for {', '.join(missing)}")
        return self


class Migration(_Model):
    """Multipliers of every net emigration and net interprovincial rate (paths)."""

    emigration_multiplier: dict[Year, Annotated[float, Field(ge=0.0, le=20.0)]] = {}
    interprovincial_multiplier: dict[Year, Annotated[float, Field(ge=0.0, le=20.0)]] = {}


class NPR(_Model):
    """Non-permanent residents: the stock path and the share of admissions they supply.

    ``stock``: ``"hold"`` keeps the base-year stock; ``"closed"`` lets it age with no
    arrivals but ``net_arrivals``; a ``{year: persons}`` path sets it (1 July).
    ``net_arrivals``: with a closed stock, net NPR arrivals (entries minus exits, may be
    negative) of the 12 months from 1 July of each year, spread by the stock's age shape.
    ``age_distribution``: persons (or shares) by single age 0..100 giving the stock's age
    shape (default: ISQ's 2021 shape).
    """

    stock: Literal["hold", "closed"] | dict[Year, Count] = "hold"
    net_arrivals: dict[Year, float] | None = None
    transition_share: dict[Category, Rate] | None = None
    age_distribution: list[Count] | None = None

    @field_validator("age_distribution")
    @classmethod
    def _ages(cls, shape: list[float] | None) -> list[float] | None:
        if shape is not None:
            if len(shape) != N_AGES:
                raise ValueError(
                    f"age_distribution needs {N_AGES} values (ages 0..100), got {len(shape)}"
                )
            if sum(shape) <= 0:
                raise ValueError("age_distribution must not be all zero")
        return shape

    @model_validator(mode="after")
    def _flows(self) -> NPR:
        if self.net_arrivals is not None and self.stock != "closed":
            raise ValueError("net_arrivals needs stock: closed (a stock path sets the flows)")
        return self


class Immigration(_Model):
    """Admissions of permanent residents by calendar year.

    Years before the first plan year are observed admissions (IRCC); each plan gives its
    years (``which`` level, categories scaled to the plan's total); ``levels`` sets years
    explicitly; after the last year given, levels are held, or follow the ``path`` of
    totals (split by ``mix``, default the last year's mix).
    """

    which: Literal["low", "target", "high"] = "target"
    plans: list[str] = []
    levels: dict[Year, dict[Category, Count]] = {}
    path: dict[Year, Count] | None = None
    mix: dict[Category, Count] | None = None
    none: bool = False

    @model_validator(mode="after")
    def _mix(self) -> Immigration:
        if self.mix is not None and sum(self.mix.values()) <= 0:
            raise ValueError("mix must have a positive total")
        return self


Language = Literal["en", "fr"]


def _in_language(text: str | dict[Language, str] | None, lang: str) -> str:
    """A text given once (any language) or as ``{en: ..., fr: ...}``, in ``lang``."""
    if text is None or isinstance(text, str):
        return text or ""
    other: Language = "en" if lang == "fr" else "fr"
    return text.get(lang, text.get(other, ""))  # type: ignore[call-overload]


class CanadaPath(_Model):
    """Canada's population on 1 July (persons), for Quebec's share."""

    population: dict[Year, Annotated[float, Field(gt=0.0)]]


class OutcomeSwitches(_Model):
    """Which integration outcomes a run computes (``docs/outcomes.md``); all on by default.

    ``french``: knowledge of French as a trait of the population; ``labour``: the labour
    force; ``francization``: course demand, its cost and the federal grant.
    """

    french: bool = True
    labour: bool = True
    francization: bool = True


class SelectionLink(_Model):
    """Economic admissions shaped by a selection scenario (``docs/selection.md`` §8).

    ``scenario``: a shipped selection scenario (``immiplan select scenarios``) or a selection
    YAML file (a relative path is read from the scenario file's folder first). ``from_year``:
    the first calendar year of admissions it shapes (default: the year after ``base_year``,
    the first year a plan can change); earlier years keep the historical profile.
    """

    scenario: Annotated[str, Field(min_length=1)]
    from_year: Year | None = None


class Scenario(_Model):
    """A projection scenario (see the module docstring)."""

    name: str
    title: str | dict[Language, str] | None = None
    description: str | dict[Language, str] = ""
    base_year: Year = BASE_YEAR
    horizon: Year = 2066
    immigration: Immigration
    fertility: Fertility
    mortality: Mortality
    migration: Migration = Migration()
    npr: NPR = NPR()
    canada: CanadaPath | None = None
    outcomes: OutcomeSwitches = OutcomeSwitches()
    selection: SelectionLink | None = None

    def title_in(self, lang: str = "en") -> str:
        """The title in ``lang`` (``fr`` or ``en``), falling back to the other, then the name."""
        return _in_language(self.title, lang) or self.name

    def description_in(self, lang: str = "en") -> str:
        """The description in ``lang``, falling back to the other language."""
        return _in_language(self.description, lang)

    @field_validator("base_year")
    @classmethod
    def _base(cls, year: int) -> int:
        if year < BASE_YEAR:
            raise ValueError(f"base_year must be {BASE_YEAR} or later (the base data is 2018)")
        return year

    @field_validator("horizon")
    @classmethod
    def _after_base(cls, horizon: int, info: ValidationInfo) -> int:
        base = info.data.get("base_year", BASE_YEAR)
        if horizon <= base:
            raise ValueError(f"the horizon must be after the base year ({base})")
        return horizon


@dataclass(frozen=True)
class LoadedScenario:
    """A parsed scenario and where it came from."""

    scenario: Scenario
    source: str
    sha256: str
    text: str = ""
    """The file as read (written beside a projection's tables, for reproducibility)."""


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with immiplan."""
    folder = data_root() / "scenarios"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _locate(name: str | Path) -> tuple[Any, str]:
    text = str(name).strip()
    if text in shipped_scenarios():
        return data_root() / "scenarios" / f"{text}.yaml", f"{text}.yaml"
    path = Path(text)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return path, str(path)
    raise InputError(
        f"unknown scenario: not a shipped scenario ({', '.join(shipped_scenarios())}) "
        "or a scenario file",
        value=text,
    )


def _field(loc: tuple[Any, ...]) -> str:
    """``('npr', 'stock', 'dict[int,...]', 2030)`` → ``npr.stock.2030``: pydantic's type tags
    (a union branch, ``[key]``, ``function-after[...]``) are not fields a user wrote."""
    parts = [
        str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
    ]
    return ".".join(parts)


def _most_specific(errors: list[Any]) -> Any:
    """Of pydantic's errors, the one deepest in the file: for a union, the branch the value
    was meant for (``{2030: -1}`` is a bad stock path, not a bad ``"hold"``)."""
    return max(errors, key=lambda error: len(_field(tuple(error.get("loc", ())))))


def load_scenario(name: str | Path) -> LoadedScenario:
    """Read and validate a scenario by shipped name or path.

    Raises
    ------
    InputError
        Unknown name, unreadable or malformed file, an invalid field (with its dotted
        path and value), or a plan the scenario names that does not exist.
    """
    path, source = _locate(name)
    raw_text = read_text(path, source)
    raw = parse_yaml(raw_text, source)
    if not isinstance(raw, dict):
        raise InputError("a scenario file must be a mapping", source=source)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        first = _most_specific(exc.errors())
        loc = tuple(first.get("loc", ()))
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        has_input = bool(loc) and first.get("type") != "missing"
        raise InputError(
            message,
            source=source,
            field=_field(loc) or None,
            value=first.get("input") if has_input else None,
            has_value=has_input and not isinstance(first.get("input"), dict),
        ) from None
    _check_plans(scenario, source)
    if scenario.selection is not None:
        _selection_source(scenario.selection.scenario, source)
    digest = hashlib.sha256(raw_text.encode("utf-8")).hexdigest()
    return LoadedScenario(scenario=scenario, source=source, sha256=digest, text=raw_text)


def _check_plans(scenario: Scenario, source: str) -> None:
    from immiplan.plans import load_plan

    for index, name in enumerate(scenario.immigration.plans):
        try:
            plan = load_plan(name)
        except InputError as exc:
            raise InputError(
                exc.message, source=source, field=f"immigration.plans[{index}]", value=name
            ) from None
        if plan.jurisdiction != "quebec":
            raise InputError(
                "the projection is of Quebec: name a Quebec plan",
                source=source,
                field=f"immigration.plans[{index}]",
                value=name,
            )


# --- Selection: the economic category's profile ---------------------------------------


@dataclass(frozen=True)
class EconomicSelection:
    """The economic admissions profile a selection scenario gives (``selection:`` block).

    Attributes
    ----------
    scenario:
        The selection scenario (shipped name or the file read).
    from_year:
        First calendar year of admissions it shapes.
    french_share:
        Share of the selected persons knowing French at admission.
    profile:
        Age-sex shares of the selected persons, ``(2, 101)``, summing to 1, in the engine's
        convention (age on 1 July at the start of the landing step; see :func:`engine_profile`).
    weight:
        Share of each step's economic admissions that come from calendar years on or after
        ``from_year``, ``(T,)``: those take ``profile`` and ``french_share``, the rest the
        historical ones.
    principals, persons, mean_age:
        The selected principal applicants, the persons with their families, and their mean
        age at admission (for reports).
    """

    scenario: str
    from_year: int
    french_share: float
    profile: FloatArray
    weight: FloatArray
    principals: int
    persons: float
    mean_age: float

    def to_metadata(self) -> dict[str, Any]:
        """JSON-friendly summary (recorded in the outputs' metadata)."""
        return {
            "scenario": self.scenario,
            "from_year": self.from_year,
            "french_share": round(self.french_share, 6),
            "principals": self.principals,
            "persons": round(self.persons, 1),
            "mean_age_at_admission": round(self.mean_age, 3),
        }


def engine_profile(at_admission: FloatArray) -> FloatArray:
    """Age-sex shares by age at admission → by age on 1 July at the start of the step.

    A person admitted at age ``a`` during the July–June step (admissions spread evenly
    over it) had their birthday since 1 July with probability one half, so half of age
    ``a`` moves to ``a − 1`` (age 0 stays at 0). Totals are kept.
    """
    shares = np.asarray(at_admission, dtype=float)
    out = 0.5 * shares
    out[..., :-1] += 0.5 * shares[..., 1:]
    out[..., 0] += 0.5 * shares[..., 0]
    return np.asarray(out / out.sum(), dtype=float)


def _selection_source(name: str, source: str) -> str | Path:
    """The selection scenario to run: a shipped name or an existing file."""
    from immiplan.selection import scenario_names

    text = name.strip()
    if text in scenario_names():
        return text
    candidates = [Path(text)]
    if not Path(text).is_absolute():
        candidates.insert(0, Path(source).parent / text)
    for path in candidates:
        if path.is_file():
            return path
    raise InputError(
        f"unknown selection scenario: not a shipped one ({', '.join(scenario_names())}) "
        "or a selection scenario file",
        source=source,
        field="selection.scenario",
        value=name,
    )


def _run_selection(name: str | Path) -> tuple[FloatArray, float, int, float, float]:
    from immiplan.selection import economic_profile

    profile = economic_profile(name)
    shares = np.asarray(profile.to_dataarray().transpose("sex", "age").values, dtype=float)
    return (
        shares,
        float(profile.french_share),
        int(profile.principals),
        float(profile.persons),
        float(profile.mean_age),
    )


def economic_selection(
    link: SelectionLink,
    levels: dict[int, FloatArray],
    first: int,
    steps: int,
    source: str,
    *,
    default_from: int | None = None,
) -> EconomicSelection:
    """Run the linked selection scenario and weigh it into each step's economic admissions.

    Parameters
    ----------
    link:
        The scenario's ``selection`` block.
    levels:
        Calendar-year admissions by category (``prepare_levels``).
    first:
        Year of the first 1 July projected (the base data's).
    steps:
        Number of steps.
    source:
        The projection scenario's file, for error messages.
    default_from:
        ``from_year`` when the link gives none (default ``first + 1``).
    """
    target = _selection_source(link.scenario, source)
    try:
        run = _run_selection(target)  # the selection package keeps the profiles it ran
    except InputError as exc:
        raise InputError(
            f"the selection scenario failed: {exc}",
            source=source,
            field="selection.scenario",
            value=link.scenario,
        ) from None
    shares, french, principals, persons, mean_age = run
    if shares.shape != (len(SEXES), N_AGES) or not np.isfinite(french) or shares.sum() <= 0:
        raise InputError(
            "the selection scenario selected nobody (no age-sex profile to use)",
            source=source,
            field="selection.scenario",
            value=link.scenario,
        )
    if link.from_year is not None:
        start = int(link.from_year)
    else:
        start = first + 1 if default_from is None else int(default_from)
    econ = CATEGORIES.index("economic")
    years = np.arange(first, first + steps)
    this = np.array([levels[int(y)][econ] for y in years])
    following = np.array([levels[int(y) + 1][econ] for y in years])
    selected = 0.5 * this * (years >= start) + 0.5 * following * (years + 1 >= start)
    total = 0.5 * (this + following)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 0, selected / total, (years + 1 >= start).astype(float))
    return EconomicSelection(
        scenario=str(target),
        from_year=start,
        french_share=french,
        profile=engine_profile(shares),
        weight=np.asarray(weight, dtype=float),
        principals=principals,
        persons=persons,
        mean_age=mean_age,
    )


# --- Paths --------------------------------------------------------------------------


def interpolate(points: dict[int, float], years: NDArray[np.int64]) -> FloatArray:
    """Linear interpolation of ``{year: value}`` at ``years``, held outside its years."""
    keys = np.array(sorted(points), dtype=float)
    values = np.array([points[int(k)] for k in keys], dtype=float)
    return np.asarray(np.interp(years.astype(float), keys, values), dtype=float)


def prepare_levels(
    immigration: Immigration,
    first: int,
    last: int,
    *,
    source: str = "scenario",
) -> dict[int, FloatArray]:
    """Calendar-year admissions by category, ``{year: (4,)}``, for ``first..last``.

    Years before the first year given (by a plan or ``levels``) are observed admissions;
    plan years take the plan's ``which`` level by category, scaled to the plan's total;
    ``levels`` override; later years are held or follow ``path``.
    """
    from immiplan.plans import load_plan

    given: dict[int, FloatArray] = {}
    plan_rows: list[tuple[int, Any, int]] = []
    for index, name in enumerate(immigration.plans):
        plan = load_plan(name)
        plan_rows.extend((year, plan, index) for year in plan.years)
    previous: FloatArray | None = None
    for year, plan, index in sorted(plan_rows, key=lambda row: row[0]):
        if previous is None:
            previous = _observed_or_none(year - 1)
        given[year] = _plan_levels(plan, year, immigration.which, source, index, previous)
        previous = given[year]
    for year, by_category in immigration.levels.items():
        given[int(year)] = _by_category(by_category)
    out: dict[int, FloatArray] = {}
    if immigration.none:
        return {y: np.zeros(len(CATEGORIES)) for y in range(first, last + 1)}
    first_given = min(given) if given else last + 1
    for year in range(first, min(first_given, last + 1)):
        try:
            out[year] = calendar_admissions(year)
        except InputError as exc:
            raise InputError(
                f"no plan or levels for {year} and {exc.message}",
                source=source,
                field="immigration",
            ) from None
    if given:
        years = sorted(given)
        gaps = [y for y in range(years[0], years[-1] + 1) if y not in given]
        if gaps:
            raise InputError(
                f"the plans and levels leave years without levels: {gaps}",
                source=source,
                field="immigration.plans",
                value=gaps,
            )
        out.update({y: v for y, v in given.items() if first <= y <= last})
    last_given = max(given) if given else first - 1
    held = given[last_given] if given else out.get(first_given - 1, np.zeros(len(CATEGORIES)))
    after = [y for y in range(max(last_given + 1, first), last + 1)]
    if after:
        if immigration.path:
            mix = _by_category(immigration.mix) if immigration.mix else held
            if mix.sum() <= 0:
                raise InputError(
                    "a total path needs a category mix", source=source, field="immigration.mix"
                )
            totals = interpolate(
                {int(k): float(v) for k, v in immigration.path.items()}, np.array(after)
            )
            for year, total in zip(after, totals, strict=True):
                out[year] = total * mix / mix.sum()
        else:
            for year in after:
                out[year] = held.copy()
    return out


def _by_category(mapping: Any) -> FloatArray:
    """A ``{category: value}`` mapping as an array in :data:`CATEGORIES` order (0 if absent)."""
    values = {str(k): float(v) for k, v in dict(mapping).items()}
    return np.array([values.get(c, 0.0) for c in CATEGORIES])


def _observed_or_none(year: int) -> FloatArray | None:
    try:
        return calendar_admissions(year)
    except InputError:
        return None


def _plan_levels(
    plan: Any, year: int, which: str, source: str, index: int, previous: FloatArray | None
) -> FloatArray:
    """A plan year's levels by category, scaled to the plan's total.

    Where the plan publishes only some categories, the rest of its total is split over
    the others in the proportions of the previous year's levels (assumption).
    """
    total = plan.total(year, which)
    if total is None:
        raise InputError(
            f"plan {plan.name} gives no {which} total for {year}",
            source=source,
            field=f"immigration.plans[{index}]",
            value=plan.name,
        )
    raw = [plan.level(c, year, which) for c in CATEGORIES]
    known = np.array([v is not None for v in raw])
    values = np.array([float(v) if v is not None else 0.0 for v in raw])
    total = float(total)
    if not known.all():
        if previous is None or previous[~known].sum() <= 0:
            raise InputError(
                f"plan {plan.name} gives no {which} level for some categories in {year} "
                "and no earlier year gives their mix",
                source=source,
                field=f"immigration.plans[{index}]",
                value=plan.name,
            )
        rest = max(total - values[known].sum(), 0.0)
        values[~known] = rest * previous[~known] / previous[~known].sum()
    return values * (total / values.sum()) if values.sum() > 0 else values


# --- From a scenario to engine inputs -----------------------------------------------


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario turned into engine inputs, with everything needed to report on it.

    Attributes
    ----------
    scenario:
        The validated scenario.
    inputs:
        Engine inputs from 1 July 2018 to 1 July of the horizon.
    levels:
        Calendar-year admissions by category used, ``{year: (4,)}``.
    canada:
        Canada's population by output year (or ``None``).
    metadata:
        Scenario name, source, SHA-256, package version, base year, horizon.
    retention, split:
        The calibrated multipliers and the base-year groups.
    rate_factors:
        The factors applied to non-recent residents' base emigration and interprovincial
        rates (so that base-year totals match the published ones).
    selection:
        The economic profile from the scenario's ``selection`` block (or ``None``).
    """

    scenario: Scenario
    inputs: ProjectionInputs
    levels: dict[int, FloatArray]
    canada: FloatArray | None
    metadata: dict[str, Any]
    retention: Retention
    split: BaseSplit
    rate_factors: tuple[float, float]
    first_output_year: int = BASE_YEAR
    tfr: FloatArray = field(default_factory=lambda: np.zeros(0))
    e0: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    selection: EconomicSelection | None = None


@cache
def _defaults() -> tuple[BaseData, Retention, BaseSplit, tuple[float, float]]:
    """Base data, retention, base split and rate factors (computed once)."""
    base = load_quebec_2018()
    assumptions = load_assumptions()
    retention = calibrate_retention(base, assumptions, calendar_admissions(BASE_YEAR))
    split = base_split(base, assumptions, retention)
    factors = rate_factors(base, retention, split.population)
    return base, retention, split, factors


def rate_factors(
    base: BaseData, retention: Retention, population: FloatArray
) -> tuple[float, float]:
    """Factors on non-recent residents' base rates that keep the published base totals.

    Solves ``Σ rate·P`` over all groups (recent immigrants at their own rates, the NPR
    group at zero) ``= Σ base_rate·P_total``, one factor for net emigration and one for
    net interprovincial migration. A factor below zero means recent immigrants' own
    departures exceed the published net total, so everyone else is a small net gain.
    """
    totals = []
    for k, published in enumerate((base.emigration_rates, base.interprovincial_rates)):
        target = float((published * base.population).sum())
        at_one = migration_rates(base, retention, 1.0, 1.0)[k]
        at_zero = migration_rates(base, retention, 0.0, 0.0)[k]
        fixed = float((at_zero * population).sum())
        slope = float(((at_one - at_zero) * population).sum())
        totals.append((target - fixed) / slope if slope else 1.0)
    return totals[0], totals[1]


def prepare(loaded: LoadedScenario | Scenario, *, horizon: int | None = None) -> PreparedScenario:
    """Turn a scenario into engine inputs (rates by year, admissions, NPR path).

    Parameters
    ----------
    loaded:
        A loaded scenario (or a bare :class:`Scenario`).
    horizon:
        Overrides the scenario's horizon (year of the last 1 July projected).
    """
    if isinstance(loaded, Scenario):
        loaded = LoadedScenario(loaded, source=f"<{loaded.name}>", sha256="")
    sc = loaded.scenario
    source = loaded.source
    end = sc.horizon if horizon is None else int(horizon)
    if end <= sc.base_year:
        raise InputError(
            f"the horizon must be after the base year ({sc.base_year})",
            source=source,
            field="horizon",
            value=end,
        )
    base, retention, split, factors = _defaults()
    steps = end - BASE_YEAR
    years = np.arange(BASE_YEAR, end)  # start year of each step
    x, a, c = len(SEXES), N_AGES, len(CATEGORIES)

    tfr = interpolate({int(k): v for k, v in sc.fertility.tfr.items()}, years)
    asfr = base.asfr[None, :] * (tfr / base.asfr.sum())[:, None]
    srb = float(sc.fertility.srb if sc.fertility.srb is not None else base.srb)
    sex_shares = np.broadcast_to([1.0 / (1.0 + srb), srb / (1.0 + srb)], (steps, x))

    # Each step uses the e0 at its midpoint, 1 January of t + 1 (the paths' years are
    # calendar years, centred on 1 July): the mean of years t and t + 1 on a linear path.
    paths = [{int(k): v for k, v in sc.mortality.e0[s].items()} for s in SEXES]  # type: ignore[index]
    e0_path = np.stack(
        [0.5 * (interpolate(p, years) + interpolate(p, years + 1)) for p in paths], -1
    )
    try:
        bx = age_pattern(f"{BASE_YEAR}-07-01")
        survival, newborn = survival_from_e0(base.mx, e0_path, bx=bx)
    except InputError as exc:
        raise InputError(
            exc.message, source=source, field=f"mortality.{exc.field}", value=exc.value
        ) from None

    emig_base, interp_base = migration_rates(base, retention, *factors)
    emig_mult = _multiplier(sc.migration.emigration_multiplier, years)
    interp_mult = _multiplier(sc.migration.interprovincial_multiplier, years)
    emigration = emig_mult[:, None, None, None] * emig_base[None]
    interprovincial = interp_mult[:, None, None, None] * interp_base[None]

    levels = prepare_levels(sc.immigration, BASE_YEAR, end, source=source)
    periods = admissions_by_period(levels, BASE_YEAR, end - 1)
    profiles = np.broadcast_to(base.category_profiles, (steps, c, x, a)).copy()
    selection = None
    if sc.selection is not None:
        selection = economic_selection(
            sc.selection, levels, BASE_YEAR, steps, source, default_from=sc.base_year + 1
        )
        econ = CATEGORIES.index("economic")
        w = selection.weight[:, None, None]
        profiles[:, econ] = (1.0 - w) * base.category_profiles[econ] + w * selection.profile
    immigrants = periods[:, :, None, None] * profiles

    assumptions = load_assumptions()
    shares_map = sc.npr.transition_share or assumptions.npr_transition_share
    shares = _by_category(shares_map)
    transition_share = np.broadcast_to(shares, (steps, c))

    population = split.population.copy()
    npr_index = QUEBEC.state("npr")
    if sc.npr.age_distribution is not None:
        shape = np.asarray(sc.npr.age_distribution, dtype=float)
        shape = np.stack([0.5 * shape, 0.5 * shape]) / shape.sum()
        stock0 = population[npr_index].sum()
        population[0] += population[npr_index] - stock0 * shape
        population[npr_index] = stock0 * shape
        if population[0].min() < 0:
            raise InputError(
                "this NPR age distribution puts more NPRs than residents in some age",
                source=source,
                field="npr.age_distribution",
            )
    npr_shape = population[npr_index] / population[npr_index].sum()
    net_migration = None
    if sc.npr.stock == "closed":
        npr_stock = None
        if sc.npr.net_arrivals:
            flows = interpolate({int(k): float(v) for k, v in sc.npr.net_arrivals.items()}, years)
            net_migration = np.zeros((steps, QUEBEC.n_states, x, a))
            net_migration[:, npr_index] = flows[:, None, None] * npr_shape[None]
    elif sc.npr.stock == "hold":
        npr_stock = np.broadcast_to(population[npr_index], (steps, x, a))
    else:
        totals = interpolate({int(k): v for k, v in sc.npr.stock.items()}, years + 1)
        npr_stock = totals[:, None, None] * npr_shape[None]

    inputs = ProjectionInputs(
        space=QUEBEC,
        base_year=BASE_YEAR,
        population=population[:, None],
        survival=survival,
        newborn_survival=newborn,
        asfr=asfr,
        birth_sex_shares=sex_shares,
        emigration=emigration,
        interprovincial=interprovincial,
        immigrants=immigrants,
        npr_transition_share=transition_share,
        npr_stock=npr_stock,
        npr_state=npr_index,
        net_migration=net_migration,
    )
    out_years = np.arange(sc.base_year, end + 1)
    canada = (
        interpolate({int(k): v for k, v in sc.canada.population.items()}, out_years)
        if sc.canada is not None
        else None
    )
    metadata: dict[str, Any] = {
        "scenario": sc.name,
        "title": sc.title_in("en"),
        "source": source,
        "sha256": loaded.sha256,
        "immiplan_version": __version__,
        "base_year": sc.base_year,
        "horizon": end,
        "which": sc.immigration.which,
        "plans": list(sc.immigration.plans),
        "outcomes": sc.outcomes.model_dump(include={"french", "labour", "francization"}),
    }
    if selection is not None:
        metadata["selection"] = selection.to_metadata()
    return PreparedScenario(
        scenario=sc,
        inputs=inputs,
        levels=levels,
        canada=canada,
        metadata=metadata,
        retention=retention,
        split=split,
        rate_factors=factors,
        first_output_year=sc.base_year,
        tfr=tfr,
        e0=e0_path,
        selection=selection,
    )


def _multiplier(points: dict[int, float], years: NDArray[np.int64]) -> FloatArray:
    if not points:
        return np.ones(years.size)
    return interpolate({int(k): float(v) for k, v in points.items()}, years)
