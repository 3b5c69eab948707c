"""RTM billing: therapist time entries, billing records, the app-entrance projection, the tenant
directory the recalculation walks, and the indexes analytics and billing read through.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from services.common.schema_ddl import TENANT_POLICY, isolate_by_tenant

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("time_entries", "billing_records", "app_entrances")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE plans.time_entries (
            entry_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL REFERENCES plans.users (user_id),
            therapist_id uuid NOT NULL REFERENCES plans.users (user_id),
            minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
            activity_type text NOT NULL,
            interactive boolean NOT NULL,
            occurred_on date NOT NULL,
            note text,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX time_entries_patient_day ON plans.time_entries (patient_id, occurred_on)")
    # One row per 30-day window (data_days) or calendar month (management_time) of one patient.
    # codes: [{"code", "units"}]; evidence: [{"date", "recordIds"}] — every counted day and the
    # source records behind it, so a claim can be audited without recomputing it.
    op.execute(
        """
        CREATE TABLE plans.billing_records (
            record_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL REFERENCES plans.users (user_id),
            track text NOT NULL CHECK (track IN ('data_days', 'management_time')),
            period_start date NOT NULL,
            period_end date NOT NULL,
            codes jsonb NOT NULL,
            status text NOT NULL CHECK (status IN ('projected', 'ready', 'billed')),
            quantity integer NOT NULL CHECK (quantity >= 0),
            evidence jsonb NOT NULL,
            conflict text CHECK (conflict IN ('codes_changed', 'period_withdrawn')),
            billed_at timestamptz,
            billed_by uuid,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (patient_id, track, period_start),
            CHECK (period_end >= period_start),
            CHECK ((status = 'billed') = (billed_at IS NOT NULL))
        )
        """
    )
    op.execute("CREATE INDEX billing_records_open ON plans.billing_records (tenant_id, period_end) WHERE status = 'projected'")
    # Entrances live in the entrances service; plans keeps what it learnt from
    # entrances.entrance.finalized, because under the access-days policy an app entrance makes a data day.
    op.execute(
        """
        CREATE TABLE plans.app_entrances (
            entrance_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            local_date date NOT NULL,
            status text NOT NULL,
            mirror_workout_id uuid,
            finalized_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX app_entrances_patient_day ON plans.app_entrances (patient_id, local_date)")
    for table in TABLES:
        isolate_by_tenant("plans", table)

    # Billing sources and analytics read a patient's days and a plan's completed sessions.
    op.execute("CREATE INDEX exercise_sessions_patient_day ON plans.exercise_sessions (patient_id, local_date)")
    # tenant_id is included because row-level security checks it on every row: without it an
    # index-only scan turns into a heap fetch per completed session.
    op.execute(
        "CREATE INDEX workouts_plan_completed ON plans.workouts (plan_id, session_number) "
        "INCLUDE (local_date, pain_before, pain_after, duration_minutes, tenant_id) WHERE status = 'completed' AND source = 'real'"
    )
    op.execute(
        "CREATE INDEX workouts_tenant_day_completed ON plans.workouts (tenant_id, local_date) "
        "WHERE status = 'completed' AND source = 'real'"
    )
    op.execute("CREATE INDEX plan_exercises_exercise ON plans.plan_exercises (tenant_id, exercise_id)")
    op.execute("CREATE INDEX treatment_plans_tenant_status ON plans.treatment_plans (tenant_id, status)")

    # Row-level security hides plans.tenants from a service role with no tenant set, so the
    # recalculation of "everyone" needs a list of clinic ids. It holds ids only, is readable by
    # all, and a trigger keeps it complete: a clinic registers itself when it is created.
    op.execute(
        """
        CREATE TABLE plans.tenant_directory (
            tenant_id uuid PRIMARY KEY,
            registered_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # The owner is subject to forced RLS too: lift it for the one backfill statement.
    op.execute("ALTER TABLE plans.tenants NO FORCE ROW LEVEL SECURITY")
    op.execute("INSERT INTO plans.tenant_directory (tenant_id) SELECT tenant_id FROM plans.tenants")
    op.execute("ALTER TABLE plans.tenants FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE plans.tenant_directory ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE plans.tenant_directory FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_registers_itself ON plans.tenant_directory FOR INSERT WITH CHECK ({TENANT_POLICY})")
    op.execute("CREATE POLICY directory_is_readable ON plans.tenant_directory FOR SELECT USING (true)")
    op.execute(
        """
        CREATE FUNCTION plans.register_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO plans.tenant_directory (tenant_id) VALUES (NEW.tenant_id) ON CONFLICT DO NOTHING;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER tenants_register AFTER INSERT ON plans.tenants FOR EACH ROW EXECUTE FUNCTION plans.register_tenant()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER tenants_register ON plans.tenants")
    op.execute("DROP FUNCTION plans.register_tenant()")
    op.execute("DROP TABLE plans.tenant_directory")
    for index in ("treatment_plans_tenant_status", "plan_exercises_exercise", "workouts_tenant_day_completed", "workouts_plan_completed",
                  "exercise_sessions_patient_day"):
        op.execute(f"DROP INDEX plans.{index}")
    op.execute("DROP TABLE plans.app_entrances, plans.billing_records, plans.time_entries")
