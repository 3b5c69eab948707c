"""Spent browser credentials: one-time sign-in links redeemed and browser sessions signed out, kept where every
gateway sees them, so a link works once whichever gateway opens it and a sign-out ends the session on all of them.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from services.common.schema_ddl import mark_platform_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No tenant_id: a session id or a link's jti is a random secret, and every gateway must read every clinic's
    # sign-outs in one query. Rows go once they would have expired anyway (expires_at).
    op.execute(
        """
        CREATE TABLE plans.browser_credentials_spent (
            kind text NOT NULL CHECK (kind IN ('signin_link', 'session')),
            credential_id text NOT NULL,
            expires_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (kind, credential_id)
        )
        """
    )
    op.execute("CREATE INDEX browser_credentials_spent_recent ON plans.browser_credentials_spent (kind, recorded_at)")
    op.execute("CREATE INDEX browser_credentials_spent_expiry ON plans.browser_credentials_spent (expires_at)")
    mark_platform_table("plans", "browser_credentials_spent", "browser sign-in bookkeeping of every gateway, no clinic data")


def downgrade() -> None:
    op.execute("DROP TABLE plans.browser_credentials_spent")
