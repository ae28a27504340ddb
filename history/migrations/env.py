"""Alembic environment: always run programmatically by `history.store` with an open connection."""

from __future__ import annotations

from alembic import context

from history.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # offline/CLI use is not supported: the store migrates on open
    raise RuntimeError("run migrations through history.HistoryStore.open(url)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs batch mode
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
