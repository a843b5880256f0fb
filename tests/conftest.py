"""Shared fixtures: paths, the shared validation data, and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# The suite draws the same examples on every run, so CI passes or fails on the code, not on
# the draw. `python -m pytest --hypothesis-profile=explore` draws fresh ones to hunt for bugs;
# a failure it finds prints its example, which then becomes a fixed test.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("repeatable")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IMMIPLAN_SHARED", REPO.parent / "shared"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``immiplan`` in-process and capture its exit status and output."""
    from immiplan.cli import main

    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def shared_isq() -> Path:
    """The ISQ validation folder in ../shared; skip with a reason where it is absent."""
    folder = SHARED / "validation" / "isq"
    if not (folder / "tx_isq.xlsx").is_file():
        pytest.skip(f"../shared/validation/isq not found at {folder}: validation data absent")
    return folder
