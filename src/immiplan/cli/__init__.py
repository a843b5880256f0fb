"""The ``immiplan`` command line: a thin layer over the Python API.

A user's mistake raises :class:`immiplan.errors.InputError`; :func:`main` prints its
message on one line and exits with status 2, never with a traceback.
"""

from __future__ import annotations

import gc
import sys

import typer

from immiplan.errors import InputError
from immiplan.output import err_console

app = typer.Typer(
    name="immiplan",
    help="Plan immigration levels and see what a plan does.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from immiplan.cli import plan, project, run, select, serve

    app.add_typer(plan.app, name="plan")
    from immiplan.cli import solve  # the inverse planner: immiplan plan solve

    solve.register(plan.app)
    app.add_typer(select.app, name="select")
    project.register(app)
    run.register(app)
    from immiplan.cli import ensemble

    ensemble.register(app)
    serve.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for a user's mistake)."""
    try:
        status = app(args=argv, prog_name="immiplan", standalone_mode=False)
    except InputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except Exception as exc:
        # Click's usage errors (an unknown option, a missing argument). Typer ≥ 0.29 vendors
        # Click, older releases depend on it; both error classes have ``show`` and ``exit_code``.
        show = getattr(exc, "show", None)
        if callable(show) and hasattr(exc, "exit_code"):
            show()
            return 2
        raise
    return status if isinstance(status, int) else 0


GC_YOUNG_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation in a command (Python's
default is 700). A command allocates in bursts (its imports, then its tables) that mostly
live until it ends: at 700, ``immiplan run`` collected about 400 times, 0.13–0.26 s of its
3 s, while its peak memory is the same at 50,000 (docs/benchmarks.md)."""


def entry_point() -> None:  # pragma: no cover - thin wrapper for the console script
    gc.set_threshold(GC_YOUNG_THRESHOLD)
    status = main()
    # The command is done, and what is still alive (the libraries it imported, its results)
    # lives until exit: out of the collector's reach, the interpreter's last collections
    # at exit do not walk it all (a quarter of a second of `immiplan run`).
    gc.freeze()
    sys.exit(status)
