"""``immiplan project``: project Quebec's population under one or more scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from immiplan.cli.common import FormatOption
from immiplan.errors import InputError
from immiplan.output import OutputFormat, atomic_directory, emit, err_console

LABELS = {
    "year": "Year",
    "population": "Population",
    "births": "Births",
    "deaths": "Deaths",
    "immigrants": "Immigrants",
    "net_emigration": "Net emigration",
    "net_interprovincial": "Net interprov.",
    "npr_change": "NPR change",
    "growth": "Growth",
    "median_age": "Median age",
    "share_65_plus": "65+ %",
    "dependency_ratio": "Dependency",
    "immigrant_share": "Immigrants %",
    "quebec_share_of_canada": "Share of Canada %",
}
DIGITS = {
    "Median age": 1,
    "65+ %": 1,
    "Dependency": 1,
    "Immigrants %": 1,
    "Share of Canada %": 2,
}


def project_command(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help="Shipped scenario names (quebec-2019-plan, no-immigration...) or YAML files.",
            show_default=False,
            metavar="SCENARIO...",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write CSV and Parquet tables here (one sub-folder per scenario when several).",
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Last year to project (1 July); overrides the scenario's."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Project Quebec's population (1 July, by age, sex, group and years since landing).

    Prints the headline indicators every five years; --out writes every table.
    """
    from immiplan.projection.results import ProjectionResult, run_scenario

    if horizon is not None and horizon > 2300:
        raise InputError("the horizon must be 2300 or earlier", field="--horizon", value=horizon)
    results: list[ProjectionResult] = []
    if len(scenarios) > 1:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            task = progress.add_task("Projecting", total=len(scenarios))
            for name in scenarios:
                progress.update(task, description=f"Projecting {name}")
                results.append(run_scenario(name, horizon=horizon))
                progress.advance(task)
    else:
        results.append(run_scenario(scenarios[0], horizon=horizon))

    written: list[Path] = []
    if out is not None:
        names = [r.metadata["scenario"] for r in results]
        if len(set(names)) != len(names):
            raise InputError("two scenarios share a name; give them different names", value=names)
        with atomic_directory(out) as staging:
            for result in results:
                folder = staging / result.metadata["scenario"] if len(results) > 1 else staging
                for path in result.write(folder):
                    written.append(out / path.relative_to(staging))

    if fmt != OutputFormat.table:
        frames = []
        for result in results:
            frame = result.headline()
            frame.insert(0, "scenario", result.metadata["scenario"])
            frames.append(frame)
        emit(pd.concat(frames, ignore_index=True), fmt)
        return
    for result in results:
        meta = result.metadata
        view = _table_view(result.headline())
        notes = [
            f"Scenario {meta['scenario']} ({meta['source']}, sha256 {meta['sha256'][:12]}), "
            f"immiplan {meta['immiplan_version']}.",
            "Populations on 1 July; flows from 1 July of the year to 30 June of the next. "
            "Other net migration = net interprovincial − net emigration + net arrivals of "
            "non-permanent residents less their transitions to permanent residence (those "
            "are counted in Immigrants). Dependency = (0–19 + 65+) per 100 aged 20–64.",
        ]
        if written:
            notes.append(f"Tables written to {out}.")
        emit(
            view,
            OutputFormat.table,
            title=f"{meta['title']} — Quebec, {meta['base_year']}–{meta['horizon']}",
            digits=DIGITS,
            notes=notes,
        )


def _table_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The headline for people: fewer, labelled columns (scripts get every column)."""
    view = pd.DataFrame({"Year": frame["year"].astype(int).astype(str)})
    for column in ("population", "births", "deaths", "immigrants"):
        view[LABELS[column]] = frame[column]
    view["Other net migration"] = (
        frame["net_interprovincial"] - frame["net_emigration"] + frame["npr_change"]
    )
    for column in ("growth", "median_age", "share_65_plus", "dependency_ratio"):
        view[LABELS[column]] = frame[column]
    if "quebec_share_of_canada" in frame:
        view[LABELS["quebec_share_of_canada"]] = frame["quebec_share_of_canada"]
    return view


def register(app: typer.Typer) -> None:
    """Add ``project`` to the root command."""
    app.command("project")(project_command)
