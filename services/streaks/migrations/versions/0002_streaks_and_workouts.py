"""One streak row per patient, the projection of completed workouts it replays from, the audit log,
the tenant directory and the checkpoints of `momentum streaks recalculate`.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.common.schema_ddl import TENANT_POLICY, create_audit_log, isolate_by_tenant

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The StreakState of the domain as columns: each field is queried and checked on its own,
    # and a support engineer can read a row without decoding JSON.
    op.execute(
        """
        CREATE TABLE streaks.patient_streaks (
            tenant_id uuid NOT NULL,
            patient_id uuid PRIMARY KEY,
            current_daily_streak integer NOT NULL DEFAULT 0 CHECK (current_daily_streak >= 0),
            current_weekly_streak integer NOT NULL DEFAULT 0 CHECK (current_weekly_streak >= 0),
            last_workout_date timestamptz,
            weekly_minutes integer NOT NULL DEFAULT 0 CHECK (weekly_minutes >= 0),
            weekly_workout_days smallint[] NOT NULL DEFAULT '{}'
                CHECK (weekly_workout_days <@ ARRAY[0, 1, 2, 3, 4, 5, 6]::smallint[]),
            week_streak_active_since smallint CHECK (week_streak_active_since BETWEEN 0 AND 6),
            week_timezone text,
            -- The latest instant this state was evaluated at (a read, a replay or the workout applied).
            -- A workout completed before it cannot be applied incrementally: the state may already
            -- hold a break that workout would have prevented, so the consumer replays instead.
            evaluated_at timestamptz,
            version bigint NOT NULL DEFAULT 0,
            last_rebuilt_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX patient_streaks_tenant_patient ON streaks.patient_streaks (tenant_id, patient_id)")

    # The replay source: every completed workout streaks has seen, one row per workout id, with
    # the zone it was counted in and the local date that zone gives.
    op.execute(
        """
        CREATE TABLE streaks.completed_workouts (
            workout_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            plan_id text,
            completed_at timestamptz NOT NULL,
            minutes integer NOT NULL CHECK (minutes BETWEEN 0 AND 1440),
            timezone text NOT NULL,
            local_date date NOT NULL,
            source text NOT NULL CHECK (source IN ('real', 'inferred')),
            message_id text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX completed_workouts_patient_time ON streaks.completed_workouts (patient_id, completed_at) "
        "INCLUDE (minutes, timezone)"
    )
    op.execute("CREATE INDEX completed_workouts_tenant_patient ON streaks.completed_workouts (tenant_id, patient_id)")

    create_audit_log("streaks")

    for table in ("patient_streaks", "completed_workouts"):
        isolate_by_tenant("streaks", table)

    # Which tenants have streak data, for `recalculate` across tenants: every other table hides
    # all rows until a tenant is set, and no role here may bypass RLS. Writes stay isolated (a
    # tenant can register only itself, nobody can change or delete); reads are open because the
    # list holds nothing but tenant ids, which the service role also sees in its inbox headers.
    op.execute(
        """
        CREATE TABLE streaks.known_tenants (
            tenant_id uuid PRIMARY KEY,
            first_seen_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("ALTER TABLE streaks.known_tenants ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE streaks.known_tenants FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_registers_itself ON streaks.known_tenants FOR INSERT WITH CHECK ({TENANT_POLICY})")
    op.execute("CREATE POLICY directory_is_readable ON streaks.known_tenants FOR SELECT USING (true)")

    # Where an interrupted `recalculate` resumes: one row per kind of run (dry run or apply, one
    # tenant or all). Operational bookkeeping, no patient data.
    op.execute(
        """
        CREATE TABLE streaks.recalculate_checkpoints (
            run_key text PRIMARY KEY,
            after_tenant uuid,
            after_patient uuid,
            patients_seen integer NOT NULL DEFAULT 0,
            patients_differing integer NOT NULL DEFAULT 0,
            patients_written integer NOT NULL DEFAULT 0,
            started_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz
        )
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP TABLE streaks.recalculate_checkpoints, streaks.known_tenants, streaks.audit_log, "
        "streaks.completed_workouts, streaks.patient_streaks"
    )
