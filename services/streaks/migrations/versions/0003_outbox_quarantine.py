"""The outbox quarantines a row the relay can never publish, with its reason, so every other row
still goes out on time and pruning never stops; the recalculation checkpoints are declared platform
data (they hold tenant and patient ids only as a cursor over every tenant).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from services.common.schema_ddl import add_outbox_quarantine, drop_outbox_quarantine, mark_platform_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_quarantine("streaks")
    mark_platform_table(
        "streaks",
        "recalculate_checkpoints",
        "the resumable cursor of momentum streaks recalculate, which walks every tenant; it holds ids as a position only",
    )


def downgrade() -> None:
    op.execute("COMMENT ON TABLE streaks.recalculate_checkpoints IS NULL")
    drop_outbox_quarantine("streaks")
