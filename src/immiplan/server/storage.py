"""Saved scenarios: SQLAlchemy over SQLite (WAL) or PostgreSQL, schema by Alembic.

A saved scenario is its validated YAML text with its SHA-256, the immiplan version that
validated it and the time (UTC). :meth:`Store.save` returns only after the transaction has
committed, so an answered 201 is never lost (SQLite runs with ``synchronous=FULL``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from immiplan.errors import InputError

__all__ = ["ID_ALPHABET", "SavedScenario", "Store", "open_store", "saved_scenarios", "upgrade"]

metadata = sa.MetaData()
saved_scenarios = sa.Table(
    "saved_scenarios",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("immiplan_version", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
"""The table (its migrations are in ``immiplan/server/migrations``)."""

ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
"""Short ids: lower-case letters and digits without look-alikes (0/o, 1/l/i)."""
ID_LENGTH = 8


def new_id() -> str:
    """A random short id (31⁸ ≈ 8.5 × 10¹¹ possibilities)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def valid_id(text: str) -> bool:
    """Whether ``text`` has the form of a short id."""
    return len(text) == ID_LENGTH and all(c in ID_ALPHABET for c in text)


@dataclass(frozen=True)
class SavedScenario:
    """One saved scenario."""

    id: str
    name: str
    yaml: str
    sha256: str
    immiplan_version: str
    created_at: dt.datetime


def _migrations() -> Path:
    return Path(__file__).with_name("migrations")


def upgrade(engine: Engine) -> None:
    """Bring the database's schema to the latest migration (Alembic ``upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_migrations()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; an SQLite file's folder is created, in WAL mode."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise InputError(
                "an in-memory SQLite database would lose every saved scenario; give a file",
                field="--database",
                value=url,
            )
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Store:
    """Saved scenarios in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def save(self, name: str, yaml_text: str, sha256: str, version: str) -> SavedScenario:
        """Store a validated scenario under a new short id; committed when it returns."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for _ in range(8):
            record = SavedScenario(new_id(), name[:200], yaml_text, sha256, version, now)
            try:
                with self.engine.begin() as connection:
                    connection.execute(saved_scenarios.insert().values(**record.__dict__))
            except sa.exc.IntegrityError:
                continue  # the id was taken: draw another
            return record
        raise RuntimeError("could not draw a free id")  # pragma: no cover - 31⁸ ids

    def get(self, scenario_id: str) -> SavedScenario | None:
        """The saved scenario ``scenario_id``, or ``None``."""
        if not valid_id(scenario_id):
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                saved_scenarios.select().where(saved_scenarios.c.id == scenario_id)
            ).first()
        return _record(row) if row is not None else None

    def list(self, limit: int = 100, offset: int = 0) -> list[SavedScenario]:
        """Saved scenarios, newest first."""
        query = (
            saved_scenarios.select()
            .order_by(saved_scenarios.c.created_at.desc(), saved_scenarios.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def delete(self, scenario_id: str) -> bool:
        """Delete ``scenario_id``; whether it existed."""
        if not valid_id(scenario_id):
            return False
        with self.engine.begin() as connection:
            result = connection.execute(
                saved_scenarios.delete().where(saved_scenarios.c.id == scenario_id)
            )
        return bool(result.rowcount)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


def _record(row: Any) -> SavedScenario:
    created = row.created_at
    if created.tzinfo is None:  # SQLite keeps no zone: stored as UTC
        created = created.replace(tzinfo=dt.UTC)
    return SavedScenario(row.id, row.name, row.yaml, row.sha256, row.immiplan_version, created)


def open_store(url: str) -> Store:
    """Open (and migrate) the database at ``url``.

    Raises
    ------
    InputError
        When the database cannot be reached or migrated (the URL's password hidden).
    """
    engine = make_engine(url)
    try:
        upgrade(engine)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise InputError(
            f"cannot open the database: {reason}", field="--database", value=shown
        ) from None
    return Store(engine)
