"""An index of the clinic's completed real sessions by completion time, covering what the roster's first pass
reads, so a page sorted or filtered by a figure reads the clinic's last month as one index range (grouped by
patient) instead of probing each patient's history.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
# 0009 is another branch's; whichever merges second re-chains onto the other.
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # tenant_id leads (the range is one clinic's) and row-level security checks it on every row (see 0003).
    op.execute(
        "CREATE INDEX workouts_tenant_recent_completed ON plans.workouts (tenant_id, completed_at) "
        "INCLUDE (patient_id, plan_id, local_date, pain_after) WHERE status = 'completed' AND source = 'real'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX plans.workouts_tenant_recent_completed")
