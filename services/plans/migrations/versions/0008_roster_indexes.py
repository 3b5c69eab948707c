"""Indexes the roster reads through: a patient's completed real sessions newest first, and a plan's real
sessions, each covering what the roster reads so every per-patient probe is an index-only scan.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # tenant_id is included because row-level security checks it on every row (see 0003).
    op.execute(
        "CREATE INDEX workouts_patient_real_completed ON plans.workouts (patient_id, completed_at DESC) "
        "INCLUDE (plan_id, local_date, pain_after, tenant_id) WHERE status = 'completed' AND source = 'real'"
    )
    op.execute("CREATE INDEX workouts_plan_real ON plans.workouts (plan_id) INCLUDE (status, tenant_id) WHERE source = 'real'")


def downgrade() -> None:
    op.execute("DROP INDEX plans.workouts_plan_real")
    op.execute("DROP INDEX plans.workouts_patient_real_completed")
