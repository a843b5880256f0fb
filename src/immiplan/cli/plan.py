"""``immiplan plan``: list, show, validate, compare and cut levels plans."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.text import Text

from immiplan.cli.common import FormatOption
from immiplan.errors import InputError
from immiplan.output import OutputFormat, console, emit
from immiplan.plans import all_plans, read_plan_file, resolve
from immiplan.plans.compare import compare as compare_plans
from immiplan.plans.cut import cut as cut_plan
from immiplan.plans.debate import CUT_TOTAL, debate_2018
from immiplan.plans.model import WHICH, Plan
from immiplan.plans.npr import ASYLUM_PARTS, npr_stock
from immiplan.plans.validate import ensure_valid
from immiplan.plans.validate import validate as validate_plan
from immiplan.system.regimes import regime as get_regime
from immiplan.system.regimes import regimes

app = typer.Typer(help="Levels plans: list, show, validate, compare, cut.", no_args_is_help=True)

WhichOption = Annotated[
    str, typer.Option("--which", help="Which level to use: low, target or high.")
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of labels: en or fr.")]


def _check_which(which: str) -> str:
    if which not in WHICH:
        raise InputError(f"must be one of {', '.join(WHICH)}", field="--which", value=which)
    return which


def _check_lang(lang: str) -> str:
    if lang not in ("en", "fr"):
        raise InputError("must be en or fr", field="--lang", value=lang)
    return lang


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "—"
    if low is None:
        return f"up to {high:,.0f}"
    if high is None:
        return f"{low:,.0f} or more"
    return f"{low:,.0f}–{high:,.0f}"


def _indent(frame: pd.DataFrame, fmt: OutputFormat) -> pd.DataFrame:
    """Indent labels by depth in tables; keep the depth column for scripts."""
    if fmt != OutputFormat.table or "depth" not in frame:
        return frame
    frame = frame.copy()
    frame["label"] = [
        ("  " * int(d)) + str(lbl) for d, lbl in zip(frame["depth"], frame["label"], strict=True)
    ]
    return frame.drop(columns=["depth"])


def _share_text(share: tuple[float, float] | None) -> str | None:
    if share is None:
        return None
    lo, hi = share
    if hi >= 1.0 and lo < 1.0:
        return f"{lo:.0%} or more"
    return f"{lo:.0%}" + (f"–{hi:.0%}" if hi != lo else "")


@app.command("list")
def list_plans(fmt: FormatOption = OutputFormat.table) -> None:
    """List the shipped plans (Quebec and federal, tabled plans and consultation scenarios)."""
    rows = []
    for plan in all_plans():
        first = plan.references[0] if plan.references else None
        for year in plan.years:
            node = plan.year(year).total
            outside = plan.has_outside_cap(year)
            rows.append(
                {
                    "name": plan.name if len(plan.years) == 1 else f"{plan.name}:{year}",
                    "jurisdiction": plan.jurisdiction,
                    "status": plan.status,
                    "year": year,
                    "tabled": plan.tabled.isoformat() if plan.tabled else None,
                    "low": node.low,
                    "target": node.value("target"),
                    "high": node.high,
                    "with_outside_cap": (
                        plan.total(year, include_outside=True) if outside else None
                    ),
                    "source": (
                        None
                        if first is None
                        else (first.publisher if fmt == OutputFormat.table else first.cite())
                    ),
                }
            )
    emit(
        pd.DataFrame(rows),
        fmt,
        title="Shipped levels plans",
        notes=[
            "status 'scenario': a consultation scenario, not a tabled plan. "
            "with_outside_cap: every admission, the lines outside the cap (PEQ graduates) included "
            "('—' where the plan does not quantify them).",
            "Sources: the first reference of each plan (immiplan plan show NAME lists them all).",
            "Also valid anywhere a plan is named: 'YEAR actual' (e.g. '2018 actual') "
            "and a path to a plan file.",
        ],
    )


@app.command("show")
def show(
    plan: Annotated[
        str,
        typer.Argument(
            help="A shipped plan name, a plan file, or 'YEAR actual'. "
            "Add :YEAR for a multi-year plan."
        ),
    ],
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = "en",
) -> None:
    """Show a plan's levels by category and sub-category."""
    _check_lang(lang)
    the_plan, year = resolve(plan)
    ensure_valid(the_plan)
    py = the_plan.year(year)
    rows = []
    for node in py.nodes():
        depth = node.path.count(".lines.") + (0 if node.key == "total" else 1)
        rows.append(
            {
                "category": node.key,
                "label": node.label.get(lang, node.key),
                "depth": depth - 1 if node.key != "total" else 0,
                "low": node.low,
                "target": node.value("target"),
                "high": node.high,
                "target_is_midpoint": node.target_is_midpoint,
            }
        )
    total_row = rows.pop(0)
    if py.outside_cap:
        total_row["label"] = "Total within the cap" if lang == "en" else "Total sous le plafond"
    rows.append(total_row)
    for node in py.outside_cap:
        outside_label = "outside the cap" if lang == "en" else "hors plafond"
        rows.append(
            {
                "category": f"outside_cap:{node.key}",
                "label": f"{node.label.get(lang, node.key)} ({outside_label})",
                "depth": 0,
                "low": node.low,
                "target": node.value("target"),
                "high": node.high,
                "target_is_midpoint": node.target_is_midpoint,
            }
        )
    if py.outside_cap:
        published = py.total_with_outside
        rows.append(
            {
                "category": "total_with_outside",
                "label": "Total with the lines outside the cap"
                if lang == "en"
                else "Total avec les lignes hors plafond",
                "depth": 0,
                "low": published.low if published else None,
                "target": the_plan.total(year, include_outside=True),
                "high": published.high if published else None,
                "target_is_midpoint": bool(published and published.target_is_midpoint),
            }
        )
    frame = pd.DataFrame(rows)
    notes = []
    if fmt == OutputFormat.table:
        frame = frame.drop(columns=["target_is_midpoint"])
        if any(r["target_is_midpoint"] for r in rows):
            notes.append("A target not published is shown as the range's midpoint.")
        if py.french_knowledge_target is not None:
            notes.append(
                f"Share knowing French at admission (target): {py.french_knowledge_target:.0%}"
            )
        if the_plan.status == "scenario":
            notes.insert(0, "A consultation scenario, not a tabled plan.")
        if py.province_selected_share is not None:
            notes.append(
                f"Share selected by the province: {_share_text(py.province_selected_share)}"
            )
        if py.economic_share is not None:
            notes.append(f"Economic share: {_share_text(py.economic_share)}")
        if py.already_resident_share is not None:
            notes.append(
                "Share of admissions already living in the province: "
                f"{_share_text(py.already_resident_share)}"
            )
        if py.outside_cap:
            notes.append(
                "Lines outside the cap are admitted on top of it; "
                "the cap's categories exclude them."
            )
        if py.catch_up:
            notes.append(f"Plus a catch-up of up to {py.catch_up:,.0f} admissions.")
        if the_plan.notes:
            notes.append(str(the_plan.notes).strip())
        notes += [f"Source: {ref.cite()}" for ref in the_plan.references]
    title = the_plan.title.get(lang, the_plan.name) + (
        f" — {year}" if len(the_plan.years) > 1 else ""
    )
    emit(_indent(frame, fmt), fmt, title=title, notes=notes)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="A plan file (YAML).")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Check a plan file: errors make the exit status 2; warnings are printed only."""
    plan: Plan = read_plan_file(file)
    findings = validate_plan(plan)
    frame = pd.DataFrame(
        [
            {
                "severity": f.severity,
                "field": f.field,
                "value": f.value if not isinstance(f.value, tuple) else str(f.value),
                "message": f.message,
                "rule": f.rule,
            }
            for f in findings
        ],
        columns=["severity", "field", "value", "message", "rule"],
    )
    errors = int((frame["severity"] == "error").sum())
    warnings = len(frame) - errors
    if fmt == OutputFormat.table:
        if frame.empty:
            console.print(
                Text(f"{file}: valid", style="green") + " — no errors, no warnings.",
                soft_wrap=True,
            )
        else:
            emit(
                frame.drop(columns=["rule"]),
                fmt,
                title=f"{file}: {errors} error(s), {warnings} warning(s)",
            )
    else:
        emit(frame, fmt)
    if errors:
        raise typer.Exit(2)


@app.command("compare")
def compare(
    a: Annotated[
        str,
        typer.Argument(
            help="First plan (name, file, 'YEAR actual'; "
            "NAME:YEAR for a year of a multi-year plan)."
        ),
    ],
    b: Annotated[str, typer.Argument(help="Second plan.")],
    which: WhichOption = "target",
    lang: LangOption = "en",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Two plans side by side by category, with absolute and % change (B − A)."""
    _check_which(which)
    _check_lang(lang)
    plan_a, year_a = resolve(a)
    plan_b, year_b = resolve(b)
    ensure_valid(plan_a)
    ensure_valid(plan_b)
    frame = compare_plans(plan_a, year_a, plan_b, year_b, which=which, lang=lang)  # type: ignore[arg-type]
    emit(
        _indent(frame, fmt),
        fmt,
        title=f"{a} → {b} ({which})",
        digits={"change_pct": 1},
        notes=[
            "— : the plan publishes no level for this line. "
            "Targets not published are range midpoints."
        ],
    )


@app.command("cut")
def cut(
    base: Annotated[
        str, typer.Option("--base", help="The base: a plan or 'YEAR actual' (e.g. '2018 actual').")
    ],
    total: Annotated[int, typer.Option("--total", help="The new total (persons).")],
    regime: Annotated[
        str, typer.Option("--regime", help=f"Who selects what: {', '.join(regimes())}.")
    ] = "accord-1991",
    method: Annotated[
        str, typer.Option("--method", help="proportional or priority.")
    ] = "proportional",
    order: Annotated[
        str | None,
        typer.Option(
            "--order",
            help="For --method priority: comma-separated categories to cut first, "
            "e.g. economic.business,economic.skilled_workers.",
        ),
    ] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="Show every line, not only categories.")
    ] = False,
    which: WhichOption = "target",
    lang: LangOption = "en",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Cut (or raise) a total, moving only the categories the province selects under a regime."""
    _check_which(which)
    _check_lang(lang)
    if method not in ("proportional", "priority"):
        raise InputError("must be proportional or priority", field="--method", value=method)
    plan, year = resolve(base)
    ensure_valid(plan)
    result = cut_plan(
        plan,
        year,
        total,
        get_regime(regime),
        method=method,  # type: ignore[arg-type]
        order=[o.strip() for o in order.split(",")] if order else None,
        which=which,  # type: ignore[arg-type]
        lang=lang,
    )
    frame = result.lines if detail else result.by_category
    if detail and fmt == OutputFormat.table:
        totals = result.by_category[
            result.by_category["category"].isin(["total", "total_with_outside"])
        ]
        frame = pd.concat([frame, totals], ignore_index=True)
    emit(
        frame,
        fmt,
        digits={"change_pct": 1},
        title=f"Cut of {base} to {total:,} under {result.regime.label[lang]} ({method})",
        notes=[
            "Only lines the province selects move; federal lines stay at their base level. "
            f"Totals add up exactly to {total:,}."
        ]
        + (
            [
                f"The new total is the cap's: lines outside the cap stay at their base level "
                f"and come on top of the {total:,}."
            ]
            if plan.has_outside_cap(year)
            else []
        ),
    )


# --------------------------------------------------------------------------- the 2018 debate


def _range_text(low: object, high: object) -> str:
    if not isinstance(low, int | float) or not isinstance(high, int | float) or low != low:
        return "—"
    return f"{low:,.0f}–{high:,.0f}"


def _who(value: object) -> str:
    return {"province": "Quebec", "federal": "Ottawa", "mixed": "both"}.get(str(value), "")


@app.command("debate")
def debate(
    total: Annotated[int, typer.Option("--total", help="The cut's new total.")] = CUT_TOTAL,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The 2018 debate: admissions, the 2018 and 2019 plans, a cut to 40,000 under each regime."""
    the_debate = debate_2018(total)
    frame = the_debate.table
    if fmt != OutputFormat.table:
        emit(frame, fmt)
        return
    view = pd.DataFrame(
        {
            "Category": frame["label"],
            "2018 actual": frame["actual_2018"],
            "2018 plan": [
                _range_text(lo, hi)
                for lo, hi in zip(frame["plan_2018_low"], frame["plan_2018_high"], strict=True)
            ],
            "2019 plan": [
                _range_text(lo, hi)
                for lo, hi in zip(frame["plan_2019_low"], frame["plan_2019_high"], strict=True)
            ],
            "Who selects (Accord)": [_who(v) for v in frame["selects_accord_1991"]],
            f"{total:,} under the Accord": frame["cut_accord_1991"],
            "change %": frame["cut_accord_1991_pct"],
            f"{total:,} under Quebec control": frame["cut_quebec_control"],
            "change % ": frame["cut_quebec_control_pct"],
        }
    )
    accord = the_debate.cuts["accord-1991"].by_category.set_index("category")
    econ = float(accord["change_pct"].loc["economic"])
    emit(
        view,
        fmt,
        title="The 2018 debate: Quebec's immigration levels by category (persons per year)",
        digits={"change %": 1, "change % ": 1},
        notes=[
            "Under the 1991 Accord Ottawa decides family reunification and asylum claims, "
            f"so a cut to {total:,} "
            f"falls on what Quebec selects: economic immigration changes by {econ:.1f} %.",
            "Under Quebec control every category moves by the same percentage.",
            "Sources: IRCC open data (admissions, 2025-07-31); MIDI plans for 2018 and 2019.",
            "Try: immiplan plan cut --base '2018 actual' --total 40000 "
            "--regime accord-1991 --detail",
        ],
    )


# --------------------------------------------------------------------- temporary residents


@app.command("npr")
def npr(
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", help="Whose stock: quebec.")
    ] = "quebec",
    vintage: Annotated[
        str,
        typer.Option(
            "--vintage",
            help="latest (each date in its latest vintage), all, or one vintage's date "
            "(e.g. 2025-01-01).",
        ),
    ] = "latest",
    detail: Annotated[
        bool,
        typer.Option("--detail", help="Also asylum claimants by permit (always in json and csv)."),
    ] = False,
    lang: LangOption = "en",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The non-permanent (temporary) resident stock by permit type, with its sources."""
    _check_lang(lang)
    stock = npr_stock(jurisdiction)
    frame = stock.table(lang, vintage)
    if fmt != OutputFormat.table:
        emit(frame, fmt)
        return
    labels = {kind: stock.types[kind].get(lang, kind) for kind in stock.types}
    hidden = [] if detail else [k for k in ASYLUM_PARTS if k in frame]
    view = frame.drop(columns=["source", *hidden]).rename(columns=labels)
    sources = sorted({str(s) for s in frame["source"]})
    shown = {
        "latest": "each date in its latest vintage (--vintage all shows every vintage)",
        "all": "every vintage",
    }.get(vintage, f"the vintage {vintage}")
    emit(
        view,
        fmt,
        title=f"Non-permanent residents, {jurisdiction.title()} (persons on the date)",
        notes=[
            "Statistics Canada's quarterly estimates (table 17-10-0121-01), revised at each "
            f"release: {shown}. A vintage is named by its release date, or by its last "
            "quarter where the release date is not known.",
            *(["Asylum claimants by permit: --detail (or --format json / csv)."] if hidden else []),
            *[f"Source: {s}" for s in sources],
        ],
    )
