"""The non-permanent (temporary) resident stock by permit type: the population plans now target.

Shipped as dated observations (``data/npr/<jurisdiction>.yaml``) of Statistics Canada's
quarterly estimates (table 17-10-0121-01), each with its source and the estimate's vintage:
the agency revises the series at each release, so two vintages of one date may both appear.
A file holds single points (``observations``, each with its own reference) and whole vintages
of the table (``series``: one row of numbers per quarter, one reference for the vintage);
:func:`npr_stock` returns both as one list of :class:`Observation`.

>>> from immiplan.plans.npr import npr_stock
>>> npr_stock("quebec").latest().total
562312.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Annotated, Literal, get_args

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from immiplan.errors import InputError
from immiplan.fields import Count, Date, Flag, Text
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference

PermitType = Literal[
    "work",
    "study",
    "work_and_study",
    "other",
    "permit_holders",
    "asylum",
    "asylum_work",
    "asylum_study",
    "asylum_work_and_study",
    "asylum_no_permit",
]
PERMIT_TYPES: tuple[PermitType, ...] = get_args(PermitType)
"""Permit types, in table order; two of them are subtotals of others (see below)."""

PERMIT_PARTS: tuple[PermitType, ...] = ("work", "study", "work_and_study", "other")
"""What ``permit_holders`` (permit holders and their family members) is made of."""

ASYLUM_PARTS: tuple[PermitType, ...] = (
    "asylum_work",
    "asylum_study",
    "asylum_work_and_study",
    "asylum_no_permit",
)
"""What ``asylum`` (asylum claimants, protected persons and related groups) is made of."""

Column = Literal["total", PermitType]


def _sum(by_type: dict[PermitType, float], kinds: Iterable[PermitType]) -> float:
    return sum(by_type[k] for k in kinds if k in by_type)


class Observation(BaseModel):
    """The stock on one date, from one vintage of the estimates.

    ``by_type`` may hold the two groups (``permit_holders``, ``asylum``), their parts, or
    both; where a group and its parts are both given they add up exactly (the table's
    accounting identity), and where both groups are given they make the total.
    """

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
        types = self.by_type
        for group, parts in (("permit_holders", PERMIT_PARTS), ("asylum", ASYLUM_PARTS)):
            given = [k for k in parts if k in types]
            if not given:
                continue
            if group in types:
                if len(given) < len(parts):
                    missing = next(k for k in parts if k not in types)
                    raise ValueError(f"{group} is given with its parts: {missing} is missing")
                if _sum(types, parts) != types[group]:
                    raise ValueError(
                        f"the parts of {group} add up to {_sum(types, parts):,.0f}, not "
                        f"{types[group]:,.0f}"
                    )
            elif group == "asylum":
                raise ValueError("the parts of asylum need asylum itself")
        permits = types.get("permit_holders")
        top = (permits if permits is not None else _sum(types, PERMIT_PARTS)) + types.get(
            "asylum", 0.0
        )
        if top > self.total:
            raise ValueError(f"the types add up to {top:,.0f}, above the total {self.total:,.0f}")
        whole = "asylum" in types and (permits is not None or all(k in types for k in PERMIT_PARTS))
        if whole and top != self.total:
            raise ValueError(
                f"permit holders and asylum claimants make the whole: they add up to "
                f"{top:,.0f}, not the total {self.total:,.0f}"
            )
        return self

    def split(self) -> dict[str, float]:
        """The stock by the types that do not overlap: the permit parts (or the
        permit-holder group where its parts are not given) and ``asylum``."""
        types = self.by_type
        kinds = [k for k in PERMIT_PARTS if k in types] or (
            ["permit_holders"] if "permit_holders" in types else []
        )
        return {str(k): float(types[k]) for k in (*kinds, "asylum") if k in types}


class Series(BaseModel):
    """One vintage of a quarterly table: one row of numbers a quarter, one reference.

    ``columns`` names what each row holds (``total`` and permit types, the table's order);
    ``quarters`` maps each date to its row.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: Literal["estimate"] = "estimate"
    vintage: Date
    columns: list[Column] = Field(min_length=2)
    quarters: dict[Date, list[Count]] = Field(min_length=1)
    reference: Reference

    @model_validator(mode="after")
    def _rows_fit_the_columns(self) -> Series:
        if "total" not in self.columns:
            raise ValueError("columns must include total")
        if len(set(self.columns)) != len(self.columns):
            raise ValueError("a column is named twice")
        for date, row in self.quarters.items():
            if len(row) != len(self.columns):
                raise ValueError(
                    f"{date}: {len(row)} values for {len(self.columns)} columns "
                    f"({', '.join(self.columns)})"
                )
        for date in self.quarters:
            try:
                self._observation(date)
            except ValidationError as exc:
                msg = str(exc.errors()[0].get("msg", "")).removeprefix("Value error, ")
                raise ValueError(f"{date}: {msg}") from None
        return self

    def _observation(self, date: dt.date) -> Observation:
        values = dict(zip(self.columns, self.quarters[date], strict=True))
        total = values.pop("total")
        return Observation(
            date=date,
            measure=self.measure,
            vintage=self.vintage,
            total=total,
            by_type=values,  # type: ignore[arg-type]  # the columns less total
            reference=self.reference,
        )

    def observations(self) -> list[Observation]:
        """Each quarter as an :class:`Observation` carrying the vintage and the reference."""
        return [self._observation(date) for date in self.quarters]


Labels = dict[Annotated[str, Field(pattern="^(en|fr)$")], Text]


class NprFile(BaseModel):
    """What ``data/npr/<jurisdiction>.yaml`` holds (strict types)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: Text
    description: Text
    types: dict[PermitType, Labels]
    observations: list[Observation] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> NprFile:
        if not self.observations and not self.series:
            raise ValueError("give observations or series (none is given)")
        return self


def _order(obs: Observation) -> tuple[dt.date, dt.date]:
    return (obs.date, obs.vintage or dt.date.min)


class NprStock(BaseModel):
    """Every observation of one jurisdiction's non-permanent resident stock (every vintage)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: Text
    description: Text
    types: dict[PermitType, Labels]
    observations: list[Observation] = Field(min_length=1)

    def latest(self) -> Observation:
        """The most recent date, in its most recent vintage."""
        return max(self.observations, key=_order)

    def vintages(self) -> list[dt.date]:
        """Every named vintage, oldest first."""
        return sorted({o.vintage for o in self.observations if o.vintage is not None})

    def current(self) -> list[Observation]:
        """One observation a date, in its most recent vintage (undated ones count as oldest)."""
        best: dict[dt.date, Observation] = {}
        for obs in sorted(self.observations, key=_order):
            best[obs.date] = obs
        return [best[d] for d in sorted(best)]

    def select(self, vintage: str = "latest") -> list[Observation]:
        """``latest`` (each date in its latest vintage), ``all``, or one vintage (a date)."""
        if vintage == "latest":
            return self.current()
        if vintage == "all":
            return sorted(self.observations, key=_order)
        known = ", ".join(v.isoformat() for v in self.vintages())
        try:
            wanted = dt.date.fromisoformat(vintage)
        except ValueError:
            raise InputError(
                f"must be latest, all or a vintage's date ({known})",
                field="--vintage",
                value=vintage,
            ) from None
        found = [o for o in self.observations if o.vintage == wanted]
        if not found:
            raise InputError(
                f"no observation of this vintage; the vintages are {known}",
                field="--vintage",
                value=vintage,
            )
        return sorted(found, key=_order)

    def table(self, lang: str = "en", vintage: str = "all") -> pd.DataFrame:
        """One row per observation (see :meth:`select`): date, vintage, total, each type
        that any row gives, and the source."""
        rows = []
        for obs in self.select(vintage):
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
        empty = [k for k in PERMIT_TYPES if frame[k].isna().all()]
        return frame.drop(columns=empty)


@cache
def npr_stock(jurisdiction: str = "quebec") -> NprStock:
    """The shipped observations of ``jurisdiction``'s non-permanent resident stock."""
    path = data_root() / "npr" / f"{jurisdiction}.yaml"
    if not path.is_file():
        raise InputError("no non-permanent resident data for this jurisdiction", value=jurisdiction)
    raw = load_yaml(path)
    try:
        shipped = NprFile.model_validate(raw)
        points = [o for s in shipped.series for o in s.observations()]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            str(first.get("msg", "invalid value")).removeprefix("Value error, "),
            source=f"{jurisdiction} non-permanent residents (shipped data)",
            field=".".join(str(x) for x in first.get("loc", ())) or None,
            value=first.get("input"),
        ) from None
    return NprStock(
        jurisdiction=shipped.jurisdiction,
        description=shipped.description,
        types=shipped.types,
        observations=[*shipped.observations, *points],
    )
