"""Options shared by every command."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from immiplan.output import OutputFormat

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="How to print the result: a table for people, json or csv for scripts.",
        case_sensitive=False,
    ),
]


def out_folder(value: str | Path) -> Path:
    """The ``--out`` type of every command: a folder immiplan may create or replace whole.

    Refuses ``""``, ``/``, the current folder, an existing file, a folder that is not
    writable or holds someone else's files, with one line naming ``--out``
    (:func:`immiplan.output.check_output_folder`).
    """
    from immiplan.output import check_output_folder

    return check_output_folder(value, "--out")


def out_option(help_text: str) -> Any:
    """A ``--out``/``-o`` option checked by :func:`out_folder`."""
    return typer.Option("--out", "-o", help=help_text, parser=out_folder)


def option_date(value: str, option: str) -> dt.date:
    """A date option (``--start 2018-01-01``), its errors naming the option."""
    from immiplan.errors import InputError
    from immiplan.system.parameters import as_date

    try:
        return as_date(value)
    except InputError as exc:
        raise InputError(exc.message, field=option, value=value) from None


def option_horizon(value: int | None, option: str = "--horizon") -> int | None:
    """A horizon option: a year in the sane range (:data:`immiplan.fields.MAX_YEAR`)."""
    from immiplan.errors import InputError
    from immiplan.fields import MAX_YEAR, MIN_YEAR

    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise InputError(
            f"the horizon must be a year between {MIN_YEAR} and {MAX_YEAR}",
            field=option,
            value=value,
        )
    return value


@contextlib.contextmanager
def blame_option(field: str, option: str, value: Any) -> Iterator[None]:
    """Within the block, an error on a scenario's ``field`` that ``option`` overrode is the
    option's (``project --horizon 2010`` blames ``--horizon``, not the file's ``horizon``)."""
    from immiplan.errors import InputError

    try:
        yield
    except InputError as exc:
        if value is not None and exc.field == field:
            raise InputError(exc.message, field=option, value=value) from None
        raise
