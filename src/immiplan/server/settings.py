"""The planner server's settings: where it stores scenarios, who may write, how much work.

Read from the command line (:mod:`immiplan.cli.serve`) and the environment
(``IMMIPLAN_DATABASE_URL``, ``IMMIPLAN_TOKEN``); nothing is read at import time.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from immiplan.errors import InputError

__all__ = ["DATABASE_ENV", "TOKEN_ENV", "Settings", "default_database_url", "normalise_url"]

DATABASE_ENV = "IMMIPLAN_DATABASE_URL"
TOKEN_ENV = "IMMIPLAN_TOKEN"


def default_database_url() -> str:
    """An SQLite file in the user's data folder (``platformdirs``)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("immiplan", appauthor=False))
    return f"sqlite:///{folder / 'planner.sqlite3'}"


def normalise_url(url: str) -> str:
    """A database URL SQLAlchemy can open with the installed drivers.

    ``postgresql://`` and ``postgres://`` use psycopg 3 (``postgresql+psycopg://``); a bare
    path is an SQLite file.
    """
    text = url.strip()
    if not text:
        raise InputError("the database URL is empty", field="--database")
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    if text.startswith(("sqlite:", "postgresql+")):
        return text
    if "://" in text:
        raise InputError(
            "unknown database: give sqlite:///FILE or postgresql://USER@HOST/DB",
            field="--database",
            value=text.split("://", 1)[0] + "://…",
        )
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """How the planner serves.

    Attributes
    ----------
    database_url:
        SQLAlchemy URL (SQLite file by default, PostgreSQL for teams).
    token:
        The write token (``IMMIPLAN_TOKEN``); ``None`` when writes are open.
    allow_anonymous_writes:
        Serve beyond loopback without a token (writes open to anyone who can reach it).
    max_body_bytes:
        Largest request body accepted (413 above).
    max_steps:
        Most years a projection may run (horizon − base year).
    max_number:
        Largest absolute number a scenario may hold (a level, a stock, a population).
    cache_size:
        Projections kept in memory, keyed by the scenario's SHA-256 and the version.
    max_concurrent_projections:
        Projections computed at once (others wait their turn).
    workers:
        Worker processes that compute projections (0: in the server's threads). The
        command line uses 2, so that cached answers never wait behind a projection.
    cors_origins:
        Origins allowed to call the API from another site; none by default (closed).
    """

    database_url: str = field(default_factory=default_database_url)
    token: str | None = None
    allow_anonymous_writes: bool = False
    max_body_bytes: int = 256 * 1024
    max_steps: int = 100
    max_number: float = 1e9
    cache_size: int = 512
    max_concurrent_projections: int = 2
    workers: int = 0
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_environment(
        cls,
        *,
        database: str | None = None,
        allow_anonymous_writes: bool = False,
        workers: int = 2,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from the command line's options and the environment."""
        env = os.environ if environ is None else environ
        url = database or env.get(DATABASE_ENV) or default_database_url()
        token = env.get(TOKEN_ENV) or None
        return cls(
            database_url=normalise_url(url),
            token=token,
            allow_anonymous_writes=allow_anonymous_writes,
            workers=workers,
            max_concurrent_projections=max(1, workers),
        )

    @property
    def writes_need_token(self) -> bool:
        """Whether save and delete ask for the token."""
        return self.token is not None

    def check_host(self, host: str) -> None:
        """Refuse to listen beyond loopback with open writes (unless asked to)."""
        if self.token is None and not self.allow_anonymous_writes and not is_loopback(host):
            raise InputError(
                f"without {TOKEN_ENV} the planner listens on 127.0.0.1 only: set {TOKEN_ENV} "
                "or pass --allow-anonymous-writes",
                field="--host",
                value=host,
            )
