"""Speed of the main job, ``immiplan run``, as a user runs it (pytest-benchmark).

    pytest tests/benchmarks/test_bench_run.py --benchmark-enable

The budget (docs/benchmarks.md): the whole ``immiplan run`` — a fresh Python process that
imports immiplan, projects the six scenarios of the 2018 debate with their outcomes to
2066, and writes the report with every chart as SVG and PNG — in 5 s or less. A
measurement, not an assertion: nothing here fails on time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

RUN = (sys.executable, "-m", "immiplan", "run")


def test_bench_immiplan_run_in_a_fresh_process(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    out = tmp_path / "report"

    def run() -> None:
        subprocess.run(
            [sys.executable, "-m", "immiplan", "run", "--lang", "en", "--out", str(out)],
            check=True,
            capture_output=True,
            timeout=300,
        )

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    assert (out / "report.html").is_file()
    assert len(list((out / "charts").glob("*.png"))) >= 10


def test_bench_immiplan_run_without_images_in_a_fresh_process(
    benchmark: BenchmarkFixture, tmp_path: Path
) -> None:
    """The same run with ``--no-images``: the reference the images' cost is measured against
    (docs/benchmarks.md quotes the ratio of the two medians from one session)."""
    out = tmp_path / "report"
    command = [sys.executable, "-m", "immiplan", "run", "--lang", "en", "--out", str(out)]

    def run() -> None:
        subprocess.run(
            [*command, "--no-images"],
            check=True,
            capture_output=True,
            timeout=300,
        )

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    assert (out / "report.html").is_file()
    assert not list((out / "charts").glob("*.png"))


def test_bench_immiplan_run_debate_2025_in_a_fresh_process(
    benchmark: BenchmarkFixture, tmp_path: Path
) -> None:
    """``immiplan run --debate 2025``: five scenarios on the 2023 base to 2070, with the
    temporary residents' section (same budget, 5 s)."""
    out = tmp_path / "report"

    def run() -> None:
        subprocess.run(
            [*RUN, "--debate", "2025", "--lang", "en", "--out", str(out)],
            check=True,
            capture_output=True,
            timeout=300,
        )

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    assert (out / "report.html").is_file()
    assert len(list((out / "charts").glob("*.png"))) >= 14
