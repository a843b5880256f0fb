"""The chart-export helpers: processes that lay out Vega-Lite charts as SVG and PNG.

vl-convert holds the GIL while it draws, so the report hands each chart to a helper process
and goes on. This module imports no plotting or table library (vl-convert starts its
JavaScript engine only when first used), so a command can start its helpers before it
imports the model and the report, and their start-up overlaps those imports.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import vl_convert as vlc

__all__ = ["PNG_SCALE", "ChartWorkers", "PngWorker", "default_helper_count"]

PNG_SCALE = 2
"""PNG pixels per SVG pixel: sharp enough for a printed page."""

_PNG_WORKER = """
import ctypes, json, os, signal, sys
# Die with the parent: the kernel kills this helper when the process that started it ends
# (Linux); elsewhere the closed stdin ends the loop below.
try:
    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if len(sys.argv) > 1 and os.getppid() != int(sys.argv[1]):
    sys.exit("the parent process is gone")
import vl_convert as vlc
if "--warm" in sys.argv:
    # Start the JavaScript engine now, while the parent still computes, and lay out twice a
    # chart shaped like the report's (panels of lines by scenario, a legend, a title, made-up
    # numbers): the engine compiles the code of that layout before the first chart comes.
    import math
    rows = [
        {"panel": p, "line": s, "year": 2000 + y, "value": (p + 1) * (s + 9 + math.sin(y + s))}
        for p in range(4) for s in range(6) for y in range(49)
    ]
    axis = {"format": "d", "tickMinStep": 5}
    warm = {
        "data": {"values": rows},
        "facet": {"field": "panel", "type": "nominal"},
        "columns": 2,
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "mark": {"type": "line", "strokeWidth": 2.2},
            "encoding": {
                "x": {"field": "year", "type": "quantitative", "axis": axis},
                "y": {"field": "value", "type": "quantitative", "scale": {"zero": False}},
                "color": {"field": "line", "type": "nominal", "legend": {"orient": "bottom"}},
            },
        },
        "title": {"text": "warm-up", "subtitle": "not written anywhere"},
    }
    for _ in range(2):
        vlc.vegalite_to_svg(warm)
for line in sys.stdin:
    job = json.loads(line)
    if "spec" in job:  # the whole export: Vega-Lite to SVG, then the PNG
        svg = vlc.vegalite_to_svg(job["spec"], format_locale=job["locale"])
        with open(job["svg"], "w", encoding="utf-8") as target:
            target.write(svg)
    else:
        with open(job["svg"], encoding="utf-8") as source:
            svg = source.read()
    png = vlc.svg_to_png(svg, scale=job["scale"])
    with open(job["png"], "wb") as target:
        target.write(png)
"""


def _no_system_fonts() -> str:
    """The fontconfig file of the export helpers: it lists its own folder, which holds no
    font, so a helper's vl-convert draws with its embedded Liberation Sans (the default
    sans-serif) only.

    With the system's fonts it opens and maps a font file for every glyph it measures (tens
    of thousands of times per report, a quarter of the export's time), and the charts would
    depend on the fonts a machine happens to have.
    """
    return str(resources.files("immiplan.report") / "fonts" / "fonts.conf")


class PngWorker:
    """Rasterises SVG files to PNG in a helper process while this one draws the next chart.

    vl-convert holds the GIL, so a thread would not help; a second process halves the
    export time on a machine with two cores. Jobs reach the helper through a pipe written
    by a feeder thread, so handing over a chart never waits for the helper to finish the
    one before (a chart's spec, with its data, is larger than a pipe holds). Where no helper
    process can be started, the PNGs are made here, one after the other. Use as a context
    manager: leaving the block by an exception stops the helper.
    """

    def __init__(self, scale: float = PNG_SCALE, *, warm: bool = False) -> None:
        self.scale = scale
        self._jobs: list[tuple[Path, Path]] = []
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        flags = ["--warm"] if warm else []
        try:
            # -P: the helper must import the installed vl_convert, not a file in the cwd.
            self._process: subprocess.Popen[str] | None = subprocess.Popen(
                [sys.executable, "-P", "-c", _PNG_WORKER, str(os.getpid()), *flags],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                env={**os.environ, "FONTCONFIG_FILE": _no_system_fonts()},
            )
        except OSError:
            self._process = None
        else:
            self._feeder = threading.Thread(target=self._feed, daemon=True)
            self._feeder.start()

    def _feed(self) -> None:
        """Write each queued job to the helper's stdin until ``None`` comes."""
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin
        try:
            while (line := self._queue.get()) is not None:
                stdin.write(line)
                stdin.flush()
        except (OSError, ValueError):  # the helper died or was stopped; finish() says why
            pass

    def _send(self, job: dict[str, Any]) -> bool:
        """Queue ``job`` for the helper; ``False`` where there is no helper."""
        if self._feeder is None:
            return False
        self._queue.put(json.dumps(job) + "\n")
        return True

    def __enter__(self) -> PngWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._feeder is not None:
            self._queue.put(None)  # the feeder's write fails on the dead pipe, or it ends

    def submit(self, svg: Path, png: Path) -> None:
        """Make ``png`` from ``svg`` (now, or in the helper before :meth:`finish` returns)."""
        self._jobs.append((svg, png))
        if not self._send({"svg": str(svg), "png": str(png), "scale": self.scale}):
            png.write_bytes(vlc.svg_to_png(svg.read_text(encoding="utf-8"), scale=self.scale))

    def submit_spec(self, spec: dict[str, Any], locale: Any, svg: Path, png: Path) -> None:
        """Make ``svg`` from the Vega-Lite ``spec`` and ``png`` from it, in the helper."""
        self._jobs.append((svg, png))
        job = {"spec": spec, "locale": locale, "svg": str(svg), "png": str(png)}
        if not self._send({**job, "scale": self.scale}):
            text = vlc.vegalite_to_svg(spec, format_locale=locale)
            svg.write_text(text, encoding="utf-8")
            png.write_bytes(vlc.svg_to_png(text, scale=self.scale))

    def finish(self, timeout: float = 120) -> None:
        """Wait for every submitted PNG; raise ``RuntimeError`` if one was not made."""
        if self._process is not None and self._feeder is not None:
            self._queue.put(None)  # no more jobs: the feeder stops once all are written
            self._feeder.join(timeout)
            try:
                _, errors = self._process.communicate(timeout=timeout)  # closes stdin
            except subprocess.TimeoutExpired:
                self._process.kill()
                _, errors = self._process.communicate()
                raise RuntimeError("PNG export took too long") from None
            if self._process.returncode != 0:
                last = (errors or "").strip().splitlines()[-1:] or ["no message"]
                raise RuntimeError(f"PNG export failed: {last[0]}")
        missing = [png.name for svg, png in self._jobs if not (svg.is_file() and png.is_file())]
        if missing:
            raise RuntimeError(f"PNG export failed for {', '.join(missing)}")


def default_helper_count(usable: int | None = None) -> int:
    """How many export helpers to start on a machine with ``usable`` cores (default: the
    cores this process may run on): one per core beyond the one this process keeps for
    the model and the page, at least one and two at most.

    Each helper starts its own JavaScript engine (about 0.4 s of CPU), which a third would
    not repay. On two cores one helper is faster than two (0.87× the run's time, measured
    side by side in docs/benchmarks.md): the second competed with this process for the
    same core, and this process is the longer path.
    """
    if usable is None:
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
    return max(1, min(2, usable - 1))


class ChartWorkers:
    """:class:`PngWorker` helpers (:func:`default_helper_count` of them) that export whole
    charts (SVG and PNG) while this process goes on.

    Start them early (``immiplan run`` starts them before projecting, so their start-up
    overlaps the model); :func:`export_chart` hands each chart to the next one in turn while
    this process writes the page and the data. Use as a context manager.
    """

    def __init__(self, count: int | None = None, scale: float = PNG_SCALE) -> None:
        if count is None:
            count = default_helper_count()
        self.workers = [PngWorker(scale, warm=True) for _ in range(count)]
        self._next = 0

    def __enter__(self) -> ChartWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.__exit__(*exc)

    def submit_spec(self, spec: dict[str, Any], locale: Any, svg: Path, png: Path) -> None:
        """Export one chart in the next helper."""
        worker = self.workers[self._next % len(self.workers)]
        self._next += 1
        worker.submit_spec(spec, locale, svg, png)

    def finish(self, timeout: float = 120) -> None:
        """Wait for every helper (see :meth:`PngWorker.finish`)."""
        for worker in self.workers:
            worker.finish(timeout)
