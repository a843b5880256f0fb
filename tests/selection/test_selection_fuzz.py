"""Generated bad input for selection scenarios and profile tables, through the API and the CLI.

Each class of mistake (non-finite numbers, out-of-range years and dates, wrong types at every
field, huge sizes) must be refused with one line naming the file, the full dotted path of the
field and the value; exit status 2; no traceback; nothing written.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badinput import assert_refused, bad_for, run_cli, set_path
from immiplan.errors import InputError
from immiplan.fields import MAX_CANDIDATES
from immiplan.selection import generate_pool, load_scenario, write_profiles
from immiplan.selection.schema import COLUMNS, REQUIRED, read_profiles
from immiplan.system.parameters import data_root

SHIPPED = yaml.safe_load(
    (data_root() / "selection" / "scenarios" / "quebec-2019.yaml").read_text(encoding="utf-8")
)
TARGETED = set_path(SHIPPED, "rounds.targeting", {"regions": ["outaouais"], "min_french_nclc": 7})

FIELDS: dict[str, Any] = {
    "name": bad_for("text"),
    "grid": bad_for("text"),
    "plan.year": bad_for("year"),
    "plan.admissions": bad_for("number", maximum=MAX_CANDIDATES),
    "pool.validity_days": bad_for("count", minimum=1, maximum=3660),
    "pool.synthetic.seed": bad_for("count", maximum=2**63 - 1),
    "pool.synthetic.kind": bad_for("text"),
    "pool.synthetic.inflow": st.one_of(st.integers(), st.booleans(), st.just({"a": 1})),
    "pool.synthetic.inflow[0].from": bad_for("date"),
    "pool.synthetic.inflow[0].to": bad_for("date"),
    "pool.synthetic.inflow[0].profiles": bad_for("count", maximum=MAX_CANDIDATES),
    "rounds.cadence_days": bad_for("count", minimum=1, maximum=3660),
    "rounds.require_pass": bad_for("flag"),
    "rounds.targeting.validated_job_offer": bad_for("flag"),
    "rounds.targeting.regions": bad_for("text-list"),
    "rounds.targeting.min_french_nclc": bad_for("count", maximum=12),
    "conversion.invitation_to_selection": bad_for("rate"),
    "conversion.selection_to_admission": bad_for("rate"),
    "conversion.persons_per_principal": bad_for("number", minimum=1, maximum=20),
    "conversion.months_to_selection": bad_for("count", maximum=240),
    "conversion.months_to_admission": bad_for("count", maximum=240),
    "cohort.french_min_nclc": bad_for("count", maximum=12),
    "cohort.child_male_share": bad_for("rate"),
}

# A date that is really out of range only fails at its own field when the other end of the
# period is sane; "to" before "from" names "to". Both are the user's field.
_DATE_FIELDS = {"pool.synthetic.inflow[0].from", "pool.synthetic.inflow[0].to"}


def _named(path: str) -> str:
    """The field the error must name: the path itself, or inside it (``regions[0]``)."""
    return path


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_field_of_a_selection_scenario_refuses_bad_values(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(FIELDS)), label="field")
    value = data.draw(FIELDS[path], label="value")
    doc = set_path(TARGETED, path, value)
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "bad.yaml"
        file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        # Through the API: an InputError naming the file and the field.
        with pytest.raises(InputError) as info:
            load_scenario(file)
        error = info.value
        assert error.source == str(file)
        assert error.field is not None and error.field.startswith(path), (error.field, path)
        # Through the CLI: exit 2, one line, nothing written.
        result = run_cli(["select", "rounds", str(file)])
        line = assert_refused(
            result, source=file, field=path, folder=Path(folder), expected_files=["bad.yaml"]
        )
        if error.field == path and path not in _DATE_FIELDS:
            assert "value" in line


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("rounds.cadence_days", 1e9, "rounds.cadence_days"),
        ("conversion.months_to_admission", 1_000_000, "conversion.months_to_admission"),
        ("rounds.targeting.validated_job_offer", "no", "rounds.targeting.validated_job_offer"),
        ("rounds.targeting.regions", 5, "rounds.targeting.regions"),
        ("rounds.targeting.min_french_nclc", "7", "rounds.targeting.min_french_nclc"),
        ("grid_overrides", "language.french", "grid_overrides"),
        ("grid_overrides", {"language.french": {"oral": {"B2": "ten"}}}, "grid_overrides"),
        ("grid_overrides", {"no.such.parameter": 3}, "grid_overrides"),
        ("plan.admissions", -5, "plan.admissions"),
        ("plan.admissions", math.nan, "plan.admissions"),
        ("pool.synthetic.seed", -1, "pool.synthetic.seed"),
        ("pool.synthetic.inflow[0].profiles", 10**12, "pool.synthetic.inflow[0].profiles"),
        ("pool.synthetic.inflow[0].from", "0000-01-01", "pool.synthetic.inflow[0].from"),
    ],
)
def test_the_findings_of_the_review_are_refused(
    tmp_path: Path, path: str, value: Any, field: str
) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(set_path(SHIPPED, path, value)), encoding="utf-8")
    result = run_cli(["select", "rounds", str(file)])
    assert_refused(result, source=file, field=field, folder=tmp_path, expected_files=["s.yaml"])


def test_a_huge_pool_is_refused_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "pool.csv"
    for args in (["--size", str(10**10)], ["--seed", "-1"], ["--start", "abc"]):
        result = run_cli(["select", "pool", str(out), *args])
        assert_refused(result, field=args[0], folder=tmp_path, expected_files=[])
    result = run_cli(["select", "score", str(out), "--grid", "crs@0000"])
    assert_refused(result, field="--grid", value="crs@0000")


# --------------------------------------------------------------------------- profile tables

POOL = generate_pool(12, seed=5).to_frame()
CHECKED = [c for c in COLUMNS if c.kind in ("int", "bool", "category") and not c.spouse]


def _bad_cell(column: Any, parquet: bool) -> Any:
    text = st.sampled_from(["zzz", "1.5", "-3", "nan", "inf", "", "1e9", "true"])
    if column.kind == "int":
        numbers = st.one_of(
            st.sampled_from([math.nan, math.inf, -math.inf, -1.0, 0.5, 1e9]),
            st.integers(max_value=column.minimum - 1),
        )
        if column.maximum is not None:
            numbers = st.one_of(numbers, st.integers(min_value=column.maximum + 1))
        # A blank cell of a column with a default takes the default (documented), so it is
        # not a bad value there.
        blank_ok = column.default is not REQUIRED
        if blank_ok:
            # In Parquet a blank cell of a numeric column is a null (NaN once read).
            numbers = numbers.filter(lambda v: not (isinstance(v, float) and math.isnan(v)))
        return (
            numbers
            if parquet
            else text.filter(lambda t: not _fits(t, column) and not (blank_ok and t == ""))
        )
    if column.kind == "bool":
        return st.sampled_from(["maybe", "2", "-1", "0.5"])
    return st.sampled_from(["zzz", "Bachelor ", "1", "none!"]).filter(
        lambda t: t.strip() not in column.allowed
    )


def _fits(text: str, column: Any) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    top = column.maximum if column.maximum is not None else math.inf
    return number.is_integer() and column.minimum <= number <= top


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), parquet=st.booleans())
def test_every_column_of_a_profile_table_refuses_bad_values(
    data: st.DataObject, parquet: bool
) -> None:
    column = data.draw(st.sampled_from(CHECKED), label="column")
    row = data.draw(st.integers(0, len(POOL) - 1), label="row")
    value = data.draw(_bad_cell(column, parquet), label="value")
    frame = POOL.copy()
    if parquet and column.kind == "int":
        frame[column.name] = frame[column.name].astype(float)
    else:
        frame[column.name] = frame[column.name].astype(str).astype(object)
    frame.loc[row, column.name] = value
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / ("p.parquet" if parquet else "p.csv")
        if parquet:
            frame.to_parquet(file, index=False)
        else:
            frame.to_csv(file, index=False)
        with pytest.raises(InputError) as info:
            read_profiles(file, uses=("crs", "prtq", "rounds", "cohort"))
        assert info.value.source == str(file)
        assert info.value.field == f"row {row + 1}, column {column.name}"
        result = run_cli(["select", "score", str(file), "--grid", "crs-2019"])
        assert_refused(
            result,
            source=file,
            field=f"row {row + 1}, column {column.name}",
            folder=Path(folder),
            expected_files=[file.name],
        )


@pytest.mark.parametrize("header", ["age", "age ", " age"])
def test_a_repeated_header_is_refused(tmp_path: Path, header: str) -> None:
    frame = POOL.copy()
    text = frame.to_csv(index=False)
    first, rest = text.split("\n", 1)
    file = tmp_path / "p.csv"
    file.write_text(first + f",{header}\n" + rest.replace("\n", ",30\n"), encoding="utf-8")
    result = run_cli(["select", "score", str(file), "--grid", "crs-2019"])
    line = assert_refused(result, source=file, field="column age")
    assert "two columns named 'age'" in line


def test_raw_bytes_and_non_finite_cells_in_parquet(tmp_path: Path) -> None:
    frame = POOL.copy()
    frame["education"] = [b"\xff\xfe"] * len(frame)
    file = tmp_path / "bytes.parquet"
    frame.to_parquet(file, index=False)
    result = run_cli(["select", "score", str(file), "--grid", "crs-2019"])
    assert_refused(result, source=file, field="row 1, column education")
    frame = POOL.copy()
    frame["education"] = [s.encode() for s in frame["education"]]  # UTF-8 bytes are text
    good = tmp_path / "utf8.parquet"
    frame.to_parquet(good, index=False)
    assert len(read_profiles(good)) == len(POOL)
    frame = POOL.copy()
    frame["age"] = frame["age"].astype(float)
    frame.loc[2, "age"] = np.inf
    inf = tmp_path / "inf.parquet"
    frame.to_parquet(inf, index=False)
    assert_refused(
        run_cli(["select", "score", str(inf), "--grid", "crs-2019"]),
        source=inf,
        field="row 3, column age",
        value=math.inf,
    )


def test_a_written_pool_reads_back() -> None:
    """The fuzz starts from a valid table (else every refusal would be for the same reason)."""
    with tempfile.TemporaryDirectory() as folder:
        for name in ("p.csv", "p.parquet"):
            path = Path(folder) / name
            write_profiles(generate_pool(12, seed=5), path)
            assert len(read_profiles(path, uses=("crs", "prtq", "rounds", "cohort"))) == 12
