"""Median time of one deterministic engine run, for A/B comparisons between two trees.

    python tests/benchmarks/engine_runs.py [SCENARIO] [--runs N]

Prints the scenario, the state's shape and the median and minimum of ``N`` runs of
:func:`immiplan.projection.engine.project` (after 20 warm-up runs). Compare two trees by
running it alternately under each one's ``PYTHONPATH`` (``git worktree add /tmp/old REV``,
then ``PYTHONPATH=/tmp/old/src python tests/benchmarks/engine_runs.py``) and take the ratio
pair by pair: the machine's speed drifts between runs. It only imports what every tree since
2026-11-24 has (``load_scenario``, ``prepare``, ``project``).
"""

from __future__ import annotations

import argparse
import statistics
import time

from immiplan.projection.engine import project
from immiplan.projection.scenario import load_scenario, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="quebec-2019-plan")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    inputs = prepare(load_scenario(args.scenario)).inputs
    for _ in range(20):
        project(inputs)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        project(inputs)
        times.append(time.perf_counter() - start)
    print(
        f"{args.scenario} {tuple(inputs.population.shape)}: median "
        f"{1000 * statistics.median(times):.3f} ms, min {1000 * min(times):.3f} ms "
        f"({args.runs} runs)"
    )


if __name__ == "__main__":
    main()
