"""Clinics and users carry an active flag: the gateway admits a token only for an active user of an
active clinic (ResolveIdentity), so removing someone is one update, effective within the gateway's cache TTL.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE plans.tenants ADD COLUMN active boolean NOT NULL DEFAULT true")
    op.execute("ALTER TABLE plans.users ADD COLUMN active boolean NOT NULL DEFAULT true")


def downgrade() -> None:
    op.execute("ALTER TABLE plans.users DROP COLUMN active")
    op.execute("ALTER TABLE plans.tenants DROP COLUMN active")
