"""App entrances with their transitions, daily activity rows, the XP ledger, completed workouts as
learned from plans, the audit log, the sweep's due-entrance function, outbox and inbox.

Revision ID: 0001
Revises:
"""

from alembic import context, op

from services.common.schema_ddl import create_audit_log, create_outbox_and_inbox, isolate_by_tenant

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = (
    "'PENDING', 'CANCELED_BY_REAL_WORKOUT', 'SKIPPED_FEATURE_DISABLED', "
    "'SKIPPED_NO_SOURCE_WORKOUT', 'FINALIZED_TO_INFERRED_WORKOUT'"
)


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE entrances.entrances (
            entrance_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            local_date date NOT NULL,
            timezone text NOT NULL,
            status text NOT NULL CHECK (status IN ({STATUSES})),
            first_seen_at timestamptz NOT NULL,
            last_seen_at timestamptz NOT NULL,
            finalize_after timestamptz NOT NULL,
            finalized_at timestamptz,
            mirror_workout_id text,
            source_workout_id text,
            entries_count integer NOT NULL DEFAULT 1 CHECK (entries_count >= 1),
            status_reason text,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT entrances_one_per_patient_day UNIQUE (patient_id, local_date),
            CONSTRAINT entrances_terminal_has_time CHECK ((status = 'PENDING') = (finalized_at IS NULL)),
            CONSTRAINT entrances_finalized_has_mirror
                CHECK (status <> 'FINALIZED_TO_INFERRED_WORKOUT' OR mirror_workout_id IS NOT NULL)
        )
        """
    )
    # The sweep's scan: only PENDING rows, oldest deadline first.
    op.execute("CREATE INDEX entrances_pending_due ON entrances.entrances (finalize_after) WHERE status = 'PENDING'")
    op.execute(
        f"""
        CREATE TABLE entrances.entrance_transitions (
            transition_id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL,
            entrance_id uuid NOT NULL REFERENCES entrances.entrances (entrance_id) ON DELETE CASCADE,
            from_status text CHECK (from_status IN ({STATUSES})),
            to_status text NOT NULL CHECK (to_status IN ({STATUSES})),
            at timestamptz NOT NULL,
            reason text NOT NULL,
            request_id text
        )
        """
    )
    op.execute("CREATE INDEX entrance_transitions_entrance ON entrances.entrance_transitions (entrance_id, at)")
    op.execute(
        """
        CREATE TABLE entrances.daily_activity (
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            local_date date NOT NULL,
            timezone text NOT NULL,
            first_app_opened_at timestamptz,
            last_app_opened_at timestamptz,
            last_app_closed_at timestamptz,
            app_opens_count integer NOT NULL DEFAULT 0 CHECK (app_opens_count >= 0),
            app_closes_count integer NOT NULL DEFAULT 0 CHECK (app_closes_count >= 0),
            workouts_completed integer NOT NULL DEFAULT 0,
            exercises_completed integer NOT NULL DEFAULT 0,
            xp_earned integer NOT NULL DEFAULT 0 CHECK (xp_earned >= 0),
            is_streak_day boolean NOT NULL DEFAULT false,
            daily_xp_goal integer NOT NULL DEFAULT 0,
            daily_exercises_goal integer NOT NULL DEFAULT 0,
            met_goal boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (patient_id, local_date)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE entrances.xp_ledger (
            award_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            idempotency_key text NOT NULL,
            amount integer NOT NULL,
            reason text NOT NULL,
            source text NOT NULL,
            awarded_at timestamptz NOT NULL,
            local_date date NOT NULL,
            awarded_by uuid,
            awarded_by_role text,
            created_at timestamptz NOT NULL DEFAULT now(),
            -- insert-or-nothing: a repeated award (retry, redelivery, race) can never write twice
            CONSTRAINT xp_ledger_idempotency_key UNIQUE (tenant_id, idempotency_key)
        )
        """
    )
    op.execute("CREATE INDEX xp_ledger_patient_time ON entrances.xp_ledger (patient_id, awarded_at)")
    op.execute(
        """
        CREATE TABLE entrances.completed_workouts (
            workout_id text PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            completed_at timestamptz NOT NULL,
            local_date date NOT NULL,
            timezone text NOT NULL,
            exercises_completed integer NOT NULL DEFAULT 0,
            minutes integer NOT NULL DEFAULT 0,
            source text NOT NULL CHECK (source IN ('real', 'inferred')),
            entrance_id text,
            received_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX completed_workouts_patient_time ON entrances.completed_workouts (patient_id, completed_at)")
    create_audit_log("entrances")
    for table in ("entrances", "entrance_transitions", "daily_activity", "xp_ledger", "completed_workouts"):
        isolate_by_tenant("entrances", table)
    create_outbox_and_inbox("entrances")
    _create_sweep_function()


def _create_sweep_function() -> None:
    """The repair sweep must find due entrances of every tenant, but the service role only ever sees
    the tenant of its transaction. Rather than a second, unprotected index table written on the hot
    path, one SECURITY DEFINER function (owned by the schema owner, runnable by the service role
    only) returns just (tenant_id, entrance_id) of PENDING rows past a deadline; the finalizer then
    opens a normal tenant-scoped transaction per entrance. RLS is forced for the owner too, so the
    owner gets one extra, read-only policy limited to PENDING rows; the service role gets none."""
    app_role = context.config.attributes.get("app_role", "momentum_entrances")
    op.execute(
        "CREATE POLICY sweep_reads_pending ON entrances.entrances FOR SELECT TO CURRENT_USER "
        "USING (status = 'PENDING')"
    )
    op.execute(
        """
        CREATE FUNCTION entrances.due_entrances(due_before timestamptz, max_rows integer)
        RETURNS TABLE (tenant_id uuid, entrance_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        AS $$
            SELECT e.tenant_id, e.entrance_id
            FROM entrances.entrances AS e
            WHERE e.status = 'PENDING' AND e.finalize_after < due_before
            ORDER BY e.finalize_after
            LIMIT least(greatest(max_rows, 1), 5000)
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION entrances.due_entrances(timestamptz, integer) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION entrances.due_entrances(timestamptz, integer) TO {app_role}")


def downgrade() -> None:
    op.execute("DROP FUNCTION entrances.due_entrances(timestamptz, integer)")
    op.execute(
        "DROP TABLE entrances.inbox, entrances.outbox, entrances.audit_log, entrances.completed_workouts, "
        "entrances.xp_ledger, entrances.daily_activity, entrances.entrance_transitions, entrances.entrances"
    )
