"""The report's charts: Vega-Lite specs made with Altair, with their data and exports.

Every chart carries its data inline (no URL), is labelled in the report's language and
gives each scenario the same colour everywhere. :func:`export_chart` writes a chart's SVG,
PNG (for documents) and CSV (its data); the PNG is rasterised from the SVG, so each chart
is laid out once.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from immiplan.report.export import PNG_SCALE, ChartWorkers, PngWorker
from immiplan.report.i18n import (
    INDICATORS,
    REGIMES,
    category_label,
    d3_format_locale,
    text,
)
from immiplan.report.model import TOTAL, ReportInput

SCENARIO_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
"""Okabe–Ito colours, readable with colour-blindness; the reference scenario gets the first."""

PLAN_COLOURS: tuple[str, ...] = (
    "#9ecae1",
    "#4292c6",
    "#08306b",
    "#fdae6b",
    "#e6550d",
    "#a1d99b",
    "#31a354",
    "#969696",
)
REGIME_COLOURS: dict[str, str] = {
    "accord-1991": "#5e3c99",
    "quebec-control": "#1b9e77",
    "federal": "#b2182b",
}
# Charts name their data and get the rows after Altair: Altair would otherwise check
# every row against the schema, which costs more than drawing the chart.
_ROWS = alt.NamedData(name="rows")
_WIDTH = 800
_HEIGHT = 300


@dataclass(frozen=True)
class LineChartDef:
    """A chart of indicators over the years, one line per scenario.

    Several indicators of one unit make small multiples (one panel each).
    """

    name: str
    section: str
    indicators: tuple[str, ...]
    axis: str
    """Message key of the value axis title."""
    shared_y: bool = True
    """Whether the panels share the value axis (comparable levels) or not."""


LINE_CHARTS: tuple[LineChartDef, ...] = (
    LineChartDef("population", "population", ("population",), "chart.persons"),
    LineChartDef("working_age", "population", ("working_age_20_64",), "chart.persons"),
    LineChartDef("ageing", "population", ("share_65_plus",), "chart.share"),
    LineChartDef("median_age", "population", ("median_age",), "chart.years"),
    LineChartDef(
        "components",
        "population",
        ("births", "deaths", "immigrants", "emigrants"),
        "chart.persons_per_year",
        shared_y=False,
    ),
    LineChartDef("npr_stock", "temporary", ("npr_stock",), "chart.persons"),
    LineChartDef(
        "npr_by_type",
        "temporary",
        ("npr_stock_work", "npr_stock_study", "npr_stock_asylum", "npr_stock_other"),
        "chart.persons",
        shared_y=False,
    ),
    LineChartDef("npr_transitions", "temporary", ("npr_transitions",), "chart.persons_per_year"),
    LineChartDef("already_resident", "temporary", ("already_resident_share",), "chart.share"),
    LineChartDef(
        "labour_force", "labour", ("labour_force", "employment"), "chart.persons", shared_y=False
    ),
    LineChartDef(
        "labour_rates",
        "labour",
        ("participation_rate", "employment_rate", "unemployment_rate"),
        "chart.share",
        shared_y=False,
    ),
    LineChartDef(
        "french",
        "french",
        ("french_share_all", "french_share_immigrants", "french_share_recent"),
        "chart.share",
    ),
    LineChartDef(
        "francization_students",
        "francization",
        ("francization_students",),
        "chart.persons_per_year",
    ),
    LineChartDef(
        "francization_cost", "francization", ("francization_cost",), "chart.millions_dollars"
    ),
)
"""Every line chart the report can show, in its order; one is skipped when its
indicators are all absent."""

# unit -> (field drawn, axis format, tooltip format)
_FORMATS: dict[str, tuple[str, str, str]] = {
    "persons": ("value", ",.0f", ",.0f"),
    "persons_per_year": ("value", ",.0f", ",.0f"),
    "share": ("value", ".0%", ".1%"),
    "years": ("value", ".1f", ".1f"),
    "dollars_per_year": ("millions", ",.0f", ",.1f"),
}


@dataclass(frozen=True)
class Chart:
    """One chart: its Vega-Lite spec and the rows it draws."""

    name: str
    """File name stem and HTML id (``population``)."""
    section: str
    """The report section it belongs to."""
    title: str
    caption: str
    """One line saying what the chart shows."""
    spec: dict[str, Any]
    """The Vega-Lite spec, data inline, titled for use on its own (PNG/SVG)."""
    data: pd.DataFrame
    """The rows the chart draws; written as its CSV."""

    def embed_spec(self) -> dict[str, Any]:
        """The spec for the HTML page, where the figure heading already shows the title."""
        spec = copy.copy(self.spec)
        spec.pop("title", None)
        return spec

    def static_spec(self) -> dict[str, Any]:
        """The spec for the image files (SVG, PNG): lines without a point per year, and
        no tooltips.

        The page's charts mark each year so that a tooltip can name it; an image has no
        tooltip, and the points cost a third of the export (the renderer draws and
        measures each one) for a denser picture. Without tooltips, the marks' accessible
        descriptions in the SVG name what the marks encode (6 % less layout time).
        """
        return dict(_static(self.spec))

    def csv(self) -> str:
        """The chart's data as CSV text (the file beside the chart and the page's download
        link: written once)."""
        return self._csv

    @functools.cached_property
    def _csv(self) -> str:
        return str(self.data.to_csv(index=False, lineterminator="\n"))


def _static(node: Any) -> Any:
    """``node`` without its line marks' ``point`` overlays and its tooltip encodings
    (copies only what changes)."""
    if isinstance(node, list):
        return [_static(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: v for k, v in node.items() if k != "data"}
    mark = out.get("mark")
    if isinstance(mark, dict) and mark.get("type") == "line" and "point" in mark:
        out["mark"] = {k: v for k, v in mark.items() if k != "point"}
    encoding = out.get("encoding")
    if isinstance(encoding, dict) and "tooltip" in encoding:
        out["encoding"] = {k: v for k, v in encoding.items() if k != "tooltip"}
    for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
        if key in out:
            out[key] = _static(out[key])
    if "data" in node:
        out["data"] = node["data"]  # the rows, shared, not copied
    return out


@dataclass(frozen=True)
class ChartFiles:
    """The files exported for one chart."""

    name: str
    svg: Path
    png: Path
    csv: Path


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts (Python numbers and strings, ``None`` for missing)."""
    names = [str(c) for c in frame.columns]
    cells = frame.astype(object).where(frame.notna(), None)
    columns = [cells[c].tolist() for c in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def scenario_colours(data: ReportInput) -> dict[str, str]:
    """Each scenario's colour, by key, the same in every chart and table."""
    return {
        key: SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)] for i, key in enumerate(data.scenario_keys)
    }


def build_charts(data: ReportInput, lang: str, *, validate: bool = False) -> list[Chart]:
    """Every chart the data allow, in report order: the plans, the cut, then the series.

    ``validate`` checks each spec against the Vega-Lite schema (slower; tests use it).
    """
    return list(iter_charts(data, lang, validate=validate))


def iter_charts(data: ReportInput, lang: str, *, validate: bool = False) -> Iterator[Chart]:
    """:func:`build_charts` one chart at a time, each as soon as it is built (the report
    hands each to an export helper while it builds the next)."""
    makers: list[Callable[[], Chart | None]] = [
        functools.partial(plans_chart, data, lang, validate=validate),
        functools.partial(cut_chart, data, lang, validate=validate),
        *(functools.partial(line_chart, data, d, lang, validate=validate) for d in LINE_CHARTS),
        *(functools.partial(make, lang) for make in data.extra_charts),
    ]
    for make in makers:
        # Altair checks every object it builds against the schema unless told not to
        # (its debug mode): a third of the charts' time, spent again by ``validate``.
        with alt.utils.schemapi.debug_mode(validate):
            chart = make()
        if chart is not None:
            yield chart


def _finish(
    chart: alt.TopLevelMixin,
    name: str,
    section: str,
    lang: str,
    frame: pd.DataFrame,
    records: list[dict[str, Any]],
    validate: bool,
) -> Chart:
    title = text(f"chart.{name}.title", lang)
    caption = text(f"chart.{name}.caption", lang)
    titled = chart.properties(
        title=alt.Title(title, subtitle=caption, anchor="start", subtitleColor="#555")
    )
    # One configure call: each chained ``configure_*`` copies the whole chart.
    configured = titled.configure(
        background="white",
        padding=8,
        view=alt.ViewConfig(stroke=None),
        # Axis labels are numbers and years, never long: no label limit spares the
        # renderer a text measurement per label (a quarter of a chart's export time).
        axis=alt.AxisConfig(labelFontSize=12, titleFontSize=13, gridColor="#e6e6e6", labelLimit=0),
        legend=alt.LegendConfig(labelFontSize=13, titleFontSize=13, labelLimit=360),
        header=alt.HeaderConfig(labelFontSize=13, labelFontWeight="bold", labelAnchor="start"),
        title=alt.TitleConfig(fontSize=16, subtitleFontSize=13),
    )
    spec = configured.to_dict(validate=validate)
    if spec.get("data") != {"name": _ROWS.name}:
        raise RuntimeError(f"chart {name}: its data are not at the top of the spec")
    spec["data"] = {"values": records}
    return Chart(name, section, title, caption, spec, frame.reset_index(drop=True))


def _legend(title: str, count: int) -> alt.Legend:
    return alt.Legend(title=title, orient="bottom", columns=min(count, 2), symbolStrokeWidth=3)


def line_chart(
    data: ReportInput, definition: LineChartDef, lang: str, *, validate: bool = False
) -> Chart | None:
    """The lines of ``definition``'s indicators by scenario, or ``None`` if none is present."""
    available = set(data.indicators())
    present = [k for k in definition.indicators if k in available]
    if not present:
        return None
    labels = {s.key: s.label[lang] for s in data.scenarios}
    series = data.series
    rows = series[
        series["indicator"].isin(present)
        & series["year"].between(data.base_year, data.horizon)
        & series["value"].notna()
    ].copy()
    order = {key: i for i, key in enumerate(data.scenario_keys)}
    rows["_s"] = rows["scenario"].map(order)
    rows["_i"] = rows["indicator"].map({k: i for i, k in enumerate(present)})
    rows = rows.sort_values(["_i", "_s", "year"])
    unit = INDICATORS[present[0]].unit
    frame = pd.DataFrame(
        {
            "scenario": rows["scenario"].astype(str),
            "scenario_label": rows["scenario"].map(labels),
            "year": rows["year"].astype(int),
            "indicator": rows["indicator"].astype(str),
            "indicator_label": rows["indicator"].map(lambda k: INDICATORS[k].short[lang]),
            "value": rows["value"].astype(float),
            "unit": unit,
        }
    )
    field, axis_format, tip_format = _FORMATS[unit]
    records = _records(frame)
    base = alt.Chart(_ROWS)
    if field == "millions":
        base = base.transform_calculate(millions="datum.value / 1000000")
    scenario_names = [labels[k] for k in data.scenario_keys]
    colours = [scenario_colours(data)[k] for k in data.scenario_keys]
    axis_title = text(definition.axis, lang)
    tooltips = [alt.Tooltip("scenario_label:N", title=text("chart.scenario", lang))]
    if len(present) > 1:
        tooltips.append(alt.Tooltip("indicator_label:N", title=text("chart.indicator", lang)))
    tooltips += [
        alt.Tooltip("year:Q", title=text("chart.year", lang), format="d"),
        alt.Tooltip(f"{field}:Q", title=axis_title, format=tip_format),
    ]
    lines = base.mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=16, filled=True)).encode(
        x=alt.X(
            "year:Q",
            title=text("chart.year", lang),
            axis=alt.Axis(format="d", tickMinStep=5),
            scale=alt.Scale(domain=[data.base_year, data.horizon], nice=False),
        ),
        y=alt.Y(
            f"{field}:Q",
            title=axis_title,
            axis=alt.Axis(format=axis_format),
            scale=alt.Scale(zero=False),
        ),
        color=alt.Color(
            "scenario_label:N",
            scale=alt.Scale(domain=scenario_names, range=colours),
            legend=_legend(text("chart.scenario", lang), len(scenario_names)),
        ),
        tooltip=tooltips,
    )
    chart: alt.TopLevelMixin
    if len(present) == 1:
        chart = lines.properties(width=_WIDTH, height=_HEIGHT)
    else:
        columns = 2 if len(present) in (2, 4) else 3
        # Panels with their own value axis need room for its labels beside each panel.
        gap = 40 if definition.shared_y else 90
        panel_width = (_WIDTH - gap * (columns - 1)) // columns
        facet = lines.properties(width=panel_width, height=200).facet(
            facet=alt.Facet(
                "indicator_label:N",
                sort=[INDICATORS[k].short[lang] for k in present],
                title=None,
            ),
            columns=columns,
        )
        chart = facet if definition.shared_y else facet.resolve_scale(y="independent")
    return _finish(chart, definition.name, definition.section, lang, frame, records, validate)


def _category_labels(data: ReportInput, lang: str) -> dict[str, str]:
    """Category names: the plans table's own, else the catalogue's."""
    names = {
        str(row["category"]): str(row[f"label_{lang}"])
        for _, row in data.plans.iterrows()
        if str(row[f"label_{lang}"]).strip()
    }
    for code in data.cut["category"].astype(str):
        names.setdefault(code, category_label(code, lang))
    for code in data.selectors["category"].astype(str):
        names.setdefault(code, category_label(code, lang))
    return names


_PLAN_COLUMN = re.compile(r"^(?P<year>\d{4}) (?P<kind>actual|plan|plan low|plan high|target)$")


def plan_label(data: ReportInput, column: str, lang: str) -> str:
    """How a plan column is named in ``lang``: its ``plan_labels`` entry; else, for a
    column named ``<year> actual|plan|plan low|plan high|target``, that name in ``lang``;
    else the column's own name."""
    given = data.plan_labels.get(column, {}).get(lang)
    if given:
        return given
    match = _PLAN_COLUMN.match(column)
    if match:
        kind = match["kind"].replace(" ", "_")
        return text(f"plan_column.{kind}", lang, year=match["year"])
    return column


def plans_chart(data: ReportInput, lang: str, *, validate: bool = False) -> Chart | None:
    """Grouped bars: each plan's admissions by category (the total row left out)."""
    plans = data.plans[data.plans["category"].astype(str) != TOTAL]
    if plans.empty:
        return None
    names = _category_labels(data, lang)
    columns = data.plan_columns
    frame = plans.melt(
        id_vars=["category"], value_vars=columns, var_name="plan", value_name="persons"
    )
    frame = frame.dropna(subset=["persons"])
    frame["category_label"] = frame["category"].astype(str).map(names)
    frame["plan_label"] = frame["plan"].map(lambda c: plan_label(data, c, lang))
    frame = frame[["category", "category_label", "plan", "plan_label", "persons"]]
    plan_names = [plan_label(data, c, lang) for c in columns]
    categories = [names[str(c)] for c in plans["category"]]
    persons = text("chart.persons", lang)
    chart = (
        alt.Chart(_ROWS)
        .mark_bar()
        .encode(
            y=alt.Y("category_label:N", sort=categories, title=None, axis=alt.Axis(labelLimit=280)),
            yOffset=alt.YOffset("plan_label:N", sort=plan_names),
            x=alt.X("persons:Q", title=persons, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "plan_label:N",
                sort=plan_names,
                scale=alt.Scale(
                    domain=plan_names,
                    range=[PLAN_COLOURS[i % len(PLAN_COLOURS)] for i in range(len(plan_names))],
                ),
                legend=_legend(text("chart.plan", lang), len(plan_names)),
            ),
            tooltip=[
                alt.Tooltip("category_label:N", title=text("chart.category", lang)),
                alt.Tooltip("plan_label:N", title=text("chart.plan", lang)),
                alt.Tooltip("persons:Q", title=persons, format=",.0f"),
            ],
        )
        .properties(width=_WIDTH - 160, height=len(categories) * (len(plan_names) * 14 + 10))
    )
    records = _records(frame)
    return _finish(chart, "plans", "plans", lang, frame, records, validate)


def cut_chart(data: ReportInput, lang: str, *, validate: bool = False) -> Chart | None:
    """Grouped bars: each category's change from the base plan under each regime."""
    cut = data.cut[data.cut["category"].astype(str) != TOTAL]
    if cut.empty:
        return None
    names = _category_labels(data, lang)
    regimes = [r for r in REGIMES if r in set(cut["regime"].astype(str))]
    regime_names = [REGIMES[r][lang] for r in regimes]
    frame = pd.DataFrame(
        {
            "regime": cut["regime"].astype(str),
            "regime_label": cut["regime"].map(lambda r: REGIMES[str(r)][lang]),
            "category": cut["category"].astype(str),
            "category_label": cut["category"].astype(str).map(names),
            "base": cut["base"].astype(float),
            "new": cut["new"].astype(float),
            "change": cut["change"].astype(float),
            "change_pct": cut["change_pct"].astype(float),
        }
    )
    categories = list(dict.fromkeys(frame["category_label"]))
    change = text("chart.change_persons", lang)
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y("category_label:N", sort=categories, title=None, axis=alt.Axis(labelLimit=280)),
            yOffset=alt.YOffset("regime_label:N", sort=regime_names),
            x=alt.X("change:Q", title=change, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "regime_label:N",
                sort=regime_names,
                scale=alt.Scale(domain=regime_names, range=[REGIME_COLOURS[r] for r in regimes]),
                legend=_legend(text("chart.regime", lang), len(regime_names)),
            ),
            tooltip=[
                alt.Tooltip("category_label:N", title=text("chart.category", lang)),
                alt.Tooltip("regime_label:N", title=text("chart.regime", lang)),
                alt.Tooltip("base:Q", title=text("table.base", lang), format=",.0f"),
                alt.Tooltip("new:Q", title=text("table.new", lang), format=",.0f"),
                alt.Tooltip("change:Q", title=change, format="+,.0f"),
                alt.Tooltip("change_pct:Q", title=text("table.change_pct", lang), format="+.1f"),
            ],
        )
    )
    zero = alt.Chart().mark_rule(color="#333").encode(x=alt.datum(0))
    chart = alt.layer(bars, zero, data=_ROWS).properties(
        width=_WIDTH - 160, height=len(categories) * (len(regimes) * 16 + 10)
    )
    records = _records(frame)
    return _finish(chart, "cut", "cut", lang, frame, records, validate)


def export_chart(
    chart: Chart,
    directory: Path,
    lang: str,
    *,
    png_worker: PngWorker | ChartWorkers | None = None,
) -> ChartFiles:
    """Write ``chart`` as ``<name>.svg``, ``<name>.png`` and ``<name>.csv`` in ``directory``.

    The PNG is rasterised from the SVG, by ``png_worker`` when given (call its
    :meth:`PngWorker.finish` before using the files), else here.
    """
    directory.mkdir(parents=True, exist_ok=True)
    files = ChartFiles(
        chart.name,
        directory / f"{chart.name}.svg",
        directory / f"{chart.name}.png",
        directory / f"{chart.name}.csv",
    )
    if isinstance(png_worker, ChartWorkers):
        files.csv.write_text(chart.csv(), encoding="utf-8")
        png_worker.submit_spec(chart.static_spec(), d3_format_locale(lang), files.svg, files.png)
        return files
    svg = vlc.vegalite_to_svg(chart.static_spec(), format_locale=d3_format_locale(lang))
    files.svg.write_text(svg, encoding="utf-8")
    files.csv.write_text(chart.csv(), encoding="utf-8")
    if png_worker is not None:
        png_worker.submit(files.svg, files.png)
    else:
        files.png.write_bytes(vlc.svg_to_png(svg, scale=PNG_SCALE))
    return files


def export_charts(charts: Sequence[Chart], directory: Path, lang: str) -> list[ChartFiles]:
    """Export every chart (see :func:`export_chart`), the PNGs in a helper process."""
    with PngWorker() as worker:
        files = [export_chart(chart, directory, lang, png_worker=worker) for chart in charts]
        worker.finish()
    return files
