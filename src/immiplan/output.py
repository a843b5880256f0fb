"""Output for people and for scripts: one table, three formats, atomic files.

Every command renders its result through :func:`emit`, so ``--format table|json|csv``
behaves the same everywhere.
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from immiplan.errors import InputError


class OutputFormat(enum.StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"
    csv = "csv"


console = Console()
if not console.is_terminal and "COLUMNS" not in os.environ:
    # Piped into a file or a pager: Rich would wrap every table at 80 columns.
    console.width = 200
# Columns printed without thousands separators (a year is not a quantity).
PLAIN_COLUMNS = {"year", "base_year", "horizon", "age", "round", "id", "depth"}
err_console = Console(stderr=True)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def format_number(value: Any, digits: int = 0) -> str:
    """Format a number for a table: thousands separators, '—' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int | float):
        if digits == 0:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)


def emit(
    frame: pd.DataFrame,
    fmt: OutputFormat = OutputFormat.table,
    *,
    title: str | None = None,
    digits: Mapping[str, int] | None = None,
    notes: Sequence[str] = (),
) -> None:
    """Print ``frame`` as a Rich table, JSON records or CSV on standard output.

    ``digits`` gives the decimals per column in the table view (default 0 for numbers).
    ``notes`` are printed under the table (table view only; scripts get data alone).
    """
    if fmt == OutputFormat.json:
        records = [
            {k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
        console.print_json(json.dumps(records, default=_json_default))
        return
    if fmt == OutputFormat.csv:
        print(frame.to_csv(index=False), end="")
        return
    digits = dict(digits or {})
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if str(column).lower() in PLAIN_COLUMNS and isinstance(value, int | float):
                cells.append(str(int(value)) if value == value else "—")
            else:
                cells.append(format_number(value, digits.get(str(column), 0)))
        table.add_row(*cells)
    console.print(table)
    for note in notes:
        console.print(note, style="dim")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success.

    Nothing is left behind when the block raises, so a failed run never leaves a
    half-written file.
    """
    path = Path(path)
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder ({exc.strerror})", source=directory) from exc
    if not os.access(directory, os.W_OK):
        raise InputError("the folder is not writable", source=directory)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """Build a folder's files in a sibling staging folder, then move each into ``path``.

    When the block raises, the staging folder is removed and ``path`` is untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder ({exc.strerror})", source=path) from exc
    if not os.access(path, os.W_OK):
        raise InputError("the output folder is not writable", source=path)
    staging = Path(tempfile.mkdtemp(prefix=".immiplan-staging-", dir=path))
    try:
        yield staging
        for item in sorted(staging.rglob("*")):
            if item.is_file():
                target = path / item.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, target)
    finally:
        for item in sorted(staging.rglob("*"), reverse=True):
            if item.is_dir():
                item.rmdir()
            else:
                item.unlink()
        staging.rmdir()


def progress_bar() -> Progress:
    """A progress bar on stderr, removed when done (stdout stays clean for scripts)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
