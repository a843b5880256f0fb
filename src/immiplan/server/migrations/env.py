"""Alembic environment: the connection is handed over by :func:`immiplan.server.storage.upgrade`."""

from __future__ import annotations

from alembic import context

from immiplan.server.storage import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
