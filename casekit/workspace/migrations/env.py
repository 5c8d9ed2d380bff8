"""Alembic environment: runs on the connection casekit hands over (never from alembic.ini)."""

from alembic import context

from casekit.workspace._schema import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
