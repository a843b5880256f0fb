"""The API's request and response bodies (pydantic; unknown fields refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from immiplan.fields import MAX_YEAR, MIN_YEAR

ScenarioBody = str | dict[str, Any]
"""A scenario as YAML text (a file's content) or as a JSON object of the same fields."""

Which = Literal["low", "target", "high"]
Lang = Literal["en", "fr"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Strict):
    """Where the mistake is: the file (or request), the field and the value."""

    message: str
    source: str | None = None
    field: str | None = None
    value: Any = None


class ErrorBody(Strict):
    """A refused request: ``detail`` is the one-line message the CLI would print."""

    detail: str
    error: ErrorDetail


class Health(Strict):
    status: Literal["ok"]
    immiplan_version: str
    writes: Literal["token", "open"]
    database: str


class Texts(Strict):
    en: str
    fr: str


class ReferenceOut(Strict):
    publisher: str | None = None
    document: str | None = None
    date: str | None = None
    url: str | None = None
    note: str | None = None


class Admissions(Strict):
    """Calendar-year admissions of permanent residents by category (persons)."""

    years: list[int]
    economic: list[float]
    family: list[float]
    refugees: list[float]
    other: list[float]
    total: list[float]


class Projection(Strict):
    """A scenario's projection with its outcomes, for the page."""

    name: str
    title: Texts
    description: Texts
    sha256: str
    immiplan_version: str
    base_year: int
    horizon: int
    years: list[int]
    series: dict[str, list[float | None]] = Field(
        description="One value per year (None where not defined, such as a flow in the last "
        "year); units in /api/indicators."
    )
    admissions: Admissions
    given_through: int | None = Field(
        description="Last calendar year set by the scenario's plans or levels (held after)."
    )
    references: list[ReferenceOut]
    yaml: str = Field(description="The scenario as projected (valid for immiplan project).")


class ProjectRequest(Strict):
    scenario: ScenarioBody
    baseline: str | None = Field(
        default=None,
        max_length=100,
        description="A shipped scenario's name or a saved scenario's id, projected to the "
        "same horizon for comparison.",
    )
    horizon: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)


class Summary(Strict):
    en: list[str]
    fr: list[str]


class ProjectResponse(Strict):
    reform: Projection
    baseline: Projection | None
    summary: Summary | None


class Indicator(Strict):
    unit: str
    en: str
    fr: str


class BaseList(Strict):
    bases: list[str]
    default: str
    field: str | None = Field(description="The scenario field that names the base, if any.")


class RegimeOut(Strict):
    name: str
    label: dict[str, str]
    description: dict[str, str]
    selects: dict[str, Literal["province", "federal"]]
    categories: dict[str, Literal["province", "federal", "mixed"]]


class ScenarioSummary(Strict):
    name: str
    title: Texts
    description: Texts


class ScenarioDetail(ScenarioSummary):
    yaml: str
    scenario: dict[str, Any]


class LevelOut(Strict):
    key: str
    code: str
    label: dict[str, str]
    low: float | None
    target: float | None
    high: float | None
    lines: list[LevelOut]


class PlanYearOut(Strict):
    year: int
    total: LevelOut
    french_knowledge_target: float | None


class PlanSummary(Strict):
    name: str
    jurisdiction: str
    kind: str
    title: dict[str, str]
    years: list[int]
    starting_scenario: str | None = None
    """The shipped scenario whose assumptions the page pairs with this plan (the reference
    scenario of the latest base before the plan's first year); none for a plan no base
    precedes."""
    starting_plans: list[str] = Field(default_factory=list)
    """The plans a scenario started from this plan names (``immigration.plans``): the plan,
    after the latest earlier plan that gives every category where this one gives a total."""


class PlanDetail(PlanSummary):
    plan_years: list[PlanYearOut]


class PlanList(Strict):
    plans: list[PlanSummary]
    actual: list[str] = Field(description="Observed admissions, by name ('2018 actual').")


class CutRequest(Strict):
    base: str = Field(default="2018 actual", max_length=100)
    year: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    total: int = Field(ge=0, le=10_000_000)
    regime: str = Field(default="accord-1991", max_length=100)
    method: Literal["proportional", "priority"] = "proportional"
    order: list[str] = Field(default_factory=list, max_length=50)
    which: Which = "target"
    lang: Lang = "en"


class CutLine(Strict):
    category: str
    label: str
    selector: str
    base: float
    new: float
    change: float
    change_pct: float | None


class CutResponse(Strict):
    base: str
    year: int
    regime: str
    method: str
    base_total: float
    new_total: int
    lines: list[CutLine]
    by_category: list[CutLine]


class ValidateRequest(Strict):
    plan: ScenarioBody


class Finding(Strict):
    severity: Literal["error", "warning"]
    field: str
    value: Any = None
    message: str
    rule: str


class ValidateResponse(Strict):
    valid: bool
    name: str
    errors: list[Finding]
    warnings: list[Finding]


class SaveRequest(Strict):
    scenario: ScenarioBody


class SavedSummary(Strict):
    id: str
    name: str
    sha256: str
    immiplan_version: str
    created_at: str
    url: str


class SavedDetail(SavedSummary):
    yaml: str
    scenario: dict[str, Any] = Field(description="The YAML's fields as JSON (for the page).")


class SavedList(Strict):
    items: list[SavedSummary]


class SolveRequest(Strict):
    """What level a target needs (``immiplan plan solve``; docs/solve.md)."""

    targets: list[str] = Field(min_length=1, max_length=5)
    """Target expressions such as ``population_20_64 >= population_20_64[base]``, or shipped
    sets (``un-iii`` … ``un-vi``)."""
    base: str = Field(default="quebec-2018", max_length=100)
    first: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    """First decision year (default: the year after the base's)."""
    last: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    """Last decision year, the horizon (default: the base's assumptions' horizon)."""
    regime: str = Field(default="accord-1991", max_length=100)
    shape: Literal["constant", "path"] = "constant"
    objective: Literal["min-total", "max-total"] = "min-total"
    mix: str | None = Field(default=None, max_length=200)


class SolveTarget(Strict):
    target: str
    holds: bool
    binding_years: list[int]
    shadow_price: float | None = None
    shadow_unit: str | None = None
    worst_year: int | None = None
    value: float | None = None
    required: float | None = None
    words: str | None = None
    words_fr: str | None = None


class SolveResponse(Strict):
    """The levels that meet the targets, or (``infeasible``) the closest achievable ones."""

    status: Literal["met", "infeasible"]
    base: str
    years: list[int]
    constant_level: float | None
    context: dict[str, Any]
    regime: str
    shape: str
    mix: Any = None
    objective: str
    bounds: list[float | None]
    levels: list[dict[str, Any]]
    targets: list[SolveTarget]
    verification: dict[str, Any]
    summary: list[str]
    summary_fr: list[str]


class FanRequest(Strict):
    """A seeded ensemble of a scenario (``immiplan ensemble --population-only``)."""

    scenario: ScenarioBody
    horizon: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    trajectories: int = Field(default=200, ge=1, le=500)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class FanSeries(Strict):
    unit: str
    deterministic: list[float | None]
    quantiles: dict[str, list[float | None]]
    """``"0.025"``, ``"0.1"``, ``"0.5"``, ``"0.9"``, ``"0.975"``: a value a year."""


class FanResponse(Strict):
    scenario: str
    sha256: str
    base: str
    trajectories: int
    seed: int
    years: list[int]
    series: dict[str, FanSeries]
    method: str
