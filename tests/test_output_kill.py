"""Output that survives a kill: at every instant an output folder holds the complete previous
output or the complete new one, never a mix, never staging debris inside it; the debris a
killed run leaves beside it is cleared at the next start; the PNG helper dies with its parent.

Two levels: the swap itself, stopped (``os._exit``, as abrupt as ``kill -9``) at each of its
steps in a forked child; and ``immiplan run --out`` / ``immiplan project --out`` killed with
SIGKILL at many moments of a real run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from immiplan import output
from immiplan.output import MANIFEST, atomic_directory, recover_output

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def complete(folder: Path) -> bool:
    """Whether ``folder`` holds exactly the files its manifest lists, at their sizes."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return False
    listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    present = {k: len(v) for k, v in snapshot(folder).items() if k != MANIFEST}
    return present == listed


def debris(folder: Path) -> list[str]:
    """Staging or retired folders of ``folder`` beside it or inside it."""
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    inside = [p.name for p in folder.rglob(".*") if p.name != MANIFEST] if folder.is_dir() else []
    return beside + inside


def _write(folder: Path, version: str) -> None:
    for index in range(5):
        (folder / f"table{index}.csv").write_text(f"{version}\n" * (index + 1), encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "chart.svg").write_text(f"<svg>{version}</svg>", encoding="utf-8")


def _in_child(action: Callable[[], None]) -> int:
    """Run ``action`` in a forked child; return its exit status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            action()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


STEPS = ["staged", "exchange", "exchanged"]
PORTABLE_STEPS = ["staged", "exchange", "retired", "renamed"]


@pytest.mark.parametrize("portable", [False, True], ids=["exchange", "two-renames"])
def test_the_swap_stopped_at_each_step_leaves_a_complete_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, portable: bool
) -> None:
    if portable:  # the path taken where renameat2 is missing (not Linux, old kernels)
        monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    out = tmp_path / "out"
    with atomic_directory(out) as staging:
        _write(staging, "old")
    old = snapshot(out)
    for stop in PORTABLE_STEPS if portable else STEPS:

        def build(stop: str = stop) -> None:
            def halt(name: str) -> None:
                if name == stop:
                    os._exit(9)

            output._step = halt  # type: ignore[assignment]
            with atomic_directory(out) as staging:
                _write(staging, "new")

        assert _in_child(build) == 9, stop
        # The folder is missing only between the two renames of the portable swap.
        if out.exists():
            assert complete(out), stop
            assert snapshot(out) == old or "new" in snapshot(out)["table0.csv"].decode(), stop
            assert not [p for p in out.rglob(".*") if p.name != MANIFEST], stop
        else:
            assert portable and stop == "retired"
        recover_output(out)  # what the next start does
        assert complete(out), stop
        assert debris(out) == [], stop
        now = snapshot(out)
        assert {k for k in now if k != MANIFEST} == {k for k in old if k != MANIFEST}
        old = now


def test_an_output_folder_from_another_run_still_running_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    alive = tmp_path / f".out.immiplan-new-{os.getpid()}-x"
    alive.mkdir()
    dead = tmp_path / ".out.immiplan-new-999999999-x"
    dead.mkdir()
    recover_output(out)
    assert alive.is_dir() and not dead.exists()


# --------------------------------------------------------------------------- real commands


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(x) for x in path.read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except OSError:
        return False


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "immiplan", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _timed_run(args: list[str], cwd: Path) -> float:
    start = time.monotonic()
    assert _start(args, cwd).wait(timeout=300) == 0, args
    return time.monotonic() - start


COMMANDS = {
    "run": (
        ["run", "-s", "no-immigration,quebec-2019-plan", "--lang", "en", "--horizon"],
        ["2021", "2023"],
    ),
    "project": (["project", "no-immigration", "quebec-2019-plan", "--horizon"], ["2021", "2023"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_kill_9_at_many_moments_leaves_the_old_or_the_new_output(
    tmp_path: Path, command: str
) -> None:
    base, (first, second) = COMMANDS[command]
    out = tmp_path / "out"
    _timed_run([*base, first, "--out", str(out)], tmp_path)
    assert complete(out)
    versions = [snapshot(out)]
    # The new output's file set, from a full run elsewhere (same command, same files).
    reference = tmp_path / "reference"
    seconds = _timed_run([*base, second, "--out", str(reference)], tmp_path)
    new_names = set(snapshot(reference))
    kills = 0
    # Early moments too: on a loaded machine a run can take far less than the reference did.
    for fraction in (0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 0.75, 0.85, 0.92, 1.0):
        process = _start([*base, second, "--out", str(out)], tmp_path)
        deadline = time.monotonic() + fraction * seconds
        helpers: set[int] = set()
        while time.monotonic() < deadline and process.poll() is None:
            helpers.update(_children(process.pid))
            time.sleep(0.02)
        if process.poll() is None:
            helpers.update(_children(process.pid))
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=300)
        # At this instant: the complete previous output or the complete new one.
        assert out.is_dir(), fraction
        assert complete(out), fraction
        now = snapshot(out)
        assert now in versions or set(now) == new_names, fraction
        assert not [p for p in out.rglob(".*") if p.name != MANIFEST], fraction
        # Helper processes (the PNG exporter) die with their parent.
        for _ in range(100):
            if not any(_alive(pid) for pid in helpers):
                break
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in helpers), fraction
        versions.append(now)
    assert kills >= 4
    # The next start clears what the killed runs left beside the folder.
    _timed_run([*base, first, "--out", str(out)], tmp_path)
    assert complete(out)
    assert debris(out) == []
