"""The outbox row carries the W3C trace context (traceparent, tracestate) of the transaction that wrote it.

Revision ID: 0014
Revises: 0013
"""

from services.common.schema_ddl import add_outbox_trace_context, drop_outbox_trace_context

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context("plans")


def downgrade() -> None:
    drop_outbox_trace_context("plans")
