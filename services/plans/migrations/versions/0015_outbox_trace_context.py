"""The outbox row carries the W3C trace context (traceparent, tracestate) of the transaction that wrote it.

Revision ID: 0015
Revises: 0014
"""

from services.common.schema_ddl import add_outbox_trace_context, drop_outbox_trace_context

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context("plans")


def downgrade() -> None:
    drop_outbox_trace_context("plans")
