"""Durability: kill -9 the server right after it answered 201; after a restart the saved
scenario is there, byte for byte (SQLite in WAL mode, and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from immiplan.system.parameters import data_root

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _start(database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("IMMIPLAN_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "immiplan", "serve", "--port", str(port), "--database", database],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text(errors='replace')[-800:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not start in 90 s")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_201_survives_kill_9(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if backend == "sqlite":
        database = f"sqlite:///{tmp_path / 'planner.sqlite3'}"
    else:
        database = request.getfixturevalue("postgres").create_database("durability")
    port = free_port()
    text = (data_root() / "scenarios" / "pq-proposal.yaml").read_text(encoding="utf-8")
    log = tmp_path / "server.log"
    server = _start(database, port, log)
    try:
        saved = []
        for i in range(3):
            response = httpx.post(
                f"http://127.0.0.1:{port}/api/saved",
                json={"scenario": text + f"# copy {i}\n"},
                timeout=60,
            )
            assert response.status_code == 201, response.text
            saved.append(response.json())
        os.kill(server.pid, signal.SIGKILL)  # right after the last 201
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == -signal.SIGKILL
    again = _start(database, port, log)
    try:
        for i, item in enumerate(saved):
            got = httpx.get(f"http://127.0.0.1:{port}/api/saved/{item['id']}", timeout=30)
            assert got.status_code == 200
            body = got.json()
            assert body["yaml"] == text + f"# copy {i}\n"
            assert body["sha256"] == item["sha256"]
            assert body["created_at"] == item["created_at"]
    finally:
        again.terminate()
        again.wait(timeout=30)
