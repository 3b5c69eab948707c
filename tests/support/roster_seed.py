"""A big clinic in a few set-based statements, for the roster budget: patients assigned to the clinic's therapist,
each on an active plan with completed and scheduled sessions, written straight into plans' tables (the handlers
would take minutes for thousands). Only for browser and load tests that then read through the gateway."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg

from services.common.settings import Settings
from tests.support.fresh import owner_dsn

SESSIONS_PER_PLAN = 12
COMPLETED_PER_PLAN = 5


async def seed_patients(settings: Settings, tenant_id: uuid.UUID, therapist_id: uuid.UUID, count: int, today: date) -> None:
    """`count` patients named "Roster 0001".. with a plan that started two weeks ago: a session every other day,
    the first five completed (pain 6 -> 4) in Europe/Madrid."""
    start = today - timedelta(days=14)
    connection = await asyncpg.connect(owner_dsn(settings))
    try:
        async with connection.transaction():
            # Row-level security is forced even for the owner: these rows are the clinic's.
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
            await connection.execute(
                """
                INSERT INTO plans.users (user_id, tenant_id, role, display_name, timezone)
                SELECT gen_random_uuid(), $1, 'patient', 'Roster ' || lpad(n::text, 4, '0'), 'Europe/Madrid'
                FROM generate_series(1, $2) AS n
                """,
                tenant_id, count,
            )
            await connection.execute(
                """
                INSERT INTO plans.therapist_patients (tenant_id, therapist_id, patient_id)
                SELECT $1, $2, user_id FROM plans.users WHERE tenant_id = $1 AND role = 'patient' AND display_name LIKE 'Roster %'
                """,
                tenant_id, therapist_id,
            )
            await connection.execute(
                """
                INSERT INTO plans.treatment_plans
                    (plan_id, tenant_id, patient_id, therapist_id, title, start_date, duration_weeks, frequency_per_week, status)
                SELECT gen_random_uuid(), $1, user_id, $2, 'Knee rehabilitation', $3, 4, 3, 'active'
                FROM plans.users WHERE tenant_id = $1 AND role = 'patient' AND display_name LIKE 'Roster %'
                """,
                tenant_id, therapist_id, start,
            )
            await connection.execute(
                """
                INSERT INTO plans.workouts
                    (workout_id, tenant_id, plan_id, patient_id, session_number, scheduled_date, status, time_workout_start,
                     time_workout_end, completed_at, local_date, timezone, pain_before, pain_after, perceived_difficulty,
                     duration_minutes, exercises_completed, exercises_total)
                SELECT gen_random_uuid(), p.tenant_id, p.plan_id, p.patient_id, s, p.start_date + 2 * (s - 1),
                       CASE WHEN done THEN 'completed' ELSE 'scheduled' END,
                       CASE WHEN done THEN at - interval '20 minutes' END, CASE WHEN done THEN at END, CASE WHEN done THEN at END,
                       CASE WHEN done THEN p.start_date + 2 * (s - 1) END, CASE WHEN done THEN 'Europe/Madrid' END,
                       CASE WHEN done THEN 6 END, CASE WHEN done THEN 4 END, CASE WHEN done THEN 5 END,
                       CASE WHEN done THEN 20 END, CASE WHEN done THEN 1 END, 1
                FROM plans.treatment_plans p
                CROSS JOIN generate_series(1, $3) AS s
                CROSS JOIN LATERAL (SELECT s <= $4 AS done, ((p.start_date + 2 * (s - 1)) + time '09:30') AT TIME ZONE 'Europe/Madrid' AS at) AS d
                WHERE p.tenant_id = $1 AND p.title = 'Knee rehabilitation' AND p.therapist_id = $2
                """,
                tenant_id, therapist_id, SESSIONS_PER_PLAN, COMPLETED_PER_PLAN,
            )
    finally:
        await connection.close()
