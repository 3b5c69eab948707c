"""All SQL of the exercise catalogue and treatment plans: prescriptions and the sessions a plan schedules."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from sqlalchemy import text

from services.common.db import UnitOfWork


@dataclass(frozen=True)
class ExerciseRow:
    exercise_id: uuid.UUID
    name: str
    video_url: str | None
    video_duration_seconds: float | None
    pose_profile: dict[str, Any] | None


@dataclass(frozen=True)
class PrescriptionRow:
    position: int
    exercise_id: uuid.UUID
    sets: int
    reps: int
    name: str
    hold_seconds: int | None = None


@dataclass(frozen=True)
class PlanRow:
    plan_id: uuid.UUID
    tenant_id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    title: str
    start_date: date
    duration_weeks: int
    frequency_per_week: int
    status: str
    sessions_planned: int = 0
    sessions_completed: int = 0
    ended_on: date | None = None
    patient_timezone: str | None = None
    clinic_timezone: str | None = None


# ------------------------------------------------------------------ catalogue
async def insert_exercise(uow: UnitOfWork, tenant_id: uuid.UUID, exercise: ExerciseRow) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.exercises (exercise_id, tenant_id, name, video_url, video_duration_seconds, pose_profile) "
            "VALUES (:id, :tenant, :name, :url, :duration, CAST(:profile AS jsonb))"
        ),
        {
            "id": exercise.exercise_id, "tenant": tenant_id, "name": exercise.name, "url": exercise.video_url,
            "duration": exercise.video_duration_seconds,
            "profile": json.dumps(exercise.pose_profile) if exercise.pose_profile is not None else None,
        },
    )


async def list_exercises(uow: UnitOfWork, ids: Sequence[uuid.UUID] | None = None) -> list[ExerciseRow]:
    where, params = ("WHERE exercise_id = ANY(:ids)", {"ids": list(ids)}) if ids is not None else ("", {})
    rows = await uow.execute(
        text(f"SELECT exercise_id, name, video_url, video_duration_seconds, pose_profile FROM plans.exercises {where} ORDER BY name"),
        params,
    )
    return [ExerciseRow(r.exercise_id, r.name, r.video_url, r.video_duration_seconds, r.pose_profile) for r in rows]


# ------------------------------------------------------------------ plans
async def insert_plan(uow: UnitOfWork, plan: PlanRow) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.treatment_plans (plan_id, tenant_id, patient_id, therapist_id, title, start_date, "
            "duration_weeks, frequency_per_week, status) VALUES (:plan_id, :tenant_id, :patient_id, :therapist_id, "
            ":title, :start_date, :duration_weeks, :frequency_per_week, :status)"
        ),
        {k: getattr(plan, k) for k in (
            "plan_id", "tenant_id", "patient_id", "therapist_id", "title", "start_date", "duration_weeks",
            "frequency_per_week", "status")},
    )


async def replace_prescriptions(uow: UnitOfWork, tenant_id: uuid.UUID, plan_id: uuid.UUID, prescriptions: Sequence[PrescriptionRow]) -> None:
    await uow.execute(text("DELETE FROM plans.plan_exercises WHERE plan_id = :p"), {"p": plan_id})
    await uow.execute(
        text(
            "INSERT INTO plans.plan_exercises (tenant_id, plan_id, position, exercise_id, sets, reps, hold_seconds) "
            "VALUES (:tenant_id, :plan_id, :position, :exercise_id, :sets, :reps, :hold)"
        ),
        [
            {"tenant_id": tenant_id, "plan_id": plan_id, "position": p.position, "exercise_id": p.exercise_id,
             "sets": p.sets, "reps": p.reps, "hold": p.hold_seconds}
            for p in prescriptions
        ],
    )


async def get_plan(uow: UnitOfWork, plan_id: uuid.UUID, for_update: bool = False) -> PlanRow | None:
    lock = " FOR UPDATE OF p" if for_update else ""
    row = (
        await uow.execute(
            text(
                "SELECT p.plan_id, p.tenant_id, p.patient_id, p.therapist_id, p.title, p.start_date, p.duration_weeks, "
                "p.frequency_per_week, p.status, "
                "(SELECT count(*) FROM plans.workouts w WHERE w.plan_id = p.plan_id AND w.source = 'real') AS sessions_planned, "
                "(SELECT count(*) FROM plans.workouts w WHERE w.plan_id = p.plan_id AND w.source = 'real' "
                " AND w.status = 'completed') AS sessions_completed, p.ended_on, "
                "(SELECT u.timezone FROM plans.users u WHERE u.user_id = p.patient_id) AS patient_timezone, "
                "(SELECT t.default_timezone FROM plans.tenants t WHERE t.tenant_id = p.tenant_id) AS clinic_timezone "
                f"FROM plans.treatment_plans p WHERE p.plan_id = :p{lock}"
            ),
            {"p": plan_id},
        )
    ).first()
    return PlanRow(**row._mapping) if row else None


@dataclass(frozen=True)
class EndingPlan:
    """An active plan whose last day may have passed, with the zones that say where it is today."""

    plan_id: uuid.UUID
    patient_timezone: str | None
    clinic_timezone: str | None


async def tenant_directory(uow: UnitOfWork) -> list[uuid.UUID]:
    return [row.tenant_id for row in await uow.execute(text("SELECT tenant_id FROM plans.tenant_directory ORDER BY tenant_id"))]


async def active_plans_ending_before(uow: UnitOfWork, before: date) -> list[EndingPlan]:
    """Active plans of the clinic whose last day is before `before` (a UTC day of slack: each is
    judged again in its patient's zone by the domain)."""
    rows = await uow.execute(
        text(
            "SELECT p.plan_id, u.timezone AS patient_timezone, t.default_timezone AS clinic_timezone "
            "FROM plans.treatment_plans p JOIN plans.users u ON u.user_id = p.patient_id "
            "JOIN plans.tenants t ON t.tenant_id = p.tenant_id "
            "WHERE p.status = 'active' AND p.start_date + 7 * p.duration_weeks - 1 < :before ORDER BY p.plan_id"
        ),
        {"before": before},
    )
    return [EndingPlan(r.plan_id, r.patient_timezone, r.clinic_timezone) for r in rows]


async def prescriptions(uow: UnitOfWork, plan_id: uuid.UUID) -> list[PrescriptionRow]:
    rows = await uow.execute(
        text(
            "SELECT pe.position, pe.exercise_id, pe.sets, pe.reps, e.name, pe.hold_seconds FROM plans.plan_exercises pe "
            "JOIN plans.exercises e ON e.exercise_id = pe.exercise_id WHERE pe.plan_id = :p ORDER BY pe.position"
        ),
        {"p": plan_id},
    )
    return [PrescriptionRow(r.position, r.exercise_id, r.sets, r.reps, r.name, r.hold_seconds) for r in rows]


async def update_plan(uow: UnitOfWork, plan_id: uuid.UUID, title: str, status: str, ended_on: date | None) -> None:
    await uow.execute(
        text(
            "UPDATE plans.treatment_plans SET title = :title, status = :status, ended_on = :ended_on, updated_at = now() "
            "WHERE plan_id = :p"
        ),
        {"title": title, "status": status, "ended_on": ended_on, "p": plan_id},
    )


# ------------------------------------------------------------------ a plan's scheduled sessions
async def insert_scheduled_workouts(
    uow: UnitOfWork, tenant_id: uuid.UUID, plan_id: uuid.UUID, patient_id: uuid.UUID,
    sessions: Sequence[tuple[uuid.UUID, int, date]], prescriptions_: Sequence[PrescriptionRow],
) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.workouts (workout_id, tenant_id, plan_id, patient_id, session_number, scheduled_date, "
            "status, source, exercises_total) VALUES (:id, :tenant, :plan, :patient, :number, :day, 'scheduled', 'real', :total)"
        ),
        [
            {"id": wid, "tenant": tenant_id, "plan": plan_id, "patient": patient_id, "number": number, "day": day,
             "total": len(prescriptions_)}
            for wid, number, day in sessions
        ],
    )
    await insert_exercise_logs(uow, tenant_id, [wid for wid, _, _ in sessions], prescriptions_)


async def insert_exercise_logs(
    uow: UnitOfWork, tenant_id: uuid.UUID, workout_ids: Sequence[uuid.UUID], prescriptions_: Sequence[PrescriptionRow]
) -> None:
    if not workout_ids or not prescriptions_:
        return
    await uow.execute(
        text(
            "INSERT INTO plans.exercise_logs (tenant_id, workout_id, position, exercise_id, prescribed_sets, prescribed_reps, "
            "prescribed_hold_seconds) VALUES (:tenant, :workout, :position, :exercise, :sets, :reps, :hold)"
        ),
        [
            {"tenant": tenant_id, "workout": wid, "position": p.position, "exercise": p.exercise_id, "sets": p.sets, "reps": p.reps,
             "hold": p.hold_seconds}
            for wid in workout_ids
            for p in prescriptions_
        ],
    )


async def replace_open_exercise_logs(uow: UnitOfWork, tenant_id: uuid.UUID, plan_id: uuid.UUID, prescriptions_: Sequence[PrescriptionRow]) -> None:
    """A changed prescription applies to sessions not yet done; done ones keep what was prescribed then."""
    open_ids = [
        row.workout_id
        for row in await uow.execute(
            text("SELECT workout_id FROM plans.workouts WHERE plan_id = :p AND status = 'scheduled'"), {"p": plan_id}
        )
    ]
    if not open_ids:
        return
    await uow.execute(text("DELETE FROM plans.exercise_logs WHERE workout_id = ANY(:ids)"), {"ids": open_ids})
    await uow.execute(
        text("UPDATE plans.workouts SET exercises_total = :n WHERE workout_id = ANY(:ids)"),
        {"n": len(prescriptions_), "ids": open_ids},
    )
    await insert_exercise_logs(uow, tenant_id, open_ids, prescriptions_)
