"""All SQL of mirror workouts: the inferred workout that stands for an app entrance, one per entrance."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.plans.domain.mirror import EntranceFacts, MadeMirror
from services.plans.domain.workout import Workout


async def workout_id_for_entrance(uow: UnitOfWork, entrance_id: uuid.UUID) -> uuid.UUID | None:
    row = (await uow.execute(text("SELECT workout_id FROM plans.workouts WHERE entrance_id = :e"), {"e": entrance_id})).first()
    return row.workout_id if row else None


async def entrance_facts(uow: UnitOfWork, patient_id: uuid.UUID, entrance_id: uuid.UUID, day: date) -> EntranceFacts:
    """The day's real workout, the latest real workout and the entrance's mirror, in one statement."""
    row = (
        await uow.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM plans.workouts WHERE patient_id = :p AND local_date = :d "
                "AND status = 'completed' AND source = 'real') AS has_real, "
                "(SELECT workout_id FROM plans.workouts WHERE patient_id = :p AND status = 'completed' AND source = 'real' "
                "ORDER BY completed_at DESC LIMIT 1) AS latest, "
                "m.workout_id AS mirror_id, m.completed_at AS mirror_at, m.timezone AS mirror_tz "
                "FROM (SELECT 1) AS one LEFT JOIN plans.workouts AS m ON m.entrance_id = :e"
            ),
            {"p": patient_id, "d": day, "e": entrance_id},
        )
    ).one()
    mirror = MadeMirror(row.mirror_id, row.mirror_at, row.mirror_tz) if row.mirror_id is not None else None
    return EntranceFacts(row.has_real, row.latest, mirror)


async def insert_mirror(uow: UnitOfWork, mirror: Workout) -> bool:
    """Inserts the mirror unless one exists for its entrance; True when this call created it."""
    result = await uow.execute(
        text(
            "INSERT INTO plans.workouts (workout_id, tenant_id, plan_id, patient_id, session_number, scheduled_date, status, "
            "source, time_workout_start, time_workout_end, completed_at, local_date, timezone, duration_minutes, "
            "exercises_completed, exercises_total, completed_via_app_entrance, mirrored_from_workout_id, entrance_id) "
            "VALUES (:id, :tenant, :plan, :patient, 0, :day, 'completed', 'inferred', :at, :at, :at, :day, :tz, 0, 0, :total, "
            "true, :source, :entrance) ON CONFLICT (entrance_id) DO NOTHING RETURNING 1"
        ),
        {
            "id": mirror.workout_id, "tenant": mirror.tenant_id, "plan": mirror.plan_id, "patient": mirror.patient_id,
            "day": mirror.local_date, "at": mirror.completed_at, "tz": mirror.timezone, "total": mirror.exercises_total,
            "source": mirror.mirrored_from_workout_id, "entrance": mirror.entrance_id,
        },
    )
    return result.first() is not None


async def copy_exercise_logs(uow: UnitOfWork, tenant_id: uuid.UUID, source_id: uuid.UUID, mirror_id: uuid.UUID) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.exercise_logs (tenant_id, workout_id, position, exercise_id, prescribed_sets, prescribed_reps, "
            "prescribed_hold_seconds, skipped) "
            "SELECT :tenant, :mirror, position, exercise_id, prescribed_sets, prescribed_reps, prescribed_hold_seconds, false "
            "FROM plans.exercise_logs WHERE workout_id = :source"
        ),
        {"tenant": tenant_id, "mirror": mirror_id, "source": source_id},
    )
