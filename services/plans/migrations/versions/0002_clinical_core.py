"""Clinical core: assignments, consent ledger, exercise catalogue, treatment plans, workouts,
exercise logs, form responses, exercise sessions and their metrics.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.common.schema_ddl import isolate_by_tenant

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "therapist_patients", "consent_ledger", "exercises", "treatment_plans", "plan_exercises", "workouts",
    "exercise_logs", "form_responses", "exercise_sessions", "pose_session_metrics", "pose_rep_metrics",
    "media_session_metrics",
)


def upgrade() -> None:
    op.execute("ALTER TABLE plans.tenants ADD COLUMN rtm_qualifying_policy text NOT NULL DEFAULT 'activity_days' "
               "CHECK (rtm_qualifying_policy IN ('activity_days', 'access_days'))")
    op.execute(
        """
        CREATE TABLE plans.therapist_patients (
            tenant_id uuid NOT NULL,
            therapist_id uuid NOT NULL REFERENCES plans.users (user_id),
            patient_id uuid NOT NULL REFERENCES plans.users (user_id),
            assigned_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (therapist_id, patient_id)
        )
        """
    )
    op.execute("CREATE INDEX therapist_patients_patient ON plans.therapist_patients (patient_id)")
    op.execute(
        """
        CREATE TABLE plans.consent_ledger (
            consent_entry_id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL REFERENCES plans.users (user_id),
            purpose text NOT NULL CHECK (purpose IN ('analytics', 'biometric')),
            granted boolean NOT NULL,
            recorded_at timestamptz NOT NULL,
            recorded_by uuid NOT NULL,
            request_id text
        )
        """
    )
    op.execute("CREATE INDEX consent_ledger_current ON plans.consent_ledger (patient_id, purpose, consent_entry_id DESC)")
    op.execute(
        """
        CREATE TABLE plans.exercises (
            exercise_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            name text NOT NULL,
            video_url text,
            video_duration_seconds double precision,
            pose_profile jsonb,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.treatment_plans (
            plan_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            patient_id uuid NOT NULL REFERENCES plans.users (user_id),
            therapist_id uuid NOT NULL REFERENCES plans.users (user_id),
            title text NOT NULL,
            start_date date NOT NULL,
            duration_weeks integer NOT NULL CHECK (duration_weeks BETWEEN 1 AND 104),
            frequency_per_week integer NOT NULL CHECK (frequency_per_week BETWEEN 1 AND 14),
            status text NOT NULL CHECK (status IN ('active', 'completed', 'expired', 'cancelled')),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX treatment_plans_patient ON plans.treatment_plans (patient_id, status)")
    op.execute(
        """
        CREATE TABLE plans.plan_exercises (
            tenant_id uuid NOT NULL,
            plan_id uuid NOT NULL REFERENCES plans.treatment_plans (plan_id),
            position integer NOT NULL,
            exercise_id uuid NOT NULL REFERENCES plans.exercises (exercise_id),
            sets integer NOT NULL CHECK (sets BETWEEN 1 AND 50),
            reps integer NOT NULL CHECK (reps BETWEEN 1 AND 500),
            PRIMARY KEY (plan_id, position)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.workouts (
            workout_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            plan_id uuid NOT NULL REFERENCES plans.treatment_plans (plan_id),
            patient_id uuid NOT NULL REFERENCES plans.users (user_id),
            session_number integer NOT NULL,
            scheduled_date date,
            status text NOT NULL CHECK (status IN ('scheduled', 'completed', 'skipped')),
            source text NOT NULL DEFAULT 'real' CHECK (source IN ('real', 'inferred')),
            time_workout_start timestamptz,
            time_workout_end timestamptz,
            completed_at timestamptz,
            local_date date,
            timezone text,
            pain_before smallint CHECK (pain_before BETWEEN 0 AND 10),
            pain_after smallint CHECK (pain_after BETWEEN 0 AND 10),
            perceived_difficulty smallint CHECK (perceived_difficulty BETWEEN 1 AND 10),
            duration_minutes integer CHECK (duration_minutes >= 0),
            exercises_completed integer,
            exercises_total integer,
            skipped_at timestamptz,
            skip_reason text,
            completed_via_app_entrance boolean NOT NULL DEFAULT false,
            mirrored_from_workout_id uuid REFERENCES plans.workouts (workout_id),
            entrance_id uuid UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            CHECK (time_workout_end IS NULL OR time_workout_end >= time_workout_start),
            CHECK (status <> 'completed' OR (completed_at IS NOT NULL AND local_date IS NOT NULL AND timezone IS NOT NULL))
        )
        """
    )
    op.execute("CREATE INDEX workouts_patient_schedule ON plans.workouts (patient_id, scheduled_date)")
    op.execute("CREATE INDEX workouts_patient_completed ON plans.workouts (patient_id, completed_at DESC) WHERE status = 'completed'")
    op.execute("CREATE INDEX workouts_plan ON plans.workouts (plan_id, session_number)")
    op.execute(
        """
        CREATE TABLE plans.exercise_logs (
            tenant_id uuid NOT NULL,
            workout_id uuid NOT NULL REFERENCES plans.workouts (workout_id),
            position integer NOT NULL,
            exercise_id uuid NOT NULL REFERENCES plans.exercises (exercise_id),
            prescribed_sets integer NOT NULL,
            prescribed_reps integer NOT NULL,
            actual_sets integer CHECK (actual_sets BETWEEN 0 AND 100),
            actual_reps integer CHECK (actual_reps BETWEEN 0 AND 1000),
            skipped boolean NOT NULL DEFAULT false,
            video_watch_percentage double precision CHECK (video_watch_percentage BETWEEN 0 AND 100),
            pose_accuracy_score double precision CHECK (pose_accuracy_score BETWEEN 0 AND 100),
            PRIMARY KEY (workout_id, position)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.form_responses (
            response_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            workout_id uuid NOT NULL REFERENCES plans.workouts (workout_id),
            patient_id uuid NOT NULL,
            template_key text NOT NULL,
            template_version integer NOT NULL,
            answers jsonb NOT NULL,
            submitted_at timestamptz NOT NULL,
            UNIQUE (workout_id, template_key)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.exercise_sessions (
            session_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            workout_id uuid NOT NULL REFERENCES plans.workouts (workout_id),
            exercise_id uuid NOT NULL REFERENCES plans.exercises (exercise_id),
            patient_id uuid NOT NULL,
            purposes text[] NOT NULL,
            started_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            finalized_at timestamptz,
            incomplete boolean,
            local_date date NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.pose_session_metrics (
            session_id uuid PRIMARY KEY REFERENCES plans.exercise_sessions (session_id),
            tenant_id uuid NOT NULL,
            workout_id uuid NOT NULL,
            exercise_id uuid NOT NULL,
            rep_count integer NOT NULL,
            average_form_score double precision NOT NULL,
            active_duration_ms bigint NOT NULL,
            pose_accuracy_score double precision NOT NULL,
            frames_total integer NOT NULL,
            frames_low_visibility integer NOT NULL,
            incomplete boolean NOT NULL,
            replay_key text,
            recorded_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE plans.pose_rep_metrics (
            session_id uuid NOT NULL REFERENCES plans.pose_session_metrics (session_id),
            tenant_id uuid NOT NULL,
            rep_number integer NOT NULL,
            start_ms bigint NOT NULL,
            end_ms bigint NOT NULL,
            peak_rom_degrees double precision NOT NULL,
            eccentric_ms bigint NOT NULL,
            hold_ms bigint NOT NULL,
            concentric_ms bigint NOT NULL,
            max_deviation_degrees double precision NOT NULL,
            form_score double precision NOT NULL,
            PRIMARY KEY (session_id, rep_number)
        )
        """
    )
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
    for table in TABLES:
        isolate_by_tenant("plans", table)


def downgrade() -> None:
    op.execute("DROP TABLE " + ", ".join(f"plans.{t}" for t in reversed(TABLES)))
    op.execute("ALTER TABLE plans.tenants DROP COLUMN rtm_qualifying_policy")
