"""Issue 3's bad input through ``immiplan project``: one clear line, exit 2, nothing written.

Each case edits the shipped reference scenario, writes it to a file and runs
``immiplan.cli.main(["project", FILE, "--out", DIR])``: the error names the file, the
field and the value, there is no traceback, and ``DIR`` is not created (or left empty).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import immiplan.cli as cli
from immiplan.system.parameters import data_root

Change = Callable[[dict[str, Any]], None]


def _reference() -> dict[str, Any]:
    path = Path(str(data_root())) / "scenarios" / "quebec-2019-plan.yaml"
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(doc, dict)
    return doc


def _set(*keys: str, value: Any) -> Change:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value

    return change


# (change, what the one line must contain: field and value, or the message), by case
CASES = [
    pytest.param(
        _set("immigration", "plans", value=["quebec-2019", "quebec-2099"]),
        ("immigration.plans[1]", "quebec-2099", "unknown plan"),
        id="missing plan",
    ),
    pytest.param(
        _set("npr", "transition_share", value={"economic": 1.5}),
        ("npr.transition_share.economic", "1.5"),
        id="rate above 1",
    ),
    pytest.param(
        _set("npr", "transition_share", value={"family": -0.2}),
        ("npr.transition_share.family", "-0.2"),
        id="rate below 0",
    ),
    pytest.param(
        _set("immigration", "levels", value={2023: {"economic": -5}}),
        ("immigration.levels.2023.economic", "-5"),
        id="negative count (admissions)",
    ),
    pytest.param(
        _set("npr", "stock", value={2018: 100_000, 2030: -1}),
        ("npr.stock", "2030", "-1", "greater than or equal to 0"),
        id="negative count (NPR stock path)",
    ),
    pytest.param(
        _set("npr", "age_distribution", value=[1.0] * 90),
        ("npr", "101 values", "got 90"),
        id="mismatched ages",
    ),
    pytest.param(
        _set("immigration", "plans", value=["quebec-2019", "quebec-2021"]),
        ("without levels",),
        id="mismatched years (a gap between plans)",
    ),
    pytest.param(
        _set("fertility", "tfr", value={"twenty": 1.5}),
        ("fertility.tfr", "twenty"),
        id="mismatched years (not a year)",
    ),
    pytest.param(
        _set("horizon", value=2010),
        ("horizon", "2010", "must be after the base year (2018)"),
        id="horizon before the base",
    ),
]


@pytest.mark.parametrize(("change", "expected"), CASES)
def test_bad_scenario_exits_2_with_one_line_and_writes_nothing(
    change: Change,
    expected: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _reference()
    change(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out_dir = tmp_path / "out"

    code = cli.main(["project", str(path), "--out", str(out_dir)])
    captured = capsys.readouterr()

    assert code == 2
    message = " ".join(captured.err.split())  # the console may wrap a long line
    assert "bad.yaml" in message
    for text in expected:
        assert text in message, (text, message)
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_a_horizon_option_before_the_base_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code = cli.main(["project", "quebec-2019-plan", "--horizon", "2010", "--out", str(out_dir)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "horizon" in err and "2010" in err
    assert "Traceback" not in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_an_existing_out_folder_is_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reference()
    doc["npr"]["transition_share"] = {"economic": 1.5}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "keep.txt").write_text("mine", encoding="utf-8")

    code = cli.main(["project", str(path), "--out", str(out_dir)])
    capsys.readouterr()

    assert code == 2
    assert sorted(p.name for p in out_dir.iterdir()) == ["keep.txt"]
    assert (out_dir / "keep.txt").read_text(encoding="utf-8") == "mine"
