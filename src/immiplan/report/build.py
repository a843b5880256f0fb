"""Build the report folder: one self-contained HTML page, the data, and the chart files.

::

    out_dir/
      report.html          opens offline: Vega, Vega-Lite and vega-embed are inlined
      series.csv           every projected series, long form
      series.xlsx          sheets: series, plans, selectors, cut, sources, assumptions
      charts/<name>.svg    each chart, for documents
      charts/<name>.png
      charts/<name>.csv    the rows each chart draws

Everything is written into a staging folder beside ``out_dir`` and swapped in whole when all
of it is ready (:func:`immiplan.output.atomic_directory`): a failed or killed build leaves
``out_dir`` as it found it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import immiplan
from immiplan.errors import InputError
from immiplan.output import atomic_directory
from immiplan.report.charts import (
    Chart,
    ChartFiles,
    export_chart,
    iter_charts,
    plan_label,
    scenario_colours,
)
from immiplan.report.export import ChartWorkers
from immiplan.report.i18n import (
    HOW_TO_READ,
    INDICATORS,
    MESSAGES,
    NBSP,
    REGIMES,
    category_label,
    check_language,
    d3_format_locale,
    format_date,
    format_money,
    format_number,
    format_percent,
    headline_sentences,
    selector_label,
    text,
)
from immiplan.report.model import TOTAL, ReportInput
from immiplan.system.references import Reference

if TYPE_CHECKING:
    import jinja2

VEGA_VERSION = "6.2.0"
VEGALITE_VERSION = "6.4.1"
VEGAEMBED_VERSION = "7.0.2"
"""The vendored JavaScript in ``immiplan/report/static`` (see its README)."""

HTML_NAME = "report.html"
CSV_NAME = "series.csv"
XLSX_NAME = "series.xlsx"

STATIC_SCRIPTS: tuple[str, ...] = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")

SECTION_ORDER: tuple[str, ...] = (
    "summary",
    "plans",
    "cut",
    "takes",
    "population",
    "temporary",
    "labour",
    "french",
    "francization",
    "howto",
    "sources",
)
"""The report's sections, in order; a section with nothing to show is left out."""

SUMMARY_INDICATORS: tuple[str, ...] = (
    "population",
    "working_age_20_64",
    "share_65_plus",
    "french_share_all",
)
"""The headline: these indicators in the horizon year, by scenario."""


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`build_report` wrote."""

    directory: Path
    html: Path
    series_csv: Path
    series_xlsx: Path
    charts: tuple[ChartFiles, ...]
    seconds: float
    """How long the build took, in seconds."""


# --------------------------------------------------------------------------- entry point


def build_report(
    data: ReportInput,
    out_dir: Path | str,
    lang: str,
    *,
    images: bool = True,
    workers: ChartWorkers | None = None,
) -> ReportFiles:
    """Write the report for ``data`` in ``lang`` into ``out_dir``.

    ``images=False`` skips the SVG/PNG exports (the CSVs and the HTML are still
    written); the HTML never needs them. Raises :class:`InputError` for an unknown
    language, input that fails :meth:`ReportInput.validate`, or a folder that cannot
    be written; in every failure, ``out_dir`` is left as it was.
    """
    start = time.perf_counter()
    lang = check_language(lang)
    data.validate()
    out_dir = Path(out_dir)
    charts: list[Chart] = []
    exported: list[ChartFiles] = []
    try:
        with contextlib.ExitStack() as stack:
            staging = stack.enter_context(atomic_directory(out_dir))
            pngs: ChartWorkers | None = None
            if images:
                pngs = workers if workers is not None else stack.enter_context(ChartWorkers())
            # Charts first: helper processes export them (SVG, then PNG), each as soon as
            # it is built, while this one builds the next and then writes the page and
            # the data files.
            for chart in iter_charts(data, lang):
                charts.append(chart)
                if pngs is not None:
                    exported.append(export_chart(chart, staging / "charts", lang, png_worker=pngs))
                else:
                    (staging / "charts").mkdir(exist_ok=True)
                    (staging / "charts" / f"{chart.name}.csv").write_text(
                        chart.csv(), encoding="utf-8"
                    )
            # The page is rendered while the helpers export the charts.
            (staging / HTML_NAME).write_text(render_html(data, charts, lang), encoding="utf-8")
            write_series_csv(data, staging / CSV_NAME)
            write_workbook(data, staging / XLSX_NAME)
            if pngs is not None:
                pngs.finish()
    except OSError as exc:  # a full disk, a folder removed under our feet...
        raise InputError(
            f"cannot write the report ({exc.strerror or exc})", source=out_dir
        ) from exc
    chart_files = tuple(
        ChartFiles(
            f.name,
            out_dir / "charts" / f.svg.name,
            out_dir / "charts" / f.png.name,
            out_dir / "charts" / f.csv.name,
        )
        for f in exported
    )
    return ReportFiles(
        directory=out_dir,
        html=out_dir / HTML_NAME,
        series_csv=out_dir / CSV_NAME,
        series_xlsx=out_dir / XLSX_NAME,
        charts=chart_files,
        seconds=time.perf_counter() - start,
    )


# --------------------------------------------------------------------------- data files


def write_series_csv(data: ReportInput, path: Path) -> None:
    """The series, long form, as given (``scenario, year, indicator, value``)."""
    frame = _series_in_range(data)[["scenario", "year", "indicator", "value"]]
    frame.to_csv(path, index=False, lineterminator="\n")


def _series_in_range(data: ReportInput) -> pd.DataFrame:
    series = data.series
    inside = series["year"].between(data.base_year, data.horizon)
    return series[inside].reset_index(drop=True)


def _reference_rows(data: ReportInput) -> list[dict[str, Any]]:
    rows = []
    for number, (reference, users) in enumerate(_numbered_references(data), start=1):
        rows.append(
            {
                "number": number,
                "publisher": reference.publisher,
                "document": reference.document,
                "date": reference.date,
                "url": reference.url or "",
                "via": reference.via.cite() if reference.via is not None else "",
                "note": reference.note or "",
                "used_by": ", ".join(users),
            }
        )
    return rows


def write_workbook(data: ReportInput, path: Path) -> None:
    """One sheet per table: series, plans, selectors, cut, sources, assumptions."""
    assumptions = [
        {"scenario": "", "language": lg, "assumption": item}
        for lg, items in data.assumptions.items()
        for item in items
    ] + [
        {"scenario": s.key, "language": lg, "assumption": item}
        for s in data.scenarios
        for lg, items in s.assumptions.items()
        for item in items
    ]
    sheets = {
        "series": _series_in_range(data)[["scenario", "year", "indicator", "value"]],
        "plans": data.plans,
        "selectors": data.selectors,
        "cut": data.cut,
        "sources": pd.DataFrame(
            _reference_rows(data),
            columns=["number", "publisher", "document", "date", "url", "via", "note", "used_by"],
        ),
        "assumptions": pd.DataFrame(assumptions, columns=["scenario", "language", "assumption"]),
    }
    # XlsxWriter writes each sheet in one pass, cell by cell from the columns (pandas'
    # to_excel costs as much again in its own per-cell formatting); NaN cells stay empty.
    # Column widths from the header and the first 200 rows.
    import xlsxwriter  # written after the charts are handed over: imported then

    with xlsxwriter.Workbook(path, {"constant_memory": True}) as book:
        header = book.add_format({"bold": True})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.freeze_panes(1, 0)
            for i, column in enumerate(frame.columns):
                head = frame[column].tolist()[:200]
                cells = [str(column), *(str(v) for v in head if pd.notna(v))]
                width = max(len(c) for c in cells)
                sheet.set_column(i, i, min(max(width + 2, 8), 60))
            sheet.write_row(0, 0, [str(c) for c in frame.columns], header)
            # Row by row: constant_memory mode writes each row out when the next begins.
            rows = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if value is not None:
                        sheet.write(r, c, value)


# --------------------------------------------------------------------------- summary


def _values_in(data: ReportInput, year: int) -> dict[tuple[str, str], float]:
    """Every value of ``year`` by ``(scenario, indicator)``, missing values left out (one
    pass over the series for a table, not one per cell)."""
    series = data.series
    rows = series[(series["year"] == year) & series["value"].notna()]
    keys = zip(rows["scenario"].astype(str), rows["indicator"].astype(str), strict=True)
    return dict(zip(keys, rows["value"].astype(float).tolist(), strict=True))


def _lookup(values: dict[tuple[str, str], float], scenario: str, indicator: str) -> float | None:
    return values.get((scenario, indicator))


def format_value(indicator: str, value: float | None, lang: str) -> str:
    """Write an indicator's value in its unit, the ``lang`` way."""
    unit = INDICATORS[indicator].unit
    if unit == "share":
        return format_percent(value, lang, 1)
    if unit == "dollars_per_year":
        return format_money(value, lang, 1, millions=True)
    if unit == "years":
        return format_number(value, lang, 1)
    return format_number(value, lang, 0)


def format_difference(indicator: str, diff: float | None, lang: str) -> str:
    """Write a difference between scenarios: persons signed, shares in points."""
    if diff is None:
        return format_number(None, lang)
    unit = INDICATORS[indicator].unit
    if unit == "share":
        return format_number(diff * 100, lang, 1, signed=True) + NBSP + "pt"
    if unit == "dollars_per_year":
        return format_money(diff, lang, 1, millions=True, signed=True)
    if unit == "years":
        return format_number(diff, lang, 1, signed=True)
    return format_number(diff, lang, 0, signed=True)


def _mean_immigrants(data: ReportInput, scenario: str) -> float | None:
    series = data.series
    rows = series[
        (series["scenario"] == scenario)
        & (series["indicator"] == "immigrants")
        & series["year"].between(data.base_year, data.horizon)
    ]["value"].dropna()
    return float(rows.mean()) if not rows.empty else None


def summary_frame(data: ReportInput, lang: str, *, formatted: bool = True) -> pd.DataFrame:
    """The headline table: each scenario's key indicators in the horizon year.

    With ``formatted`` (for people), headers are in ``lang`` and cells are text written
    the ``lang`` way; without it (for scripts), headers are indicator keys and cells are
    numbers in the indicators' units. ``immigrants_mean`` is the yearly average of
    admissions over the projection.
    """
    lang = check_language(lang)
    data.validate()
    present = set(data.indicators())
    keys = [k for k in SUMMARY_INDICATORS if k in present]
    rows: list[dict[str, Any]] = []
    values = _values_in(data, data.horizon)
    for scenario in data.scenarios:
        if formatted:
            row: dict[str, Any] = {text("table.scenario", lang): scenario.label[lang]}
        else:
            row = {"scenario": scenario.key}
        if "immigrants" in present:
            mean = _mean_immigrants(data, scenario.key)
            if formatted:
                header = text(
                    "summary.immigrants_mean", lang, start=data.base_year, end=data.horizon
                )
                row[header] = format_number(mean, lang)
            else:
                row["immigrants_mean"] = mean
        for key in keys:
            value = _lookup(values, scenario.key, key)
            if formatted:
                row[f"{INDICATORS[key].label[lang]} ({data.horizon})"] = format_value(
                    key, value, lang
                )
            else:
                row[key] = value
        rows.append(row)
    return pd.DataFrame(rows)


def _summary_sentences(data: ReportInput, lang: str) -> list[dict[str, Any]]:
    """Per scenario other than the reference, its headline sentences."""
    ref = data.scenarios[0]
    year = data.horizon
    colours = scenario_colours(data)
    values = _values_in(data, year)
    out = []
    for scenario in data.scenarios[1:]:
        sentences = headline_sentences(
            functools.partial(_lookup, values, scenario.key),
            functools.partial(_lookup, values, ref.key),
            year=year,
            scenario=scenario.label[lang],
            ref=ref.label[lang],
            lang=lang,
        )
        if sentences:
            out.append(
                {
                    "key": scenario.key,
                    "label": scenario.label[lang],
                    "colour": colours[scenario.key],
                    "text": sentences,
                }
            )
    return out


def _category_names(data: ReportInput, lang: str) -> dict[str, str]:
    names = {
        str(c): str(n)
        for c, n in zip(data.plans["category"], data.plans[f"label_{lang}"], strict=True)
        if str(n).strip()
    }
    for code in [*data.cut["category"].astype(str), *data.selectors["category"].astype(str)]:
        names.setdefault(code, category_label(code, lang))
    return names


def _lower_first(name: str) -> str:
    """A category name inside a sentence: ``Skilled workers`` → ``skilled workers``."""
    if len(name) > 1 and name[1].isupper():  # an acronym keeps its capitals
        return name
    return name[:1].lower() + name[1:]


def _control(data: ReportInput, lang: str) -> list[dict[str, Any]]:
    """Per regime: who selects how much of the base plan, and where the change falls."""
    names = _category_names(data, lang)
    province, federal = (
        selector_label(key, data.jurisdiction, lang, in_sentence=True)
        for key in ("province", "federal")
    )
    out = []
    for regime in REGIMES:
        rows = data.cut[(data.cut["regime"] == regime) & (data.cut["category"] != TOTAL)]
        if rows.empty:
            continue
        who = rows["category"].astype(str).map(lambda c, r=regime: data.selector(c, r))
        base = float(rows["base"].sum())
        province_base = float(rows.loc[who == "province", "base"].sum())
        shared_base = float(rows.loc[who == "shared", "base"].sum())
        change = float(rows["change"].sum())
        label = REGIMES[regime][lang]
        sentences = [
            text(
                "summary.control",
                lang,
                regime=label,
                province=province,
                selected=format_number(province_base, lang),
                base=format_number(base, lang),
                pct=format_percent(province_base / base if base else None, lang, 0),
            )
        ]
        if round(shared_base) != 0:
            sentences.append(
                text(
                    "summary.control_shared",
                    lang,
                    shared=format_number(shared_base, lang),
                    province=province,
                    federal=federal,
                )
            )
        moved = rows[rows["change"].round() != 0].copy()
        if moved.empty:
            sentences.append(text("summary.cut_none", lang))
        else:
            moved["_size"] = moved["change"].abs()
            moved = moved.sort_values("_size", ascending=False)
            items = [
                f"{_lower_first(names[str(r['category'])])}"
                f" {format_number(float(r['change']), lang, signed=True)}"
                f" ({format_percent(float(r['change_pct']) / 100, lang, 1, signed=True)})"
                for r in moved.head(4).to_dict(orient="records")
            ]
            if len(moved) > 4:
                items.append(text("summary.and_others", lang, n=len(moved) - 4))
            sentences.append(
                text(
                    "summary.cut_falls",
                    lang,
                    change=format_number(change, lang, signed=True),
                    pct=format_percent(change / base if base else None, lang, 1, signed=True),
                    items="; ".join(items),
                )
            )
        out.append({"regime": regime, "label": label, "text": sentences})
    return out


def _summary_table(data: ReportInput, lang: str) -> dict[str, Any]:
    present = set(data.indicators())
    keys = [k for k in SUMMARY_INDICATORS if k in present]
    colours = scenario_colours(data)
    headers = []
    if "immigrants" in present:
        headers.append(
            text("summary.immigrants_mean", lang, start=data.base_year, end=data.horizon)
        )
    headers += [INDICATORS[k].label[lang] for k in keys]
    ref = data.scenarios[0]
    values = _values_in(data, data.horizon)
    ref_mean = _mean_immigrants(data, ref.key) if "immigrants" in present else None
    rows = []
    for index, scenario in enumerate(data.scenarios):
        cells = []
        if "immigrants" in present:
            mean = _mean_immigrants(data, scenario.key)
            diff = None if index == 0 or mean is None or ref_mean is None else mean - ref_mean
            cells.append(
                {
                    "value": format_number(mean, lang),
                    "diff": format_number(diff, lang, signed=True) if diff is not None else "",
                }
            )
        for key in keys:
            value = _lookup(values, scenario.key, key)
            ref_value = _lookup(values, ref.key, key)
            diff = None if index == 0 or value is None or ref_value is None else value - ref_value
            cells.append(
                {
                    "value": format_value(key, value, lang),
                    "diff": format_difference(key, diff, lang) if diff is not None else "",
                }
            )
        rows.append(
            {
                "label": scenario.label[lang],
                "colour": colours[scenario.key],
                "reference": index == 0,
                "cells": cells,
            }
        )
    return {"headers": headers, "rows": rows}


# --------------------------------------------------------------------------- tables


def _who(data: ReportInput, code: str, regime: str, lang: str) -> dict[str, str]:
    key = "" if code == TOTAL else (data.selector(code, regime) or "")
    return {"key": key, "label": selector_label(key, data.jurisdiction, lang)}


def _plans_table(data: ReportInput, lang: str) -> dict[str, Any]:
    names = _category_names(data, lang)
    rows = []
    for record in data.plans.to_dict(orient="records"):
        code = str(record["category"])
        rows.append(
            {
                "label": names.get(code, category_label(code, lang)),
                "total": code == TOTAL,
                "cells": [format_number(record[c], lang) for c in data.plan_columns],
                "selectors": [_who(data, code, r, lang) for r in REGIMES],
            }
        )
    return {
        "plans": [plan_label(data, c, lang) for c in data.plan_columns],
        "regimes": [REGIMES[r][lang] for r in REGIMES],
        "rows": rows,
    }


def _what_it_takes(data: ReportInput, lang: str) -> dict[str, Any] | None:
    """The inverse planner's section (``immiplan.solver.report``), from the report's rows."""
    rows = data.what_it_takes() if callable(data.what_it_takes) else data.what_it_takes
    if not rows:
        return None
    from immiplan.solver.report import what_it_takes_section

    totals = data.plans.loc[data.plans["category"] == TOTAL, data.plan_columns]
    values = [float(v) for v in totals.to_numpy().ravel()] if not totals.empty else []
    return what_it_takes_section(rows, data.base_year, data.horizon, values, lang, format_number)


def _cut_tables(data: ReportInput, lang: str) -> list[dict[str, Any]]:
    names = _category_names(data, lang)
    tables = []
    for regime in REGIMES:
        rows = data.cut[data.cut["regime"] == regime]
        if rows.empty:
            continue
        body = []
        detail = rows[rows["category"] != TOTAL]
        for r in detail.to_dict(orient="records"):
            code = str(r["category"])
            body.append(_cut_row(names[code], r, lang, _who(data, code, regime, lang)))
        totals = rows[rows["category"] == TOTAL]
        if not totals.empty:
            total = _cut_row(names[TOTAL], totals.iloc[0].to_dict(), lang, _NOBODY)
        else:
            base, new = float(detail["base"].sum()), float(detail["new"].sum())
            sums = {
                "base": base,
                "new": new,
                "change": new - base,
                "change_pct": 100 * (new - base) / base if base else float("nan"),
            }
            total = _cut_row(category_label(TOTAL, lang), sums, lang, _NOBODY)
        tables.append(
            {
                "regime": regime,
                "caption": text("cut.table_caption", lang, regime=REGIMES[regime][lang]),
                "rows": body,
                "total": total,
            }
        )
    return tables


_NOBODY = {"key": "", "label": ""}
"""The selector of a total row."""


def _cut_row(label: str, row: Mapping[Any, Any], lang: str, who: dict[str, str]) -> dict[str, Any]:
    """One line of a cut table; ``row`` holds base, new, change and change_pct; ``who``
    selects it (:func:`_who`)."""
    change = float(row["change"])
    return {
        "label": label,
        "base": format_number(float(row["base"]), lang),
        "new": format_number(float(row["new"]), lang),
        "change": format_number(change, lang, signed=True),
        "change_pct": format_percent(float(row["change_pct"]) / 100, lang, 1, signed=True),
        "negative": change < 0,
        "selector": who,
    }


# --------------------------------------------------------------------------- sources


def _numbered_references(data: ReportInput) -> list[tuple[Reference, list[str]]]:
    """Every reference once, in order of first use, with who uses it."""
    users: dict[Reference, list[str]] = {}
    for reference in data.sources:
        users.setdefault(reference, []).append("all")
    for scenario in data.scenarios:
        for reference in scenario.sources:
            users.setdefault(reference, []).append(scenario.key)
    return list(users.items())


def _sources(data: ReportInput, lang: str) -> dict[str, Any]:
    numbered = _numbered_references(data)
    colours = scenario_colours(data)
    number = {ref: i for i, (ref, _) in enumerate(numbered, start=1)}
    references = [
        {
            "number": number[ref],
            "publisher": ref.publisher,
            "document": ref.document,
            "date": ref.date,
            "url": ref.url,
            "via": ref.via,
            "note": ref.note,
            "cite": ref.cite(),
        }
        for ref, _ in numbered
    ]
    scenarios = [
        {
            "key": s.key,
            "label": s.label[lang],
            "colour": colours[s.key],
            "description": s.description[lang],
            "assumptions": s.assumptions.get(lang, []),
            "sources": [number[ref] for ref in dict.fromkeys(s.sources)],
        }
        for s in data.scenarios
    ]
    return {
        "general": [number[ref] for ref in dict.fromkeys(data.sources)],
        "assumptions": data.assumptions.get(lang, []),
        "scenarios": scenarios,
        "references": references,
    }


# --------------------------------------------------------------------------- HTML


@functools.cache
def _static(name: str) -> str:
    source = resources.files("immiplan.report").joinpath("static", name).read_text("utf-8")
    if "</script" in source.lower():  # would end the inline <script> early
        raise RuntimeError(f"vendored {name} cannot be inlined: it contains '</script'")
    return source


@functools.cache
def _template_file(name: str) -> str:
    return resources.files("immiplan.report").joinpath("templates", name).read_text("utf-8")


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2  # the page is written after the charts are handed over: imported then

    return jinja2.Environment(
        loader=jinja2.PackageLoader("immiplan.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _json_for_script(value: Any) -> str:
    # Escaping "<" keeps "</script>" or "<!--" inside the data from closing the tag.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _csv_href(csv_text: str) -> str:
    # Base64 (in C) rather than percent-encoding (in Python): a tenth of the time.
    encoded = base64.b64encode(csv_text.encode("utf-8")).decode("ascii")
    return "data:text/csv;charset=utf-8;base64," + encoded


def render_html(
    data: ReportInput, charts: list[Chart], lang: str, *, now: datetime | None = None
) -> str:
    """The report page, self-contained, in ``lang``."""
    lang = check_language(lang)
    now = now or datetime.now(UTC)
    cut_tables = _cut_tables(data, lang)
    takes = _what_it_takes(data, lang)
    with_charts = {c.section for c in charts}
    present = [
        s
        for s in SECTION_ORDER
        if s in ("summary", "plans", "howto", "sources")
        or (s == "cut" and cut_tables)
        or (s == "takes" and takes)
        or s in with_charts
    ]
    figures = {
        s: [
            {
                "name": c.name,
                "title": c.title,
                "caption": c.caption,
                "csv_href": _csv_href(c.csv()),
            }
            for c in charts
            if c.section == s
        ]
        for s in SECTION_ORDER
    }
    config = {
        "charts": {c.name: c.embed_spec() for c in charts},
        "formatLocale": d3_format_locale(lang),
        "i18n": {
            key.split(".", 1)[1]: MESSAGES[key][lang]
            for key in MESSAGES
            if key.startswith("embed.")
        },
    }
    ref = data.scenarios[0].label[lang]
    context = {
        "lang": lang,
        "t": functools.partial(text, lang=lang),
        "title": text("report.title", lang),
        "subtitle": text(
            "report.subtitle",
            lang,
            n=len(data.scenarios),
            base=data.base_year,
            horizon=data.horizon,
        )
        + (f" — {data.base_label[lang]}" if data.base_label.get(lang) else ""),
        "sections": [{"id": s, "title": text(f"section.{s}", lang)} for s in present],
        "figures": figures,
        "summary_lead": text("summary.lead", lang, horizon=data.horizon, ref=ref),
        "summary_sentences": _summary_sentences(data, lang),
        "summary_table": _summary_table(data, lang),
        "summary_caption": text("summary.table_caption", lang, horizon=data.horizon),
        "control": _control(data, lang),
        "plans": _plans_table(data, lang),
        "cut_tables": cut_tables,
        "what_it_takes": takes,
        "how_to_read": [p.format(ref=ref) for p in HOW_TO_READ[lang]],
        "sources": _sources(data, lang),
        "footer_generated": text(
            "footer.generated",
            lang,
            version=immiplan.__version__,
            date=format_date(now.year, now.month, now.day, lang),
            command=data.generated_by,
        ),
        "footer_libraries": text(
            "footer.libraries",
            lang,
            vega=VEGA_VERSION,
            vegalite=VEGALITE_VERSION,
            embed=VEGAEMBED_VERSION,
        ),
        "config_json": _json_for_script(config),
        "scripts": [_static(name) for name in STATIC_SCRIPTS],
        "css": _template_file("report.css"),
        "runner": _template_file("report.js"),
        "error_watch": _template_file("errors.js"),
        "chart_count": len(charts),
    }
    return _environment().get_template("report.html.j2").render(**context)
