"""Projections computed in worker processes, so that cached answers never wait for them.

A projection holds Python's lock for much of its time; in the server's own process it would
delay every cached answer behind it. :class:`Projector` runs :func:`compute` in a pool of
worker processes (``spawn``: no state shared with the server's threads), or in the calling
thread when ``workers`` is 0 (tests, small tools). A worker returns the projection's JSON
bytes and its dictionary, or the parts of an :class:`~immiplan.errors.InputError`, which the
server raises again as one 4xx.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from immiplan.errors import InputError

__all__ = ["Projector", "compute"]

log = logging.getLogger("immiplan.server")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def compute(
    text: str, source: str, horizon: int | None, max_steps: int, max_number: float
) -> tuple[str, Any]:
    """Read and project one scenario: ``("ok", result)`` or ``("error", parts)``."""
    from immiplan.server import models as m
    from immiplan.server.results import projection_json
    from immiplan.server.scenarios import read_scenario

    try:
        loaded = read_scenario(
            text, source=source, max_steps=max_steps, max_number=max_number, horizon=horizon
        )
        result = projection_json(loaded, horizon)
        result["_json"] = _dumps(m.Projection.model_validate(result).model_dump(mode="json"))
        return "ok", result
    except InputError as exc:
        return "error", (exc.message, exc.source, exc.field, exc.value, exc.has_value)
    except (ArithmeticError, ValueError) as exc:
        log.exception("projection failed", exc_info=exc)
        message = "this scenario cannot be projected (the numbers leave the model's range)"
        return "error", (message, source, None, None, False)


def _watch_parent(parent: int) -> None:
    """Leave when the server is gone (even killed with ``kill -9``): never an orphan."""
    import os
    import threading
    import time

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(1.0)

    threading.Thread(target=watch, name="immiplan-parent-watch", daemon=True).start()


def _warm() -> bool:
    """Import and calibrate once (the first projection's fixed cost) in a new worker."""
    from immiplan.server.scenarios import shipped_text

    compute(shipped_text("no-immigration"), "warm-up", 2020, 100, 1e9)
    return True


class Projector:
    """Runs :func:`compute` in ``workers`` processes (0: in the calling thread)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            import os

            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
            self._warming: list[Future[bool]] = [self._pool.submit(_warm) for _ in range(workers)]

    def project(
        self, text: str, source: str, horizon: int | None, max_steps: int, max_number: float
    ) -> dict[str, Any]:
        """The projection's dictionary (with its JSON bytes under ``"_json"``)."""
        if self._pool is None:
            status, value = compute(text, source, horizon, max_steps, max_number)
        else:
            status, value = self._pool.submit(
                compute, text, source, horizon, max_steps, max_number
            ).result()
        if status == "error":
            message, where, field, bad, has_value = value
            raise InputError(message, source=where, field=field, value=bad, has_value=has_value)
        result: dict[str, Any] = value
        return result

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
