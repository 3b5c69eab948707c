"""All SQL of a patient's workouts: their exercise logs, completion and skipping, form responses and exercise sessions."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.plans.domain.workout import ExerciseLog, ExerciseSessionLink, Workout


WORKOUT_COLUMNS = (
    "w.workout_id, w.tenant_id, w.plan_id, w.patient_id, w.session_number, w.scheduled_date, w.status, w.source, "
    "w.time_workout_start, w.time_workout_end, w.completed_at, w.local_date, w.timezone, w.pain_before, w.pain_after, "
    "w.perceived_difficulty, w.duration_minutes, w.exercises_completed, w.exercises_total, w.skip_reason, "
    "w.completed_via_app_entrance, w.mirrored_from_workout_id, w.entrance_id, p.status AS plan_status"
)


def _workout(row: Any) -> Workout:
    return Workout(**{key: row._mapping[key] for key in row._mapping.keys()})


# ------------------------------------------------------------------ workouts
async def _attach_logs(uow: UnitOfWork, workouts: list[Workout], with_sessions: bool = False) -> list[Workout]:
    if not workouts:
        return workouts
    by_id = {w.workout_id: w for w in workouts}
    rows = await uow.execute(
        text(
            "SELECT l.workout_id, l.position, l.exercise_id, e.name, l.prescribed_sets, l.prescribed_reps, l.actual_sets, "
            "l.actual_reps, l.skipped, l.video_watch_percentage, l.pose_accuracy_score, l.pose_accuracy_session_id, "
            "l.prescribed_hold_seconds "
            "FROM plans.exercise_logs l "
            "JOIN plans.exercises e ON e.exercise_id = l.exercise_id WHERE l.workout_id = ANY(:ids) ORDER BY l.position"
        ),
        {"ids": list(by_id)},
    )
    for r in rows:
        by_id[r.workout_id].exercises.append(
            ExerciseLog(r.position, r.exercise_id, r.name, r.prescribed_sets, r.prescribed_reps, r.actual_sets,
                           r.actual_reps, r.skipped, r.video_watch_percentage, r.pose_accuracy_score,
                           r.pose_accuracy_session_id, prescribed_hold_seconds=r.prescribed_hold_seconds)
        )
    if with_sessions:
        await _attach_sessions(uow, workouts)
    return workouts


async def _attach_sessions(uow: UnitOfWork, workouts: list[Workout]) -> None:
    """Each log's exercise sessions in its workout, with what telemetry detected (staff's history)."""
    logs = {(w.workout_id, log.exercise_id): log for w in workouts for log in w.exercises}
    rows = await uow.execute(
        text(
            "SELECT s.session_id, s.workout_id, s.exercise_id, s.started_at, s.finalized_at, "
            "coalesce(m.incomplete, s.incomplete) AS incomplete, m.rep_count "
            "FROM plans.exercise_sessions s LEFT JOIN plans.pose_session_metrics m ON m.session_id = s.session_id "
            "WHERE s.workout_id = ANY(:ids) ORDER BY s.started_at, s.session_id"
        ),
        {"ids": [w.workout_id for w in workouts]},
    )
    for r in rows:
        log = logs.get((r.workout_id, r.exercise_id))
        if log is not None:
            log.sessions.append(ExerciseSessionLink(r.session_id, r.started_at, r.finalized_at, r.incomplete, r.rep_count))


async def get_workout(uow: UnitOfWork, workout_id: uuid.UUID, for_update: bool = False) -> Workout | None:
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
    uow: UnitOfWork, patient_id: uuid.UUID, until: date | None = None, limit: int = 500, with_sessions: bool = False
) -> list[Workout]:
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
    return await _attach_logs(uow, [_workout(r) for r in rows], with_sessions)


async def next_workout(uow: UnitOfWork, patient_id: uuid.UUID, today: date) -> Workout | None:
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


async def record_completion(uow: UnitOfWork, workout: Workout) -> None:
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
    await uow.execute(text("UPDATE plans.exercise_logs SET skipped = true WHERE workout_id = :w"), {"w": workout_id})


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


# ------------------------------------------------------------------ what telemetry measured in a session
@dataclass(frozen=True)
class SessionExercise:
    workout_id: uuid.UUID
    exercise_id: uuid.UUID


async def lock_exercise_session(uow: UnitOfWork, session_id: uuid.UUID) -> SessionExercise | None:
    row = (
        await uow.execute(
            text("SELECT workout_id, exercise_id FROM plans.exercise_sessions WHERE session_id = :s FOR UPDATE"),
            {"s": session_id},
        )
    ).first()
    return SessionExercise(row.workout_id, row.exercise_id) if row else None


async def mark_session_finalized(uow: UnitOfWork, session_id: uuid.UUID, at: datetime, incomplete: bool) -> None:
    await uow.execute(
        text("UPDATE plans.exercise_sessions SET finalized_at = :at, incomplete = :incomplete WHERE session_id = :s"),
        {"at": at, "incomplete": incomplete, "s": session_id},
    )


async def insert_pose_metrics(
    uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID, session: SessionExercise, pose: Any, incomplete: bool,
    replay_key: str | None,
) -> None:
    """The session's pose figures and one row per repetition; a redelivered event writes nothing twice."""
    await uow.execute(
        text(
            "INSERT INTO plans.pose_session_metrics (session_id, tenant_id, workout_id, exercise_id, rep_count, "
            "average_form_score, active_duration_ms, pose_accuracy_score, frames_total, frames_low_visibility, "
            "incomplete, replay_key) VALUES (:s, :t, :w, :e, :reps, :form, :active, :accuracy, :frames, :low, "
            ":incomplete, :replay) ON CONFLICT (session_id) DO NOTHING"
        ),
        {
            "s": session_id, "t": tenant_id, "w": session.workout_id, "e": session.exercise_id,
            "reps": pose.rep_count, "active": pose.active_duration_ms, "frames": pose.frames_total,
            "form": pose.average_form_score if pose.HasField("average_form_score") else None,
            "accuracy": pose.pose_accuracy_score if pose.HasField("pose_accuracy_score") else None,
            "low": pose.frames_low_visibility,
            "incomplete": incomplete, "replay": replay_key,
        },
    )
    if pose.reps:
        await uow.execute(
            text(
                "INSERT INTO plans.pose_rep_metrics (session_id, tenant_id, rep_number, start_ms, end_ms, "
                "peak_rom_degrees, eccentric_ms, hold_ms, concentric_ms, max_deviation_degrees, form_score) "
                "VALUES (:s, :t, :n, :start, :end, :rom, :ecc, :hold, :con, :dev, :form) ON CONFLICT DO NOTHING"
            ),
            [
                {"s": session_id, "t": tenant_id, "n": r.rep_number, "start": r.start_ms, "end": r.end_ms,
                 "rom": r.peak_rom_degrees, "ecc": r.eccentric_ms, "hold": r.hold_ms, "con": r.concentric_ms,
                 "dev": r.max_deviation_degrees if r.HasField("max_deviation_degrees") else None, "form": r.form_score}
                for r in pose.reps
            ],
        )


async def set_pose_accuracy(
    uow: UnitOfWork, session: SessionExercise, session_id: uuid.UUID, score: float, ended_at: datetime
) -> None:
    """The log's score is that of the latest-ended session that measured one: an earlier session's event
    arriving late does not replace it."""
    await uow.execute(
        text(
            "UPDATE plans.exercise_logs l SET pose_accuracy_score = :score, pose_accuracy_session_id = :s "
            "WHERE l.workout_id = :w AND l.exercise_id = :e AND (l.pose_accuracy_session_id IS NULL OR "
            "(SELECT finalized_at FROM plans.exercise_sessions WHERE session_id = l.pose_accuracy_session_id) <= :ended)"
        ),
        {"score": score, "s": session_id, "w": session.workout_id, "e": session.exercise_id, "ended": ended_at},
    )


async def insert_media_metrics(uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID, media: Any) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.media_session_metrics (session_id, media_session_id, tenant_id, watched_seconds, "
            "completion_percentage, rebuffer_count, rebuffer_percentage, startup_ms, exit_before_video_start) "
            "VALUES (:s, :m, :t, :watched, :completion, :count, :pct, :startup, :exit) ON CONFLICT DO NOTHING"
        ),
        {"s": session_id, "m": media.media_session_id, "t": tenant_id, "watched": media.watched_seconds,
         "completion": media.completion_percentage, "count": media.rebuffer_count, "pct": media.rebuffer_percentage,
         "startup": media.startup_ms, "exit": media.exit_before_video_start},
    )


async def raise_video_watch(uow: UnitOfWork, session: SessionExercise, percentage: float) -> None:
    """The log keeps the most the patient watched: a shorter later playback does not lower it."""
    await uow.execute(
        text("UPDATE plans.exercise_logs SET video_watch_percentage = greatest(coalesce(video_watch_percentage, 0), :pct) "
             "WHERE workout_id = :w AND exercise_id = :e"),
        {"pct": percentage, "w": session.workout_id, "e": session.exercise_id},
    )
