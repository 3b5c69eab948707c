"""The outbox quarantines a row the relay can never publish, with its reason, so every other row
still goes out on time and pruning never stops.

Revision ID: 0005
Revises: 0004
"""

from services.common.schema_ddl import add_outbox_quarantine, drop_outbox_quarantine

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_quarantine("plans")


def downgrade() -> None:
    drop_outbox_quarantine("plans")
