"""The outbox quarantines a row the relay can never publish, with its reason, so every other row
still goes out on time and pruning never stops.

Revision ID: 0002
Revises: 0001
"""

from services.common.schema_ddl import add_outbox_quarantine, drop_outbox_quarantine

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_quarantine("entrances")


def downgrade() -> None:
    drop_outbox_quarantine("entrances")
