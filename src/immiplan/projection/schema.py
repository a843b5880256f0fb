"""The scenario file's schema: what a user writes, validated strictly.

Every number uses the shared strict field types of :mod:`immiplan.fields` (finite, ranged;
``NaN``, infinity, booleans and strings are never numbers). Loading a file and reporting an
error with its dotted field path is :mod:`immiplan.projection.scenario`'s job.

A scenario names its base (``base: quebec-2023``; ``quebec-2018`` where absent, so that every
file written before bases became data keeps working). ``base_year`` defaults to the base's
year; ``parent`` (old name ``canada``) gives the population of the jurisdiction's parent
country, for its share.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from immiplan.fields import Count, Finite, Flag, Multiplier, Share, Text, Year
from immiplan.projection.bases import DEFAULT_BASE
from immiplan.projection.npr_policy import NprFlowPolicy
from immiplan.projection.state import N_AGES, SEXES
from immiplan.system.references import Reference

__all__ = [
    "DEFAULT_BASE",
    "NPR",
    "CanadaPath",
    "Fertility",
    "Immigration",
    "Language",
    "Migration",
    "Mortality",
    "OutcomeSwitches",
    "ParentPath",
    "Scenario",
    "SelectionLink",
]


Category = Literal["economic", "family", "refugees", "other"]
TFR = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=10.0)]
SRB = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0.5, lt=2.0)]
LifeExpectancy = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=20.0, lt=120.0)]
Population = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0.0, le=1e10)]
Language = Literal["en", "fr"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reference: Reference | None = None
    references: list[Reference] | None = None


class Fertility(_Model):
    """Total fertility rate path (children per woman) and the sex ratio at birth."""

    tfr: dict[Year, TFR]
    srb: SRB | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Fertility:
        if not self.tfr:
            raise ValueError("tfr needs at least one year")
        return self


class Mortality(_Model):
    """Life expectancy at birth by sex (years), a path per sex."""

    e0: dict[Literal["female", "male"], dict[Year, LifeExpectancy]]

    @model_validator(mode="after")
    def _both_sexes(self) -> Mortality:
        missing = [s for s in SEXES if not self.e0.get(s)]  # type: ignore[call-overload]
        if missing:
            raise ValueError(f"e0 needs a path for {', '.join(missing)}")
        return self


class Migration(_Model):
    """Multipliers of every net emigration and net interprovincial rate (paths)."""

    emigration_multiplier: dict[Year, Multiplier] = {}
    interprovincial_multiplier: dict[Year, Multiplier] = {}


class NPR(_Model):
    """Non-permanent residents: the stock path and the share of admissions they supply.

    ``stock``: ``"hold"`` keeps the base-year stock; ``"closed"`` lets it age with no
    arrivals but ``net_arrivals``; a ``{year: persons}`` path sets it (1 July).
    ``net_arrivals``: with a closed stock, net NPR arrivals (entries minus exits, may be
    negative) of the 12 months from 1 July of each year, spread by the stock's age shape.
    ``age_distribution``: persons (or shares) by single age 0..100 giving the stock's age
    shape (default: ISQ's 2021 shape).
    ``flows``: instead of a stock path, temporary residents as a policy
    (:class:`~immiplan.projection.npr_policy.NprFlowPolicy`): entries by permit type, exits,
    transitions to permanent residence inside the admissions, asylum claimants on their own
    path (``docs/projection.md``, "Temporary residents as flows").
    """

    stock: Literal["hold", "closed"] | dict[Year, Count] = "hold"
    net_arrivals: dict[Year, Finite] | None = None
    transition_share: dict[Category, Share] | None = None
    age_distribution: list[Count] | None = None
    flows: NprFlowPolicy | None = None

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
        if self.flows is not None:
            mixed = [
                n
                for n in ("stock", "net_arrivals", "transition_share")
                if n in self.model_fields_set
            ]
            if mixed:
                raise ValueError(
                    f"give the NPR population as a stock path or as flows, not both ({mixed[0]})"
                )
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
    none: Flag = False

    @model_validator(mode="after")
    def _mix(self) -> Immigration:
        if self.mix is not None and sum(self.mix.values()) <= 0:
            raise ValueError("mix must have a positive total")
        return self


def _in_language(text: str | dict[Language, str] | None, lang: str) -> str:
    """A text given once (any language) or as ``{en: ..., fr: ...}``, in ``lang``."""
    if text is None or isinstance(text, str):
        return text or ""
    other: Language = "en" if lang == "fr" else "fr"
    return text.get(lang, text.get(other, ""))  # type: ignore[call-overload]


class ParentPath(_Model):
    """The parent country's population on 1 July (persons), for the jurisdiction's share."""

    population: dict[Year, Population]


CanadaPath = ParentPath
"""Old name of :class:`ParentPath`."""


class OutcomeSwitches(_Model):
    """Which integration outcomes a run computes (``docs/outcomes.md``); all on by default.

    ``french``: knowledge of French as a trait of the population; ``labour``: the labour
    force; ``francization``: course demand, its cost and the federal grant.
    """

    french: Flag = True
    labour: Flag = True
    francization: Flag = True


class SelectionLink(_Model):
    """Economic admissions shaped by a selection scenario (``docs/selection.md`` §8).

    ``scenario``: a shipped selection scenario (``immiplan select scenarios``) or a selection
    YAML file (a relative path is read from the scenario file's folder first). ``from_year``:
    the first calendar year of admissions it shapes (default: the year after ``base_year``,
    the first year a plan can change); earlier years keep the historical profile.
    """

    scenario: Text
    from_year: Year | None = None


class Scenario(_Model):
    """A projection scenario (see :mod:`immiplan.projection.scenario`)."""

    name: Text
    title: Text | dict[Language, Text] | None = None
    description: Annotated[str, Field(strict=True, max_length=10_000)] | dict[Language, Text] = ""
    base: Text = DEFAULT_BASE
    base_year: Year | None = None
    horizon: Year = 2066
    immigration: Immigration
    fertility: Fertility
    mortality: Mortality
    migration: Migration = Migration()
    npr: NPR = NPR()
    parent: ParentPath | None = None
    outcomes: OutcomeSwitches = OutcomeSwitches()
    selection: SelectionLink | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, raw: Any) -> Any:
        """``canada:`` is the old name of ``parent:``."""
        if isinstance(raw, dict) and "canada" in raw:
            if "parent" in raw:
                raise ValueError("give either parent or its old name canada, not both")
            raw = {("parent" if k == "canada" else k): v for k, v in raw.items()}
        return raw

    @field_validator("base")
    @classmethod
    def _known_base(cls, name: str) -> str:
        from immiplan.projection.bases import list_bases

        if name not in list_bases():
            raise ValueError(f"unknown base (shipped bases: {', '.join(list_bases())})")
        return name

    @field_validator("base_year")
    @classmethod
    def _not_before_base(cls, year: int | None, info: ValidationInfo) -> int | None:
        first = _base_year(info.data.get("base"))
        if year is not None and first is not None and year < first:
            raise ValueError(
                f"base_year must be {first} or later (the base {info.data['base']} starts then)"
            )
        return year

    @field_validator("horizon")
    @classmethod
    def _after_base(cls, horizon: int, info: ValidationInfo) -> int:
        start = info.data.get("base_year") or _base_year(info.data.get("base"))
        if start is not None and horizon <= start:
            raise ValueError(f"the horizon must be after the base year ({start})")
        return horizon

    @model_validator(mode="after")
    def _default_year(self) -> Scenario:
        if self.base_year is None:
            object.__setattr__(self, "base_year", _base_year(self.base))
        return self

    @property
    def canada(self) -> ParentPath | None:
        """Old name of :attr:`parent`."""
        return self.parent

    @property
    def first_year(self) -> int:
        """The first year reported (``base_year``, the base's year by default)."""
        return int(self.base_year)  # type: ignore[arg-type]

    def title_in(self, lang: str = "en") -> str:
        """The title in ``lang`` (``fr`` or ``en``), falling back to the other, then the name."""
        return _in_language(self.title, lang) or self.name

    def description_in(self, lang: str = "en") -> str:
        """The description in ``lang``, falling back to the other language."""
        return _in_language(self.description, lang)


def _base_year(name: object) -> int | None:
    """Year of a known base (``None`` for a missing or unknown one, refused elsewhere)."""
    from immiplan.projection.bases import list_bases, load_manifest

    if not isinstance(name, str) or name not in list_bases():
        return None
    return load_manifest(name).year
