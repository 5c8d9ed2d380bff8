"""Alembic migrations of the workspace (run by :func:`casekit.workspace._migrate.migrate`)."""
