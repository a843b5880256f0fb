"""A reusable harness for bad-input tests: hypothesis strategies for the classes of mistakes
users make, and one check of how the command line must refuse them.

Every bad input must end in exit status 2 and ONE line on stderr that names the file, the
field and the value, with no traceback and nothing written. Use::

    from badinput import assert_refused, bad_for, run_cli, set_path

``bad_for(kind)`` gives values that a field of ``kind`` (one of :data:`KINDS`) must refuse:
non-finite numbers, booleans posing as numbers, numbers posing as text, out-of-range years
and dates, wrong containers.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from immiplan.fields import MAX_YEAR, MIN_YEAR

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
"""NaN and the infinities: never numbers."""
BOOLEANS = st.booleans()
"""``true``/``false`` where a number, a text or a list is meant."""
CONTAINERS = st.one_of(
    st.lists(st.integers(0, 9), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 9), min_size=1, max_size=2),
)
"""A list or a mapping where a scalar is meant."""
NUMERIC_TEXT = st.sampled_from(["7", "0.5", "1e3", "nan", "", "no", "yes"])
"""Text where a number or a flag is meant (``"7"`` is not 7, ``"no"`` is not false)."""
BAD_YEARS = st.one_of(
    st.integers(max_value=MIN_YEAR - 1), st.integers(min_value=MAX_YEAR + 1, max_value=10**12)
)
"""Whole numbers outside the sane range of years (0, -1, 10000, 10**12)."""
BAD_DATES = st.one_of(
    st.sampled_from(["0000-01-01", "10000-01-01", "2019-13-01", "2019-02-30", "soon", "0"]),
    BAD_YEARS,
    BOOLEANS,
    CONTAINERS,
)
"""Dates that are not dates, or out of range."""


def _huge(limit: float) -> st.SearchStrategy[Any]:
    top = max(10**15, int(limit) * 1000)
    return st.one_of(st.integers(int(limit) + 1, top), st.floats(limit * 1.001, 1e300))


KINDS: dict[str, st.SearchStrategy[Any]] = {}


def bad_for(kind: str, *, maximum: float | None = None, minimum: float = 0) -> Any:
    """Values a field of ``kind`` must refuse.

    ``kind``: ``count`` (a whole number ≥ ``minimum``, ≤ ``maximum``), ``number`` (finite,
    in range), ``rate`` (in [0, 1]), ``flag``, ``text``, ``text-list``, ``year``, ``date``.
    """
    wrong_type = st.one_of(BOOLEANS, CONTAINERS, NUMERIC_TEXT)
    below = st.integers(-(10**12), math.ceil(minimum) - 1) if minimum > -(10**12) else None
    if kind == "count":
        parts = [NON_FINITE, wrong_type, st.floats(0.1, 0.9).map(lambda x: minimum + x)]
        if below is not None:
            parts.append(below)
        if maximum is not None:
            parts.append(_huge(maximum))
        return st.one_of(*parts)
    if kind in ("number", "rate"):
        top = 1.0 if kind == "rate" else maximum
        parts = [NON_FINITE, wrong_type, st.floats(-1e300, minimum, exclude_max=True)]
        if top is not None:
            parts.append(st.floats(top, 1e300, exclude_min=True))
        return st.one_of(*parts)
    if kind == "flag":
        return st.one_of(NON_FINITE, CONTAINERS, NUMERIC_TEXT, st.integers(0, 1))
    if kind == "text":
        return st.one_of(NON_FINITE, BOOLEANS, CONTAINERS, st.integers(), st.just(""))
    if kind == "text-list":
        return st.one_of(
            NON_FINITE, BOOLEANS, st.integers(), st.text(min_size=1, max_size=4), st.just({"a": 1})
        )
    if kind == "year":
        return st.one_of(BAD_YEARS, NON_FINITE, wrong_type, st.floats(2000.5, 2001.5))
    if kind == "date":
        return BAD_DATES
    raise ValueError(f"unknown kind {kind}")


def set_path(doc: Any, path: str, value: Any) -> Any:
    """A deep copy of ``doc`` with the dotted ``path`` (``a.b[0].c``) set to ``value``."""
    out = copy.deepcopy(doc)
    node = out
    parts = _parts(path)
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def _parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            parts.append(int(index))
            rest = rest.lstrip("[")
    return parts


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(args: Sequence[str]) -> Result:
    """Run ``immiplan`` in-process with stdout and stderr captured (hypothesis-safe)."""
    from immiplan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def assert_refused(
    result: Result,
    *,
    source: str | Path | None = None,
    field: str | None = None,
    value: Any = None,
    folder: Path | None = None,
    expected_files: Sequence[str] = (),
) -> str:
    """Check the refusal: exit 2, one line on stderr naming source, field and value, no
    traceback, nothing on stdout, and (``folder``) only ``expected_files`` in ``folder``."""
    assert result.code == 2, (result.code, result.err, result.out)
    assert "Traceback" not in result.err
    line = " ".join(result.err.split())  # Rich may wrap a long line on a narrow terminal
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert line.startswith("error:"), line
    assert result.out == "", result.out
    if source is not None:
        assert str(source) in line, (source, line)
    if field is not None:
        assert f"field '{field}" in line, (field, line)
    if value is not None and not isinstance(value, dict | list):
        shown = repr(value)
        assert shown in line or str(value) in line, (shown, line)
    if folder is not None:
        assert sorted(p.name for p in folder.iterdir()) == sorted(expected_files)
    return line
