"""Access control: the ``users`` and ``assignments`` tables (sign-in, roles, caseloads).

Created only when missing: a workspace made by this casekit's 0001 already has them
(0001 creates every table of :mod:`casekit.workspace._schema`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from alembic import op

from casekit.workspace._schema import ASSIGNMENTS, USERS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    USERS.create(bind, checkfirst=True)
    ASSIGNMENTS.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    ASSIGNMENTS.drop(bind, checkfirst=True)
    USERS.drop(bind, checkfirst=True)
