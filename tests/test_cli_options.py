"""Command options: one checked ``--out`` for every command, option errors that name the
option, and the run of scenarios that all switch the French outcome off."""

from __future__ import annotations

from pathlib import Path

import pytest

from badinput import assert_refused, run_cli
from immiplan.output import MANIFEST
from immiplan.system.parameters import data_root

COMMANDS = {
    "run": ["run", "-s", "no-immigration", "--horizon", "2020", "--no-images"],
    "project": ["project", "no-immigration", "--horizon", "2020"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("", "an empty path"),
        ("/", "the root folder"),
        (".", "the current folder"),
        ("a-file", "not a folder"),
        ("a-file/below", "cannot create the output folder"),
        ("someone-elses", "did not write"),
    ],
)
def test_a_bad_out_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, out: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("keep", encoding="utf-8")
    (tmp_path / "someone-elses").mkdir()
    (tmp_path / "someone-elses" / "thesis.tex").write_text("keep", encoding="utf-8")
    result = run_cli([*COMMANDS[command], "--out", out])
    line = assert_refused(result, field="--out")
    assert message in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "someone-elses"]
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep"
    assert [p.name for p in (tmp_path / "someone-elses").iterdir()] == ["thesis.tex"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_folder_is_replaced_whole(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    assert run_cli([*COMMANDS[command], "--out", str(out)]).code == 0
    (out / "stale.csv").write_text("from an older run", encoding="utf-8")
    assert run_cli([*COMMANDS[command], "--out", str(out)]).code == 0
    assert not (out / "stale.csv").exists() and (out / MANIFEST).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging debris


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["project", "no-immigration", "--horizon", "-1"], "--horizon"),
        (["project", "no-immigration", "--horizon", "2010"], "--horizon"),
        (["run", "-s", "no-immigration", "--horizon", "2010"], "--horizon"),
        (["run", "-s", "no-immigration", "--horizon", "99999"], "--horizon"),
        (["select", "pool", "p.csv", "--start", "abc"], "--start"),
        (["select", "pool", "p.csv", "--end", "2017-01-01"], "--end"),
        (["select", "pool", "p.csv", "--seed", "-1"], "--seed"),
        (["select", "pool", "p.csv", "--size", "10000000000"], "--size"),
        (["select", "score", "p.csv", "--grid", "crs@0000"], "--grid"),
    ],
)
def test_option_errors_name_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli([*args, "--out", str(tmp_path / "out")] if args[0] == "run" else args)
    assert_refused(result, field=option, value=args[-1], folder=tmp_path, expected_files=[])


def test_run_where_no_scenario_computes_french(tmp_path: Path) -> None:
    """``outcomes: {french: false}`` in every scenario once ended in KeyError
    'french_share_all': the summary and the report leave the French share out."""
    text = (data_root() / "scenarios" / "no-immigration.yaml").read_text(encoding="utf-8")
    files = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            text.replace("name: no-immigration", f"name: scenario-{name}")
            + "\noutcomes: {french: false}\n",
            encoding="utf-8",
        )
        files.append(str(path))
    out = tmp_path / "report"
    for fmt in ("table", "json"):
        args = ["run", "-s", ",".join(files), "--horizon", "2025", "--no-images"]
        result = run_cli([*args, "--out", str(out), "--format", fmt, "--lang", "en"])
        assert result.code == 0, result.err
        assert "french_share_all" not in result.out
        assert "French" not in result.out.split("Differences")[0]
    assert (out / "report.html").is_file()
