"""The report's "What would it take" section, from the solver."""

from __future__ import annotations

import pytest

from immiplan.report.build import format_number
from immiplan.solver import solve
from immiplan.solver.report import UN_SETS, report_rows, what_it_takes, what_it_takes_section


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_section_lists_the_un_targets_beside_the_plans(lang: str) -> None:
    rows = what_it_takes(2018, 2035)
    section = what_it_takes_section(rows, 2018, 2035, [40000.0, 52000.0], lang, format_number)
    assert section is not None
    assert len(section["rows"]) == len(UN_SETS)
    assert format_number(40000, lang) in section["plans"]
    assert "ESA/P/WP.160" in section["source"]


def test_its_levels_are_the_solver_answers() -> None:
    rows = what_it_takes(2018, 2035)
    iv = next(r for r in rows if r.name == "un-iv")
    answer = solve(["un-iv"], years=(2019, 2035), regime="accord-1991")
    assert iv.accord_province == pytest.approx(answer.constant_level, rel=1e-12)


def test_no_section_without_a_base_of_that_year() -> None:
    rows = report_rows(1990, 2035)
    assert rows == ()
    assert what_it_takes_section(rows, 1990, 2035, [], "en", format_number) is None
