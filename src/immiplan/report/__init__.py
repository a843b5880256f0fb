"""The bilingual report: a self-contained HTML page, charts, and the data as CSV/XLSX.

Build a :class:`ReportInput` (scenarios, projected series, plans, who selects, the cut,
sources) and call :func:`build_report`::

    from immiplan.report import build_report, default_language
    files = build_report(data, Path("immiplan-report"), default_language())
    print(files.html)

See docs/report.md.

The names below are imported on first use, so that a light submodule (the export helpers
of :mod:`immiplan.report.export`) can be imported without the plotting and table libraries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from immiplan.report.build import ReportFiles, build_report, render_html, summary_frame
    from immiplan.report.charts import Chart, ChartFiles, build_charts
    from immiplan.report.i18n import (
        LANGUAGES,
        check_language,
        default_language,
        format_money,
        format_number,
        format_percent,
        parse_number,
    )
    from immiplan.report.model import ReportInput, ScenarioInfo


__all__ = [
    "LANGUAGES",
    "Chart",
    "ChartFiles",
    "ReportFiles",
    "ReportInput",
    "ScenarioInfo",
    "build_charts",
    "build_report",
    "check_language",
    "default_language",
    "format_money",
    "format_number",
    "format_percent",
    "parse_number",
    "render_html",
    "summary_frame",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # The first public name asked for loads the report's modules (and their libraries).
    from immiplan.report import build, charts, i18n, model

    for module in (build, charts, i18n, model):
        if name in vars(module):
            globals()[name] = value = vars(module)[name]  # later look-ups are plain ones
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # pragma: no cover


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
