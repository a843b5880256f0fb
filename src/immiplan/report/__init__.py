"""The bilingual report: a self-contained HTML page, charts, and the data as CSV/XLSX.

Build a :class:`ReportInput` (scenarios, projected series, plans, who selects, the cut,
sources) and call :func:`build_report`::

    from immiplan.report import build_report, default_language
    files = build_report(data, Path("immiplan-report"), default_language())
    print(files.html)

See docs/report.md.
"""

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
