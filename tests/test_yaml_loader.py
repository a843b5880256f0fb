"""The YAML loader follows aliases only within a small expansion budget (no alias bombs)."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from immiplan.errors import InputError
from immiplan.system.parameters import MAX_YAML_NODES, data_root, parse_yaml

REPO = Path(__file__).resolve().parents[1]


def bomb(levels: int, width: int = 9) -> str:
    """A "billion laughs" document: ``width ** levels`` strings from a few hundred bytes."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    text = bomb(30)  # 9**30 ≈ 4e28 nodes: only a refusal before expansion can return at all
    assert len(text) < 3000
    with pytest.raises(InputError, match="aliases expand to more than") as info:
        parse_yaml(text, "bomb.yaml")
    assert info.value.source == "bomb.yaml"


def test_the_budget_is_the_documented_one() -> None:
    # 9**5 = 59,049 leaves plus the lists: within 200,000; 9**6 = 531,441: beyond.
    assert MAX_YAML_NODES == 200_000
    assert parse_yaml(bomb(5), "ok.yaml")["l4"][0][0][0][0] == ["lol"] * 9
    with pytest.raises(InputError):
        parse_yaml(bomb(6), "six.yaml")


def test_ordinary_aliases_still_work() -> None:
    text = "a: &ref {publisher: p, document: d, date: 2019}\nb: {reference: *ref}\n"
    assert parse_yaml(text, "t.yaml") == {
        "a": {"publisher": "p", "document": "d", "date": 2019},
        "b": {"reference": {"publisher": "p", "document": "d", "date": 2019}},
    }


def test_deep_nesting_is_one_input_error() -> None:
    with pytest.raises(InputError):
        parse_yaml("[" * 5000 + "]" * 5000, "deep.yaml")


def test_every_shipped_file_loads_as_pyyaml_reads_it() -> None:
    for path in Path(str(data_root())).rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert parse_yaml(text, path) == yaml.safe_load(text), path


@pytest.mark.parametrize(
    "command", [["plan", "show"], ["plan", "validate"], ["project"], ["select", "rounds"]]
)
def test_the_cli_refuses_a_bomb_in_one_line(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(30), encoding="utf-8")
    args = [*command, str(path)]
    done = subprocess.run(
        [sys.executable, "-m", "immiplan", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin", "COLUMNS": "300"},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and "aliases" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.yaml"]
