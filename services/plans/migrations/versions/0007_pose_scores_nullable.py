"""No measurement is null, not 0.0: a session without a detected rep has no form or accuracy score (and a
rep seen by no secondary joint no deviation), and an exercise log names the session its score comes from.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE plans.pose_session_metrics ALTER COLUMN average_form_score DROP NOT NULL, "
        "ALTER COLUMN pose_accuracy_score DROP NOT NULL"
    )
    op.execute("ALTER TABLE plans.pose_rep_metrics ALTER COLUMN max_deviation_degrees DROP NOT NULL")
    op.execute(
        "ALTER TABLE plans.exercise_logs ADD COLUMN pose_accuracy_session_id uuid "
        "REFERENCES plans.exercise_sessions (session_id)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE plans.exercise_logs DROP COLUMN pose_accuracy_session_id")
