"""``immiplan plan solve``: the levels that meet a target, under who controls what."""

from __future__ import annotations

import json
from typing import Annotated

import pandas as pd
import typer

from immiplan.cli.common import FormatOption
from immiplan.errors import InputError
from immiplan.output import OutputFormat, console, emit

__all__ = ["register", "solve_command"]

_HEADLINE = ("population", "population_20_64", "support_ratio", "share_65_plus")


def _pair(text: str, field: str, *, years: bool = False) -> tuple[float, float]:
    first, sep, last = text.partition(":")
    try:
        if not sep:
            raise ValueError
        low = int(first) if years else float(first.replace("_", ""))
        high = int(last) if years else float(last.replace("_", ""))
    except ValueError:
        what = "FIRST:LAST years" if years else "LOW:HIGH numbers"
        raise InputError(f"expected {what}", field=field, value=text) from None
    return low, high


def _category_bounds(items: list[str]) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for item in items:
        name, sep, span = item.partition("=")
        if not sep:
            raise InputError("expected CATEGORY=LOW:HIGH", field="--category-bounds", value=item)
        out[name.strip()] = _pair(span, f"--category-bounds {name.strip()}")
    return out


def _default_years(base: str, scenario: str | None) -> tuple[int, int]:
    from immiplan.projection.scenario import load_scenario
    from immiplan.solver import default_scenario, known_bases

    if base not in known_bases():
        raise InputError(
            f"unknown base (known: {', '.join(known_bases())})", field="--base", value=base
        )
    from immiplan.projection.bases import base_date

    sc = load_scenario(scenario or default_scenario(base)).scenario
    first = int(sc.base_year) if sc.base_year is not None else base_date(base).year
    return first + 1, int(sc.horizon)


def solve_command(
    target: Annotated[
        list[str],
        typer.Option(
            "--target",
            "-t",
            help="A target such as 'population_20_64 >= population_20_64[base]', or a shipped "
            "set (un-iii, un-iv, un-v, un-vi). Repeat for several.",
        ),
    ],
    base: Annotated[str, typer.Option("--base", help="The base population.")] = "quebec-2018",
    years: Annotated[
        str | None,
        typer.Option("--years", help="Decision years FIRST:LAST (the last is the horizon)."),
    ] = None,
    regime: Annotated[
        str, typer.Option("--regime", help="Who selects what: Ottawa's categories stay put.")
    ] = "accord-1991",
    shape: Annotated[
        str, typer.Option("--shape", help="constant (one level) or path (one a year).")
    ] = "constant",
    mix: Annotated[
        str | None,
        typer.Option(
            "--mix",
            help="plan:NAME[:YEAR], free, or shares such as economic=0.8,other=0.2 "
            "(default: the assumptions' own mix).",
        ),
    ] = None,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="min-total or max-total admissions, or min-each-year (the least each year "
            "in turn: the UN method).",
        ),
    ] = "min-total",
    bounds: Annotated[
        str | None,
        typer.Option(
            "--bounds",
            help="LOW:HIGH of the province's level a year (default 0 to 10 % of "
            "the base population).",
        ),
    ] = None,
    category_bounds: Annotated[
        list[str] | None,
        typer.Option("--category-bounds", help="With --mix free: CATEGORY=LOW:HIGH a year."),
    ] = None,
    max_change: Annotated[
        float | None,
        typer.Option("--max-change", help="Largest change of the level from one year to the next."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="Assumptions scenario (default: the base's)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when the targets are out of reach.")
    ] = False,
    probability: Annotated[
        float | None,
        typer.Option(
            "--probability",
            help="Meet the targets with this probability over the ensembles' draws "
            "(a constant level).",
        ),
    ] = None,
    draws: Annotated[int, typer.Option("--draws", help="Draws with --probability.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 1,
    every: Annotated[int, typer.Option("--every", help="Years between table rows.")] = 5,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the sentences: en or fr.")
    ] = "en",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Solve for the levels that meet the targets; say plainly when none can."""
    from immiplan.solver import solve

    if every < 1:
        raise InputError("must be 1 or more", field="--every", value=every)
    if lang not in ("en", "fr"):
        raise InputError("must be en or fr", field="--lang", value=lang)
    span = (
        _default_years(base, scenario)
        if years is None
        else tuple(int(v) for v in _pair(years, "--years", years=True))
    )
    answer = solve(
        target,
        base=base,
        years=(int(span[0]), int(span[1])),
        regime=regime,
        shape=shape,  # type: ignore[arg-type]
        mix=mix,
        objective=objective,  # type: ignore[arg-type]
        bounds=None if bounds is None else _pair(bounds, "--bounds"),
        category_bounds=_category_bounds(category_bounds or []),
        max_change=max_change,
        scenario=scenario,
        probability=probability,
        draws=draws,
        seed=seed,
    )
    if probability is not None:
        _print_chance(answer, fmt)
        if strict and answer.level is None:
            raise typer.Exit(1)
        return
    named = [t.indicator for tg in answer.target_list for t in tg.terms if t.indicator is not None]
    columns = list(dict.fromkeys([*named, *_HEADLINE]))
    indicators = answer.indicators[["year", *columns]]
    if fmt == OutputFormat.json:
        console.print_json(json.dumps(answer.to_dict(), default=float))
    elif fmt == OutputFormat.csv:
        table = answer.levels.merge(indicators, on="year", how="right")
        print(table.to_csv(index=False), end="")
    else:
        _print_table(answer, indicators, every, lang)
    if strict and not answer.feasible:
        raise typer.Exit(1)


def _rows(frame: pd.DataFrame, every: int, last: int) -> pd.DataFrame:
    keep = ((frame["year"] - frame["year"].iloc[0]) % every == 0) | (frame["year"] == last)
    return frame[keep].reset_index(drop=True)


def _print_table(answer: object, indicators: pd.DataFrame, every: int, lang: str) -> None:
    from immiplan.solver import Solution

    assert isinstance(answer, Solution)
    d = answer.decision
    ctx = answer.context
    console.print(
        f"[bold]What it takes[/] — base {ctx.base}, assumptions {ctx.scenario}, regime "
        f"{d.regime.name}, {d.shape} level, {int(d.years[0])}–{int(d.years[-1])}",
        highlight=False,
    )
    console.print(f"Mix: {d.mix_source}", highlight=False, markup=False)
    status = "met" if answer.feasible else "[bold red]out of reach[/]"
    console.print(f"Targets: {status}", highlight=False)
    levels = _rows(answer.levels, every, int(d.years[-1])).rename(
        columns={"controlled": "province's level", "total": "all admissions"}
    )
    emit(levels, OutputFormat.table, title="Admissions a year (calendar years)")
    shown = _rows(indicators, every, ctx.horizon).copy()
    digits = {}
    for column in shown.columns:
        if column in ("support_ratio", "old_age_dependency"):
            digits[column] = 3
        elif column.startswith(("share", "french_share")):
            shown[column] = 100.0 * shown[column]
            shown = shown.rename(columns={column: f"{column} %"})
            digits[f"{column} %"] = 2
        elif column == "dependency_ratio":
            digits[column] = 1
    emit(shown, OutputFormat.table, title="Indicators at the answer (1 July)", digits=digits)
    for line in answer.summary(lang):  # targets carry [year] brackets: no Rich markup here
        console.print(line, highlight=False, soft_wrap=True, markup=False)


def _print_chance(answer: object, fmt: OutputFormat) -> None:
    from immiplan.solver.chance import ChanceSolution

    assert isinstance(answer, ChanceSolution)
    data = answer.to_dict()
    if fmt == OutputFormat.json:
        console.print_json(json.dumps(data, default=float))
    elif fmt == OutputFormat.csv:
        print(
            pd.DataFrame({"draw": range(answer.draws), "required": answer.required}).to_csv(
                index=False
            ),
            end="",
        )
    else:
        for line in answer.summary():
            console.print(line, highlight=False, soft_wrap=True, markup=False)


def register(plan_app: typer.Typer) -> None:
    """Add ``solve`` to the ``immiplan plan`` group."""
    plan_app.command("solve")(solve_command)
