"""The planner as a person uses it, in headless Chromium (Debian's, through Playwright).

Open the page, change the economic level of a year, see the charts and the table redraw with
new numbers equal to ``immiplan project`` on the YAML the page downloads; save, open the
share link in a fresh browser context and get the same numbers; switch to French; reach the
controls with the keyboard; read it at phone width; no console errors. Set
``IMMIPLAN_UPDATE_SCREENSHOT=1`` to write ``docs/img/planner.png`` and
``docs/img/planner-phone-fr.png`` (the README shows them), ``planner-solve.png`` and
``planner-fan.png`` (docs/server.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed (Debian: apt-get install -y chromium)", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

REPO = Path(__file__).resolve().parents[2]
IMG = REPO / "docs" / "img"
UPDATE = os.environ.get("IMMIPLAN_UPDATE_SCREENSHOT") == "1"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from immiplan.server import Settings, create_app

    from .conftest import free_port

    folder = tmp_path_factory.mktemp("planner")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'planner.sqlite3'}"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


def _watch(page, problems: list[str]) -> None:
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))


def _ready(page, previous_sha: str | None = None) -> None:
    """Wait until a projection is shown (another than ``previous_sha``) and charts drew it."""
    page.wait_for_function(
        """(old) => document.body.dataset.sha && document.body.dataset.sha !== old
            && window.planner.views.population && window.planner.views.population.view""",
        arg=previous_sha or "",
        timeout=120_000,
    )
    page.wait_for_function(
        """() => {
            const s = window.planner, r = s.result.reform, v = s.views.population.view;
            const rows = v.data('table').filter(d => d.year === r.horizon);
            const mine = r.series.population[r.years.indexOf(r.horizon)];
            return rows.some(d => Math.abs(d.value - mine) < 1e-6);
        }""",
        timeout=60_000,
    )


def _table(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#results-table tr[data-indicator] td[data-role=reform]",
        "cells => Object.fromEntries("
        "cells.map(c => [c.parentElement.dataset.indicator, c.dataset.value]))",
    )


def test_plan_in_the_browser_save_share_and_reproduce(base_url: str, browser, tmp_path: Path):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    _watch(page, problems)
    page.goto(f"{base_url}/?scenario=quebec-2019-plan&lang=en")
    _ready(page)
    before = _table(page)
    sha = page.evaluate("document.body.dataset.sha")

    # change the economic level of 2022 (held afterwards): live update, no reload, no button
    cell = page.locator('#levels-table input[data-year="2022"][data-category="economic"]')
    cell.fill("60000")
    _ready(page, sha)
    after = _table(page)
    assert float(after["population"]) > float(before["population"]) + 500_000
    assert float(after["francization_students"]) > float(before["francization_students"])
    drawn = page.evaluate(
        """() => { const r = window.planner.result.reform;
            return window.planner.views.working_age_20_64.view.data('table')
              .filter(d => d.scenario === 'Your plan' && d.year === r.horizon)[0].value; }"""
    )
    assert drawn == pytest.approx(float(after["working_age_20_64"]))
    summary = page.inner_text("#summary")
    assert "more people in Quebec" in summary

    # the downloaded YAML gives the same numbers on the command line
    with page.expect_download() as download:
        page.click("#download-yaml")
    scenario_file = tmp_path / download.value.suggested_filename
    download.value.save_as(scenario_file)
    assert scenario_file.name == "quebec-2019-plan-edited.yaml"
    cli = subprocess.run(
        [sys.executable, "-m", "immiplan", "project", str(scenario_file), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert cli.returncode == 0, cli.stderr
    rows = json.loads(cli.stdout)
    reform = page.evaluate("window.planner.result.reform")
    pairs = {
        "population": "population",
        "dependency_ratio": "dependency_ratio",
        "french_share": "french_share_all",
        "unemployment_rate_landed_under_5": "unemployment_rate_recent",
        "francization_cost": "francization_cost",
    }
    for row in rows:
        i = reform["years"].index(row["year"])
        for cli_key, page_key in pairs.items():
            if row[cli_key] is None:
                assert reform["series"][page_key][i] is None
            else:
                assert reform["series"][page_key][i] == pytest.approx(row[cli_key], rel=1e-9)

    # save, and open the share link in a fresh browser context
    page.click("#save")
    page.wait_for_function("document.getElementById('share-link').value.includes('saved=')")
    link = page.input_value("#share-link")
    assert "baseline=quebec-2019-plan" in link
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = fresh.new_page()
    _watch(other, problems)
    other.goto(link)
    _ready(other)
    assert _table(other) == after
    assert other.inner_text("#summary") == summary

    # French
    other.click("#lang-fr")
    other.wait_for_function("document.documentElement.lang === 'fr'")
    other.wait_for_function("document.getElementById('summary').innerText.includes('habitants')")
    assert "habitants de plus" in other.inner_text("#summary")
    assert other.inner_text("#results-title") == "Ce que cela donne"
    assert _table(other) == after
    if UPDATE:
        IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMG / "planner.png"))

    # keyboard: every control has a name and Tab reaches the save button
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                          && !e.textContent.trim()).map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert unnamed == []
    page.evaluate("document.activeElement && document.activeElement.blur()")
    reached = False
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "save":
            reached = True
            break
    assert reached

    # phone width: nothing wider than the screen (tables scroll inside their frame)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    _watch(small, problems)
    small.goto(link.replace("lang=en", "lang=fr"))
    _ready(small)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 392
    if UPDATE:
        small.screenshot(path=str(IMG / "planner-phone-fr.png"))

    for ctx in (context, fresh, phone):
        ctx.close()
    assert problems == []


def test_a_2025_plan_on_the_2023_base_a_target_and_a_fan(base_url: str, browser) -> None:
    problems: list[str] = []
    hosts: set[str] = set()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _watch(page, problems)
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.goto(f"{base_url}/?scenario=quebec-2019-plan&lang=en")
    _ready(page)
    sha = page.evaluate("document.body.dataset.sha")

    # a plan of 2026-2029 starts on the 2023 base, with the ISQ's 2024 reference assumptions
    offered = page.eval_on_selector_all("#start option", "os => os.map(o => o.value)")
    assert "plan:quebec-2026-2029" in offered and "plan:quebec-2018" not in offered
    assert "quebec-2023-isq-reference" in offered
    assert sorted(page.eval_on_selector_all("#base option", "os => os.map(o => o.value)")) == [
        "quebec-2018",
        "quebec-2023",
    ]
    page.select_option("#start", "plan:quebec-2026-2029")
    _ready(page, sha)
    assert page.input_value("#base") == "quebec-2023"
    reform = page.evaluate("window.planner.result.reform")
    admissions = reform["admissions"]
    assert admissions["total"][admissions["years"].index(2027)] == pytest.approx(45_000)

    # what level keeps the 20-64 population from falling, on that base, to 2050
    page.fill("#solve-last", "2050")
    page.click("#solve-run")
    page.wait_for_function(
        "window.planner.solve && !document.getElementById('solve-result').hidden",
        timeout=120_000,
    )
    answer = page.evaluate("window.planner.solve")
    assert answer["base"] == "quebec-2023" and answer["years"][1] == 2050
    assert page.inner_text("#solve-result").startswith(answer["summary"][0][:20])
    assert page.locator("#solve-table tbody tr").count() >= 2

    # a fan chart of 40 trajectories around the plan
    page.fill("#fan-trajectories", "40")
    page.click("#fan-run")
    page.wait_for_function(
        "window.planner.fan && window.planner.fanView && "
        "document.querySelector('#fan-chart svg') !== null",
        timeout=120_000,
    )
    fan = page.evaluate("window.planner.fan")
    assert fan["trajectories"] == 40 and fan["base"] == "quebec-2023"
    last = fan["series"]["population"]["quantiles"]
    assert last["0.025"][-1] < last["0.5"][-1] < last["0.975"][-1]

    if UPDATE:
        IMG.mkdir(parents=True, exist_ok=True)
        page.locator("#solve-panel").screenshot(path=str(IMG / "planner-solve.png"))
        page.locator("#fan-panel").screenshot(path=str(IMG / "planner-fan.png"))

    # French labels for both panels
    page.click("#lang-fr")
    assert page.inner_text("#fan-title") == "Incertitude : éventail"
    assert "Médiane" in page.inner_text("#fan-legend")
    assert page.inner_text("#solve-result").startswith(answer["summary_fr"][0][:20])

    # the API docs render from this server alone
    docs = context.new_page()
    _watch(docs, problems)
    docs.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    docs.goto(f"{base_url}/docs")
    docs.wait_for_selector(".swagger-ui .info .title", timeout=60_000)
    assert "immiplan planner" in docs.inner_text(".swagger-ui .info .title")
    assert hosts == {base_url.split("/")[2]}, hosts
    context.close()
    assert problems == []
