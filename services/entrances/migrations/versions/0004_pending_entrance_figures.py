"""The monitor's count of pending entrances and the age of the oldest overdue one, across tenants.

Revision ID: 0004
Revises: 0003

Like the sweep's due_entrances, one SECURITY DEFINER function (the schema owner's, runnable by the
service role only) reads through the owner's PENDING-only policy and returns two numbers, no rows."""

from alembic import context, op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    app_role = context.config.attributes.get("app_role", "momentum_entrances")
    op.execute(
        """
        CREATE FUNCTION entrances.pending_entrance_figures(as_of timestamptz)
        RETURNS TABLE (pending bigint, oldest_overdue_seconds double precision)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        AS $$
            SELECT count(*),
                   coalesce(extract(epoch FROM as_of - min(e.finalize_after) FILTER (WHERE e.finalize_after < as_of)), 0)
            FROM entrances.entrances AS e
            WHERE e.status = 'PENDING'
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION entrances.pending_entrance_figures(timestamptz) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION entrances.pending_entrance_figures(timestamptz) TO {app_role}")


def downgrade() -> None:
    op.execute("DROP FUNCTION entrances.pending_entrance_figures(timestamptz)")
