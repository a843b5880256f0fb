"""``immiplan run``: the main job — the 2018 debate side by side, as a bilingual report."""

from __future__ import annotations

import contextlib
import math
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from immiplan.cli.common import FormatOption, blame_option, option_horizon, out_option
from immiplan.errors import InputError
from immiplan.output import OutputFormat, console, emit, progress_bar

if TYPE_CHECKING:
    from immiplan.report.build import ReportFiles
    from immiplan.report.debate import DebateRun
    from immiplan.report.export import ChartWorkers
    from immiplan.report.model import ReportInput

DEFAULT_OUT = Path("immiplan-report")


def _scenario_list(values: list[str] | None, year: int = 2018) -> list[str]:
    """``--scenarios a,b --scenarios c`` → ``[a, b, c]``; the debate's own by default."""
    from immiplan.report.debate import debate

    if not values:
        return list(debate(year).scenarios)
    names = [part.strip() for value in values for part in value.split(",")]
    if not all(names):
        raise InputError("an empty scenario name", field="--scenarios", value=",".join(values))
    return names


def run(
    scenarios: Annotated[
        list[str] | None,
        typer.Option(
            "--scenarios",
            "-s",
            help="Scenarios to compare, by shipped name or file, comma-separated or repeated; "
            "the first is the reference. Default: the six of the 2018 debate "
            "(see `immiplan project --help` for the names).",
        ),
    ] = None,
    out: Annotated[
        Path, out_option("Folder for the report, its charts and data (replaced whole).")
    ] = DEFAULT_OUT,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="fr or en. Default: French if the system locale is French, else English."
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Last year projected (1 July). Default: 2066."),
    ] = None,
    images: Annotated[
        bool,
        typer.Option("--images/--no-images", help="Also export each chart as SVG and PNG."),
    ] = True,
    ensemble: Annotated[
        int,
        typer.Option(
            "--ensemble",
            help="Add 80 %/95 % fan charts from N stochastic trajectories per scenario "
            "(same draws for every scenario; see immiplan ensemble).",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --ensemble draws.")] = 0,
    debate_year: Annotated[
        int,
        typer.Option(
            "--debate",
            help="Which debate: 2018 (the 2019 plan's, on the 2018 base) or 2025 (the "
            "2026-2029 plan, the consultation's scenarios and temporary residents, on the "
            "2023 base).",
        ),
    ] = 2018,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """A debate side by side (2018 by default, --debate 2025): run its scenarios and write a
    bilingual report (HTML, CSV, XLSX).

    Prints a summary for the horizon year and the path of the report, which opens offline.
    """
    start = time.perf_counter()
    # The chart-export helpers start first: their start-up (a JavaScript engine each)
    # overlaps the imports of the model and the report. An error below stops them.
    with _chart_workers(images) as workers:
        debate, files, language = _project_and_report(
            scenarios=scenarios,
            out=out,
            lang=lang,
            horizon=horizon,
            images=images,
            ensemble=ensemble,
            seed=seed,
            debate_year=debate_year,
            workers=workers,
        )
    seconds = time.perf_counter() - start
    from immiplan.report import summary_frame

    if fmt != OutputFormat.table:
        emit(summary_frame(debate.data, language, formatted=False), fmt)
        return
    data = debate.data
    span = f"{len(data.scenarios)} scenarios, {data.base_year}–{data.horizon}"
    title = {
        "fr": f"Le débat de {debate_year} : {span.replace('scenarios', 'scénarios')}",
        "en": f"The {debate_year} debate: {span}",
    }[language]
    console.print(_summary_table(data, language, title))
    note = {
        "fr": f"Différences avec « {data.scenarios[0].label['fr']} » entre parenthèses. "
        f"Données : {files.series_csv.name}, {files.series_xlsx.name}"
        + (f", {len(files.charts)} graphiques en SVG et PNG" if files.charts else "")
        + f" — en {seconds:.1f} s.".replace(".", ",", 1),
        "en": f"Differences from “{data.scenarios[0].label['en']}” in brackets. "
        f"Data: {files.series_csv.name}, {files.series_xlsx.name}"
        + (f", {len(files.charts)} charts as SVG and PNG" if files.charts else "")
        + f" — in {seconds:.1f} s.",
    }[language]
    console.print(note, style="dim", highlight=False)
    label = {"fr": "Rapport (s'ouvre hors ligne) :", "en": "Report (opens offline):"}[language]
    console.print(f"{label} {files.html.resolve()}", highlight=False, soft_wrap=True)


def _project_and_report(
    *,
    scenarios: list[str] | None,
    out: Path,
    lang: str | None,
    horizon: int | None,
    images: bool,
    ensemble: int,
    seed: int,
    debate_year: int,
    workers: ChartWorkers | None,
) -> tuple[DebateRun, ReportFiles, str]:
    """:func:`run`'s work under its export helpers: check the options, run the debate's
    scenarios and write the report; returns the debate, the files and the language."""
    from immiplan.report import build_report, check_language, default_language
    from immiplan.report.debate import debate_report_input

    language = check_language(lang) if lang is not None else default_language()
    names = _scenario_list(scenarios, debate_year)
    option_horizon(horizon)
    if ensemble < 0:
        raise InputError(
            "--ensemble must be 0 (off) or a number of trajectories",
            field="--ensemble",
            value=ensemble,
        )
    command = "immiplan " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["run"] else "immiplan run"
    with progress_bar() as progress:
        task = progress.add_task("Projecting", total=len(names) + 1)

        started: list[str] = []

        def on_scenario(name: str) -> None:
            if started:
                progress.advance(task)
            started.append(name)
            progress.update(task, description=f"Projecting {name}")

        with blame_option("horizon", "--horizon", horizon):
            debate = debate_report_input(
                names,
                horizon=horizon,
                generated_by=command,
                on_scenario=on_scenario,
                year=debate_year,
            )
        progress.advance(task)
        if ensemble:
            from immiplan.ensembles.report import add_fans

            progress.update(task, description=f"Ensembles of {ensemble} trajectories")
            add_fans(debate.data, names, ensemble, seed, horizon)
        progress.update(task, description="Writing the report")
        files = build_report(debate.data, out, language, images=images, workers=workers)
        progress.advance(task)
    return debate, files, language


def _chart_workers(images: bool) -> Any:
    """The chart-export helpers (none with ``--no-images``): :mod:`immiplan.report.export`
    imports no plotting library, so they start before the model and the report are
    imported."""
    if not images:
        return contextlib.nullcontext(None)
    from immiplan.report.export import ChartWorkers

    return ChartWorkers()


_COLUMNS = (
    "immigrants_mean",
    "population",
    "working_age_20_64",
    "share_65_plus",
    "french_share_all",
)
_PERCENT_COLUMNS = {"share_65_plus", "french_share_all"}
_HEADERS = {
    "fr": ("Scénario", "Immigrants/an", "Population", "20 à 64 ans", "65 ans et +", "Français"),
    "en": ("Scenario", "Immigrants/yr", "Population", "Aged 20–64", "Aged 65+", "French"),
}


def _summary_table(data: ReportInput, lang: str, title: str) -> Table:
    """The horizon year by scenario, with the difference from the reference scenario."""
    from immiplan.report import format_number, format_percent, summary_frame

    rows: dict[Any, dict[Any, Any]] = (
        summary_frame(data, lang, formatted=False).set_index("scenario").to_dict("index")
    )
    reference = rows[data.scenarios[0].key]
    headers = dict(zip(_COLUMNS, _HEADERS[lang][1:], strict=True))
    # A column shows only where the run computed its indicator (``outcomes: {french: false}``
    # in every scenario leaves no French share to show).
    present = [c for c in _COLUMNS if any(c in row for row in rows.values())]
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(_HEADERS[lang][0])
    mean = {
        "fr": f"moyenne {data.base_year}–{data.horizon}",
        "en": f"mean {data.base_year}–{data.horizon}",
    }[lang]
    for column in present:
        when = mean if column == "immigrants_mean" else str(data.horizon)
        table.add_column(f"{headers[column]}\n{when}", justify="right")
    for info in data.scenarios:
        row = rows[info.key]
        cells = [info.label[lang]]
        for column in present:
            number, base = _number(row.get(column)), _number(reference.get(column))
            if column in _PERCENT_COLUMNS:
                cells.append(format_percent(number, lang))
                continue
            value = format_number(number, lang)
            if info.key != data.scenarios[0].key and number is not None and base is not None:
                value += f" ({format_number(number - base, lang, signed=True)})"
            cells.append(value)
        table.add_row(*cells)
    return table


def _number(value: Any) -> float | None:
    """A table cell's number, or None where the scenario has no value."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def register(app: typer.Typer) -> None:
    """Add ``run`` to the root command."""
    app.command("run")(run)
