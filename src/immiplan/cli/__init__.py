"""The ``immiplan`` command line: a thin layer over the Python API.

A user's mistake raises :class:`immiplan.errors.InputError`; :func:`main` prints its
message on one line and exits with status 2, never with a traceback.
"""

from __future__ import annotations

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
