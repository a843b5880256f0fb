"""Options shared by every command."""

from __future__ import annotations

from typing import Annotated

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
