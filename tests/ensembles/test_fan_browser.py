"""``immiplan run --ensemble``: the report's fan charts draw in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import immiplan.cli as cli

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed (Debian: apt-get install -y chromium)", allow_module_level=True
    )


def _attribute(dom: str, name: str) -> str:
    match = re.search(rf'<body[^>]*\s{name}="([^"]*)"', dom)
    assert match, f"no {name} on <body>"
    return match.group(1)


def test_fan_charts_draw_in_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    code = cli.main(
        ["run", "-s", "quebec-2019-plan,pq-proposal", "--horizon", "2026", "--ensemble", "6",
         "--no-images", "--lang", "en", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    fans = sorted(set(re.findall(r'data-chart="(fan-[^"]+)"', html)))
    # Two scenarios x two indicators, and the difference of the second from the first.
    assert len(fans) == 6 and any("-minus-" in f for f in fans)
    assert CHROMIUM is not None
    dump = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", (out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = dump.stdout
    assert _attribute(dom, "data-errors") == "[]"
    assert _attribute(dom, "data-charts-rendered") == _attribute(dom, "data-charts-expected")
    for name in fans:
        box = dom.split(f'data-chart="{name}"', 1)[1][:20000]
        assert "<svg" in box or "<canvas" in box, f"{name}: nothing drawn"
