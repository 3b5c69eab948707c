"""A prescribed exercise may say how long each rep is held (a wall sit, a plank): seconds, absent when not held.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE plans.plan_exercises ADD COLUMN hold_seconds integer CHECK (hold_seconds BETWEEN 1 AND 600)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE plans.plan_exercises DROP COLUMN hold_seconds")
