"""The report as a person sees it: opened offline in headless Chromium, every chart drawn.

The page records its own outcome on ``<body>`` (``data-errors``, ``data-charts-rendered``,
``data-charts-done``); Chromium's ``--dump-dom`` after a virtual-time budget gives the DOM
once the scripts have run, so the test reads the drawn SVG of each chart. All host names
resolve to nothing, so a page that needed the network would record load errors.

The end-to-end test runs ``immiplan run`` itself (the six scenarios of the 2018 debate) and
checks its report the same way. Set ``IMMIPLAN_UPDATE_SCREENSHOT=1`` to also write that
report's screenshot to ``docs/img/report.png`` (the README shows it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from immiplan.report import build_report
from immiplan.report.model import ReportInput

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "img" / "report.png"

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=15000",
)

if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed (Debian: apt-get install -y chromium)", allow_module_level=True
    )


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


class _DrawnPage(HTMLParser):
    """What the DOM dump shows: the body's record and, per chart box, what it drew."""

    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.charts: dict[str, dict[str, int]] = {}
        self._chart: str | None = None
        self._div_depth = 0
        self._groups: list[bool] = []  # per open <g>: is it a group of data marks?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body" and not self.body:
            self.body = a
        classes = a.get("class", "").split()
        if tag == "div" and "chart-view" in classes:
            self._chart = a["data-chart"]
            self._div_depth = 0
            self.charts[self._chart] = {"svg": 0, "marks": 0, "canvas": 0}
        if self._chart is None:
            return
        if tag == "div":
            self._div_depth += 1
        elif tag in ("svg", "canvas"):
            self.charts[self._chart][tag] += 1
        elif tag == "g":
            self._groups.append("role-mark" in classes and "mark-group" not in classes)
        elif self._groups and self._groups[-1]:
            self.charts[self._chart]["marks"] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._chart is not None and self._groups and self._groups[-1] and tag != "g":
            self.charts[self._chart]["marks"] += 1

    def handle_endtag(self, tag: str) -> None:
        if self._chart is None:
            return
        if tag == "g" and self._groups:
            self._groups.pop()
        elif tag == "div":
            self._div_depth -= 1
            if self._div_depth == 0:
                self._chart = None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_chart_draws_in_headless_chromium(
    report_input: ReportInput, tmp_path: Path, lang: str
) -> None:
    files = build_report(report_input, tmp_path / "report", lang)
    _assert_every_chart_drew(files.html, [c.name for c in files.charts], tmp_path)
    _screenshot(files.html, tmp_path / f"report-{lang}.png", tmp_path)


def _assert_every_chart_drew(html: Path, charts: list[str], tmp_path: Path) -> None:
    """Open ``html`` offline; no console or load error, and each chart drew data marks."""
    url = html.resolve().as_uri()
    dump = _chromium(tmp_path / "profile-dom", "--dump-dom", url)
    assert dump.returncode == 0, dump.stderr[-2000:]
    page = _DrawnPage()
    page.feed(dump.stdout)

    assert page.body.get("data-errors") == "[]", page.body.get("data-errors")
    assert page.body.get("data-charts-done") == "true"
    expected = len(charts)
    assert page.body.get("data-charts-expected") == str(expected)
    assert page.body.get("data-charts-rendered") == str(expected)
    assert list(page.charts) == charts
    for name, drawn in page.charts.items():
        assert drawn["svg"] + drawn["canvas"] >= 1, f"{name}: nothing drawn"
        assert drawn["marks"] > 0, f"{name}: a blank chart (no data marks)"


def _screenshot(html: Path, shot: Path, tmp_path: Path, size: str = "1280,4000") -> bytes:
    """Save a screenshot of ``html``; it must be a PNG with more than text on it."""
    taken = _chromium(
        tmp_path / f"profile-{shot.stem}",
        f"--screenshot={shot}",
        f"--window-size={size}",
        html.resolve().as_uri(),
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    image = shot.read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(image) > 100_000  # a blank or text-only page compresses to far less
    return image


def test_immiplan_run_report_draws_in_headless_chromium(tmp_path: Path) -> None:
    """End to end, as a user: ``immiplan run``, then open the report it wrote."""
    from immiplan.cli import main

    out = tmp_path / "immiplan-report"
    assert main(["run", "--lang", "en", "--out", str(out), "--format", "json"]) == 0
    charts = sorted(p.stem for p in (out / "charts").glob("*.svg"))
    assert len(charts) >= 10
    page = (out / "report.html").read_text(encoding="utf-8")
    order = re.findall(r'data-chart="([^"]+)"', page)
    assert sorted(order) == charts
    _assert_every_chart_drew(out / "report.html", order, tmp_path)
    shot = tmp_path / "immiplan-run.png"
    _screenshot(out / "report.html", shot, tmp_path, size="1100,2300")
    if os.environ.get("IMMIPLAN_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_the_2025_debate_report_draws_in_headless_chromium(tmp_path: Path) -> None:
    """``immiplan run --debate 2025``: the 2025 scenarios, the temporary residents' section
    (stock, by permit type, transitions), both languages, every chart drawn."""
    from immiplan.cli import main

    for lang in ("en", "fr"):
        out = tmp_path / f"report-2025-{lang}"
        args = ["run", "--debate", "2025", "--lang", lang, "--out", str(out), "--format", "json"]
        assert main([*args, "--no-images"]) == 0
        page = (out / "report.html").read_text(encoding="utf-8")
        order = re.findall(r'data-chart="([^"]+)"', page)
        assert {"npr_stock", "npr_by_type", "npr_transitions", "already_resident"} <= set(order)
        assert 'id="temporary"' in page and 'id="cut"' not in page
        assert "quebec-2023" in page and "2023-07-01" in page  # the base and its date
        heading = "Temporary residents" if lang == "en" else "Résidents temporaires"
        assert heading in page
        series = pd.read_csv(out / "series.csv")
        assert "quebec-2023-plan-2026-2029" in set(series["scenario"])
        if lang == "en":
            _assert_every_chart_drew(out / "report.html", order, tmp_path)


def test_a_blank_or_broken_chart_is_caught(report_input: ReportInput, tmp_path: Path) -> None:
    """The checks above can fail: a chart left without data, or one Vega cannot draw."""
    files = build_report(report_input, tmp_path / "report", "en", images=False)
    source = files.html.read_text(encoding="utf-8")
    match = re.search(
        r'(<script type="application/json" id="immiplan-config">)(.*?)(</script>)', source, re.S
    )
    assert match is not None
    config = json.loads(match.group(2))
    config["charts"]["population"]["data"]["values"] = []
    config["charts"]["ageing"]["mark"] = {"type": "no-such-mark"}
    broken = json.dumps(config).replace("<", "\\u003c")
    files.html.write_text(
        source[: match.start(2)] + broken + source[match.end(2) :], encoding="utf-8"
    )
    dump = _chromium(tmp_path / "profile", "--dump-dom", files.html.resolve().as_uri())
    page = _DrawnPage()
    page.feed(dump.stdout)
    assert page.charts["population"]["marks"] == 0
    errors = page.body.get("data-errors", "")
    assert "population drew no marks" in errors
    assert "ageing" in errors
    assert int(page.body["data-charts-rendered"]) == int(page.body["data-charts-expected"]) - 2
