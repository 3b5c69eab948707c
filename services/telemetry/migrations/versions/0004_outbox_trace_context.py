"""The outbox row carries the W3C trace context (traceparent, tracestate) of the transaction that wrote it.

Revision ID: 0004
Revises: 0003
"""

from services.common.schema_ddl import add_outbox_trace_context, drop_outbox_trace_context

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context("telemetry")


def downgrade() -> None:
    drop_outbox_trace_context("telemetry")
