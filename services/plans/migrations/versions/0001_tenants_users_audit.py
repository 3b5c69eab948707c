"""Tenants, users with their timezone, the audit log, outbox and inbox.

Revision ID: 0001
Revises:
"""

from alembic import op

from services.common.schema_ddl import create_audit_log, create_outbox_and_inbox, isolate_by_tenant

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE plans.tenants (
            tenant_id uuid PRIMARY KEY,
            name text NOT NULL,
            default_timezone text NOT NULL DEFAULT 'UTC',
            feature_flags jsonb NOT NULL DEFAULT '{}'::jsonb,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.users (
            user_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES plans.tenants (tenant_id),
            role text NOT NULL CHECK (role IN ('patient', 'therapist', 'admin')),
            display_name text NOT NULL,
            email text,
            timezone text,
            timezone_updated_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX users_tenant_role ON plans.users (tenant_id, role)")
    create_audit_log("plans")
    for table in ("tenants", "users"):
        isolate_by_tenant("plans", table)
    create_outbox_and_inbox("plans")


def downgrade() -> None:
    op.execute("DROP TABLE plans.inbox, plans.outbox, plans.audit_log, plans.users, plans.tenants")
