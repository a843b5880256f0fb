"""The report takes the tables the plans package makes for the 2018 debate, as they are."""

from __future__ import annotations

from pathlib import Path

from immiplan.plans.debate import cuts_table, plans_table, selectors_table
from immiplan.report import build_report
from immiplan.report.i18n import NNBSP
from immiplan.report.model import ReportInput


def test_the_report_builds_from_the_debate_tables(
    report_input: ReportInput, tmp_path: Path
) -> None:
    report_input.plans = plans_table()
    report_input.selectors = selectors_table()
    report_input.cut = cuts_table()
    report_input.plan_labels = {}
    report_input.validate()
    # Under the Accord, Quebec selects refugees abroad, Canada those who claim asylum here.
    assert report_input.selector("refugees", "accord-1991") == "shared"
    assert report_input.selector("family", "accord-1991") == "federal"
    assert report_input.selector("economic", "accord-1991") == "province"

    files = build_report(report_input, tmp_path / "out", "fr", images=False)
    page = files.html.read_text(encoding="utf-8")
    assert "Plan 2019, bas" in page and "Admissions 2018" in page
    assert "que le Québec et le Canada se partagent" in page
    assert f"51{NNBSP}125" in page  # 2018 admissions, the base of the cut
    assert 'class="who who-shared"' in page
