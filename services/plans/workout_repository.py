"""All SQL of the plans service about the catalogue, treatment plans, workouts and exercise sessions."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True)
class ExerciseLogRow:
    position: int
    exercise_id: uuid.UUID
    name: str
    prescribed_sets: int
    prescribed_reps: int
    actual_sets: int | None
    actual_reps: int | None
    skipped: bool
    video_watch_percentage: float | None
    pose_accuracy_score: float | None


@dataclass
class WorkoutRow:
    workout_id: uuid.UUID
    tenant_id: uuid.UUID
    plan_id: uuid.UUID
    patient_id: uuid.UUID
    session_number: int
    scheduled_date: date | None
    status: str
    source: str
    time_workout_start: datetime | None
    time_workout_end: datetime | None
    completed_at: datetime | None
    local_date: date | None
    timezone: str | None
    pain_before: int | None
    pain_after: int | None
    perceived_difficulty: int | None
    duration_minutes: int | None
    exercises_completed: int | None
    exercises_total: int | None
    skip_reason: str | None
    completed_via_app_entrance: bool
    mirrored_from_workout_id: uuid.UUID | None
    entrance_id: uuid.UUID | None
    plan_status: str
    exercises: list[ExerciseLogRow] = field(default_factory=list)


WORKOUT_COLUMNS = (
    "w.workout_id, w.tenant_id, w.plan_id, w.patient_id, w.session_number, w.scheduled_date, w.status, w.source, "
    "w.time_workout_start, w.time_workout_end, w.completed_at, w.local_date, w.timezone, w.pain_before, w.pain_after, "
    "w.perceived_difficulty, w.duration_minutes, w.exercises_completed, w.exercises_total, w.skip_reason, "
    "w.completed_via_app_entrance, w.mirrored_from_workout_id, w.entrance_id, p.status AS plan_status"
)


def _workout(row: Any) -> WorkoutRow:
    return WorkoutRow(**{key: row._mapping[key] for key in row._mapping.keys()})


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
            "INSERT INTO plans.plan_exercises (tenant_id, plan_id, position, exercise_id, sets, reps) "
            "VALUES (:tenant_id, :plan_id, :position, :exercise_id, :sets, :reps)"
        ),
        [
            {"tenant_id": tenant_id, "plan_id": plan_id, "position": p.position, "exercise_id": p.exercise_id,
             "sets": p.sets, "reps": p.reps}
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
                " AND w.status = 'completed') AS sessions_completed "
                f"FROM plans.treatment_plans p WHERE p.plan_id = :p{lock}"
            ),
            {"p": plan_id},
        )
    ).first()
    return PlanRow(**row._mapping) if row else None


async def prescriptions(uow: UnitOfWork, plan_id: uuid.UUID) -> list[PrescriptionRow]:
    rows = await uow.execute(
        text(
            "SELECT pe.position, pe.exercise_id, pe.sets, pe.reps, e.name FROM plans.plan_exercises pe "
            "JOIN plans.exercises e ON e.exercise_id = pe.exercise_id WHERE pe.plan_id = :p ORDER BY pe.position"
        ),
        {"p": plan_id},
    )
    return [PrescriptionRow(r.position, r.exercise_id, r.sets, r.reps, r.name) for r in rows]


async def update_plan(uow: UnitOfWork, plan_id: uuid.UUID, title: str, status: str) -> None:
    await uow.execute(
        text("UPDATE plans.treatment_plans SET title = :title, status = :status, updated_at = now() WHERE plan_id = :p"),
        {"title": title, "status": status, "p": plan_id},
    )


# ------------------------------------------------------------------ workouts
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
            "INSERT INTO plans.exercise_logs (tenant_id, workout_id, position, exercise_id, prescribed_sets, prescribed_reps) "
            "VALUES (:tenant, :workout, :position, :exercise, :sets, :reps)"
        ),
        [
            {"tenant": tenant_id, "workout": wid, "position": p.position, "exercise": p.exercise_id, "sets": p.sets, "reps": p.reps}
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


async def _attach_logs(uow: UnitOfWork, workouts: list[WorkoutRow]) -> list[WorkoutRow]:
    if not workouts:
        return workouts
    by_id = {w.workout_id: w for w in workouts}
    rows = await uow.execute(
        text(
            "SELECT l.workout_id, l.position, l.exercise_id, e.name, l.prescribed_sets, l.prescribed_reps, l.actual_sets, "
            "l.actual_reps, l.skipped, l.video_watch_percentage, l.pose_accuracy_score FROM plans.exercise_logs l "
            "JOIN plans.exercises e ON e.exercise_id = l.exercise_id WHERE l.workout_id = ANY(:ids) ORDER BY l.position"
        ),
        {"ids": list(by_id)},
    )
    for r in rows:
        by_id[r.workout_id].exercises.append(
            ExerciseLogRow(r.position, r.exercise_id, r.name, r.prescribed_sets, r.prescribed_reps, r.actual_sets,
                           r.actual_reps, r.skipped, r.video_watch_percentage, r.pose_accuracy_score)
        )
    return workouts


async def get_workout(uow: UnitOfWork, workout_id: uuid.UUID, for_update: bool = False) -> WorkoutRow | None:
    lock = " FOR UPDATE OF w" if for_update else ""
    row = (
        await uow.execute(
            text(f"SELECT {WORKOUT_COLUMNS} FROM plans.workouts w JOIN plans.treatment_plans p ON p.plan_id = w.plan_id "
                 f"WHERE w.workout_id = :w{lock}"),
            {"w": workout_id},
        )
    ).first()
    if row is None:
        return None
    return (await _attach_logs(uow, [_workout(row)]))[0]


async def list_workouts(
    uow: UnitOfWork, patient_id: uuid.UUID, until: date | None = None, limit: int = 500
) -> list[WorkoutRow]:
    """The patient's workouts, newest first; with `until`, only those done, skipped or scheduled up to that day."""
    condition = ""
    params: dict[str, Any] = {"p": patient_id, "limit": limit}
    if until is not None:
        condition = " AND (w.status <> 'scheduled' OR w.scheduled_date < :until)"
        params["until"] = until
    rows = await uow.execute(
        text(
            f"SELECT {WORKOUT_COLUMNS} FROM plans.workouts w JOIN plans.treatment_plans p ON p.plan_id = w.plan_id "
            f"WHERE w.patient_id = :p{condition} "
            "ORDER BY coalesce(w.local_date, w.scheduled_date) DESC, w.session_number DESC LIMIT :limit"
        ),
        params,
    )
    return await _attach_logs(uow, [_workout(r) for r in rows])


async def next_workout(uow: UnitOfWork, patient_id: uuid.UUID, today: date) -> WorkoutRow | None:
    """Today's session of an active plan, else the earliest still-open one from today on."""
    row = (
        await uow.execute(
            text(
                f"SELECT {WORKOUT_COLUMNS} FROM plans.workouts w JOIN plans.treatment_plans p ON p.plan_id = w.plan_id "
                "WHERE w.patient_id = :p AND p.status = 'active' AND w.status = 'scheduled' AND w.scheduled_date >= :today "
                "ORDER BY w.scheduled_date, w.session_number LIMIT 1"
            ),
            {"p": patient_id, "today": today},
        )
    ).first()
    if row is None:
        return None
    return (await _attach_logs(uow, [_workout(row)]))[0]


async def record_completion(uow: UnitOfWork, workout: WorkoutRow) -> None:
    await uow.execute(
        text(
            "UPDATE plans.workouts SET status = 'completed', time_workout_start = :start, time_workout_end = :end, "
            "completed_at = :completed_at, local_date = :local_date, timezone = :tz, pain_before = :pain_before, "
            "pain_after = :pain_after, perceived_difficulty = :difficulty, duration_minutes = :minutes, "
            "exercises_completed = :done WHERE workout_id = :id"
        ),
        {
            "start": workout.time_workout_start, "end": workout.time_workout_end, "completed_at": workout.completed_at,
            "local_date": workout.local_date, "tz": workout.timezone, "pain_before": workout.pain_before,
            "pain_after": workout.pain_after, "difficulty": workout.perceived_difficulty,
            "minutes": workout.duration_minutes, "done": workout.exercises_completed, "id": workout.workout_id,
        },
    )
    await uow.execute(
        text(
            "UPDATE plans.exercise_logs SET actual_sets = :sets, actual_reps = :reps, skipped = :skipped, "
            "video_watch_percentage = coalesce(:watch, video_watch_percentage) WHERE workout_id = :w AND exercise_id = :e"
        ),
        [
            {"sets": log.actual_sets, "reps": log.actual_reps, "skipped": log.skipped, "watch": log.video_watch_percentage,
             "w": workout.workout_id, "e": log.exercise_id}
            for log in workout.exercises
        ],
    )


async def record_skip(uow: UnitOfWork, workout_id: uuid.UUID, at: datetime, reason: str) -> None:
    await uow.execute(
        text("UPDATE plans.workouts SET status = 'skipped', skipped_at = :at, skip_reason = :reason WHERE workout_id = :w"),
        {"at": at, "reason": reason, "w": workout_id},
    )


async def has_real_workout_on(uow: UnitOfWork, patient_id: uuid.UUID, local_date: date) -> bool:
    row = (
        await uow.execute(
            text("SELECT 1 FROM plans.workouts WHERE patient_id = :p AND local_date = :d AND status = 'completed' "
                 "AND source = 'real' LIMIT 1"),
            {"p": patient_id, "d": local_date},
        )
    ).first()
    return row is not None


async def latest_real_workout(uow: UnitOfWork, patient_id: uuid.UUID) -> tuple[uuid.UUID, datetime] | None:
    row = (
        await uow.execute(
            text("SELECT workout_id, completed_at FROM plans.workouts WHERE patient_id = :p AND status = 'completed' "
                 "AND source = 'real' ORDER BY completed_at DESC LIMIT 1"),
            {"p": patient_id},
        )
    ).first()
    return (row.workout_id, row.completed_at) if row else None


async def workout_id_for_entrance(uow: UnitOfWork, entrance_id: uuid.UUID) -> uuid.UUID | None:
    row = (await uow.execute(text("SELECT workout_id FROM plans.workouts WHERE entrance_id = :e"), {"e": entrance_id})).first()
    return row.workout_id if row else None


async def insert_mirror(uow: UnitOfWork, mirror: WorkoutRow) -> bool:
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
            "INSERT INTO plans.exercise_logs (tenant_id, workout_id, position, exercise_id, prescribed_sets, prescribed_reps, skipped) "
            "SELECT :tenant, :mirror, position, exercise_id, prescribed_sets, prescribed_reps, false "
            "FROM plans.exercise_logs WHERE workout_id = :source"
        ),
        {"tenant": tenant_id, "mirror": mirror_id, "source": source_id},
    )


# ------------------------------------------------------------------ form responses and exercise sessions
async def insert_form_response(
    uow: UnitOfWork, tenant_id: uuid.UUID, response_id: uuid.UUID, workout_id: uuid.UUID, patient_id: uuid.UUID,
    template_key: str, version: int, answers: dict[str, Any], at: datetime,
) -> bool:
    result = await uow.execute(
        text(
            "INSERT INTO plans.form_responses (response_id, tenant_id, workout_id, patient_id, template_key, template_version, "
            "answers, submitted_at) VALUES (:id, :tenant, :workout, :patient, :key, :version, CAST(:answers AS jsonb), :at) "
            "ON CONFLICT (workout_id, template_key) DO NOTHING RETURNING 1"
        ),
        {"id": response_id, "tenant": tenant_id, "workout": workout_id, "patient": patient_id, "key": template_key,
         "version": version, "answers": json.dumps(answers), "at": at},
    )
    return result.first() is not None


async def insert_exercise_session(
    uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID, workout_id: uuid.UUID, exercise_id: uuid.UUID,
    patient_id: uuid.UUID, purposes: Sequence[str], started_at: datetime, expires_at: datetime, local_date: date,
) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.exercise_sessions (session_id, tenant_id, workout_id, exercise_id, patient_id, purposes, "
            "started_at, expires_at, local_date) VALUES (:id, :tenant, :workout, :exercise, :patient, :purposes, :start, "
            ":expires, :day)"
        ),
        {"id": session_id, "tenant": tenant_id, "workout": workout_id, "exercise": exercise_id, "patient": patient_id,
         "purposes": list(purposes), "start": started_at, "expires": expires_at, "day": local_date},
    )
