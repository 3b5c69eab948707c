"""Exercise sessions, their leases, consent states, media events and monthly-partitioned media metrics, audit log.

Revision ID: 0001
Revises:
"""

from alembic import op

from services.common.schema_ddl import TENANT_POLICY, create_audit_log, create_outbox_and_inbox, isolate_by_tenant, mark_platform_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PARTITIONED = ("media_events", "media_session_metrics", "media_buffering_events")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE telemetry.exercise_sessions (
            session_id text PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            workout_id text NOT NULL,
            exercise_id text NOT NULL DEFAULT '',
            status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finalized')),
            opened_at timestamptz NOT NULL,
            -- The replay stream in flight: parts already in S3 survive a crash of this service.
            upload_id text,
            parts_uploaded integer NOT NULL DEFAULT 0,
            frames_uploaded integer NOT NULL DEFAULT 0,
            incomplete boolean,
            end_reason text CHECK (end_reason IN ('ended', 'silence', 'recovered', 'shutdown')),
            ended_at timestamptz,
            frame_count integer,
            replay_key text,
            pose_summary jsonb,
            CHECK (status = 'open' OR (ended_at IS NOT NULL AND incomplete IS NOT NULL AND frame_count IS NOT NULL))
        )
        """
    )
    op.execute("CREATE INDEX exercise_sessions_patient ON telemetry.exercise_sessions (tenant_id, patient_id, opened_at)")

    # Platform table like the outbox: ids only, read across clinics by whichever instance
    # recovers the sessions of a crashed one. Renewed in one statement per instance, not per batch.
    op.execute(
        """
        CREATE TABLE telemetry.session_leases (
            session_id text PRIMARY KEY,
            tenant_id uuid NOT NULL,
            instance text NOT NULL,
            incarnation text NOT NULL,
            renewed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX session_leases_incarnation ON telemetry.session_leases (incarnation)")
    op.execute("CREATE INDEX session_leases_renewed ON telemetry.session_leases (renewed_at)")
    mark_platform_table(
        "telemetry", "session_leases", "which instance holds which live session; read across tenants to recover a crashed instance"
    )

    # The consent projection: the last word per (patient, purpose), so a restart keeps withdrawals.
    op.execute(
        """
        CREATE TABLE telemetry.consent_states (
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL,
            purpose text NOT NULL,
            granted boolean NOT NULL,
            changed_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, patient_id, purpose)
        )
        """
    )

    # Monthly partitions keyed on the server's clock (when telemetry first heard of the playback),
    # never on the client's: a wrong phone clock cannot aim a row at a month that has no partition.
    # All rows of one playback share that key, so they live and expire together.
    op.execute(
        """
        CREATE TABLE telemetry.media_events (
            tenant_id uuid NOT NULL,
            media_session_id uuid NOT NULL,
            session_started_at timestamptz NOT NULL,
            event_id uuid NOT NULL,
            arrival bigserial,
            session_id text NOT NULL,
            event_type text NOT NULL,
            occurred_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            event jsonb NOT NULL,
            PRIMARY KEY (event_id, session_started_at)
        ) PARTITION BY RANGE (session_started_at)
        """
    )
    op.execute("CREATE INDEX media_events_playback ON telemetry.media_events (media_session_id, arrival)")
    op.execute(
        """
        CREATE TABLE telemetry.media_session_metrics (
            tenant_id uuid NOT NULL,
            media_session_id uuid NOT NULL,
            session_started_at timestamptz NOT NULL,
            session_id text NOT NULL,
            patient_id uuid NOT NULL,
            first_event_at timestamptz NOT NULL,
            last_event_at timestamptz NOT NULL,
            video_duration_seconds double precision,
            startup_ms integer,
            watched_seconds double precision NOT NULL,
            completion_percentage double precision NOT NULL,
            milestones_reached integer[] NOT NULL,
            rebuffer_count integer NOT NULL,
            rebuffer_seconds double precision NOT NULL,
            rebuffer_percentage double precision NOT NULL,
            rebuffers_per_minute double precision NOT NULL,
            quality_seconds jsonb NOT NULL,
            quality_up_switches integer NOT NULL,
            quality_down_switches integer NOT NULL,
            dropped_frames bigint NOT NULL,
            total_frames bigint NOT NULL,
            dropped_frame_ratio double precision NOT NULL,
            exit_before_video_start boolean NOT NULL,
            ended boolean NOT NULL,
            end_reason text,
            events_received integer NOT NULL,
            duplicate_events integer NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (media_session_id, session_started_at)
        ) PARTITION BY RANGE (session_started_at)
        """
    )
    op.execute("CREATE INDEX media_session_metrics_session ON telemetry.media_session_metrics (session_id)")
    op.execute(
        """
        CREATE TABLE telemetry.media_buffering_events (
            tenant_id uuid NOT NULL,
            media_session_id uuid NOT NULL,
            session_started_at timestamptz NOT NULL,
            stall_number integer NOT NULL,
            session_id text NOT NULL,
            started_at timestamptz NOT NULL,
            ended_at timestamptz NOT NULL,
            duration_ms integer NOT NULL,
            position_seconds double precision NOT NULL,
            closed_by text NOT NULL CHECK (closed_by IN ('buffering_end', 'session_end', 'last_event')),
            PRIMARY KEY (media_session_id, stall_number, session_started_at)
        ) PARTITION BY RANGE (session_started_at)
        """
    )

    create_audit_log("telemetry")

    for table in ("exercise_sessions", "consent_states", *PARTITIONED):
        isolate_by_tenant("telemetry", table)
    create_outbox_and_inbox("telemetry")
    _create_partition_maintenance()
    op.execute("SELECT telemetry.maintain_month_partitions(3, 24)")


def _create_partition_maintenance() -> None:
    # SECURITY DEFINER: the service role may not run DDL, but it must keep partitions ahead of
    # time from its maintenance loop. The function does exactly that and nothing else.
    policy = TENANT_POLICY.replace("'", "''")
    op.execute(
        f"""
        CREATE FUNCTION telemetry.maintain_month_partitions(months_ahead integer, keep_months integer)
        RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$
        DECLARE
            parent text;
            month date;
            partition text;
            changed integer := 0;
            old record;
            this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
        BEGIN
            IF months_ahead < 0 OR months_ahead > 24 OR keep_months < 1 THEN
                RAISE EXCEPTION 'months_ahead must be 0..24 and keep_months at least 1';
            END IF;
            FOREACH parent IN ARRAY ARRAY{list(PARTITIONED)!r}::text[] LOOP
                FOR step IN -1..months_ahead LOOP
                    month := (this_month + make_interval(months => step))::date;
                    partition := format('%s_y%sm%s', parent, to_char(month, 'YYYY'), to_char(month, 'MM'));
                    IF to_regclass(format('telemetry.%I', partition)) IS NULL THEN
                        EXECUTE format(
                            'CREATE TABLE telemetry.%I PARTITION OF telemetry.%I FOR VALUES FROM (%L) TO (%L)',
                            partition, parent,
                            to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
                            to_char((month + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00'
                        );
                        -- A partition read directly must be as isolated as its parent.
                        EXECUTE format('ALTER TABLE telemetry.%I ENABLE ROW LEVEL SECURITY', partition);
                        EXECUTE format('ALTER TABLE telemetry.%I FORCE ROW LEVEL SECURITY', partition);
                        EXECUTE format(
                            'CREATE POLICY tenant_isolation ON telemetry.%I USING ({policy}) WITH CHECK ({policy})',
                            partition
                        );
                        EXECUTE format(
                            'GRANT SELECT, INSERT, UPDATE, DELETE ON telemetry.%I TO momentum_telemetry', partition
                        );
                        changed := changed + 1;
                    END IF;
                END LOOP;
                -- Retention drops whole months (media metrics are kept two years).
                FOR old IN
                    SELECT child.relname
                    FROM pg_inherits i
                    JOIN pg_class child ON child.oid = i.inhrelid
                    JOIN pg_class base ON base.oid = i.inhparent
                    JOIN pg_namespace ns ON ns.oid = base.relnamespace
                    WHERE ns.nspname = 'telemetry' AND base.relname = parent
                LOOP
                    IF substring(old.relname FROM '_y([0-9]{{4}})m[0-9]{{2}}$') IS NOT NULL
                       AND to_date(substring(old.relname FROM '_y([0-9]{{4}}m[0-9]{{2}})$'), 'YYYY"m"MM')
                           < (this_month - make_interval(months => keep_months))::date
                    THEN
                        EXECUTE format('DROP TABLE telemetry.%I', old.relname);
                        changed := changed + 1;
                    END IF;
                END LOOP;
            END LOOP;
            RETURN changed;
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION telemetry.maintain_month_partitions(integer, integer) FROM PUBLIC")
    op.execute(
        "GRANT EXECUTE ON FUNCTION telemetry.maintain_month_partitions(integer, integer) TO momentum_telemetry"
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION telemetry.maintain_month_partitions(integer, integer)")
    op.execute(
        "DROP TABLE telemetry.inbox, telemetry.outbox, telemetry.audit_log, telemetry.media_buffering_events, "
        "telemetry.media_session_metrics, telemetry.media_events, telemetry.consent_states, "
        "telemetry.session_leases, telemetry.exercise_sessions"
    )
