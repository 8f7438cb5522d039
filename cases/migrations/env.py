"""alembic's environment: runs on the connection (and transaction) cases.migrate hands it."""

from __future__ import annotations

from alembic import context

from cases.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
