"""The ``immiplan`` console script, and ``python -m immiplan``: the same command.

This module imports nothing heavy, so that the collector's setting below applies to the
command's imports too; :mod:`immiplan.cli` holds the commands.
"""

from __future__ import annotations

import gc
import sys

GC_YOUNG_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation in a command (Python's
default is 700). A command allocates in bursts (its imports, then its tables) that mostly
live until it ends: at 700, ``immiplan run`` collected about 400 times, 0.13–0.26 s of its
3 s, while its peak memory is the same at 50,000 (docs/benchmarks.md)."""


def entry_point() -> None:  # pragma: no cover - thin wrapper for the console script
    """Run the command line and exit with its status (2 for a user's mistake)."""
    gc.set_threshold(GC_YOUNG_THRESHOLD)
    from immiplan.cli import main

    status = main()
    # The command is done, and what is still alive (the libraries it imported, its results)
    # lives until exit: out of the collector's reach, the interpreter's last collections
    # at exit do not walk it all (a quarter of a second of `immiplan run`).
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    entry_point()
