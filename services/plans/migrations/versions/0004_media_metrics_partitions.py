"""plans.media_session_metrics partitioned by month, and the owner-run function that creates
months ahead and drops the ones past retention (media metrics are kept two years; clinical tables
are never touched by it).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from services.common.schema_ddl import TENANT_POLICY, isolate_by_tenant

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    "session_id, media_session_id, tenant_id, watched_seconds, completion_percentage, rebuffer_count, "
    "rebuffer_percentage, startup_ms, exit_before_video_start, recorded_at"
)


def upgrade() -> None:
    op.execute("ALTER TABLE plans.media_session_metrics RENAME TO media_session_metrics_unpartitioned")
    op.execute("ALTER TABLE plans.media_session_metrics_unpartitioned RENAME CONSTRAINT media_session_metrics_pkey "
               "TO media_session_metrics_unpartitioned_pkey")
    # The partition key must be part of the primary key; a playback is still one row because the
    # consumer's inbox makes each finalization event count once.
    op.execute(
        """
        CREATE TABLE plans.media_session_metrics (
            session_id uuid NOT NULL REFERENCES plans.exercise_sessions (session_id),
            media_session_id text NOT NULL,
            tenant_id uuid NOT NULL,
            watched_seconds double precision NOT NULL,
            completion_percentage double precision NOT NULL,
            rebuffer_count integer NOT NULL,
            rebuffer_percentage double precision NOT NULL,
            startup_ms double precision NOT NULL,
            exit_before_video_start boolean NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (session_id, media_session_id, recorded_at)
        ) PARTITION BY RANGE (recorded_at)
        """
    )
    isolate_by_tenant("plans", "media_session_metrics")
    policy = TENANT_POLICY.replace("'", "''")  # it sits inside a quoted literal of the function body
    op.execute(
        f"""
        CREATE FUNCTION plans.maintain_media_partitions(months_ahead integer, keep_months integer, oldest date DEFAULT NULL)
        RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$
        DECLARE
            this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
            first_month date := least(coalesce(date_trunc('month', oldest)::date, this_month), this_month)
                                - interval '1 month';
            month date;
            partition text;
            changed integer := 0;
            old record;
        BEGIN
            IF months_ahead < 0 OR months_ahead > 24 OR keep_months < 24 THEN
                RAISE EXCEPTION 'months_ahead must be 0..24 and keep_months at least 24 (two years of media metrics)';
            END IF;
            month := first_month;
            WHILE month <= (this_month + make_interval(months => months_ahead))::date LOOP
                partition := format('media_session_metrics_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
                IF month >= (this_month - make_interval(months => keep_months))::date
                   AND to_regclass(format('plans.%I', partition)) IS NULL THEN
                    EXECUTE format(
                        'CREATE TABLE plans.%I PARTITION OF plans.media_session_metrics FOR VALUES FROM (%L) TO (%L)',
                        partition, to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
                        to_char((month + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00'
                    );
                    -- A partition read directly must be as isolated as its parent.
                    EXECUTE format('ALTER TABLE plans.%I ENABLE ROW LEVEL SECURITY', partition);
                    EXECUTE format('ALTER TABLE plans.%I FORCE ROW LEVEL SECURITY', partition);
                    EXECUTE format('CREATE POLICY tenant_isolation ON plans.%I USING ({policy}) '
                                   'WITH CHECK ({policy})', partition);
                    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON plans.%I TO momentum_plans', partition);
                    changed := changed + 1;
                END IF;
                month := (month + interval '1 month')::date;
            END LOOP;
            -- Retention drops whole months of this one table, by the month in the partition's name.
            FOR old IN
                SELECT child.relname FROM pg_inherits i
                JOIN pg_class child ON child.oid = i.inhrelid
                JOIN pg_class base ON base.oid = i.inhparent
                JOIN pg_namespace ns ON ns.oid = base.relnamespace
                WHERE ns.nspname = 'plans' AND base.relname = 'media_session_metrics'
                  AND child.relname ~ '^media_session_metrics_y[0-9]{{4}}m[0-9]{{2}}$'
            LOOP
                IF to_date(substring(old.relname FROM 'y([0-9]{{4}}m[0-9]{{2}})$'), 'YYYY"m"MM')
                   < (this_month - make_interval(months => keep_months))::date THEN
                    EXECUTE format('DROP TABLE plans.%I', old.relname);
                    changed := changed + 1;
                END IF;
            END LOOP;
            RETURN changed;
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION plans.maintain_media_partitions(integer, integer, date) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION plans.maintain_media_partitions(integer, integer, date) TO momentum_plans")
    # Partitions for every month the existing rows span, then the rows move over (as the owner,
    # which forced row-level security would otherwise hide every tenant's rows from).
    op.execute("ALTER TABLE plans.media_session_metrics_unpartitioned NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "SELECT plans.maintain_media_partitions(3, 24, (SELECT min(recorded_at)::date "
        "FROM plans.media_session_metrics_unpartitioned))"
    )
    op.execute("ALTER TABLE plans.media_session_metrics NO FORCE ROW LEVEL SECURITY")
    op.execute(
        f"INSERT INTO plans.media_session_metrics ({COLUMNS}) SELECT {COLUMNS} FROM plans.media_session_metrics_unpartitioned "
        "WHERE recorded_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '24 months'"
    )
    op.execute("ALTER TABLE plans.media_session_metrics FORCE ROW LEVEL SECURITY")
    op.execute("DROP TABLE plans.media_session_metrics_unpartitioned")
    op.execute("CREATE INDEX media_session_metrics_session ON plans.media_session_metrics (session_id)")


def downgrade() -> None:
    op.execute("DROP FUNCTION plans.maintain_media_partitions(integer, integer, date)")
    op.execute("ALTER TABLE plans.media_session_metrics RENAME TO media_session_metrics_partitioned")
    op.execute(
        """
        CREATE TABLE plans.media_session_metrics (
            session_id uuid NOT NULL REFERENCES plans.exercise_sessions (session_id),
            media_session_id text NOT NULL,
            tenant_id uuid NOT NULL,
            watched_seconds double precision NOT NULL,
            completion_percentage double precision NOT NULL,
            rebuffer_count integer NOT NULL,
            rebuffer_percentage double precision NOT NULL,
            startup_ms double precision NOT NULL,
            exit_before_video_start boolean NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (session_id, media_session_id)
        )
        """
    )
    isolate_by_tenant("plans", "media_session_metrics")
    op.execute("ALTER TABLE plans.media_session_metrics NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE plans.media_session_metrics_partitioned NO FORCE ROW LEVEL SECURITY")
    op.execute(
        f"INSERT INTO plans.media_session_metrics ({COLUMNS}) SELECT {COLUMNS} FROM plans.media_session_metrics_partitioned "
        "ON CONFLICT DO NOTHING"
    )
    op.execute("ALTER TABLE plans.media_session_metrics FORCE ROW LEVEL SECURITY")
    op.execute("DROP TABLE plans.media_session_metrics_partitioned")
