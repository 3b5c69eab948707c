"""Each scheduled session keeps the hold it prescribes (a wall sit, a plank), as it keeps its sets and reps.

Revision ID: 0016
Revises: 0015

The patient's Today and every workout history showed "2 × 1" for a 45-second wall sit: the hold lived on the
plan only. Open sessions take it from their plan; a session already done keeps none, because the plan may have
changed since and what it prescribed then is not known."""

from alembic import op

from services.common.schema_ddl import owner_reads_every_tenant

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BACKFILL_TABLES = ("exercise_logs", "workouts", "plan_exercises")


def upgrade() -> None:
    op.execute(
        "ALTER TABLE plans.exercise_logs ADD COLUMN prescribed_hold_seconds integer "
        "CHECK (prescribed_hold_seconds BETWEEN 1 AND 600)"
    )
    with owner_reads_every_tenant("plans", BACKFILL_TABLES):
        op.execute(
            "UPDATE plans.exercise_logs l SET prescribed_hold_seconds = pe.hold_seconds "
            "FROM plans.workouts w JOIN plans.plan_exercises pe ON pe.plan_id = w.plan_id "
            "WHERE w.workout_id = l.workout_id AND w.status = 'scheduled' AND pe.position = l.position "
            "AND pe.exercise_id = l.exercise_id AND pe.hold_seconds IS NOT NULL"
        )


def downgrade() -> None:
    op.execute("ALTER TABLE plans.exercise_logs DROP COLUMN prescribed_hold_seconds")
