"""Load run of the planner on loopback: mixed projections and cached reads (a benchmark).

    PYTHONPATH=src python tests/benchmarks/load_server.py --rate 200 --seconds 60

Starts ``immiplan serve`` on 127.0.0.1 (a fresh SQLite file), saves one scenario, warms
the cache, then sends requests at a fixed rate (open loop: each request leaves on schedule,
whatever the answers before it) for the given time. The mix: ``--fresh-share`` of the
requests are projections with outcomes the server has not seen (the economic level of 2022
differs each time, so each misses the cache), the rest are cached reads, half
``GET /api/saved/{id}/projection`` and half ``POST /api/project`` of a scenario already
projected. Prints and writes (``--out``) the achieved rate, the errors and p50/p95/p99 of
each kind, and, before the load, the latency of fresh projections one at a time.

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


async def load(base: str, rate: float, seconds: float, fresh_share: float, saved: str) -> dict:
    latencies: dict[str, list[float]] = {
        "fresh_projection": [],
        "cached_saved": [],
        "cached_post": [],
    }
    errors: list[str] = []
    cached_body = {"scenario": scenario(32950)}
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(kind: str, index: int) -> None:
            started = time.perf_counter()
            try:
                if kind == "fresh_projection":
                    body = {"scenario": scenario(40000 + index)}
                    response = await client.post("/api/project", json=body)
                elif kind == "cached_saved":
                    response = await client.get(f"/api/saved/{saved}/projection")
                else:
                    response = await client.post("/api/project", json=cached_body)
                if response.status_code != 200:
                    errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
                    return
                response.json()
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {type(exc).__name__} {exc}")
                return
            latencies[kind].append(time.perf_counter() - started)

        total = int(rate * seconds)
        every = max(1, round(1 / fresh_share)) if fresh_share > 0 else 0
        tasks = []
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
            tasks.append(asyncio.create_task(one(kind, i)))
        sent_for = time.perf_counter() - start
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {
        "requests": total,
        "sent_in_s": round(sent_for, 2),
        "done_in_s": round(elapsed, 2),
        "achieved_rate_per_s": round(total / sent_for, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        **{kind: percentiles(values) for kind, values in latencies.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fresh-share", type=float, default=0.02)
    parser.add_argument("--sequential", type=int, default=30, help="fresh projections, one by one")
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
            "load": asyncio.run(load(base, args.rate, args.seconds, args.fresh_share, saved)),
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
