"""Load run of the planner on loopback: mixed projections and cached reads (a benchmark).

    PYTHONPATH=src python tests/benchmarks/load_server.py --rate 200 --seconds 60

Starts ``immiplan serve`` on 127.0.0.1 (a fresh SQLite file), saves one scenario, warms
the cache, then sends requests at a fixed rate (open loop: each request leaves on schedule,
whatever the answers before it) for the given time. The mix: ``--fresh-share`` of the
requests are projections with outcomes the server has not seen (the economic level of 2022
differs each time, so each misses the cache), the rest are cached reads, half
``GET /api/saved/{id}/projection`` and half ``POST /api/project`` of a scenario already
projected. Prints and writes (``--out``) the achieved rate, the errors and p50/p95/p99 of
each kind (from the request leaving; ``client_queue_wait`` is how late it left its
schedule), and, before the load, fresh projections and cached reads one at a time.

Not a test (nothing here fails on time); it is not collected by pytest (its name does not
start with ``test_``). Results and the command: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scenario(economic: float) -> dict:
    """The CAQ plan's scenario with 2022's economic level set (a new hash per level)."""
    import yaml

    from immiplan.system.parameters import data_root

    text = (data_root() / "scenarios" / "quebec-2019-plan.yaml").read_text(encoding="utf-8")
    raw = json.loads(json.dumps(yaml.safe_load(text), default=str))
    raw["immigration"]["levels"] = {
        "2022": {"economic": economic, "family": 10400, "refugees": 7200, "other": 450}
    }
    return raw


def percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    ms = np.asarray(values) * 1000
    return {
        "count": len(values),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


class Connection:
    """One keep-alive HTTP/1.1 connection (raw asyncio streams: a light client, so the
    client's own work does not limit the rate on a small machine)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        content = await self.reader.readexactly(length)
        return status, content


async def load(
    base: str, rate: float, seconds: float, fresh_share: float, saved: str, connections: int
) -> dict:
    latencies: dict[str, list[float]] = {
        "fresh_projection": [],
        "cached_saved": [],
        "cached_post": [],
    }
    waits: list[float] = []
    errors: list[str] = []
    # bodies made before the clock starts: the client only sends bytes
    cached_body = json.dumps({"scenario": scenario(32950)}).encode()
    total = int(rate * seconds)
    every = max(1, round(1 / fresh_share)) if fresh_share > 0 else 0
    template = scenario(0)
    fresh_bodies: dict[int, bytes] = {}
    for i in range(0, total, every or total + 1):
        template["immigration"]["levels"]["2022"]["economic"] = 40000 + i
        fresh_bodies[i] = json.dumps({"scenario": template}).encode()
    host, port = base.removeprefix("http://").split(":")
    queue: asyncio.Queue[tuple[str, int, float] | None] = asyncio.Queue()

    async def worker() -> None:
        connection = Connection(host, int(port))
        while True:
            item = await queue.get()
            if item is None:
                return
            kind, index, due = item
            started = time.perf_counter()
            waits.append(started - due)
            try:
                if kind == "fresh_projection":
                    status, content = await connection.request(
                        "POST", "/api/project", fresh_bodies[index]
                    )
                elif kind == "cached_saved":
                    status, content = await connection.request(
                        "GET", f"/api/saved/{saved}/projection"
                    )
                else:
                    status, content = await connection.request("POST", "/api/project", cached_body)
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                errors.append(f"{kind}: {type(exc).__name__} {exc}")
                connection = Connection(host, int(port))
                continue
            if status != 200 or not content.startswith(b"{"):
                errors.append(f"{kind}: {status} {content[:200]!r}")
                continue
            latencies[kind].append(time.perf_counter() - started)

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if every and i % every == 0:
            kind = "fresh_projection"
        else:
            kind = "cached_saved" if i % 2 else "cached_post"
        queue.put_nowait((kind, i, due))
    sent_for = time.perf_counter() - start
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    return {
        "requests": total,
        "scheduled_in_s": round(sent_for, 2),
        "done_in_s": round(elapsed, 2),
        "achieved_rate_per_s": round(total / elapsed, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "client_queue_wait": percentiles(waits),
        **{kind: percentiles(values) for kind, values in latencies.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fresh-share", type=float, default=0.02)
    parser.add_argument("--sequential", type=int, default=30, help="fresh projections, one by one")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="immiplan serve --workers")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="immiplan-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("IMMIPLAN_TOKEN", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "immiplan",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--database",
            f"sqlite:///{folder / 'planner.sqlite3'}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=120) as client:
            saved = client.post("/api/saved", json={"scenario": scenario(32950)}).json()["id"]
            client.get(f"/api/saved/{saved}/projection").raise_for_status()  # warm-up
            client.post("/api/project", json={"scenario": scenario(32950)}).raise_for_status()
            one_by_one = []
            for i in range(args.sequential):
                started = time.perf_counter()
                client.post(
                    "/api/project", json={"scenario": scenario(90000 + i)}
                ).raise_for_status()
                one_by_one.append(time.perf_counter() - started)
            cached = []
            for _ in range(200):
                started = time.perf_counter()
                client.get(f"/api/saved/{saved}/projection").raise_for_status()
                cached.append(time.perf_counter() - started)
        result = {
            "machine": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()},
            "sequential_fresh_projection": percentiles(one_by_one),
            "sequential_cached_read": percentiles(cached),
            "load": asyncio.run(
                load(base, args.rate, args.seconds, args.fresh_share, saved, args.connections)
            ),
            "load_average_after": os.getloadavg(),
            "settings": vars(args) | {"out": str(args.out) if args.out else None},
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
