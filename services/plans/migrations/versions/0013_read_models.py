"""Read models of the roster and the clinic dashboard, kept current by triggers in the writing transaction, backfilled.

Revision ID: 0013
Revises: 0012

Three tables, each a summary of plans.workouts, plans.exercise_logs and plans.treatment_plans:
- roster_figures, one row per patient who has a plan: the plan a roster row shows (the active one, else the
  latest) with its dates, the last completed real session (its end, and the local date it was counted on),
  the last three pains after, and the local dates of that plan's completed sessions in the month before its
  latest one (adherence over 7 and 30 days counts them at read time, against the patient's today, so the row
  never goes stale as days pass);
- plan_figures, one row per plan: sessions planned, completed, completed on days inside the plan, and the first
  and last pains (the dashboard's pain improvement, the active plans' adherence, the roster's "x of y");
- exercise_days, one row per clinic, day and exercise: sessions prescribed and done, pose and watch sums and
  counts of completed real sessions (the dashboard's exercise usage sums 90 of them per exercise).
Triggers keep them, so every writer (a completion, a skip, a late pose score, a plan created, changed or ended
by the daily job, the billing CLI) changes them in its own transaction, and no path can forget to. They are
row triggers with WHEN clauses, so a write that changes no figure (a skip, an inferred mirror workout, a log
update that moves no counted value) does no work beyond the WHEN test; a scheduled session inserted adds one to
its plan's count, and an inserted log looks its session up. plans.rebuild_read_models() recomputes all three
from the source tables: this migration's backfill, and a bulk load that disabled the triggers.
"""

from alembic import op

from services.common.schema_ddl import isolate_by_tenant, owner_reads_every_tenant

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("roster_figures", "plan_figures", "exercise_days")
# What the backfill reads and writes: forced RLS binds the owner too, so it is lifted for that one statement.
BACKFILL_TABLES = ("users", "treatment_plans", "workouts", "exercise_logs", *TABLES)

# The functions are PL/pgSQL so that each connection plans their statements once (a LANGUAGE sql function that
# is not inlined plans its statement on every call, inside every completion).
# The roster row of each given patient, recomputed from the source tables (index probes per patient). The plan
# choice and the expressions are those the roster statement used before this read model existed.
REFRESH_ROSTER = """
CREATE FUNCTION plans.refresh_roster_figures(patients uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO plans.roster_figures AS r (patient_id, tenant_id, plan_id, plan_status, plan_start, plan_last_day,
        frequency_per_week, last_activity_at, last_activity_day, recent_pain_after, recent_days)
    SELECT u.user_id, u.tenant_id, cp.plan_id, cp.status, cp.start_date, cp.start_date + 7 * cp.duration_weeks - 1,
        cp.frequency_per_week, la.completed_at, la.local_date, coalesce(pa.pains, '{}'), coalesce(rd.days, '{}')
    FROM plans.users u
    LEFT JOIN LATERAL (
        SELECT p.plan_id, p.status, p.start_date, p.duration_weeks, p.frequency_per_week FROM plans.treatment_plans p
        WHERE p.patient_id = u.user_id ORDER BY p.status = 'active' DESC, p.start_date DESC, p.created_at DESC LIMIT 1
    ) cp ON true
    LEFT JOIN LATERAL (
        SELECT w.completed_at, w.local_date FROM plans.workouts w
        WHERE w.patient_id = u.user_id AND w.status = 'completed' AND w.source = 'real'
        ORDER BY w.completed_at DESC LIMIT 1
    ) la ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(q.pain_after ORDER BY q.completed_at DESC) AS pains FROM (
            SELECT w.pain_after, w.completed_at FROM plans.workouts w
            WHERE w.patient_id = u.user_id AND w.status = 'completed' AND w.source = 'real' AND w.pain_after IS NOT NULL
            ORDER BY w.completed_at DESC LIMIT 3) q
    ) pa ON true
    -- Dates more than 31 days before the plan's latest session can never fall in a 30-day window of a today
    -- at or after that session, so the array stays a month long however long the plan runs.
    LEFT JOIN LATERAL (
        SELECT array_agg(d.local_date ORDER BY d.local_date DESC) AS days FROM (
            SELECT w.local_date, max(w.local_date) OVER () AS latest FROM plans.workouts w
            WHERE w.plan_id = cp.plan_id AND w.status = 'completed' AND w.source = 'real'
              AND w.local_date BETWEEN cp.start_date AND cp.start_date + 7 * cp.duration_weeks - 1
        ) d WHERE d.local_date >= d.latest - 31
    ) rd ON true
    WHERE u.user_id = ANY(patients) AND u.role = 'patient'
    ON CONFLICT (patient_id) DO UPDATE SET tenant_id = excluded.tenant_id, plan_id = excluded.plan_id,
        plan_status = excluded.plan_status, plan_start = excluded.plan_start, plan_last_day = excluded.plan_last_day,
        frequency_per_week = excluded.frequency_per_week, last_activity_at = excluded.last_activity_at,
        last_activity_day = excluded.last_activity_day,
        recent_pain_after = excluded.recent_pain_after, recent_days = excluded.recent_days;
END
$$
"""

# The figures of each given plan, recomputed over its own sessions (one index range per plan).
REFRESH_PLAN = """
CREATE FUNCTION plans.refresh_plan_figures(plan_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO plans.plan_figures AS f (plan_id, tenant_id, sessions_planned, sessions_completed, completed_in_plan,
        pains_reported, first_before, last_before, first_after, last_after)
    SELECT p.plan_id, p.tenant_id, s.planned, s.completed, s.in_plan, s.reported, s.first_before, s.last_before,
        s.first_after, s.last_after
    FROM plans.treatment_plans p
    CROSS JOIN LATERAL (
        SELECT count(*) AS planned, count(*) FILTER (WHERE w.status = 'completed') AS completed,
            count(*) FILTER (WHERE w.status = 'completed'
                AND w.local_date BETWEEN p.start_date AND p.start_date + 7 * p.duration_weeks - 1) AS in_plan,
            count(w.pain_before) FILTER (WHERE w.status = 'completed') AS reported,
            (array_agg(w.pain_before ORDER BY w.session_number)
                FILTER (WHERE w.status = 'completed' AND w.pain_before IS NOT NULL))[1] AS first_before,
            (array_agg(w.pain_before ORDER BY w.session_number DESC)
                FILTER (WHERE w.status = 'completed' AND w.pain_before IS NOT NULL))[1] AS last_before,
            (array_agg(w.pain_after ORDER BY w.session_number)
                FILTER (WHERE w.status = 'completed' AND w.pain_after IS NOT NULL))[1] AS first_after,
            (array_agg(w.pain_after ORDER BY w.session_number DESC)
                FILTER (WHERE w.status = 'completed' AND w.pain_after IS NOT NULL))[1] AS last_after
        FROM plans.workouts w WHERE w.plan_id = p.plan_id AND w.source = 'real'
    ) s
    WHERE p.plan_id = ANY(plan_ids)
    ON CONFLICT (plan_id) DO UPDATE SET sessions_planned = excluded.sessions_planned,
        sessions_completed = excluded.sessions_completed, completed_in_plan = excluded.completed_in_plan,
        pains_reported = excluded.pains_reported, first_before = excluded.first_before, last_before = excluded.last_before,
        first_after = excluded.first_after, last_after = excluded.last_after;
END
$$
"""

# Adds `sign` times the exercise logs of one completed real session, as they are now, to its day's rows. Rows are
# locked in exercise order, so two completions of the same day never wait on each other in a cycle.
COUNT_SESSION_LOGS = """
CREATE FUNCTION plans.count_session_logs(tenant uuid, workout uuid, day date, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO plans.exercise_days AS x (tenant_id, local_date, exercise_id, sessions_prescribed, sessions_done,
        pose_sum, pose_count, watch_sum, watch_count)
    SELECT tenant, day, l.exercise_id, sign * count(*), sign * count(*) FILTER (WHERE NOT l.skipped),
        sign * coalesce(sum(l.pose_accuracy_score::numeric), 0), sign * count(l.pose_accuracy_score),
        sign * coalesce(sum(l.video_watch_percentage::numeric), 0), sign * count(l.video_watch_percentage)
    FROM plans.exercise_logs l WHERE l.workout_id = workout
    GROUP BY l.exercise_id ORDER BY l.exercise_id
    ON CONFLICT (tenant_id, local_date, exercise_id) DO UPDATE SET
        sessions_prescribed = x.sessions_prescribed + excluded.sessions_prescribed,
        sessions_done = x.sessions_done + excluded.sessions_done, pose_sum = x.pose_sum + excluded.pose_sum,
        pose_count = x.pose_count + excluded.pose_count, watch_sum = x.watch_sum + excluded.watch_sum,
        watch_count = x.watch_count + excluded.watch_count;
END
$$
"""

# Adds `sign` times one exercise log's values to its day's row.
COUNT_LOG = """
CREATE FUNCTION plans.count_log(tenant uuid, day date, exercise uuid, sign integer, skipped boolean,
    pose double precision, watch double precision) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO plans.exercise_days AS x (tenant_id, local_date, exercise_id, sessions_prescribed, sessions_done,
        pose_sum, pose_count, watch_sum, watch_count)
    VALUES (tenant, day, exercise, sign, CASE WHEN skipped THEN 0 ELSE sign END, sign * coalesce(pose::numeric, 0),
        CASE WHEN pose IS NULL THEN 0 ELSE sign END, sign * coalesce(watch::numeric, 0),
        CASE WHEN watch IS NULL THEN 0 ELSE sign END)
    ON CONFLICT (tenant_id, local_date, exercise_id) DO UPDATE SET
        sessions_prescribed = x.sessions_prescribed + excluded.sessions_prescribed,
        sessions_done = x.sessions_done + excluded.sessions_done, pose_sum = x.pose_sum + excluded.pose_sum,
        pose_count = x.pose_count + excluded.pose_count, watch_sum = x.watch_sum + excluded.watch_sum,
        watch_count = x.watch_count + excluded.watch_count;
END
$$
"""

# A real session changed what it counts for (completed or not, its day, its pains, its plan), or a scheduled
# one was added. Its logs are read as they are at this statement; when the same transaction changes them next,
# their own trigger moves the difference, so the sums stay exact whatever order the two are written in.
WORKOUT_CHANGED = """
CREATE FUNCTION plans.workout_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.status <> 'completed' THEN
        -- A plan's scheduled sessions: only the count planned moves.
        UPDATE plans.plan_figures SET sessions_planned = sessions_planned + 1 WHERE plan_id = NEW.plan_id;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.status = 'completed' AND OLD.source = 'real' THEN
            PERFORM plans.count_session_logs(OLD.tenant_id, OLD.workout_id, OLD.local_date, -1);
        END IF;
        PERFORM plans.refresh_plan_figures(ARRAY[OLD.plan_id]);
        PERFORM plans.refresh_roster_figures(ARRAY[OLD.patient_id]);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.status = 'completed' AND NEW.source = 'real' THEN
            PERFORM plans.count_session_logs(NEW.tenant_id, NEW.workout_id, NEW.local_date, 1);
        END IF;
        IF TG_OP = 'INSERT' OR NEW.plan_id IS DISTINCT FROM OLD.plan_id THEN
            PERFORM plans.refresh_plan_figures(ARRAY[NEW.plan_id]);
        END IF;
        IF TG_OP = 'INSERT' OR NEW.patient_id IS DISTINCT FROM OLD.patient_id THEN
            PERFORM plans.refresh_roster_figures(ARRAY[NEW.patient_id]);
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

# An exercise log changed what it counts for: only logs of a completed real session count.
LOG_CHANGED = """
CREATE FUNCTION plans.exercise_log_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    w record;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT tenant_id, local_date, status, source INTO w FROM plans.workouts WHERE workout_id = OLD.workout_id;
        IF FOUND AND w.status = 'completed' AND w.source = 'real' THEN
            PERFORM plans.count_log(w.tenant_id, w.local_date, OLD.exercise_id, -1, OLD.skipped, OLD.pose_accuracy_score,
                                    OLD.video_watch_percentage);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT tenant_id, local_date, status, source INTO w FROM plans.workouts WHERE workout_id = NEW.workout_id;
        IF FOUND AND w.status = 'completed' AND w.source = 'real' THEN
            PERFORM plans.count_log(w.tenant_id, w.local_date, NEW.exercise_id, 1, NEW.skipped, NEW.pose_accuracy_score,
                                    NEW.video_watch_percentage);
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

# A plan was prescribed, or its status, dates or frequency changed: its figures, and the patient's roster row
# (which plan it shows, and that plan's dates).
PLAN_CHANGED = """
CREATE FUNCTION plans.plan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans.refresh_plan_figures(ARRAY[NEW.plan_id]);
    PERFORM plans.refresh_roster_figures(ARRAY[NEW.patient_id]);
    IF TG_OP = 'UPDATE' AND OLD.patient_id IS DISTINCT FROM NEW.patient_id THEN
        PERFORM plans.refresh_roster_figures(ARRAY[OLD.patient_id]);
    END IF;
    RETURN NULL;
END
$$
"""

# All three from the source tables, for every clinic the caller sees: the backfill, and after a bulk load.
REBUILD = """
CREATE FUNCTION plans.rebuild_read_models() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM plans.roster_figures;
    DELETE FROM plans.plan_figures;
    DELETE FROM plans.exercise_days;
    PERFORM plans.refresh_plan_figures(ARRAY(SELECT plan_id FROM plans.treatment_plans));
    PERFORM plans.refresh_roster_figures(ARRAY(SELECT DISTINCT patient_id FROM plans.treatment_plans));
    INSERT INTO plans.exercise_days (tenant_id, local_date, exercise_id, sessions_prescribed, sessions_done, pose_sum,
        pose_count, watch_sum, watch_count)
    SELECT w.tenant_id, w.local_date, l.exercise_id, count(*), count(*) FILTER (WHERE NOT l.skipped),
        coalesce(sum(l.pose_accuracy_score::numeric), 0), count(l.pose_accuracy_score),
        coalesce(sum(l.video_watch_percentage::numeric), 0), count(l.video_watch_percentage)
    FROM plans.workouts w JOIN plans.exercise_logs l ON l.workout_id = w.workout_id
    WHERE w.status = 'completed' AND w.source = 'real'
    GROUP BY w.tenant_id, w.local_date, l.exercise_id;
END
$$
"""

FUNCTIONS = (
    ("refresh_roster_figures(uuid[])", REFRESH_ROSTER), ("refresh_plan_figures(uuid[])", REFRESH_PLAN),
    ("count_session_logs(uuid, uuid, date, integer)", COUNT_SESSION_LOGS),
    ("count_log(uuid, date, uuid, integer, boolean, double precision, double precision)", COUNT_LOG),
    ("workout_changed()", WORKOUT_CHANGED), ("exercise_log_changed()", LOG_CHANGED), ("plan_changed()", PLAN_CHANGED),
    ("rebuild_read_models()", REBUILD),
)

# What each trigger watches. A WHEN clause is evaluated without calling the function, so a write that moves no
# figure costs nothing: a skip (skipped sessions count nowhere), an inferred mirror, a late video-watch raise that
# did not raise it, a scheduled session whose planned exercises were replaced.
_WORKOUT_FIGURES = "(OLD.status, OLD.local_date, OLD.completed_at, OLD.pain_before, OLD.pain_after, OLD.plan_id, OLD.patient_id, " \
    "OLD.session_number, OLD.source)"
TRIGGERS = (
    ("workouts_real_inserted", "AFTER INSERT ON plans.workouts FOR EACH ROW WHEN (NEW.source = 'real')",
     "workout_changed"),
    ("workouts_counted_changed",
     "AFTER UPDATE ON plans.workouts FOR EACH ROW WHEN ((OLD.source = 'real' OR NEW.source = 'real') "
     "AND (OLD.status = 'completed' OR NEW.status = 'completed') "
     f"AND {_WORKOUT_FIGURES} IS DISTINCT FROM {_WORKOUT_FIGURES.replace('OLD.', 'NEW.')})",
     "workout_changed"),
    ("workouts_real_deleted", "AFTER DELETE ON plans.workouts FOR EACH ROW WHEN (OLD.source = 'real')", "workout_changed"),
    ("exercise_logs_inserted", "AFTER INSERT ON plans.exercise_logs FOR EACH ROW", "exercise_log_changed"),
    ("exercise_logs_changed",
     "AFTER UPDATE ON plans.exercise_logs FOR EACH ROW WHEN ((OLD.exercise_id, OLD.skipped, OLD.pose_accuracy_score, "
     "OLD.video_watch_percentage) IS DISTINCT FROM (NEW.exercise_id, NEW.skipped, NEW.pose_accuracy_score, "
     "NEW.video_watch_percentage))",
     "exercise_log_changed"),
    ("exercise_logs_deleted", "AFTER DELETE ON plans.exercise_logs FOR EACH ROW", "exercise_log_changed"),
    ("treatment_plans_inserted", "AFTER INSERT ON plans.treatment_plans FOR EACH ROW", "plan_changed"),
    ("treatment_plans_changed",
     "AFTER UPDATE ON plans.treatment_plans FOR EACH ROW WHEN ((OLD.status, OLD.start_date, OLD.duration_weeks, "
     "OLD.frequency_per_week, OLD.patient_id, OLD.created_at) IS DISTINCT FROM (NEW.status, NEW.start_date, "
     "NEW.duration_weeks, NEW.frequency_per_week, NEW.patient_id, NEW.created_at))",
     "plan_changed"),
)


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE plans.plan_figures (
            plan_id uuid PRIMARY KEY REFERENCES plans.treatment_plans (plan_id),
            tenant_id uuid NOT NULL,
            sessions_planned integer NOT NULL,
            sessions_completed integer NOT NULL,
            completed_in_plan integer NOT NULL,
            pains_reported integer NOT NULL,
            first_before smallint,
            last_before smallint,
            first_after smallint,
            last_after smallint
        )
        """
    )
    op.execute("CREATE INDEX plan_figures_tenant ON plans.plan_figures (tenant_id)")
    op.execute(
        """
        CREATE TABLE plans.roster_figures (
            patient_id uuid PRIMARY KEY REFERENCES plans.users (user_id),
            tenant_id uuid NOT NULL,
            plan_id uuid REFERENCES plans.treatment_plans (plan_id),
            plan_status text,
            plan_start date,
            plan_last_day date,
            frequency_per_week integer,
            last_activity_at timestamptz,
            last_activity_day date,
            recent_pain_after smallint[] NOT NULL,
            recent_days date[] NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX roster_figures_tenant ON plans.roster_figures (tenant_id)")
    op.execute(
        """
        CREATE TABLE plans.exercise_days (
            tenant_id uuid NOT NULL,
            local_date date NOT NULL,
            exercise_id uuid NOT NULL REFERENCES plans.exercises (exercise_id),
            sessions_prescribed integer NOT NULL,
            sessions_done integer NOT NULL,
            pose_sum numeric NOT NULL,
            pose_count integer NOT NULL,
            watch_sum numeric NOT NULL,
            watch_count integer NOT NULL,
            PRIMARY KEY (tenant_id, local_date, exercise_id)
        )
        """
    )
    for table in TABLES:
        isolate_by_tenant("plans", table)
    for _, create in FUNCTIONS:
        op.execute(create)
    for name, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION plans.{function}()")
    with owner_reads_every_tenant("plans", BACKFILL_TABLES):
        op.execute("SELECT plans.rebuild_read_models()")
    # 0010's index served only the roster's first pass over the clinic's recent sessions, which the read model
    # replaced: every completion stops paying for it.
    op.execute("DROP INDEX plans.workouts_tenant_recent_completed")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX workouts_tenant_recent_completed ON plans.workouts (tenant_id, completed_at) "
        "INCLUDE (patient_id, plan_id, local_date, pain_after) WHERE status = 'completed' AND source = 'real'"
    )
    for name, when, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {when.split(' ON ')[1].split()[0]}")
    for signature, _ in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION plans.{signature}")
    op.execute("DROP TABLE " + ", ".join(f"plans.{t}" for t in TABLES))
