"""``immiplan run``: the main job — the 2018 debate side by side."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from immiplan.cli.common import FormatOption
from immiplan.output import OutputFormat, emit
from immiplan.plans.debate import CUT_TOTAL, debate_2018


def _range(low: object, high: object) -> str:
    if not isinstance(low, int | float) or not isinstance(high, int | float) or low != low:
        return "—"
    return f"{low:,.0f}–{high:,.0f}"


def _who(value: object) -> str:
    return {"province": "Quebec", "federal": "Ottawa", "mixed": "both"}.get(str(value), "")


def run(
    total: Annotated[int, typer.Option("--total", help="The cut's new total.")] = CUT_TOTAL,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The 2018 debate: admissions, the 2018 and 2019 plans, a cut to 40,000 under each regime."""
    debate = debate_2018(total)
    frame = debate.table
    if fmt != OutputFormat.table:
        emit(frame, fmt)
        return
    view = pd.DataFrame(
        {
            "Category": frame["label"],
            "2018 actual": frame["actual_2018"],
            "2018 plan": [
                _range(lo, hi)
                for lo, hi in zip(frame["plan_2018_low"], frame["plan_2018_high"], strict=True)
            ],
            "2019 plan": [
                _range(lo, hi)
                for lo, hi in zip(frame["plan_2019_low"], frame["plan_2019_high"], strict=True)
            ],
            "Who selects (Accord)": [_who(v) for v in frame["selects_accord_1991"]],
            f"{total:,} under the Accord": frame["cut_accord_1991"],
            "change %": frame["cut_accord_1991_pct"],
            f"{total:,} under Quebec control": frame["cut_quebec_control"],
            "change % ": frame["cut_quebec_control_pct"],
        }
    )
    accord = debate.cuts["accord-1991"].by_category.set_index("category")
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


def register(app: typer.Typer) -> None:
    """Add ``run`` to the root command."""
    app.command("run")(run)
