"""plans 0016 on a database that already has sessions: the open ones take their plan's hold, the done ones keep none."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from services.common.migrations import migrate
from tests.support.db_probe import admin_connect_kwargs
from tests.support.fresh import MAINTENANCE_DB, owner_dsn
from tests.support.stack import settings_for_tests


async def _rows_before_0016(admin: asyncpg.Connection) -> None:
    """A plan whose wall sit is held 45 s, one session skipped and one still to do, as 0015 stored them."""
    tenant, plan, patient, therapist, exercise, skipped, scheduled = (uuid.uuid4() for _ in range(7))
    await admin.execute("INSERT INTO plans.tenants (tenant_id, name) VALUES ($1, 'Hold clinic')", tenant)
    await admin.execute(
        "INSERT INTO plans.users (tenant_id, user_id, role, display_name) VALUES ($1, $2, 'patient', 'Pat'), "
        "($1, $3, 'therapist', 'Theo')", tenant, patient, therapist,
    )
    await admin.execute("INSERT INTO plans.exercises (tenant_id, exercise_id, name) VALUES ($1, $2, 'Wall sit')",
                        tenant, exercise)
    await admin.execute(
        "INSERT INTO plans.treatment_plans (tenant_id, plan_id, patient_id, therapist_id, title, start_date, "
        "duration_weeks, frequency_per_week, status) VALUES ($1, $2, $3, $4, 'Knee', current_date, 1, 2, 'active')",
        tenant, plan, patient, therapist,
    )
    await admin.execute(
        "INSERT INTO plans.plan_exercises (tenant_id, plan_id, position, exercise_id, sets, reps, hold_seconds) "
        "VALUES ($1, $2, 0, $3, 2, 1, 45)", tenant, plan, exercise,
    )
    await admin.execute(
        "INSERT INTO plans.workouts (tenant_id, workout_id, plan_id, patient_id, session_number, status, scheduled_date) "
        "VALUES ($1, $2, $3, $4, 1, 'skipped', current_date), ($1, $5, $3, $4, 2, 'scheduled', current_date + 1)",
        tenant, skipped, plan, patient, scheduled,
    )
    await admin.execute(
        "INSERT INTO plans.exercise_logs (tenant_id, workout_id, position, exercise_id, prescribed_sets, prescribed_reps) "
        "VALUES ($1, $2, 0, $3, 2, 1), ($1, $4, 0, $3, 2, 1)", tenant, skipped, exercise, scheduled,
    )


async def test_0016_gives_open_sessions_their_plans_hold_and_keeps_row_security_forced(stack):
    scratch = f"{stack.settings.database.name}_hold_backfill"
    settings = settings_for_tests(MOMENTUM_DB_NAME=scratch)
    owner = await asyncpg.connect(owner_dsn(stack.settings, MAINTENANCE_DB))
    try:
        await owner.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await owner.execute(f'CREATE DATABASE "{scratch}"')
        await asyncio.to_thread(migrate, settings, ("plans",), "0015")
        admin = await asyncpg.connect(**{**admin_connect_kwargs(), "database": scratch})
        try:
            await _rows_before_0016(admin)
            await asyncio.to_thread(migrate, settings, ("plans",))
            holds = await admin.fetch(
                "SELECT w.status, l.prescribed_hold_seconds FROM plans.exercise_logs l "
                "JOIN plans.workouts w USING (workout_id) ORDER BY w.session_number"
            )
            assert [(r["status"], r["prescribed_hold_seconds"]) for r in holds] == [("skipped", None), ("scheduled", 45)]
            forced = await admin.fetch(
                "SELECT relname, relforcerowsecurity FROM pg_class WHERE relnamespace = 'plans'::regnamespace "
                "AND relname IN ('exercise_logs', 'workouts', 'plan_exercises')"
            )
            assert all(r["relforcerowsecurity"] for r in forced) and len(forced) == 3, forced
        finally:
            await admin.close()
    finally:
        await owner.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await owner.close()
