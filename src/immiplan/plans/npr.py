"""The non-permanent (temporary) resident stock by permit type: the population plans now target.

Shipped as dated observations (``data/npr/<jurisdiction>.yaml``) of Statistics Canada's
quarterly estimates (table 17-10-0121-01), each with its source and the estimate's vintage:
the agency revises the series at each release, so two vintages of one date may both appear.
Only observations found with a source are shipped; this is not the full quarterly series.

>>> from immiplan.plans.npr import npr_stock
>>> npr_stock("quebec").latest().total
562000.0
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from immiplan.errors import InputError
from immiplan.fields import Count, Date, Flag, Text
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference

PermitType = Literal["work", "study", "work_and_study", "permit_holders", "asylum", "other"]
PERMIT_TYPES: tuple[PermitType, ...] = (
    "work",
    "study",
    "work_and_study",
    "permit_holders",
    "asylum",
    "other",
)
"""Permit types; ``permit_holders`` groups every non-asylum type when only that is published."""


class Observation(BaseModel):
    """The stock on one date, from one vintage of the estimates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: Date
    measure: Literal["estimate", "census count"]
    vintage: Date | None = None
    total: Count
    by_type: dict[PermitType, Count] = Field(default_factory=dict)
    rounded: Flag = False
    reference: Reference

    @model_validator(mode="after")
    def _types_fit_the_total(self) -> Observation:
        if "permit_holders" in self.by_type and set(self.by_type) & {
            "work",
            "study",
            "work_and_study",
            "other",
        }:
            raise ValueError("permit_holders groups the permit types: give one or the other")
        if sum(self.by_type.values()) > self.total:
            raise ValueError(
                f"the types add up to {sum(self.by_type.values()):,.0f}, above the total "
                f"{self.total:,.0f}"
            )
        return self


class NprStock(BaseModel):
    """Every observation of one jurisdiction's non-permanent resident stock."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: Text
    description: Text
    types: dict[PermitType, dict[Annotated[str, Field(pattern="^(en|fr)$")], Text]]
    observations: list[Observation] = Field(min_length=1)

    def latest(self) -> Observation:
        """The most recent date, in its most recent vintage."""
        return max(self.observations, key=lambda o: (o.date, o.vintage or dt.date.min))

    def table(self, lang: str = "en") -> pd.DataFrame:
        """One row per observation: date, vintage, total, each type, and the source."""
        rows = []
        for obs in sorted(self.observations, key=lambda o: (o.date, o.vintage or dt.date.min)):
            row: dict[str, object] = {
                "date": obs.date.isoformat(),
                "vintage": obs.vintage.isoformat() if obs.vintage else None,
                "measure": obs.measure,
                "total": obs.total,
            }
            for kind in PERMIT_TYPES:
                row[kind] = obs.by_type.get(kind)
            row["source"] = obs.reference.cite()
            rows.append(row)
        frame = pd.DataFrame(rows)
        # Drop types no observation gives; keep the column order of PERMIT_TYPES.
        return frame.dropna(axis=1, how="all")


@cache
def npr_stock(jurisdiction: str = "quebec") -> NprStock:
    """The shipped observations of ``jurisdiction``'s non-permanent resident stock."""
    path = data_root() / "npr" / f"{jurisdiction}.yaml"
    if not path.is_file():
        raise InputError("no non-permanent resident data for this jurisdiction", value=jurisdiction)
    raw = load_yaml(path)
    try:
        return NprStock.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            str(first.get("msg", "invalid value")).removeprefix("Value error, "),
            source=f"{jurisdiction} non-permanent residents (shipped data)",
            field=".".join(str(x) for x in first.get("loc", ())) or None,
            value=first.get("input"),
        ) from None
