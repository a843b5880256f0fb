"""Dask execution: the same chunks on a local or remote ``dask.distributed`` cluster.

``--workers N`` starts a :class:`~dask.distributed.LocalCluster` of ``N`` single-threaded
worker processes; ``--scheduler tcp://host:port`` (or ``DASK_SCHEDULER_ADDRESS``) connects
to a running scheduler — dask-jobqueue, Kubernetes or a cloud provider's Dask — with the same
code. The scenario's inputs are scattered once to every worker and each chunk is a task
(``Client.map``); results come back in trajectory order, so they equal the in-process run
for the same seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError

FloatArray = NDArray[np.float64]

__all__ = ["SCHEDULER_ENV", "dask_client", "map_chunks"]

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
"""Environment variable naming a running scheduler (used when ``--scheduler`` is not given)."""

WORKER_ENVIRON: dict[str, object] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 1 << 30,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 1 << 26,
}
"""glibc settings of the local workers. Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536``,
which switches off glibc's adaptive mmap threshold: every array above 128 kB is then a fresh
mapping whose pages fault in on first touch, and a chunk ran 1.5-2.3 times slower in a worker
than in process. Serving arrays up to 64 MB from the heap, kept, removes that (ratio ≈ 1.0).
Workers of a remote cluster should be started with the same two variables."""


@contextmanager
def dask_client(
    workers: int | None = None, scheduler: str | None = None, *, timeout: float = 10.0
) -> Iterator[Any]:
    """A Dask client for ``scheduler`` (or ``$DASK_SCHEDULER_ADDRESS``), or a local
    cluster of ``workers`` processes; ``None`` when neither is asked for (run in process).

    An unreachable scheduler is one :class:`InputError` naming it.
    """
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address is None and not workers:
        yield None
        return
    if workers is not None and int(workers) < 1:
        raise InputError("the number of workers must be at least 1", field="workers", value=workers)
    from dask.distributed import Client, LocalCluster

    if address is not None:
        field = "scheduler" if scheduler else SCHEDULER_ENV
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler ({type(exc).__name__})",
                field=field,
                value=address,
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    with dask.config.set(WORKER_ENVIRON):
        cluster = LocalCluster(
            n_workers=int(workers or 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def map_chunks(
    client: Any,
    base: Any,
    model: Any,
    seed: int,
    ranges: Sequence[tuple[int, int]],
    progress: Callable[[int], None] | None = None,
) -> list[FloatArray]:
    """Run :func:`~immiplan.ensembles.run.run_chunk` for every range on ``client``."""
    from dask.distributed import as_completed

    from immiplan.ensembles.run import run_chunk

    # A fresh key per call (hash=False): scattered again under its content hash, the same
    # inputs could be forgotten by the scheduler as the previous call's future is released,
    # and the chunks then fail with "lost dependencies" (dask/distributed#8576).
    shared_base = client.scatter(base, broadcast=True, hash=False)
    futures = [
        client.submit(run_chunk, shared_base, model, seed, start, stop, pure=False)
        for start, stop in ranges
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    parts: list[FloatArray | None] = [None] * len(futures)
    for future in as_completed(futures):
        parts[index[future.key]] = future.result()
        if progress is not None:
            start, stop = ranges[index[future.key]]
            progress(stop - start)
    return [p for p in parts if p is not None]
