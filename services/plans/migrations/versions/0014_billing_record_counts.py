"""The monitor's count of billing records by status across clinics, and of projected ones long past their period.

Revision ID: 0014
Revises: 0013

One SECURITY DEFINER function (the schema owner's, runnable by the service role only) returns counts,
never rows. RLS is forced for the owner too, so the owner gets one extra read-only policy on
billing_records; the service role gets none and still sees only its tenant's rows."""

from alembic import context, op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    app_role = context.config.attributes.get("app_role", "momentum_plans")
    op.execute("CREATE POLICY monitor_counts ON plans.billing_records FOR SELECT TO CURRENT_USER USING (true)")
    # A window or month closes at the patient's midnight and the closer runs hourly: a projected record
    # whose period ended before yesterday (UTC) is one the closer missed, whatever the patient's zone.
    op.execute(
        """
        CREATE FUNCTION plans.billing_record_counts(today date)
        RETURNS TABLE (status text, records bigint, unclosed bigint)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        AS $$
            SELECT r.status, count(*), count(*) FILTER (WHERE r.status = 'projected' AND r.period_end < today - 1)
            FROM plans.billing_records AS r
            GROUP BY r.status
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION plans.billing_record_counts(date) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION plans.billing_record_counts(date) TO {app_role}")


def downgrade() -> None:
    op.execute("DROP FUNCTION plans.billing_record_counts(date)")
    op.execute("DROP POLICY monitor_counts ON plans.billing_records")
