"""``immiplan project``: project Quebec's population under one or more scenarios.

With the integration outcomes of :mod:`immiplan.outcomes` (knowledge of French, the labour
force, francization), as each scenario's ``outcomes:`` block asks (all on by default);
``--no-outcomes`` gives the bare projection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from immiplan.cli.common import FormatOption, blame_option, option_horizon, out_option
from immiplan.errors import InputError
from immiplan.output import OutputFormat, atomic_directory, emit, progress_bar

if TYPE_CHECKING:
    from immiplan.outcomes.run import OutcomeResult
    from immiplan.projection.results import ProjectionResult

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
    "share_of_parent": "Share of parent %",
}
DIGITS = {
    "Median age": 1,
    "65+ %": 1,
    "Dependency": 1,
    "Immigrants %": 1,
    "Share of Canada %": 2,
}

OUTCOME_VIEW: tuple[tuple[str, str, str, float], ...] = (
    ("French %", "all", "french_share", 100.0),
    ("French % imm.", "immigrants", "french_share", 100.0),
    ("French % recent", "landed_under_5", "french_share", 100.0),
    ("Labour force", "all", "labour_force", 1.0),
    ("Unemp. %", "all", "unemployment_rate", 100.0),
    ("Unemp. % imm.", "immigrants", "unemployment_rate", 100.0),
    ("Students", "all", "francization_students", 1.0),
    ("Cost M$", "all", "francization_cost", 1e-6),
    ("Grant M$", "all", "federal_grant", 1e-6),
)
"""The outcome table for people: (label, group, indicator, scale)."""
OUTCOME_DIGITS = {label: 1 for label, _, _, scale in OUTCOME_VIEW if scale != 1.0}
GROUP_COLUMNS = (
    ("immigrants", "french_share"),
    ("landed_under_5", "french_share"),
    ("immigrants", "unemployment_rate"),
    ("landed_under_5", "unemployment_rate"),
)
"""Outcomes of groups other than ``all`` in the json/csv headline (``<indicator>_<group>``)."""


@dataclass(frozen=True)
class _Run:
    """One scenario's projection and, unless switched off, its outcomes."""

    projection: ProjectionResult
    outcomes: OutcomeResult | None

    def write(self, folder: Path) -> list[Path]:
        if self.outcomes is not None:
            return self.outcomes.write(folder)
        return self.projection.write(folder)


def _run(name: str, horizon: int | None, with_outcomes: bool) -> _Run:
    """Load, prepare and project one scenario (with its outcomes unless switched off)."""
    from immiplan.outcomes.run import OutcomeOptions
    from immiplan.pipeline import NO_OUTCOMES, run
    from immiplan.projection.scenario import load_scenario

    loaded = load_scenario(name)
    options = OutcomeOptions.from_switches(loaded.scenario.outcomes)
    with blame_option("horizon", "--horizon", horizon):
        if with_outcomes and options.any:
            result = run(loaded, horizon=horizon, options=options)
            return _Run(result.projection, result)
        return _Run(run(loaded, horizon=horizon, options=NO_OUTCOMES).projection, None)


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
        out_option(
            "Write CSV and Parquet tables here (one sub-folder per scenario when several); "
            "the folder is replaced whole."
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Last year to project (1 July); overrides the scenario's."),
    ] = None,
    with_outcomes: Annotated[
        bool,
        typer.Option(
            "--outcomes/--no-outcomes",
            help="Integration outcomes (French, labour force, francization) as each scenario's "
            "outcomes: block asks (all by default); --no-outcomes for the bare projection.",
        ),
    ] = True,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Project Quebec's population (1 July, by age, sex, group and years since landing).

    Prints the headline indicators and the integration outcomes every five years; --out
    writes every table (outcomes.csv/.parquet among them).
    """
    option_horizon(horizon)
    results: list[_Run] = []
    if len(scenarios) > 1:
        with progress_bar() as progress:
            task = progress.add_task("Projecting", total=len(scenarios))
            for name in scenarios:
                progress.update(task, description=f"Projecting {name}")
                results.append(_run(name, horizon, with_outcomes))
                progress.advance(task)
    else:
        results.append(_run(scenarios[0], horizon, with_outcomes))

    written: list[Path] = []
    if out is not None:
        names = [r.projection.metadata["scenario"] for r in results]
        if len(set(names)) != len(names):
            raise InputError("two scenarios share a name; give them different names", value=names)
        with atomic_directory(out, "--out") as staging:
            for run in results:
                name = run.projection.metadata["scenario"]
                folder = staging / name if len(results) > 1 else staging
                for path in run.write(folder):
                    written.append(out / path.relative_to(staging))

    if fmt != OutputFormat.table:
        frames = []
        for run in results:
            frame = _headline_with_outcomes(run)
            frame.insert(0, "scenario", run.projection.metadata["scenario"])
            frames.append(frame)
        emit(pd.concat(frames, ignore_index=True), fmt)
        return
    for run in results:
        result = run.projection
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
        _print_npr(result)
        if run.outcomes is not None:
            _print_outcomes(run.outcomes, result.headline()["year"])


def _wide(outcomes: pd.DataFrame, years: pd.Series) -> pd.DataFrame:
    """The outcome table as one row per year of ``years``, columns ``(group, indicator)``."""
    part = outcomes[outcomes["year"].isin(set(years.astype(int)))]
    wide = part.pivot_table(
        index="year", columns=["group", "indicator"], values="value", aggfunc="first", dropna=False
    )
    return wide.reindex(years.astype(int).to_numpy())


def _headline_with_outcomes(run: _Run) -> pd.DataFrame:
    """The headline for scripts: its columns, every outcome of ``all`` and a few groups'."""
    frame = run.projection.headline()
    if run.outcomes is None or run.outcomes.outcomes.empty:
        return frame
    wide = _wide(run.outcomes.outcomes, frame["year"])
    columns: dict[str, Any] = {}
    keys: list[tuple[str, str]] = [(str(k[0]), str(k[1])) for k in wide.columns]
    for group, indicator in keys:
        if group == "all":
            columns[indicator] = wide[(group, indicator)].to_numpy()
    for group, indicator in GROUP_COLUMNS:
        if (group, indicator) in wide.columns:
            columns[f"{indicator}_{group}"] = wide[(group, indicator)].to_numpy()
    extra = pd.DataFrame(columns, index=frame.index)
    return pd.concat([frame, extra], axis=1)


def _print_outcomes(result: OutcomeResult, years: pd.Series) -> None:
    """The outcome table for people, at the headline's years, with its sources."""
    frame = result.outcomes
    if frame.empty:
        return
    wide = _wide(frame, years)
    view = pd.DataFrame({"Year": years.astype(int).astype(str).to_numpy()})
    for label, group, indicator, scale in OUTCOME_VIEW:
        if (group, indicator) in wide.columns:
            view[label] = wide[(group, indicator)].to_numpy() * scale
    projection = result.projection
    meta = projection.metadata
    notes = []
    calibration = result.calibration
    if "french" in calibration:
        french = calibration["french"]
        notes.append(
            "French %: share able to conduct a conversation in French (census question) of "
            "everyone, of immigrants (imm.) and of recent immigrants (landed under 5 years). "
            f"Base year calibrated to the {french.get('census_year', '')} Census "
            f"({100 * french['base_total']:.1f} %), "
            "French acquired after landing to its "
            f"{100 * french['recent_immigrants_target']:.1f} % of recent immigrants."
        )
    if "labour" in calibration:
        unemployment = calibration["labour"].get("unemployment_25_54", {})
        notes.append(
            f"Labour force and unemployment (15+): Labour Force Survey "
            f"{calibration['labour'].get('lfs_year', '')} rates by age band and years since landing"
            + (
                " (unemployment 25–54: "
                + ", ".join(
                    f"{k.replace('_', ' ')} {100 * float(v):.1f} %" for k, v in unemployment.items()
                )
                + ")"
                if unemployment
                else ""
            )
            + ", held."
        )
    if "francization" in calibration:
        cost = calibration["francization"]["cost_per_student"]
        notes.append(
            "Students: francization students among the year's admissions from 1 July = adults "
            "(16+) admitted without French × enrolment (31–40 %, MIFI/VGQ); Cost: at "
            f"{cost:,.0f} $ a student (2016-17 dollars, derived from the VGQ's 74–75 M$); "
            "Grant: the federal grant under the Canada–Quebec Accord for the fiscal year from "
            "1 April, as published (— = none published)."
        )
    if "selection" in calibration:
        sel = calibration["selection"]
        notes.append(
            f"Economic admissions from {sel['from_year']}: age-sex profile and French share "
            f"({100 * sel['french_share']:.1f} %) of selection scenario {sel['scenario']}."
        )
    off = [name for name, on in vars(result.options).items() if not on]
    if off:
        notes.append(f"Switched off by the scenario: {', '.join(off)}.")
    notes.append("Method and sources: docs/outcomes.md.")
    emit(
        view,
        OutputFormat.table,
        title=f"Integration outcomes — {meta['title']}, {meta['base_year']}–{meta['horizon']}",
        digits=OUTCOME_DIGITS,
        notes=notes,
    )


NPR_LABELS = {
    "npr_stock": "NPR stock",
    "npr_entries": "Entries",
    "npr_exits": "Exits",
    "npr_transitions": "To PR",
    "already_resident_share": "From NPR %",
}


def _print_npr(result: ProjectionResult) -> None:
    """Temporary residents every five years: the stock (by type under flows by type), entries,
    exits, transitions to permanent residence and their share of the admissions."""
    frame = result.headline()
    view = pd.DataFrame({"Year": frame["year"].astype(int).astype(str)})
    for column in frame.columns:
        name = str(column)
        if name in NPR_LABELS:
            view[NPR_LABELS[name]] = frame[name]
        elif name.startswith("npr_stock_"):
            view[name.removeprefix("npr_stock_").replace("_", " ").capitalize()] = frame[name]
    notes = [
        "NPR stock on 1 July; Entries, Exits (abroad), To PR (transitions to permanent "
        "residence, counted in Immigrants) from 1 July to 30 June; From NPR % = To PR as a "
        "share of the year's admissions (the plans' 'already living in the province')."
    ]
    if any(str(c).startswith("npr_stock_") for c in frame.columns):
        notes.append(
            "By permit type: each type's entries and exits from the base's stock by type; "
            "transitions, deaths and emigration shared in proportion (derived)."
        )
    emit(
        view,
        OutputFormat.table,
        title=f"Temporary residents — {result.metadata['title']}",
        digits={"From NPR %": 1},
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
    if "share_of_parent" in frame:
        view[LABELS["share_of_parent"]] = frame["share_of_parent"]
    return view


def register(app: typer.Typer) -> None:
    """Add ``project`` to the root command."""
    app.command("project")(project_command)
