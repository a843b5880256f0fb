"""``immiplan ensemble`` and ``immiplan sweep``: ranges, probabilities and responses of a plan.

``ensemble`` draws trajectories of fertility, mortality, admissions against the plan,
emigration, interprovincial migration and the NPR stock around a scenario
(:mod:`immiplan.ensembles`), and prints the quantiles of every indicator; ``sweep`` projects
the scenario at a grid of yearly levels and prints the response of each indicator to the
level. Both run in this process, on a local Dask cluster (``--workers``) or on an existing
one (``--scheduler`` or ``DASK_SCHEDULER_ADDRESS``), with the same numbers for the same seed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from immiplan.cli.common import FormatOption
from immiplan.errors import InputError
from immiplan.output import OutputFormat, atomic_directory, emit, progress_bar

TrajectoriesOption = Annotated[
    int, typer.Option("--trajectories", "-n", help="Number of trajectories (at least 1).")
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Seed of the random streams (same seed, same numbers).")
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Start a local Dask cluster of N worker processes."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="A running Dask scheduler (tcp://host:port); default $DASK_SCHEDULER_ADDRESS.",
    ),
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="YAML file overriding parameters of the stochastic model, e.g. {tfr: {sigma: 0.02}}.",
    ),
]
HorizonOption = Annotated[
    int | None, typer.Option("--horizon", help="Last year projected (1 July).")
]
OutcomesOption = Annotated[
    bool,
    typer.Option(
        "--outcomes/--population-only",
        help="French, labour force and francization cost as the scenario's outcomes: block asks "
        "(default), or the population indicators alone (faster).",
    ),
]


def _model(path: Path | None) -> Any:
    from immiplan.ensembles.model import calibrate, model_from_mapping
    from immiplan.system.parameters import parse_yaml, read_text

    model = calibrate().model
    if path is None:
        return model
    return model_from_mapping(parse_yaml(read_text(path), str(path)), model, source=str(path))


def _prepare(scenario: str, horizon: int | None) -> Any:
    from immiplan.projection.scenario import load_scenario, prepare

    if horizon is not None and horizon > 2300:
        raise InputError("the horizon must be 2300 or earlier", field="--horizon", value=horizon)
    return prepare(load_scenario(scenario), horizon=horizon)


def _check_count(value: int, name: str) -> None:
    if value < 1:
        raise InputError(f"{name} must be at least 1", field=name, value=value)


def _run_with_progress(base: Any, model: Any, n: int, seed: int, client: Any, label: str) -> Any:
    from immiplan.ensembles.run import run_ensemble

    with progress_bar() as progress:
        task = progress.add_task(label, total=n)
        return run_ensemble(
            base,
            model,
            trajectories=n,
            seed=seed,
            client=client,
            progress=lambda k: progress.advance(task, k),
        )


def ensemble_command(
    scenario: Annotated[
        str, typer.Argument(help="Shipped scenario name or YAML file.", show_default=False)
    ],
    trajectories: TrajectoriesOption = 1000,
    seed: SeedOption = 0,
    quantiles: Annotated[
        str, typer.Option("--quantiles", help="Comma-separated quantiles, each in (0, 1).")
    ] = "0.025,0.1,0.5,0.9,0.975",
    probability: Annotated[
        list[str] | None,
        typer.Option(
            "--probability",
            "-p",
            help="Share of trajectories where a comparison holds, e.g. "
            '"population_20_64[2030] < population_20_64[2018]" (repeatable).',
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write quantiles.csv/.parquet/.json, probabilities.json, model.json here.",
        ),
    ] = None,
    horizon: HorizonOption = None,
    outcomes: OutcomesOption = True,
    model_file: ModelOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Quantiles of every indicator per year over stochastic trajectories of a scenario.

    The scenario is the ensemble's centre; docs/uncertainty.md describes and calibrates
    each random component.
    """
    from immiplan.ensembles.cluster import dask_client
    from immiplan.ensembles.run import EnsembleResult, ensemble_base
    from immiplan.ensembles.summary import parse_quantiles, quantile_table
    from immiplan.ensembles.summary import probability as share

    _check_count(trajectories, "--trajectories")
    if seed < 0:
        raise InputError("the seed must be a non-negative integer", field="--seed", value=seed)
    qs = parse_quantiles(quantiles)
    model = _model(model_file)
    prepared = _prepare(scenario, horizon)
    base = ensemble_base(prepared, outcomes=outcomes, model=model)
    # Check every probability against the indicators and years before running anything.
    import numpy as np

    probe = EnsembleResult(
        values=np.zeros((1, base.years.size, len(base.indicators))),
        years=base.years,
        indicators=base.indicators,
        seed=seed,
        model=model,
        scenario=base.name,
        deterministic=np.zeros((base.years.size, len(base.indicators))),
    )
    for expression in probability or []:
        share(probe, expression)
    with dask_client(workers, scheduler) as client:
        result = _run_with_progress(
            base, model, trajectories, seed, client, f"Ensemble {base.name}"
        )
    table = quantile_table(result, qs)
    first = int(getattr(prepared, "first_output_year", base.years[0]))
    table = table[table["year"] >= first].reset_index(drop=True)
    probabilities = [{"expression": e, "probability": share(result, e)} for e in probability or []]
    if out is not None:
        with atomic_directory(out) as staging:
            table.to_csv(staging / "quantiles.csv", index=False)
            table.to_parquet(staging / "quantiles.parquet", index=False)
            (staging / "quantiles.json").write_text(
                table.to_json(orient="records", indent=1), encoding="utf-8"
            )
            meta = {
                "scenario": base.name,
                "trajectories": trajectories,
                "seed": seed,
                "quantiles": list(qs),
                "model": model.to_dict(),
                "probabilities": probabilities,
                "source": prepared.metadata.get("source"),
                "sha256": prepared.metadata.get("sha256"),
                "immiplan_version": prepared.metadata.get("immiplan_version"),
            }
            (staging / "ensemble.json").write_text(
                json.dumps(meta, indent=1, default=str), encoding="utf-8"
            )
    if fmt != OutputFormat.table:
        if probabilities and fmt == OutputFormat.json:
            emit(pd.DataFrame(probabilities), fmt)
        emit(table, fmt)
        return
    view = _table_view(table, qs)
    emit(
        view,
        fmt,
        title=f"{base.name}: {trajectories} trajectories, seed {seed}",
        digits={c: 3 for c in view.columns if c.startswith("q") or c in ("deterministic", "mean")},
        notes=[f"{k}: {u}" for k, u in _units(table).items()]
        + [f"P({p['expression']}) = {p['probability']:.3f}" for p in probabilities],
    )


def _units(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["indicator"], table["unit"], strict=False))


def _table_view(table: pd.DataFrame, qs: tuple[float, ...]) -> pd.DataFrame:
    """Every fifth year and the last, for people."""
    years = sorted(table["year"].unique())
    keep = {y for y in years if (y - years[0]) % 5 == 0} | {years[-1]}
    view = table[table["year"].isin(keep)].drop(columns=["unit"])
    scale = {
        "population": 1e-6,
        "population_20_64": 1e-6,
        "population_65_plus": 1e-6,
        "labour_force": 1e-6,
        "francization_cost": 1e-6,
        "french_share": 100.0,
    }
    view = view.copy()
    numbers = [c for c in view.columns if c not in ("indicator", "year")]
    for name, factor in scale.items():
        rows = view["indicator"] == name
        view.loc[rows, numbers] = view.loc[rows, numbers] * factor
    view["indicator"] = view["indicator"].map(
        lambda n: {"french_share": "french_share %"}.get(n, n + (" (M)" if n in scale else ""))
    )
    return view.reset_index(drop=True)


def sweep_command(
    scenario: Annotated[
        str, typer.Argument(help="Shipped scenario name or YAML file.", show_default=False)
    ],
    levels: Annotated[
        str,
        typer.Option(
            "--levels", help="Yearly admissions: first:last:step (e.g. 30000:80000:5000) or a list."
        ),
    ],
    mix: Annotated[
        str | None,
        typer.Option(
            "--mix",
            help="Category shares, e.g. economic=0.65,family=0.2,refugees=0.13,other=0.02 "
            "(default: the scenario's own mix each year).",
        ),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Year of the level table (default: the horizon).")
    ] = None,
    trajectories: Annotated[
        int,
        typer.Option(
            "--trajectories", "-n", help="0: deterministic; N: medians of N trajectories per level."
        ),
    ] = 0,
    seed: SeedOption = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write sweep.csv, response.csv, sweep.parquet and chart.html here."
        ),
    ] = None,
    horizon: HorizonOption = None,
    outcomes: OutcomesOption = True,
    model_file: ModelOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Project a scenario at a grid of yearly levels; print each indicator's response."""
    from immiplan.ensembles.cluster import dask_client
    from immiplan.ensembles.run import ensemble_base
    from immiplan.ensembles.sweep import level_table, parse_levels, parse_mix, response_table, sweep

    grid = parse_levels(levels)
    shares = parse_mix(mix)
    if trajectories < 0:
        raise InputError(
            "--trajectories must be 0 (deterministic) or more",
            field="--trajectories",
            value=trajectories,
        )
    model = _model(model_file) if trajectories else None
    prepared = _prepare(scenario, horizon)
    base = ensemble_base(prepared, outcomes=outcomes, model=model)
    years = [int(y) for y in base.years]
    at = years[-1] if year is None else year
    if at not in years:
        raise InputError(
            f"year outside the projection ({years[0]}-{years[-1]})", field="--year", value=at
        )
    with (
        dask_client(
            workers if trajectories else None, scheduler if trajectories else None
        ) as client,
        progress_bar() as progress,
    ):
        task = progress.add_task(f"Sweep {base.name}", total=None)
        result = sweep(
            prepared,
            base,
            grid,
            mix=shares,
            model=model,
            trajectories=trajectories,
            seed=seed,
            client=client,
        )
        progress.update(task, completed=1, total=1)
    table = level_table(result, at)
    response = response_table(result)
    if out is not None:
        from immiplan.ensembles.charts import sweep_chart

        with atomic_directory(out) as staging:
            table.to_csv(staging / "sweep.csv", index=False)
            table.to_parquet(staging / "sweep.parquet", index=False)
            response.to_csv(staging / "response.csv", index=False)
            response.to_parquet(staging / "response.parquet", index=False)
            sweep_chart(result).save(str(staging / "chart.html"))
    if fmt != OutputFormat.table:
        emit(response, fmt)
        return
    emit(
        table,
        fmt,
        title=f"{base.name} at each level, {at}",
        digits={"dependency_ratio": 1, "french_share": 3},
    )
    emit(
        response,
        fmt,
        title=f"Response to the level, per {10_000:,} admissions a year",
        digits={"per_10000_a_year": 1},
    )


def register(app: typer.Typer) -> None:
    """Add ``ensemble`` and ``sweep`` to the root command."""
    app.command("ensemble")(ensemble_command)
    app.command("sweep")(sweep_command)
