"""The candidate-profile table: its columns, their units and allowed values, and validation.

A profile table has one row per candidate (a principal applicant, with an accompanying spouse
and children described on the same row). It is read from CSV or Parquet, checked column by
column with NumPy (no loop over rows), and encoded into a :class:`Profiles` object: categories
become small integer codes, booleans ``bool``, counts ``int16``, the submission time ``int64``
seconds since 1970-01-01 UTC. Grids score :class:`Profiles`; they never see strings.

A column is needed by some computations (``uses``): the CRS grid, the PRTQ grid, invitation
rounds, the cohort profile. A needed column that is missing is an error unless the column has a
default (documented in docs/selection.md). Spouse columns are needed only where ``has_spouse``
is true. Every bad value raises :class:`~immiplan.errors.InputError` naming the row (counted from
1, the header not counted) and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from immiplan.errors import InputError

REQUIRED = object()
"""Marks a column without a default."""

SEXES = ("female", "male")

EDUCATION = (
    "none",
    "secondary_general",
    "secondary_vocational",
    "postsecondary_general_2y",
    "postsecondary_technical_1y",
    "postsecondary_technical_2y",
    "postsecondary_technical_3y",
    "university_1y",
    "university_2y",
    "bachelor",
    "two_or_more",
    "master",
    "doctorate",
)
"""Education codes: the highest credential (Canadian, or its assessed equivalent).

One list serves both grids; :data:`CRS_EDUCATION` and :data:`PRTQ_EDUCATION` map each code to
the row of each grid. ``bachelor`` is a university degree of three years or more;
``two_or_more`` is two or more post-secondary credentials, one of them of three years or more.
"""

CRS_EDUCATION = {
    "none": "less_than_secondary",
    "secondary_general": "secondary",
    # A Quebec DEP is a secondary-level diploma: the CRS row is "secondary diploma".
    "secondary_vocational": "secondary",
    "postsecondary_general_2y": "two_year",
    "postsecondary_technical_1y": "one_year",
    "postsecondary_technical_2y": "two_year",
    # The CRS row is "bachelor's degree OR a three-year or longer program".
    "postsecondary_technical_3y": "bachelor",
    "university_1y": "one_year",
    "university_2y": "two_year",
    "bachelor": "bachelor",
    "two_or_more": "two_or_more",
    "master": "master",
    "doctorate": "doctorate",
}
"""Profile education code -> CRS education row."""

PRTQ_EDUCATION = {
    "none": "none",
    "secondary_general": "secondary_general",
    "secondary_vocational": "secondary_vocational",
    "postsecondary_general_2y": "postsecondary_general_2y",
    "postsecondary_technical_1y": "postsecondary_technical_1y",
    "postsecondary_technical_2y": "postsecondary_technical_2y",
    "postsecondary_technical_3y": "postsecondary_technical_3y",
    "university_1y": "university_1y",
    "university_2y": "university_2y",
    "bachelor": "university_3y",
    # The PRTQ scores the highest diploma only; two credentials with one of 3+ years score as
    # a three-year undergraduate diploma.
    "two_or_more": "university_3y",
    "master": "master",
    "doctorate": "doctorate",
}
"""Profile education code -> PRTQ education row."""

AREAS = ("A", "B", "C", "D", "E", "F", "G", "none")
FIRST_LANGUAGE = ("english", "french", "auto")
CANADIAN_EDUCATION = ("none", "one_or_two_year", "three_year_or_more")
ARRANGED_EMPLOYMENT = ("none", "noc_00", "noc_0ab")
QUEBEC_STAY = ("none", "visit_2w_3m", "visit_over_3m", "studies_or_work")
JOB_OFFER_REGIONS = (
    "none",
    "montreal_cma",
    "abitibi_temiscamingue",
    "bas_saint_laurent",
    "capitale_nationale",
    "centre_du_quebec",
    "chaudiere_appalaches",
    "cote_nord",
    "estrie",
    "gaspesie_iles_de_la_madeleine",
    "lanaudiere",
    "laurentides",
    "mauricie",
    "monteregie",
    "nord_du_quebec",
    "outaouais",
    "saguenay_lac_saint_jean",
)
SPOUSE_SEX = ("female", "male", "opposite")
ABILITIES = ("listening", "speaking", "reading", "writing")

CRS, PRTQ, ROUNDS, COHORT = "crs", "prtq", "rounds", "cohort"
ALL_USES = frozenset({CRS, PRTQ, ROUNDS, COHORT})


@dataclass(frozen=True)
class Column:
    """One column of the profile table."""

    name: str
    kind: str
    """``text``, ``int``, ``bool``, ``category`` or ``datetime``."""
    unit: str
    description: str
    uses: frozenset[str]
    allowed: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int | None = None
    default: Any = REQUIRED
    spouse: bool = False
    """A spouse column: read only where ``has_spouse`` is true, ignored elsewhere."""

    @property
    def required(self) -> bool:
        """True when the column has no default."""
        return self.default is REQUIRED

    def allowed_text(self) -> str:
        """The allowed values, in words (for messages and the documentation)."""
        if self.kind == "category":
            return ", ".join(self.allowed)
        if self.kind == "int":
            top = "" if self.maximum is None else f"–{self.maximum}"
            return f"whole number {self.minimum}{top}" if top else f"whole number ≥ {self.minimum}"
        if self.kind == "bool":
            return "true/false (also 1/0, yes/no)"
        if self.kind == "datetime":
            return "ISO 8601 date-time, UTC unless an offset is given"
        return "text"


def _language_columns(
    prefix: str,
    language: str,
    scale: str,
    uses: frozenset[str],
    *,
    spouse: bool = False,
    default: Any = REQUIRED,
) -> list[Column]:
    who = "accompanying spouse's" if spouse else "principal applicant's"
    return [
        Column(
            f"{prefix}{language}_{ability}",
            "int",
            f"{scale} level",
            f"{who} {language.capitalize()} {ability}, {scale} level (0 = no test or below 1)",
            uses,
            minimum=0,
            maximum=12,
            default=default,
            spouse=spouse,
        )
        for ability in ABILITIES
    ]


_BOTH = frozenset({CRS, PRTQ})

COLUMNS: tuple[Column, ...] = (
    Column("id", "text", "—", "candidate identifier, unique in the table", ALL_USES),
    Column(
        "submitted",
        "datetime",
        "UTC time",
        "when the profile entered the pool (the tie-break: earlier first)",
        frozenset({ROUNDS}),
    ),
    Column("sex", "category", "—", "principal applicant's sex", frozenset({COHORT}), SEXES),
    Column(
        "age",
        "int",
        "years",
        "principal applicant's age in completed years",
        _BOTH | {COHORT},
        minimum=0,
        maximum=120,
    ),
    Column(
        "has_spouse",
        "bool",
        "—",
        "an accompanying spouse or partner who is not a Canadian citizen or permanent resident",
        _BOTH | {COHORT},
    ),
    Column(
        "education", "category", "—", "highest credential (see Education codes)", _BOTH, EDUCATION
    ),
    Column(
        "area_of_training",
        "category",
        "—",
        "section of Quebec's list of areas of training (A–G) of the main diploma",
        frozenset({PRTQ}),
        AREAS,
        default="none",
    ),
    *_language_columns("", "french", "NCLC", _BOTH),
    *_language_columns("", "english", "CLB", _BOTH),
    Column(
        "first_official_language",
        "category",
        "—",
        "the language the CRS scores as first; 'auto' takes the one scoring more "
        "(English on a tie)",
        frozenset({CRS}),
        FIRST_LANGUAGE,
        default="auto",
    ),
    Column(
        "canadian_work_years",
        "int",
        "years",
        "skilled (NOC 0, A, B) work experience in Canada, completed years",
        frozenset({CRS}),
        maximum=60,
    ),
    Column(
        "foreign_work_years",
        "int",
        "years",
        "skilled work experience outside Canada, completed years",
        frozenset({CRS}),
        maximum=60,
    ),
    Column(
        "experience_months",
        "int",
        "months",
        "skilled work experience in the five years before the application (PRTQ)",
        frozenset({PRTQ}),
        maximum=600,
    ),
    Column(
        "certificate_of_qualification",
        "bool",
        "—",
        "a Canadian certificate of qualification in a skilled trade",
        frozenset({CRS, ROUNDS}),
        default=False,
    ),
    Column(
        "canadian_education",
        "category",
        "—",
        "Canadian post-secondary credential",
        frozenset({CRS}),
        CANADIAN_EDUCATION,
        default="none",
    ),
    Column(
        "arranged_employment",
        "category",
        "—",
        "qualifying offer of arranged employment (federal), by NOC of the offer",
        frozenset({CRS, ROUNDS}),
        ARRANGED_EMPLOYMENT,
        default="none",
    ),
    Column(
        "provincial_nomination",
        "bool",
        "—",
        "a provincial or territorial nomination",
        frozenset({CRS, ROUNDS}),
        default=False,
    ),
    Column(
        "sibling_in_canada",
        "bool",
        "—",
        "a brother or sister in Canada, citizen or PR aged 18+ (applicant's or spouse's)",
        frozenset({CRS}),
        default=False,
    ),
    Column(
        "job_offer_region",
        "category",
        "—",
        "validated Quebec job offer: where the job is ('none' without one)",
        frozenset({PRTQ, ROUNDS}),
        JOB_OFFER_REGIONS,
        default="none",
    ),
    Column(
        "quebec_stay",
        "category",
        "—",
        "stay in Quebec (PRTQ factor 5)",
        frozenset({PRTQ}),
        QUEBEC_STAY,
        default="none",
    ),
    Column(
        "family_in_quebec",
        "bool",
        "—",
        "a spouse, child, parent, sibling or grandparent, citizen or PR, living in Quebec",
        frozenset({PRTQ}),
        default=False,
    ),
    Column(
        "self_sufficiency",
        "bool",
        "—",
        "signed the financial self-sufficiency contract (a PRTQ cut-off)",
        frozenset({PRTQ}),
        default=True,
    ),
    Column(
        "children_0_12",
        "int",
        "persons",
        "accompanying children aged 12 or under",
        frozenset({PRTQ, COHORT}),
        maximum=20,
        default=0,
    ),
    Column(
        "children_13_21",
        "int",
        "persons",
        "accompanying dependent children aged 13 to 21",
        frozenset({PRTQ, COHORT}),
        maximum=20,
        default=0,
    ),
    Column(
        "noc",
        "text",
        "—",
        "intended occupation, NOC 2016 code (for targeted rounds)",
        frozenset({ROUNDS}),
        default="",
    ),
    Column(
        "spouse_age",
        "int",
        "years",
        "accompanying spouse's age in completed years",
        frozenset({PRTQ, COHORT}),
        maximum=120,
        spouse=True,
    ),
    Column(
        "spouse_sex",
        "category",
        "—",
        "accompanying spouse's sex; 'opposite' is the principal's other sex",
        frozenset({COHORT}),
        SPOUSE_SEX,
        default="opposite",
        spouse=True,
    ),
    Column(
        "spouse_education",
        "category",
        "—",
        "accompanying spouse's highest credential",
        _BOTH,
        EDUCATION,
        spouse=True,
    ),
    Column(
        "spouse_area_of_training",
        "category",
        "—",
        "accompanying spouse's area of training (section A–G)",
        frozenset({PRTQ}),
        AREAS,
        default="none",
        spouse=True,
    ),
    *_language_columns("spouse_", "french", "NCLC", _BOTH | {COHORT}, spouse=True, default=0),
    *_language_columns("spouse_", "english", "CLB", frozenset({CRS}), spouse=True, default=0),
    Column(
        "spouse_canadian_work_years",
        "int",
        "years",
        "accompanying spouse's skilled work experience in Canada",
        frozenset({CRS}),
        maximum=60,
        default=0,
        spouse=True,
    ),
    Column(
        "synthetic",
        "bool",
        "—",
        "true for a generated (synthetic) profile",
        frozenset(),
        default=False,
    ),
)
"""Every column of the profile table, in the order files are written."""

COLUMN_BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}

_INT_DTYPE = np.int16
_CODE_DTYPE = np.int8
_TRUE = {"true", "1", "yes", "y", "t", "vrai", "oui"}
_FALSE = {"false", "0", "no", "n", "f", "faux", "non"}


def codes(column: str, values: Iterable[str]) -> np.ndarray:
    """Encode category labels of ``column`` into its integer codes (for building tables)."""
    allowed = COLUMN_BY_NAME[column].allowed
    index = {label: i for i, label in enumerate(allowed)}
    return np.array([index[v] for v in values], dtype=_CODE_DTYPE)


class Profiles:
    """An encoded, validated table of candidate profiles (columns as NumPy arrays).

    ``data`` maps every column of :data:`COLUMNS` to an array of length ``len(self)``:
    ``id`` and ``noc`` as ``object`` arrays of strings, categories as ``int8`` codes into the
    column's ``allowed`` tuple, counts as ``int16``, booleans as ``bool`` and ``submitted`` as
    ``int64`` seconds since 1970-01-01 UTC (``-1`` where unknown). ``synthetic`` is true when
    the table was generated rather than observed.
    """

    def __init__(
        self,
        data: Mapping[str, np.ndarray],
        *,
        source: str = "<memory>",
        synthetic: bool = False,
        present: Iterable[str] | None = None,
    ) -> None:
        lengths = {len(array) for array in data.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of unequal length: {sorted(lengths)}")
        missing = [c.name for c in COLUMNS if c.name not in data]
        if missing:
            raise ValueError(f"Profiles needs every column; missing {missing}")
        self.data: dict[str, np.ndarray] = dict(data)
        self.source = source
        self.synthetic = synthetic
        # The columns the input really had (others were filled with defaults).
        self.present = frozenset(present if present is not None else self.data)

    def __len__(self) -> int:
        return len(self.data["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name]

    @property
    def ids(self) -> np.ndarray:
        """The candidates' identifiers."""
        return self.data["id"]

    def labels(self, name: str) -> np.ndarray:
        """A category column decoded to its labels."""
        allowed = np.array(COLUMN_BY_NAME[name].allowed, dtype=object)
        return allowed[self.data[name]]

    def take(self, indices: np.ndarray | Sequence[int]) -> Profiles:
        """The rows at ``indices`` (in that order)."""
        idx = np.asarray(indices)
        return Profiles(
            {k: v[idx] for k, v in self.data.items()},
            source=self.source,
            synthetic=self.synthetic,
            present=self.present,
        )

    def row_of(self, candidate_id: str) -> int:
        """The row index of ``candidate_id``."""
        hits = np.flatnonzero(self.data["id"] == str(candidate_id))
        if hits.size == 0:
            raise InputError(
                "no candidate with this id", source=self.source, field="id", value=str(candidate_id)
            )
        return int(hits[0])

    @staticmethod
    def concat(parts: Sequence[Profiles]) -> Profiles:
        """Stack several tables (ids must stay unique; the caller ensures it)."""
        if not parts:
            raise ValueError("nothing to concatenate")
        data = {c.name: np.concatenate([p.data[c.name] for p in parts]) for c in COLUMNS}
        present = frozenset().union(*(p.present for p in parts))
        return Profiles(
            data, source=parts[0].source, synthetic=all(p.synthetic for p in parts), present=present
        )

    def to_frame(self) -> pd.DataFrame:
        """The table decoded for people and files (labels, ISO times)."""
        out: dict[str, Any] = {}
        for column in COLUMNS:
            values = self.data[column.name]
            if column.kind == "category":
                out[column.name] = self.labels(column.name)
            elif column.kind == "datetime":
                stamps = pd.to_datetime(values, unit="s", utc=True)
                out[column.name] = np.where(values >= 0, stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "")
            else:
                out[column.name] = values
        return pd.DataFrame(out)


def _row_label(position: int) -> str:
    return f"row {position + 1}"


def _fail(message: str, source: str, position: int, column: str, value: Any) -> InputError:
    if isinstance(value, np.generic):  # print -3, not np.int64(-3)
        value = value.item()
    return InputError(
        message,
        source=source,
        field=f"{_row_label(position)}, column {column}",
        value=value,
        has_value=True,
    )


def _is_missing(series: pd.Series) -> np.ndarray:
    missing = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype("string").str.strip()
        missing = missing | (text == "").fillna(True).to_numpy(dtype=bool)
    return missing


def _parse_int(series: pd.Series, column: Column, source: str) -> np.ndarray:
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(numbers) | (numbers != np.floor(numbers))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raw = series.iloc[first]
        what = "missing value" if _is_missing(series.iloc[[first]])[0] else "not a whole number"
        raise _fail(f"{what} ({column.allowed_text()})", source, first, column.name, raw)
    low = numbers < column.minimum
    high = numbers > column.maximum if column.maximum is not None else np.zeros_like(low)
    if low.any() or high.any():
        first = int(np.flatnonzero(low | high)[0])
        word = "negative" if numbers[first] < 0 else "out of range"
        raise _fail(
            f"{word} ({column.allowed_text()})", source, first, column.name, series.iloc[first]
        )
    return numbers.astype(_INT_DTYPE)


def _parse_bool(series: pd.Series, column: Column, source: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool)
    text = series.astype("string").str.strip().str.lower()
    is_true = text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)
    is_false = text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)
    bad = ~(is_true | is_false)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise _fail(
            f"not a true/false value ({column.allowed_text()})",
            source,
            first,
            column.name,
            series.iloc[first],
        )
    return is_true


def _parse_category(series: pd.Series, column: Column, source: str) -> np.ndarray:
    text = series.astype("string").str.strip()
    found = pd.Index(column.allowed).get_indexer(pd.Index(text.fillna("")))
    bad = found < 0
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raw = series.iloc[first]
        what = (
            "missing value"
            if _is_missing(series.iloc[[first]])[0]
            else f"unknown {column.name.replace('_', ' ')}"
        )
        raise _fail(f"{what} (allowed: {column.allowed_text()})", source, first, column.name, raw)
    return found.astype(_CODE_DTYPE)


def _parse_datetime(series: pd.Series, column: Column, source: str) -> np.ndarray:
    stamps = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
    bad = stamps.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise _fail(
            f"not a date-time ({column.allowed_text()})",
            source,
            first,
            column.name,
            series.iloc[first],
        )
    return stamps.to_numpy(dtype="datetime64[s]").astype(np.int64)


def _parse_text(series: pd.Series, column: Column, source: str, required: bool) -> np.ndarray:
    missing = _is_missing(series)
    if required and missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise _fail("missing value", source, first, column.name, series.iloc[first])
    text = series.astype("string").str.strip().fillna("")
    # Parquet and pandas may read a numeric id column as floats: write 7, not 7.0.
    if pd.api.types.is_float_dtype(series) and not missing.any():
        whole = series.to_numpy(dtype=float)
        if np.all(whole == np.floor(whole)):
            text = pd.Series(whole.astype(np.int64)).astype("string")
    return text.to_numpy(dtype=object)


def _default_array(column: Column, n: int) -> np.ndarray:
    if column.kind == "category":
        return np.full(
            n,
            column.allowed.index(column.default) if column.default is not REQUIRED else 0,
            dtype=_CODE_DTYPE,
        )
    if column.kind == "bool":
        return np.full(n, bool(column.default) if column.default is not REQUIRED else False)
    if column.kind == "int":
        return np.full(n, column.default if column.default is not REQUIRED else 0, dtype=_INT_DTYPE)
    if column.kind == "datetime":
        return np.full(n, -1, dtype=np.int64)
    return np.full(n, "" if column.default is REQUIRED else column.default, dtype=object)


def _parse(series: pd.Series, column: Column, source: str) -> np.ndarray:
    if column.kind == "int":
        return _parse_int(series, column, source)
    if column.kind == "bool":
        return _parse_bool(series, column, source)
    if column.kind == "category":
        return _parse_category(series, column, source)
    if column.kind == "datetime":
        return _parse_datetime(series, column, source)
    return _parse_text(series, column, source, column.required)


def from_frame(
    frame: pd.DataFrame,
    *,
    source: str | Path = "<table>",
    uses: Iterable[str] = (CRS, PRTQ),
    synthetic: bool | None = None,
) -> Profiles:
    """Validate and encode a profile table for the computations in ``uses``.

    A column needed by ``uses`` must be present unless it has a default; a spouse column with no
    default must be present when any row has an accompanying spouse. Every present column is
    checked whatever ``uses`` is. Unknown extra columns are ignored.
    """
    source = str(source)
    needs = frozenset(uses)
    unknown_uses = needs - ALL_USES
    if unknown_uses:
        raise ValueError(f"unknown uses {sorted(unknown_uses)}")
    frame = _clean_frame(frame.reset_index(drop=True), source)
    n = len(frame)
    for column in COLUMNS:
        needed = column.required and not column.spouse and column.uses & needs
        if needed and column.name not in frame:
            raise InputError(
                f"missing column '{column.name}' ({column.description})",
                source=source,
                field=f"column {column.name}",
            )
    data: dict[str, np.ndarray] = {}
    spouse_rows = np.zeros(n, dtype=bool)
    # has_spouse first: it decides which rows the spouse columns must describe.
    ordered = sorted(COLUMNS, key=lambda c: c.spouse)
    for column in ordered:
        if column.name not in frame:
            if column.spouse and column.required and column.uses & needs and spouse_rows.any():
                first = int(np.flatnonzero(spouse_rows)[0])
                raise InputError(
                    f"missing column '{column.name}', needed where has_spouse is true",
                    source=source,
                    field=f"{_row_label(first)}, column {column.name}",
                )
            data[column.name] = _default_array(column, n)
            continue
        series = frame[column.name]
        if column.spouse:
            parsed = _default_array(column, n)
            rows = np.flatnonzero(spouse_rows)
            if rows.size:
                sub = series.iloc[rows].reset_index(drop=True)
                missing = _is_missing(sub)
                if column.required and missing.any():
                    first = int(rows[np.flatnonzero(missing)[0]])
                    raise _fail(
                        "missing value where has_spouse is true",
                        source,
                        first,
                        column.name,
                        series.iloc[first],
                    )
                # A blank optional spouse value takes the column's default.
                keep = ~missing
                if keep.any():
                    try:
                        values = _parse(sub[keep].reset_index(drop=True), column, source)
                    except InputError as exc:
                        raise _relocate(exc, rows[keep], column.name) from None
                    parsed[rows[keep]] = values
            data[column.name] = parsed
        else:
            if column.default is not REQUIRED and column.kind != "text":
                missing = _is_missing(series)
                if missing.any():
                    series = series.copy().astype(object)
                    series[missing] = column.default
            data[column.name] = _parse(series, column, source)
        if column.name == "has_spouse":
            spouse_rows = data["has_spouse"]
    ids = data["id"]
    if n:
        uniq, counts = np.unique(ids.astype(str), return_counts=True)
        if (counts > 1).any():
            dup = uniq[counts > 1][0]
            rows = np.flatnonzero(ids == dup)
            raise _fail("duplicate id", source, int(rows[1]), "id", dup)
    is_synthetic = bool(data["synthetic"].any()) if synthetic is None else synthetic
    return Profiles(data, source=source, synthetic=is_synthetic, present=frame.columns)


def _clean_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Headers stripped and unique; cells of raw bytes decoded as UTF-8 (or refused).

    ``age`` and ``age `` are the same column once stripped: a table with both is refused
    rather than one silently winning. A Parquet column of raw bytes is read as UTF-8 text.
    """
    names = [str(c).strip() for c in frame.columns]
    seen: dict[str, str] = {}
    for raw, name in zip(frame.columns, names, strict=True):
        if name in seen:
            raise InputError(
                f"two columns named '{name}' (headers {seen[name]!r} and {str(raw)!r})",
                source=source,
                field=f"column {name}",
            )
        seen[name] = str(raw)
    frame = frame.copy(deep=False)
    frame.columns = names
    for name in names:
        series = frame[name]
        if series.dtype != object:
            continue
        is_bytes = series.map(lambda v: isinstance(v, bytes | bytearray)).to_numpy(dtype=bool)
        if not is_bytes.any():
            continue
        values = series.to_numpy(dtype=object).copy()
        for position in np.flatnonzero(is_bytes):
            try:
                values[position] = bytes(values[position]).decode("utf-8")
            except UnicodeDecodeError:
                raise _fail(
                    "not text (raw bytes that are not UTF-8)",
                    source,
                    int(position),
                    name,
                    bytes(values[position])[:20],
                ) from None
        frame[name] = values
    return frame


def _relocate(exc: InputError, rows: np.ndarray, column: str) -> InputError:
    """Map a row number inside a subset back to the row of the whole table."""
    field = exc.field or ""
    prefix = "row "
    if field.startswith(prefix):
        inner = int(field[len(prefix) :].split(",")[0]) - 1
        exc.field = f"{_row_label(int(rows[inner]))}, column {column}"
    return exc


def read_profiles(path: str | Path, *, uses: Iterable[str] = (CRS, PRTQ)) -> Profiles:
    """Read and validate a profile table from a CSV or Parquet file."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", source=path)
    if path.is_dir():
        raise InputError("is a folder, not a file", source=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            # pandas renames a repeated header (age, age.1): read the header as written.
            with path.open(encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle), [])
            if len(header) == len(frame.columns):
                frame.columns = header
        else:
            raise InputError("unknown file type (expected .csv or .parquet)", source=path)
    except InputError:
        raise
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read the table: {exc}", source=path) from exc
    return from_frame(frame, source=path, uses=uses)


def write_profiles(profiles: Profiles, path: str | Path) -> None:
    """Write ``profiles`` to ``path`` (CSV or Parquet by suffix), atomically."""
    from immiplan.output import atomic_path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError("unknown file type (expected .csv or .parquet)", source=path)
    frame = profiles.to_frame()
    with atomic_path(path) as tmp:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)


def schema_frame() -> pd.DataFrame:
    """The schema as a table (column, type, unit, allowed values, default, used by)."""
    rows = []
    for column in COLUMNS:
        default = "required" if column.required else str(column.default).lower()
        if column.spouse and column.required:
            default = "required where has_spouse"
        rows.append(
            {
                "column": column.name,
                "type": column.kind,
                "unit": column.unit,
                "allowed": column.allowed_text(),
                "default": default,
                "used by": ", ".join(sorted(column.uses)) or "—",
                "description": column.description,
            }
        )
    return pd.DataFrame(rows)
