"""How long the report takes: it must leave most of `immiplan run`'s 5 seconds to the model.

Run the timings (results and command in docs/benchmarks/report.md)::

    pytest tests/report/test_bench_report.py --benchmark-enable

With the project's default ``--benchmark-disable`` each benchmark runs once, as a test.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from immiplan.report import build_report
from immiplan.report.build import render_html
from immiplan.report.charts import build_charts
from immiplan.report.model import ReportInput


def test_bench_build_report(benchmark: Any, report_input: ReportInput, tmp_path: Path) -> None:
    """The whole report, with every chart's SVG and PNG, in a warm process."""
    files = benchmark.pedantic(
        build_report,
        args=(report_input, tmp_path / "out", "fr"),
        rounds=5,
        iterations=1,
        warmup_rounds=1,
    )
    assert len(files.charts) == 15  # 11, and the temporary residents' 4


def test_bench_build_report_without_images(
    benchmark: Any, report_input: ReportInput, tmp_path: Path
) -> None:
    """The page and the data files only (``images=False``)."""
    files = benchmark(build_report, report_input, tmp_path / "out", "en", images=False)
    assert files.charts == ()


def test_bench_page(benchmark: Any, report_input: ReportInput) -> None:
    """The charts' specs and the HTML page, in memory."""
    page = benchmark(lambda: render_html(report_input, build_charts(report_input, "en"), "en"))
    assert page.startswith("<!DOCTYPE html>")


_COLD = """
import json, pickle, sys, time
start = time.perf_counter()
from immiplan.report import build_report
imported = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    data = pickle.load(f)
files = build_report(data, sys.argv[2], "fr")
done = time.perf_counter()
print(json.dumps({"import_s": imported - start, "build_s": done - imported}))
"""


def test_bench_cold_build(benchmark: Any, report_input: ReportInput, tmp_path: Path) -> None:
    """A fresh process, as `immiplan run` is: imports, vl-convert's start-up, the build.

    The timings are recorded in the benchmark's extra info (never asserted: speed is measured
    in benchmarks, not tested)."""
    saved = tmp_path / "input.pickle"
    saved.write_bytes(pickle.dumps(report_input))

    def cold() -> dict[str, float]:
        result = subprocess.run(
            [sys.executable, "-c", _COLD, str(saved), str(tmp_path / "out")],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        timings: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
        return timings

    timings = benchmark.pedantic(cold, rounds=1, iterations=1)
    benchmark.extra_info.update(timings)
    assert (tmp_path / "out" / "report.html").is_file()
