"""The report folder: complete, offline, in each language, and never half-written."""

from __future__ import annotations

import base64
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pandas as pd
import pytest

import immiplan
from immiplan import output as output_module
from immiplan.errors import InputError
from immiplan.output import MANIFEST
from immiplan.report import build as build_module
from immiplan.report import build_report, summary_frame
from immiplan.report.build import SECTION_ORDER, render_html
from immiplan.report.charts import build_charts
from immiplan.report.i18n import HOW_TO_READ, MINUS, NNBSP, format_number, format_percent, text
from immiplan.report.model import ReportInput

CHARTS = [
    "plans",
    "cut",
    "population",
    "working_age",
    "ageing",
    "components",
    "npr_stock",
    "npr_by_type",
    "npr_transitions",
    "already_resident",
    "labour_force",
    "labour_rates",
    "french",
    "francization_students",
    "francization_cost",
]


class _Page(HTMLParser):
    """The parts of a page that could reach the network, and its links and chart boxes."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.scripts_with_src: list[str] = []
        self.links: list[dict[str, str]] = []
        self.chart_boxes: list[str] = []
        self.html_lang: str | None = None
        self._in_style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "script" and "src" in a:
            self.scripts_with_src.append(a["src"])
        for name in ("src", "href", "data", "poster"):
            value = a.get(name, "")
            if tag != "a" and re.match(r"\s*(https?:)?//", value):
                self.external.append(f"<{tag} {name}={value}>")
        if tag == "a":
            self.links.append(a)
        if tag == "div" and "chart-view" in a.get("class", ""):
            self.chart_boxes.append(a["data-chart"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def _page(folder: Path) -> tuple[str, _Page]:
    source = (folder / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(source)
    return source, page


def _esc(value: str) -> str:
    """As the page's template escapes text."""
    return str(markupsafe.escape(value))


def _without_scripts(source: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", source, flags=re.S)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# -- what is written


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_report_folder_holds_every_file(built_reports: dict[str, Path], lang: str) -> None:
    folder = built_reports[lang]
    names = {p.name for p in folder.iterdir()}
    assert names == {"report.html", "series.csv", "series.xlsx", "charts", MANIFEST}
    for chart in CHARTS:
        for ext in ("svg", "png", "csv"):
            assert (folder / "charts" / f"{chart}.{ext}").stat().st_size > 0, (chart, ext)


def test_build_returns_the_paths_it_wrote(report_input: ReportInput, tmp_path: Path) -> None:
    files = build_report(report_input, tmp_path / "out", "en")
    assert files.html.is_file() and files.series_csv.is_file() and files.series_xlsx.is_file()
    assert [c.name for c in files.charts] == CHARTS
    assert all(c.png.is_file() and c.svg.is_file() and c.csv.is_file() for c in files.charts)
    # Nothing but the output and its manifest: no staging folder inside it or beside it.
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == [MANIFEST]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_has_every_section_in_its_language(
    built_reports: dict[str, Path], lang: str, report_input: ReportInput
) -> None:
    source, page = _page(built_reports[lang])
    assert page.html_lang == lang
    other = "en" if lang == "fr" else "fr"
    for section in SECTION_ORDER:
        title = _esc(text(f"section.{section}", lang))
        assert f'<section id="{section}">' in source
        assert title in source, section
        assert _esc(text(f"section.{section}", other)) not in _without_scripts(source)
    ref = report_input.scenarios[0].label[lang]
    for paragraph in HOW_TO_READ[lang]:
        assert _esc(paragraph.format(ref=ref)) in source


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_needs_no_network(built_reports: dict[str, Path], lang: str) -> None:
    _, page = _page(built_reports[lang])
    assert page.scripts_with_src == []
    assert page.external == []
    assert all("url(" not in style and "@import" not in style for style in page.styles)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_chart_has_a_box_and_a_csv_download(
    built_reports: dict[str, Path], lang: str
) -> None:
    folder = built_reports[lang]
    source, page = _page(folder)
    assert page.chart_boxes == CHARTS
    downloads = {a["download"]: a["href"] for a in page.links if "download" in a}
    assert set(downloads) == {f"{name}.csv" for name in CHARTS}
    for name, href in downloads.items():
        prefix = "data:text/csv;charset=utf-8;base64,"
        assert href.startswith(prefix)
        content = base64.b64decode(href[len(prefix) :]).decode("utf-8")
        assert content == (folder / "charts" / name).read_text(encoding="utf-8")
    config = re.search(
        r'<script type="application/json" id="immiplan-config">(.*?)</script>', source, re.S
    )
    assert config is not None
    specs = json.loads(config.group(1))["charts"]
    assert list(specs) == CHARTS
    assert all(spec["data"]["values"] for spec in specs.values())
    assert f'data-charts-expected="{len(CHARTS)}"' in source


def test_numbers_are_written_the_french_way(
    built_reports: dict[str, Path], report_input: ReportInput
) -> None:
    source, _ = _page(built_reports["fr"])
    data = report_input
    population = _horizon_value(data, "plan-2018", "population")
    share = _horizon_value(data, "plan-2018", "share_65_plus")
    assert format_number(population, "fr") in source
    assert format_percent(share, "fr") in source
    assert f"52{NNBSP}000" in source and f"{MINUS}12{NNBSP}000" in source
    assert f"{NNBSP}%" in source
    assert "52,000" not in _without_scripts(source)


def test_numbers_are_written_the_english_way(
    built_reports: dict[str, Path], report_input: ReportInput
) -> None:
    source, _ = _page(built_reports["en"])
    data = report_input
    population = _horizon_value(data, "plan-2018", "population")
    assert format_number(population, "en") in source
    assert "52,000" in source and f"{MINUS}12,000" in source
    assert f"52{NNBSP}000" not in _without_scripts(source)


def _horizon_value(data: ReportInput, scenario: str, indicator: str) -> float:
    s = data.series
    row = s[(s.scenario == scenario) & (s.indicator == indicator) & (s.year == data.horizon)]
    return float(row["value"].iloc[0])


def test_the_summary_gives_the_answer(
    built_reports: dict[str, Path], report_input: ReportInput
) -> None:
    source, _ = _page(built_reports["en"])
    data = report_input
    ref = _horizon_value(data, "plan-2018", "population")
    cut = _horizon_value(data, "plan-2019", "population")
    sentence = (
        f"By 2040, “2019 plan: 40,000 a year” means {format_number(ref - cut, 'en')} fewer "
        "people in Quebec than “2018 plan: 52,000 a year”"
    )
    assert _esc(sentence) in source
    accord = "Canada–Quebec Accord (1991), as in force in 2018"  # data/system/regimes labels
    assert f"{accord}: Quebec selects 36,600 of the 52,000 admissions" in source
    control = "Quebec control (sought in 2018)"
    assert f"{control}: Quebec selects 52,000 of the 52,000 admissions" in source


def test_every_reference_is_cited(
    built_reports: dict[str, Path], report_input: ReportInput
) -> None:
    source, page = _page(built_reports["en"])
    data = report_input
    references = [*data.sources, *(r for s in data.scenarios for r in s.sources)]
    for reference in references:
        for part in (reference.publisher, reference.document, reference.date):
            assert _esc(part) in source
        if reference.url:
            assert any(a.get("href") == reference.url for a in page.links)
        if reference.via is not None:
            assert any(a.get("href") == reference.via.url for a in page.links)
    for lang_assumption in data.assumptions["en"]:
        assert _esc(lang_assumption) in source
    for scenario in data.scenarios:
        assert _esc(scenario.description["en"]) in source


def test_the_footer_says_how_the_report_was_made(built_reports: dict[str, Path]) -> None:
    source, _ = _page(built_reports["fr"])
    assert f"immiplan {immiplan.__version__}" in source
    assert "test fixture (synthetic numbers)" in source
    assert "Vega 6.2.0" in source


def test_a_missing_indicator_set_leaves_out_its_section(
    report_input: ReportInput, tmp_path: Path
) -> None:
    francization = {"francization_students", "francization_cost"}
    series = report_input.series
    report_input.series = series[~series["indicator"].isin(francization)]
    page = render_html(report_input, build_charts(report_input, "en"), "en")
    assert '<section id="francization">' not in page
    assert 'href="#francization"' not in page
    assert '<section id="french">' in page


# -- data files


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_csv_and_xlsx_round_trip_the_series(
    built_reports: dict[str, Path], lang: str, report_input: ReportInput
) -> None:
    folder = built_reports[lang]
    expected = report_input.series.reset_index(drop=True)
    from_csv = pd.read_csv(folder / "series.csv")
    pd.testing.assert_frame_equal(from_csv, expected, check_dtype=False)
    sheets = pd.read_excel(folder / "series.xlsx", sheet_name=None)
    assert list(sheets) == ["series", "plans", "selectors", "cut", "sources", "assumptions"]
    pd.testing.assert_frame_equal(sheets["series"], expected, check_dtype=False)
    plans = report_input.plans
    pd.testing.assert_frame_equal(sheets["plans"], plans, check_dtype=False)
    assert len(sheets["sources"]) == 3


def test_summary_frame_for_people_and_for_scripts(report_input: ReportInput) -> None:
    people = summary_frame(report_input, "fr")
    assert people.columns[0] == "Scénario"
    assert people.iloc[0, 0] == "Plan 2018 : 52 000 par année"
    assert people.iloc[1, 1] == f"40{NNBSP}000"
    scripts = summary_frame(report_input, "en", formatted=False)
    assert list(scripts.columns) == [
        "scenario",
        "immigrants_mean",
        "population",
        "working_age_20_64",
        "share_65_plus",
        "french_share_all",
    ]
    assert scripts["immigrants_mean"].tolist() == [52_000, 40_000, 60_000]


# -- failures leave nothing behind


def test_unknown_language_is_an_input_error_and_writes_nothing(
    report_input: ReportInput, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="fr, en"):
        build_report(report_input, tmp_path / "out", "de")
    assert not (tmp_path / "out").exists()


def test_bad_input_writes_nothing(report_input: ReportInput, tmp_path: Path) -> None:
    report_input.series.loc[0, "scenario"] = "nope"
    with pytest.raises(InputError, match="unknown scenario"):
        build_report(report_input, tmp_path / "out", "en")
    assert not (tmp_path / "out").exists()


def test_a_folder_that_cannot_be_created_is_an_input_error(
    report_input: ReportInput, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot create the output folder"):
        build_report(report_input, blocker / "report", "en")
    with pytest.raises(InputError, match="not a folder"):
        build_report(report_input, blocker, "en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_an_input_error(report_input: ReportInput, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="not writable"):
            build_report(report_input, locked / "out", "en")
        with pytest.raises(InputError, match="not writable"):
            build_report(report_input, locked, "en")
    finally:
        locked.chmod(0o700)


def test_a_failed_chart_export_leaves_no_folder(
    report_input: ReportInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def failing_export(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("chart export failed")

    monkeypatch.setattr(build_module, "export_chart", failing_export)
    out = tmp_path / "deep" / "out"
    with pytest.raises(RuntimeError, match="chart export failed"):
        build_report(report_input, out, "en")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_build_leaves_the_previous_report_untouched(
    report_input: ReportInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build_report(report_input, out, "en")
    before = _snapshot(out)

    def failing_workbook(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(build_module, "write_workbook", failing_workbook)
    with pytest.raises(RuntimeError, match="disk trouble"):
        build_report(report_input, out, "fr")
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST,
        "charts",
        "report.html",
        "series.csv",
        "series.xlsx",
    ]


def test_a_failure_while_swapping_the_folder_in_keeps_the_old_one(
    report_input: ReportInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build_report(report_input, out, "en")
    before = _snapshot(out)

    def full_disk(first: object, second: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output_module, "_exchange", full_disk)
    with pytest.raises(InputError, match="No space left on device"):
        build_report(report_input, out, "fr")
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the staging folder is gone


def test_a_failed_png_helper_fails_the_build_and_leaves_nothing(
    report_input: ReportInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("immiplan.report.export._PNG_WORKER", "import sys; sys.exit('boom')")
    with pytest.raises(RuntimeError, match="PNG export failed"):
        build_report(report_input, tmp_path / "out", "en")
    assert not (tmp_path / "out").exists()


def test_building_again_replaces_the_report(report_input: ReportInput, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_report(report_input, out, "en")
    build_report(report_input, out, "fr")
    _, page = _page(out)
    assert page.html_lang == "fr"
    assert [p.name for p in out.rglob("*") if p.name.startswith(".")] == [MANIFEST]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_images_only_the_chart_data_are_written(
    report_input: ReportInput, tmp_path: Path
) -> None:
    files = build_report(report_input, tmp_path / "out", "en", images=False)
    assert files.charts == ()
    assert sorted(p.suffix for p in (tmp_path / "out" / "charts").iterdir()) == [".csv"] * len(
        CHARTS
    )
