"""Charts: valid Vega-Lite, data inline, labelled in the report's language, exported."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from immiplan.report.charts import (
    LINE_CHARTS,
    SCENARIO_COLOURS,
    build_charts,
    export_chart,
    export_charts,
    iter_charts,
)
from immiplan.report.export import PngWorker, default_helper_count
from immiplan.report.i18n import NNBSP
from immiplan.report.model import ReportInput

ALL_CHARTS = ["plans", "cut"] + [d.name for d in LINE_CHARTS if d.name != "median_age"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_chart_is_valid_vega_lite_with_its_data_inline(
    report_input: ReportInput, lang: str
) -> None:
    charts = build_charts(report_input, lang, validate=True)
    assert [c.name for c in charts] == ALL_CHARTS
    for chart in charts:
        assert chart.spec["$schema"].endswith("/vega-lite/v6.4.1.json")
        assert chart.spec["data"]["values"], chart.name
        assert '"url"' not in json.dumps(chart.spec), chart.name
        assert len(chart.data) == len(chart.spec["data"]["values"])
        assert chart.title and chart.caption


def test_charts_are_labelled_in_the_report_language(report_input: ReportInput) -> None:
    fr = {c.name: c for c in build_charts(report_input, "fr")}
    en = {c.name: c for c in build_charts(report_input, "en")}
    assert fr["population"].title == "Population totale"
    assert en["population"].title == "Total population"
    assert fr["population"].spec["encoding"]["x"]["title"] == "Année"
    assert en["population"].spec["encoding"]["x"]["title"] == "Year"
    assert set(fr["population"].data["scenario_label"]) == {
        s.label["fr"] for s in report_input.scenarios
    }
    assert "Travailleurs qualifiés" in set(fr["plans"].data["category_label"])


def test_each_scenario_has_the_same_colour_in_every_chart(report_input: ReportInput) -> None:
    for chart in build_charts(report_input, "en"):
        if chart.name in ("plans", "cut"):
            continue
        encoding = chart.spec.get("spec", chart.spec)["encoding"]
        scale = encoding["color"]["scale"]
        assert scale["domain"] == [s.label["en"] for s in report_input.scenarios]
        assert scale["range"] == list(SCENARIO_COLOURS[: len(report_input.scenarios)])


def test_an_absent_indicator_set_gives_no_chart(report_input: ReportInput) -> None:
    labour = {"labour_force", "employment", "unemployment_rate"}
    report_input.series = report_input.series[~report_input.series["indicator"].isin(labour)]
    names = [c.name for c in build_charts(report_input, "en")]
    assert "labour_force" not in names and "labour_rates" not in names
    assert "population" in names


def test_a_partly_present_set_draws_only_what_is_there(report_input: ReportInput) -> None:
    series = report_input.series
    report_input.series = series[series["indicator"] != "french_share_recent"]
    french = next(c for c in build_charts(report_input, "en") if c.name == "french")
    assert set(french.data["indicator"]) == {"french_share_all", "french_share_immigrants"}
    assert french.spec["facet"]["field"] == "indicator_label"


def test_series_outside_the_years_shown_are_left_out(report_input: ReportInput) -> None:
    report_input.horizon = 2030
    population = next(c for c in build_charts(report_input, "en") if c.name == "population")
    assert population.data["year"].max() == 2030


def test_the_total_row_is_not_drawn_as_a_bar(report_input: ReportInput) -> None:
    charts = {c.name: c for c in build_charts(report_input, "en")}
    assert "total" not in set(charts["plans"].data["category"])
    assert "total" not in set(charts["cut"].data["category"])


def test_building_charts_leaves_altairs_schema_checks_as_they_were(
    report_input: ReportInput,
) -> None:
    # The specs are built with Altair's per-object checks off (validate=False), turned back
    # on afterwards, also when a chart fails.
    from altair.utils import schemapi

    before = schemapi.DEBUG_MODE
    build_charts(report_input, "en")
    assert schemapi.DEBUG_MODE is before
    broken = dataclasses.replace(report_input, extra_charts=[lambda lang: 1 / 0])
    with pytest.raises(ZeroDivisionError):
        build_charts(broken, "en")
    assert schemapi.DEBUG_MODE is before


def test_embedded_spec_leaves_the_title_to_the_page(report_input: ReportInput) -> None:
    chart = build_charts(report_input, "en")[0]
    assert "title" in chart.spec and "title" not in chart.embed_spec()


def test_the_image_files_draw_lines_without_a_point_per_year_or_tooltips(
    report_input: ReportInput, tmp_path: Path
) -> None:
    chart = next(c for c in build_charts(report_input, "en") if c.name == "population")
    # The page marks each year for its tooltip.
    assert '"point"' in json.dumps(chart.spec) and '"tooltip"' in json.dumps(chart.spec)
    static = chart.static_spec()
    assert '"point"' not in json.dumps(static) and '"tooltip"' not in json.dumps(static)
    assert static["data"] is chart.spec["data"]
    assert {k: v for k, v in static.items() if k not in ("mark", "encoding")} == {
        k: v for k, v in chart.spec.items() if k not in ("mark", "encoding")
    }
    assert static["encoding"] == {k: v for k, v in chart.spec["encoding"].items() if k != "tooltip"}
    svg = export_chart(chart, tmp_path, "en").svg.read_text(encoding="utf-8")
    assert "mark-line" in svg and "mark-symbol role-mark" not in svg  # legend symbols only


@pytest.mark.parametrize(("lang", "thousands"), [("fr", NNBSP), ("en", ",")])
def test_export_writes_svg_png_and_csv_with_local_numbers(
    report_input: ReportInput, tmp_path: Path, lang: str, thousands: str
) -> None:
    chart = next(c for c in build_charts(report_input, lang) if c.name == "population")
    files = export_chart(chart, tmp_path, lang)
    svg = files.svg.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "mark-line" in svg
    assert f"9{thousands}000{thousands}000" in svg  # an axis label, grouped the local way
    assert files.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    back = pd.read_csv(files.csv)
    assert list(back.columns) == list(chart.data.columns)
    assert len(back) == len(chart.data)


def test_export_charts_makes_the_pngs_in_a_helper_process(
    report_input: ReportInput, tmp_path: Path
) -> None:
    charts = build_charts(report_input, "en")[:3]
    files = export_charts(charts, tmp_path, "en")
    assert [f.name for f in files] == [c.name for c in charts]
    for f in files:
        assert f.png.read_bytes()[:4] == b"\x89PNG"


def test_png_worker_falls_back_to_this_process(
    report_input: ReportInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-such-python"))
    chart = build_charts(report_input, "en")[0]
    with PngWorker() as worker:
        files = export_chart(chart, tmp_path, "en", png_worker=worker)
        worker.finish()
    assert files.png.read_bytes()[:4] == b"\x89PNG"


def test_png_worker_reports_a_failure(report_input: ReportInput, tmp_path: Path) -> None:
    with PngWorker() as worker:
        worker.submit(tmp_path / "missing.svg", tmp_path / "missing.png")
        with pytest.raises(RuntimeError, match="PNG export failed"):
            worker.finish()


@pytest.mark.parametrize(("cores", "helpers"), [(1, 1), (2, 1), (3, 2), (4, 2), (64, 2)])
def test_export_helpers_leave_a_core_to_this_process(cores: int, helpers: int) -> None:
    # The rule of docs/benchmarks.md (2026-12-06, second session): on two cores one helper
    # beats two; never more than two JavaScript engines.
    assert default_helper_count(cores) == helpers


def test_the_export_helpers_start_without_the_plotting_and_table_libraries() -> None:
    # `immiplan run` starts its helpers first so that their start-up overlaps the imports
    # of the model and the report (docs/benchmarks.md, third session): the module that
    # starts them must not import those libraries itself.
    code = (
        "import sys, immiplan.report.export; "
        "print(sorted(m for m in ('altair', 'pandas', 'scipy', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_report_package_loads_its_names_on_first_use() -> None:
    import immiplan.report as report
    from immiplan.report import build, charts, model

    assert report.build_report is build.build_report
    assert report.build_charts is charts.build_charts
    assert report.ReportInput is model.ReportInput
    assert set(report.__all__) <= set(dir(report))
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = report.no_such_name


def test_charts_come_one_at_a_time_in_report_order(report_input: ReportInput) -> None:
    charts = iter_charts(report_input, "en")
    first = next(charts)
    assert first.name == "plans"
    assert [first.name] + [c.name for c in charts] == ALL_CHARTS
