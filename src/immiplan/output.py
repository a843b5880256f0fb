"""Output for people and for scripts: one table, three formats, atomic files.

Every command renders its result through :func:`emit`, so ``--format table|json|csv``
behaves the same everywhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import errno
import functools
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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
    if title:
        # Printed on its own line, never wrapped: a title often names a file, and a path
        # broken over two lines can be neither read nor copied.
        console.print(Text(title, style="bold"), soft_wrap=True)
    table = Table(header_style="bold")
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


MANIFEST = ".immiplan-output.json"
"""The file that marks a folder as immiplan's output (so a later run may replace it whole).

It lists the files of the output with their sizes: a folder holds a complete output exactly
when every listed file is there with its size.
"""
_NEW = ".immiplan-new-"
_OLD = ".immiplan-old-"


def check_output_folder(path: str | Path, option: str | None = None) -> Path:
    """Check that ``path`` can receive an output folder; return it as a :class:`Path`.

    Refused, with one :class:`InputError` naming ``option`` (``--out``) and the value: an
    empty path, the root or the current folder (or one above it), an existing file, a folder
    that is not writable, a folder holding files immiplan did not write (it would be
    replaced whole), and a place whose nearest existing parent is a file or not writable.
    """
    text = str(path)
    if not text.strip():
        raise InputError("an empty path; name the output folder", field=option, value=text)
    folder = Path(text).expanduser()
    absolute = Path(os.path.abspath(folder))
    if absolute.parent == absolute:
        raise InputError("the root folder cannot be an output folder", field=option, value=text)
    here = Path.cwd()
    if absolute == here or absolute in here.parents:
        raise InputError(
            "the output folder cannot be the current folder or a folder above it "
            "(it is replaced whole); name a new folder",
            field=option,
            value=text,
        )
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise InputError(
                "the output path exists and is not a folder", source=folder, field=option
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError("the output folder is not writable", source=folder, field=option)
        if not (folder / MANIFEST).is_file() and any(folder.iterdir()):
            raise InputError(
                "the folder holds files immiplan did not write, and an output folder is "
                "replaced whole; name a new or empty folder",
                source=folder,
                field=option,
            )
    probe = absolute.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(
            f"cannot create the output folder ({probe} is not a folder)",
            source=folder,
            field=option,
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        where = "the output folder is not writable" if probe == absolute.parent else ""
        raise InputError(
            where or f"cannot create the output folder ({probe} is not writable)",
            source=folder,
            field=option,
        )
    return folder


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _siblings(folder: Path) -> list[Path]:
    """Staging (``new``) and retired (``old``) folders of ``folder`` left beside it."""
    parent = folder.parent
    if not parent.is_dir():
        return []
    prefixes = (f".{folder.name}{_NEW}", f".{folder.name}{_OLD}")
    return sorted(p for p in parent.iterdir() if p.name.startswith(prefixes))


def _owner(sibling: Path) -> int | None:
    """The process id written in a sibling's name (``.<name>.immiplan-new-<pid>-<rand>``)."""
    tail = sibling.name.rsplit(".immiplan-", 1)[-1]
    parts = tail.split("-")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None


def _complete(folder: Path) -> bool:
    """Whether ``folder`` holds every file its manifest lists, at its size."""
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        return all((folder / name).stat().st_size == size for name, size in listed.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def recover_output(folder: str | Path) -> None:
    """Finish or undo a swap that a killed process left half done, and remove its debris.

    Where ``folder`` is missing while a retired copy lies beside it (killed between the two
    renames of the portable swap), the complete staged output takes its place, or else the
    retired one. Staging folders of processes still running are left alone.
    """
    folder = Path(folder)
    leftovers = [p for p in _siblings(folder) if not _pid_alive(_owner(p) or -1)]
    if not folder.exists():
        new = [p for p in leftovers if _NEW in p.name and _complete(p)]
        old = [p for p in leftovers if _OLD in p.name and _complete(p)]
        for candidate in new + old:
            with contextlib.suppress(OSError):
                os.rename(candidate, folder)
                leftovers.remove(candidate)
                break
    for item in leftovers:
        shutil.rmtree(item, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where unsupported."""
    function = _renameat2()
    if function is None:
        return False
    code = function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if code == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(error, os.strerror(error), str(second))


def _step(name: str) -> None:
    """A point of the swap where a test may stop the process (see tests/test_output_kill.py)."""


def _write_manifest(staging: Path) -> None:
    for nested in staging.rglob(MANIFEST):
        nested.unlink()
    files = {
        str(p.relative_to(staging)): p.stat().st_size
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    }
    manifest = {"written_by": "immiplan", "files": files}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def _swap(staging: Path, folder: Path) -> None:
    """Put the complete ``staging`` folder at ``folder``, retiring any previous output.

    At every instant ``folder`` is the complete previous output or the complete new one:
    one atomic exchange on Linux; elsewhere two renames, with :func:`recover_output` putting
    a complete folder back if the process dies between them.
    """
    if not folder.exists():
        _step("rename")
        os.rename(staging, folder)
        return
    _step("exchange")
    if _exchange(staging, folder):
        _step("exchanged")
        shutil.rmtree(staging, ignore_errors=True)
        return
    retired = staging.with_name(staging.name.replace(_NEW, _OLD, 1))
    os.rename(folder, retired)
    _step("retired")
    os.rename(staging, folder)
    _step("renamed")
    shutil.rmtree(retired, ignore_errors=True)


@contextlib.contextmanager
def atomic_directory(path: str | Path, option: str | None = None) -> Iterator[Path]:
    """Build an output folder in a sibling staging folder, then swap it in whole.

    Yields the staging folder (beside ``path``, hidden). When the block succeeds, the
    staging folder gets its manifest and replaces ``path`` atomically; when it raises,
    the staging folder is removed and ``path`` is untouched. A process killed at any moment
    leaves ``path`` holding the complete previous output or the complete new one; its
    debris beside ``path`` is cleared at the next start. ``option`` (``--out``) is named
    in the errors of :func:`check_output_folder`.
    """
    folder = check_output_folder(path, option)
    recover_output(folder)
    missing = []
    probe = Path(os.path.abspath(folder)).parent
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}{_NEW}{os.getpid()}-", dir=folder.parent)
        )
    except OSError as exc:
        _remove_empty(missing)
        raise InputError(
            f"cannot create the output folder ({exc.strerror})", source=folder, field=option
        ) from exc
    try:
        yield staging
        _step("staged")
        _write_manifest(staging)
        _swap(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(missing)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for item in folders:
        with contextlib.suppress(OSError):
            item.rmdir()


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
