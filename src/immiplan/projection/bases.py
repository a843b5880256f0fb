"""Bases as data: a projection's starting population and rates, one folder per base.

A base is a folder ``immiplan/data/base/<name>/`` with a ``manifest.yaml`` that says what it
is and where every number comes from:

* ``jurisdiction`` (``quebec``), the parameter branch of that jurisdiction
  (``provinces.qc``) and the ``base_date`` (1 July of the base year);
* the ``state_space`` (the layout of :mod:`immiplan.projection.state`);
* ``state``: how the base population is split into groups and durations, either
  ``rebuild`` (recent immigrants, long-term immigrants and NPRs rebuilt from the admissions
  since ``history.admissions_from`` and the census named in ``census``) or ``file`` (a
  shipped ``state.csv`` of every cell, for a derived base);
* ``history``: the years of admissions it rebuilds from and the years whose category mix
  stands in where only totals were published;
* ``calibration``: the dates at which the outcomes' targets are read (the census of
  knowledge of French, the Labour Force Survey year) and the admission year whose category
  mix weighs the retention targets;
* ``files``: every data file by role; a role may be carried from another base
  (``{base: quebec-2018, reason: ...}``), with the reason stated. Each file has a
  ``<stem>.source.yaml`` sidecar naming its publisher.

:func:`load_base` reads any base into a :class:`~immiplan.projection.base.BaseData`;
:func:`list_bases` names the shipped ones. Nothing else in the package names a base year
or a province: they come from here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from immiplan.errors import InputError
from immiplan.fields import Date, Text, Year
from immiplan.projection.base import AGES, CATEGORIES, SEXES, BaseData, FloatArray
from immiplan.projection.state import QUEBEC, StateSpace
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference, parse_references

__all__ = [
    "DEFAULT_BASE",
    "ROLES",
    "BaseManifest",
    "base_date",
    "base_path",
    "list_bases",
    "load_base",
    "load_manifest",
    "read_state",
]

DEFAULT_BASE = "quebec-2018"
"""The base a scenario without ``base:`` starts from (every file written before bases
became data was written for it)."""

STATE_SPACES: dict[str, StateSpace] = {"immigrant_groups": QUEBEC}
"""State layouts a manifest may name (``docs/architecture.md``)."""

ROLES: dict[str, tuple[str, ...]] = {
    "population": SEXES,
    "fertility": ("asfr",),
    "mortality": SEXES,
    "mortality_calibration": ("sex", "e0_target", "e0_before", "factor"),
    "immigrant_profile": SEXES,
    "immigrant_profile_by_category": tuple(f"{c}_{s}" for c in CATEGORIES for s in SEXES),
    "emigration_rates": SEXES,
    "interprovincial_rates": SEXES,
    "indicators": ("indicator", "value"),
}
"""Every role a base supplies and the columns its file must have (besides ``age``)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Carried(_Model):
    """A file taken from another base, with the reason."""

    base: Text
    reason: Text


class History(_Model):
    """Years of admissions the base is rebuilt from."""

    admissions_from: Year
    """First calendar year of the admissions that rebuild the recent immigrants."""
    observed_from: Year
    """First calendar year of the observed totals that rebuild the long-term immigrants."""
    ircc_from: Year
    """First calendar year taken from the IRCC series (earlier years: the census branch's)."""
    mix_years: tuple[Year, Year]
    """First and last year whose category mix stands in where only totals were published."""


class Census(_Model):
    """The census that calibrates the long-term immigrant stock."""

    date: Date
    immigrants: Text
    """Parameter (below the jurisdiction's branch) with the count of immigrants."""
    immigrants_by_period: Text
    """Parameter with the same count by period of immigration."""


class Calibration(_Model):
    """Targets of the outcomes and of the retention solve, read at their dates."""

    french_census: Date
    """Census date whose knowledge-of-French shares calibrate the French model."""
    labour_year: Year
    """Labour Force Survey year of the labour rates."""
    retention_mix_year: Year
    """Admission year whose category mix weighs the retention targets."""


class StateSource(_Model):
    """How the base population is split into the state space's cells."""

    method: Literal["rebuild", "file"]
    file: Text | None = None

    @model_validator(mode="after")
    def _file(self) -> StateSource:
        if self.method == "file" and not self.file:
            raise ValueError("state method 'file' needs a file")
        return self


class BaseManifest(_Model):
    """A base's ``manifest.yaml`` (see the module docstring)."""

    name: Text
    title: dict[Literal["en", "fr"], Text]
    jurisdiction: Text
    parameters: Text
    """Dotted branch of the jurisdiction's parameters (``provinces.qc``)."""
    base_date: Date
    state_space: Literal["immigrant_groups"] = "immigrant_groups"
    kind: Literal["published", "derived"]
    state: StateSource
    history: History
    census: Census
    calibration: Calibration
    files: dict[Text, Text | Carried]
    reference: Reference | None = None
    references: list[Reference] | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _checks(self) -> BaseManifest:
        if (self.base_date.month, self.base_date.day) != (7, 1):
            raise ValueError("base_date must be a 1 July (the projection's dates)")
        missing = [role for role in ROLES if role not in self.files]
        if missing:
            raise ValueError(f"files lacks the roles {', '.join(missing)}")
        return self

    @property
    def year(self) -> int:
        """Year of the base date."""
        return self.base_date.year

    @property
    def space(self) -> StateSpace:
        """The state layout."""
        return STATE_SPACES[self.state_space]

    def parameter(self, name: str) -> str:
        """A parameter's full dotted name under the jurisdiction's branch."""
        return f"{self.parameters}.{name}"


def list_bases() -> list[str]:
    """Names of the shipped bases (folders of ``data/base`` with a manifest)."""
    root = data_root() / "base"
    return sorted(p.name for p in root.iterdir() if (p / "manifest.yaml").is_file())


def base_path(name: str) -> Any:
    """The folder of base ``name`` (an importlib Traversable)."""
    if name not in list_bases():
        raise InputError(
            f"unknown base (shipped bases: {', '.join(list_bases())})", field="base", value=name
        )
    return data_root() / "base" / name


@cache
def load_manifest(name: str) -> BaseManifest:
    """Read and validate ``data/base/<name>/manifest.yaml``."""
    folder = base_path(name)
    source = f"base/{name}/manifest.yaml"
    raw = load_yaml(folder / "manifest.yaml")
    try:
        manifest = BaseManifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(
            str(first.get("msg", "invalid")).removeprefix("Value error, "),
            source=source,
            field=loc or None,
        ) from None
    if manifest.name != name:
        raise InputError(
            "the manifest's name differs from its folder", source=source, field="name", value=name
        )
    return manifest


def _file_of(manifest: BaseManifest, role: str) -> tuple[Any, str]:
    """The path of a role's CSV and how to name it in messages (``base/<name>/<file>``)."""
    entry = manifest.files[role]
    if isinstance(entry, Carried):
        if entry.base == manifest.name:
            raise InputError(
                "a base cannot carry a file from itself",
                source=f"base/{manifest.name}/manifest.yaml",
                field=f"files.{role}.base",
                value=entry.base,
            )
        return _file_of(load_manifest(entry.base), role)
    return base_path(manifest.name) / entry, f"base/{manifest.name}/{entry}"


def _table(path: Any, source: str) -> dict[str, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise InputError("missing base-data file", source=source) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError("empty base-data file", source=source)
    header, body = rows[0], [row for row in rows[1:] if row]
    if any(len(row) != len(header) for row in body):
        raise InputError("a row has more or fewer cells than the header", source=source)
    return {column: [row[i] for row in body] for i, column in enumerate(header)}


def _numbers(table: dict[str, list[str]], column: str, source: str) -> FloatArray:
    if column not in table:
        raise InputError(f"column '{column}' is missing", source=source, field=column)
    try:
        values = np.array([float(cell) for cell in table[column]], dtype=float)
    except ValueError:
        bad = next(c for c in table[column] if not _is_number(c))
        raise InputError(
            f"column '{column}' holds a non-number", source=source, field=column, value=bad
        ) from None
    if not np.all(np.isfinite(values)):
        raise InputError(f"column '{column}' holds a non-finite value", source=source, field=column)
    return values


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _by_age(table: dict[str, list[str]], columns: tuple[str, ...], source: str) -> FloatArray:
    ages = _numbers(table, "age", source)
    if np.any(ages != np.round(ages)) or np.any(ages < 0) or np.any(ages > AGES[-1]):
        raise InputError("ages must be whole years in 0..100", source=source, field="age")
    index = ages.astype(int)
    if np.unique(index).size != index.size:
        raise InputError("an age appears twice", source=source, field="age")
    out = np.zeros((len(columns), AGES.size))
    for row, column in enumerate(columns):
        out[row, index] = _numbers(table, column, source)
    return out


def _references(path: Any, source: str) -> tuple[Reference, ...]:
    sidecar = path.parent / (path.name[: -len(".csv")] + ".source.yaml")
    side = source[: -len(".csv")] + ".source.yaml"
    if not sidecar.is_file():
        raise InputError("missing source sidecar of a base-data file", source=side)
    raw = load_yaml(sidecar)
    refs = tuple(parse_references(raw)) if isinstance(raw, dict) else ()
    if not refs:
        raise InputError("the sidecar names no reference", source=side)
    return refs


def read_state(manifest: BaseManifest) -> FloatArray:
    """The shipped state file of a ``file`` base: persons ``(S, X, A)``.

    Columns ``group, duration, sex, age, persons``; cells absent from the file are zero.
    """
    space = manifest.space
    path = base_path(manifest.name) / str(manifest.state.file)
    source = f"base/{manifest.name}/{manifest.state.file}"
    table = _table(path, source)
    for column in ("group", "duration", "sex"):
        if column not in table:
            raise InputError(f"column '{column}' is missing", source=source, field=column)
    persons = _numbers(table, "persons", source)
    ages = _numbers(table, "age", source).astype(int)
    durations = _numbers(table, "duration", source).astype(int)
    if persons.min(initial=0.0) < 0:
        raise InputError("a negative number of persons", source=source, field="persons")
    out = np.zeros((space.n_states, space.n_sexes, AGES.size))
    for i, (group, sex) in enumerate(zip(table["group"], table["sex"], strict=True)):
        try:
            state = space.state(group, int(durations[i]))
            x = space.sexes.index(sex)
        except ValueError:
            raise InputError(
                "unknown group, duration or sex",
                source=source,
                field=f"row {i + 2}",
                value=f"{group}, {durations[i]}, {sex}",
            ) from None
        if not 0 <= ages[i] <= AGES[-1]:
            raise InputError("age outside 0..100", source=source, field="age", value=int(ages[i]))
        out[state, x, ages[i]] += persons[i]
    return out


@cache
def load_base(name: str) -> BaseData:
    """Load a shipped base by name (``quebec-2018``, ``quebec-2023``; :func:`list_bases`).

    Returns
    -------
    BaseData
        Arrays over single ages ``0..100`` (``100+`` open) and sexes ``(female, male)``,
        with the base's manifest; the state ``(S, X, A)`` when the base ships one.

    Raises
    ------
    InputError
        An unknown base, a missing manifest field, file, sidecar or column, a non-number.
    """
    manifest = load_manifest(name)
    tables: dict[str, tuple[dict[str, list[str]], str]] = {}
    references: dict[str, tuple[Reference, ...]] = {}
    for role in ROLES:
        path, source = _file_of(manifest, role)
        tables[role] = (_table(path, source), source)
        references[role] = _references(path, source)

    def by_age(role: str, columns: tuple[str, ...] | None = None) -> FloatArray:
        table, source = tables[role]
        return _by_age(table, ROLES[role] if columns is None else columns, source)

    calibration, cal_source = tables["mortality_calibration"]
    if "sex" not in calibration:
        raise InputError("column 'sex' is missing", source=cal_source, field="sex")
    if sorted(calibration["sex"]) != sorted(SEXES):
        raise InputError("needs one row per sex", source=cal_source, field="sex")
    order = [calibration["sex"].index(sex) for sex in SEXES]
    indicator_table, ind_source = tables["indicators"]
    if "indicator" not in indicator_table:
        raise InputError("column 'indicator' is missing", source=ind_source, field="indicator")
    values = _numbers(indicator_table, "value", ind_source)
    indicators = dict(zip(indicator_table["indicator"], values.tolist(), strict=True))
    if "srb" not in indicators:
        raise InputError("needs an 'srb' row", source=ind_source, field="indicator")
    by_category = by_age("immigrant_profile_by_category")
    state = read_state(manifest) if manifest.state.method == "file" else None
    population = by_age("population")
    if state is not None and not np.allclose(state.sum(axis=0), population, rtol=1e-9, atol=1e-6):
        raise InputError(
            "the state file does not add up to the population file by sex and age",
            source=f"base/{name}/{manifest.state.file}",
        )
    return BaseData(
        ages=AGES.copy(),
        population=population,
        asfr=by_age("fertility")[0],
        srb=float(indicators["srb"]),
        mx=by_age("mortality"),
        mortality_factors=_numbers(calibration, "factor", cal_source)[order],
        e0=_numbers(calibration, "e0_target", cal_source)[order],
        immigrant_profile=by_age("immigrant_profile"),
        category_profiles=by_category.reshape(len(CATEGORIES), len(SEXES), AGES.size),
        emigration_rates=by_age("emigration_rates"),
        interprovincial_rates=by_age("interprovincial_rates"),
        indicators=indicators,
        references=references,
        name=name,
        manifest=manifest,
        state=state,
    )


def base_date(name: str) -> dt.date:
    """The base date (1 July) of a shipped base."""
    return load_manifest(name).base_date
