"""``immiplan serve``: the web planner (FastAPI on uvicorn) and its JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from immiplan.output import console


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Beyond 127.0.0.1 the server needs IMMIPLAN_TOKEN "
            "(or --allow-anonymous-writes).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Where saved scenarios live: sqlite:///FILE or postgresql://USER@HOST/DB "
            "(default: IMMIPLAN_DATABASE_URL, else an SQLite file in the user's data folder).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            max=64,
            help="Processes that compute projections (0: in the server's own threads).",
        ),
    ] = 2,
    allow_anonymous_writes: Annotated[
        bool,
        typer.Option(
            "--allow-anonymous-writes",
            help="Listen beyond 127.0.0.1 without a token: anyone who reaches the server "
            "may save and delete.",
        ),
    ] = False,
) -> None:
    """Start the web planner: build a plan in the browser and see what it does.

    Prints the address; the API's documentation is at /docs. Writes (save, delete) need
    the token in IMMIPLAN_TOKEN when it is set (Authorization: Bearer TOKEN).
    """
    import uvicorn

    from immiplan.server import Settings, create_app
    from immiplan.server.storage import open_store

    settings = Settings.from_environment(
        database=database, allow_anonymous_writes=allow_anonymous_writes, workers=workers
    )
    settings.check_host(host)
    store = open_store(settings.database_url)
    app = create_app(settings, store)
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    from sqlalchemy.engine import make_url

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    writes = "need the token (IMMIPLAN_TOKEN)" if settings.token else "open (no token)"
    console.print(f"immiplan planner at {address}  (API docs: {address}docs)", highlight=False)
    console.print(f"saved scenarios in {where}; writes {writes}. Ctrl+C stops.", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the root command."""
    app.command("serve")(serve_command)
