"""Patients as streaks knows them (zone learned from plans events), outbox and inbox.

Revision ID: 0001
Revises:
"""

from alembic import op

from services.common.schema_ddl import create_outbox_and_inbox, isolate_by_tenant

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE streaks.patients (
            tenant_id uuid NOT NULL,
            patient_id uuid PRIMARY KEY,
            timezone text,
            timezone_changes integer NOT NULL DEFAULT 0,
            timezone_changed_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    isolate_by_tenant("streaks", "patients")
    create_outbox_and_inbox("streaks")


def downgrade() -> None:
    op.execute("DROP TABLE streaks.inbox, streaks.outbox, streaks.patients")
