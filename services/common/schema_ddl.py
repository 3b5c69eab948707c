"""DDL every service's migrations share: tenant isolation policies, the outbox and the inbox."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from alembic import op

TENANT_POLICY = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
# Tables that carry tenant_id but are not tenant data say so in their comment; the RLS check in the
# test suite exempts exactly those, so an exemption is always a reviewed, visible decision.
PLATFORM_PREFIX = "platform:"


def mark_platform_table(schema: str, table: str, why: str) -> None:
    op.execute(f"COMMENT ON TABLE {schema}.{table} IS '{PLATFORM_PREFIX} {why}'")


def isolate_by_tenant(schema: str, table: str) -> None:
    """Row-level security, forced even for the owner; an unset tenant sees and writes nothing."""
    op.execute(f"ALTER TABLE {schema}.{table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {schema}.{table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {schema}.{table} USING ({TENANT_POLICY}) WITH CHECK ({TENANT_POLICY})"
    )


@contextmanager
def owner_reads_every_tenant(schema: str, tables: Iterable[str]) -> Iterator[None]:
    """For a backfill across tenants: forced row security binds the owner too, so it is lifted on `tables` for
    the statements inside, and forced again after them."""
    chosen = tuple(tables)
    for table in chosen:
        op.execute(f"ALTER TABLE {schema}.{table} NO FORCE ROW LEVEL SECURITY")
    yield
    for table in chosen:
        op.execute(f"ALTER TABLE {schema}.{table} FORCE ROW LEVEL SECURITY")


def create_outbox_and_inbox(schema: str) -> None:
    # Platform tables, not tenant data: only the relay and the consumers' dedup read them,
    # and both must see every tenant. They carry tenant_id for the message headers only.
    op.execute(
        f"""
        CREATE TABLE {schema}.outbox (
            id bigserial PRIMARY KEY,
            message_id text NOT NULL UNIQUE,
            routing_key text NOT NULL,
            tenant_id uuid NOT NULL,
            message_type text NOT NULL,
            body bytea NOT NULL,
            request_id text,
            occurred_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            attempts integer NOT NULL DEFAULT 0
        )
        """
    )
    op.execute(f"CREATE INDEX outbox_unpublished ON {schema}.outbox (id) WHERE published_at IS NULL")
    mark_platform_table(schema, "outbox", "events waiting for the relay, which publishes for every tenant")
    op.execute(
        f"""
        CREATE TABLE {schema}.inbox (
            consumer text NOT NULL,
            message_id text NOT NULL,
            routing_key text NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, message_id)
        )
        """
    )
    mark_platform_table(schema, "inbox", "message ids already handled, for de-duplication across tenants")


def add_outbox_quarantine(schema: str) -> None:
    """A row the relay can never publish is set aside with its reason instead of failing every batch."""
    op.execute(f"ALTER TABLE {schema}.outbox ADD COLUMN quarantined_at timestamptz, ADD COLUMN quarantine_reason text")
    op.execute(f"DROP INDEX {schema}.outbox_unpublished")
    op.execute(
        f"CREATE INDEX outbox_unpublished ON {schema}.outbox (id) WHERE published_at IS NULL AND quarantined_at IS NULL"
    )
    op.execute(f"CREATE INDEX outbox_quarantined ON {schema}.outbox (id) WHERE quarantined_at IS NOT NULL")


def drop_outbox_quarantine(schema: str) -> None:
    op.execute(f"DROP INDEX {schema}.outbox_quarantined")
    op.execute(f"DROP INDEX {schema}.outbox_unpublished")
    op.execute(f"ALTER TABLE {schema}.outbox DROP COLUMN quarantined_at, DROP COLUMN quarantine_reason")
    op.execute(f"CREATE INDEX outbox_unpublished ON {schema}.outbox (id) WHERE published_at IS NULL")


def add_outbox_trace_context(schema: str) -> None:
    """The W3C trace context of the transaction that wrote a row, which the relay continues when it publishes.
    Nullable and without a default: adding them rewrites nothing, and a row written with tracing off has none."""
    op.execute(f"ALTER TABLE {schema}.outbox ADD COLUMN traceparent text, ADD COLUMN tracestate text")


def drop_outbox_trace_context(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.outbox DROP COLUMN traceparent, DROP COLUMN tracestate")


def create_audit_log(schema: str) -> None:
    """Who did what to which record, when, under which request: one per service schema, tenant-isolated."""
    op.execute(
        f"""
        CREATE TABLE {schema}.audit_log (
            audit_id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL,
            actor_user_id uuid NOT NULL,
            actor_role text NOT NULL,
            action text NOT NULL,
            entity_type text NOT NULL,
            entity_id text NOT NULL,
            request_id text,
            details jsonb NOT NULL DEFAULT '{{}}'::jsonb,
            occurred_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(f"CREATE INDEX audit_log_tenant_time ON {schema}.audit_log (tenant_id, occurred_at)")
    isolate_by_tenant(schema, "audit_log")
