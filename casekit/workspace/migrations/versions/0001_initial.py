"""The workspace's first schema: the contract's sheets, quarantine, audit log, metadata.

The tables come from :mod:`casekit.workspace._schema`, itself generated from
``casekit/contract.py``: a new workspace gets the contract of its casekit version.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from alembic import op

from casekit.workspace._schema import METADATA

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    METADATA.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    METADATA.drop_all(op.get_bind())
