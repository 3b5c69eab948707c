"""A plan's ended_on: the patient's local date it stopped being active (completed, expired or cancelled),
so the RTM service period ends on the day care ended rather than on the planned last day.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE plans.treatment_plans ADD COLUMN ended_on date")
    # Plans that already ended before this column existed: the best evidence of when is the last change.
    op.execute(
        "UPDATE plans.treatment_plans SET ended_on = least(start_date + 7 * duration_weeks - 1, updated_at::date) "
        "WHERE status <> 'active'"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE plans.treatment_plans DROP COLUMN ended_on")
