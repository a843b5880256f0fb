"""``immiplan select``: score candidates on a points grid, run invitation rounds, make pools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from immiplan.cli.common import FormatOption, blame_option, option_date
from immiplan.errors import InputError
from immiplan.output import OutputFormat, emit

app = typer.Typer(
    help="Selection: score candidates on the PRTQ or CRS grid, run invitation rounds, make "
    "synthetic pools.",
    no_args_is_help=True,
)

GridOption = Annotated[
    str,
    typer.Option(
        "--grid",
        "-g",
        help="prtq-2018, crs-2019, crs-2021, crs-2025, or crs@YYYY-MM-DD / prtq@YYYY-MM-DD.",
    ),
]
VIEWS = ("rounds", "cohort", "age-sex", "totals")
MAX_POOL = 5_000_000
"""Largest synthetic pool (Express Entry's pool is about 250,000; memory stays under 2 GB)."""


@app.command("score")
def score(
    profiles: Annotated[Path, typer.Argument(help="Profile table (.csv or .parquet).")],
    grid: GridOption,
    explain_id: Annotated[
        str | None,
        typer.Option(
            "--explain", help="Show the factor-by-factor computation for this candidate id."
        ),
    ] = None,
    factors: Annotated[
        bool, typer.Option("--factors", help="Add one column per factor to the scores.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Score every candidate of PROFILES on a grid (or explain one candidate's score)."""
    import numpy as np

    from immiplan.selection import explain, load_grid, read_profiles
    from immiplan.selection.grids import source_lines

    with blame_option("grid", "--grid", grid):
        points_grid = load_grid(grid)  # an unknown grid fails before the file is read
    table = read_profiles(profiles, uses=(points_grid.system,))
    cites = source_lines(points_grid)
    label = " (synthetic profiles)" if table.synthetic else ""
    if explain_id is not None:
        trace = explain(points_grid, table, explain_id)
        emit(trace, fmt, title=f"Candidate {explain_id} on {points_grid.name}{label}", notes=cites)
        return
    scores = points_grid.score(table)
    frame = scores.frame(factors=factors)
    total = scores.total
    notes = [
        f"{len(frame):,} candidates on {points_grid.name} (in force "
        f"{points_grid.date.isoformat()}, maximum {points_grid.maximum}); total: "
        f"min {int(total.min()) if len(total) else 0}, median "
        f"{float(np.median(total)) if len(total) else 0:.0f}, max "
        f"{int(total.max()) if len(total) else 0}"
    ]
    if "selected" in scores.checks:
        notes.append(
            f"selected (all PRTQ thresholds met): "
            f"{int(scores.checks['selected'].sum()):,} of {len(frame):,}"
        )
    emit(frame, fmt, title=f"Scores on {points_grid.name}{label}", notes=[*notes, *cites])


@app.command("rounds")
def rounds(
    scenario: Annotated[
        str,
        typer.Argument(
            help="A shipped selection scenario (see 'immiplan select scenarios') or a YAML file."
        ),
    ],
    view: Annotated[
        str, typer.Option("--view", help="What to print: rounds, cohort, age-sex or totals.")
    ] = "rounds",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Run a selection scenario: its invitation rounds and the invited cohort's profile."""
    import numpy as np
    import pandas as pd

    from immiplan.selection import run_scenario

    if view not in VIEWS:
        raise InputError(f"must be one of {', '.join(VIEWS)}", field="--view", value=view)
    result = run_scenario(scenario)
    sc = result.scenario
    cohort = result.cohort
    if view == "cohort":
        summary = cohort.summary()
        if fmt == OutputFormat.table:
            summary["value"] = [
                f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3f}" for v in summary["value"]
            ]
        emit(summary, fmt, title=f"Invited cohort, {sc.name}", notes=result.notes)
        return
    if view == "age-sex":
        shares = cohort.distribution()
        frame = pd.DataFrame({"age": np.arange(101), "female": shares[0], "male": shares[1]})
        emit(
            frame,
            fmt,
            title=f"Age-sex profile of the invited cohort, {sc.name} (shares)",
            digits={"female": 5, "male": 5},
            notes=result.notes,
        )
        return
    if view == "totals":
        emit(result.totals(), fmt, title=f"Totals by year, {sc.name}", notes=result.notes)
        return
    frame = result.rounds.drop(columns=["targeting", "planned"], errors="ignore")
    lines = [
        f"cohort: {cohort.principals:,} principal applicants, {cohort.persons:,.0f} persons "
        f"({cohort.persons_per_principal:.2f} per principal applicant)",
        f"cohort: knows French {cohort.french_share:.1%} of persons, "
        f"{cohort.principal_french_share:.1%} of principal applicants; mean age at admission "
        f"{cohort.mean_age:.1f}",
    ]
    totals = result.totals()
    for row in totals.itertuples(index=False):
        lines.append(
            f"rounds of {row.year}: "
            + ", ".join(f"{k} {getattr(row, k):,.0f}" for k in totals.columns if k != "year")
        )
    if "admission_date" in result.rounds:
        by_year = result.rounds.groupby(result.rounds["admission_date"].str[:4])["admissions"]
        for year, value in by_year.sum().items():
            lines.append(f"admissions dated {year}: {value:,.0f}")
    emit(
        frame,
        fmt,
        title=f"Invitation rounds, {sc.name} ({sc.grid})",
        digits={"selections": 0, "admissions": 0},
        notes=[*lines, *result.notes],
    )


@app.command("pool")
def pool(
    output: Annotated[Path, typer.Argument(help="File to write (.csv or .parquet).")],
    size: Annotated[int, typer.Option("--size", "-n", help="Number of candidates.")] = 10_000,
    kind: Annotated[
        str, typer.Option("--kind", help="Which calibration: express-entry or arrima.")
    ] = "express-entry",
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same pool).")] = 0,
    start: Annotated[
        str, typer.Option("--start", help="First submission date (YYYY-MM-DD).")
    ] = "2018-01-01",
    end: Annotated[
        str, typer.Option("--end", help="Submissions up to this date, excluded (YYYY-MM-DD).")
    ] = "2019-01-01",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Generate a synthetic candidate pool (labelled synthetic) and write it to OUTPUT."""
    import numpy as np
    import pandas as pd

    from immiplan.selection import POOL_KINDS, generate_pool, load_grid, write_profiles

    if output.suffix.lower() not in (".csv", ".parquet"):
        raise InputError("unknown file type (expected .csv or .parquet)", source=output)
    if kind not in POOL_KINDS:
        raise InputError(f"must be one of {', '.join(POOL_KINDS)}", field="--kind", value=kind)
    if not 0 < size <= MAX_POOL:
        raise InputError(
            f"must be a number of candidates from 1 to {MAX_POOL:,}", field="--size", value=size
        )
    if not 0 <= seed < 2**63:
        raise InputError("must be a whole number from 0 to 2**63 − 1", field="--seed", value=seed)
    first, last = option_date(start, "--start"), option_date(end, "--end")
    if last <= first:
        raise InputError(f"must be after --start ({first.isoformat()})", field="--end", value=end)
    profiles = generate_pool(size, kind=kind, seed=seed, start=first, end=last)
    write_profiles(profiles, output)
    crs = load_grid("crs-2019").score(profiles).total
    prtq = load_grid("prtq-2018").score(profiles)
    frame = pd.DataFrame(
        [
            ("file", str(output)),
            ("candidates", f"{len(profiles):,}"),
            ("synthetic", "yes"),
            ("kind / seed", f"{kind} / {seed}"),
            ("submitted", f"{first.isoformat()} to {last.isoformat()}"),
            ("median CRS (crs-2019)", f"{float(np.median(crs)):.0f}"),
            ("PRTQ selected (prtq-2018)", f"{float(prtq.checks['selected'].mean()):.1%}"),
        ],
        columns=["measure", "value"],
    )
    emit(
        frame,
        fmt,
        title="Synthetic pool written",
        notes=[
            "Synthetic: generated from assumed distributions (docs/selection.md), not real "
            "candidates."
        ],
    )


@app.command("grids")
def grids(fmt: FormatOption = OutputFormat.table) -> None:
    """List the named grids and the dates they stand for."""
    from immiplan.selection import grids_frame

    emit(
        grids_frame(),
        fmt,
        title="Points grids",
        notes=["Any date works too: crs@YYYY-MM-DD, prtq@YYYY-MM-DD (PRTQ from 2018-08-02)."],
    )


@app.command("scenarios")
def scenarios(fmt: FormatOption = OutputFormat.table) -> None:
    """List the shipped selection scenarios."""
    import pandas as pd

    from immiplan.selection import load_scenario, scenario_names

    rows = []
    for name in scenario_names():
        sc = load_scenario(name)
        rows.append(
            {
                "scenario": name,
                "grid": sc.grid,
                "mode": "fill a plan" if sc.plan else "replay published rounds",
                "description": sc.description,
            }
        )
    emit(pd.DataFrame(rows), fmt, title="Selection scenarios")


@app.command("schema")
def schema(fmt: FormatOption = OutputFormat.table) -> None:
    """Show the profile table's columns: type, unit, allowed values, default, use."""
    from immiplan.selection import schema_frame
    from immiplan.selection.schema import ROUNDS

    emit(
        schema_frame(),
        fmt,
        title="Candidate profile columns",
        notes=[f"'used by' names what needs the column: crs, prtq, {ROUNDS}, cohort."],
    )
