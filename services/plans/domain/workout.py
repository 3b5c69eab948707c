"""A patient's workout and its exercise logs, and the rules of skipping one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from services.common.errors import InvalidInput, RuleViolation


@dataclass(frozen=True)
class ExerciseSessionLink:
    """One exercise session of a log's exercise in its workout, as plans learnt it from telemetry."""

    session_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None  # None while telemetry has not finalized it
    incomplete: bool | None
    detected_reps: int | None  # None until finalized with pose data

    @property
    def status(self) -> str:
        if self.ended_at is None:
            return "open"
        return "incomplete" if self.incomplete else "completed"


@dataclass(frozen=True)
class ExerciseLog:
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
    pose_accuracy_session_id: uuid.UUID | None = None  # the exercise session the score comes from
    sessions: list[ExerciseSessionLink] = field(default_factory=list)  # oldest first; staff's history only
    prescribed_hold_seconds: int | None = None  # each rep held this long; None: no hold (or a session done before 0016)

    @property
    def measured_session(self) -> ExerciseSessionLink | None:
        """The session whose detected reps stand next to the reported ones: the one the pose score
        comes from, else the latest finalized one (it detected no rep, so no score was kept)."""
        scored = next((s for s in self.sessions if s.session_id == self.pose_accuracy_session_id), None)
        if scored is not None:
            return scored
        finalized = [s for s in self.sessions if s.ended_at is not None]
        return max(finalized, key=lambda s: (s.ended_at, s.started_at)) if finalized else None


@dataclass
class Workout:
    workout_id: uuid.UUID
    tenant_id: uuid.UUID
    plan_id: uuid.UUID
    patient_id: uuid.UUID
    session_number: int
    scheduled_date: date | None
    status: str  # scheduled | completed | skipped
    source: str  # real (a session of the plan) | inferred (a mirror workout standing for an app entrance)
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
    exercises: list[ExerciseLog] = field(default_factory=list)


def require_active_plan(plan_status: str) -> None:
    if plan_status != "active":
        raise RuleViolation(f"plan is {plan_status}: its workouts can no longer be completed or skipped", code="plan_closed")


def skip_workout(workout: Workout, reason: str) -> Workout | None:
    """The workout as skipped, or None when it already is (a retry: nothing to write)."""
    if workout.status == "skipped":
        return None
    if workout.status == "completed":
        raise RuleViolation(f"workout {workout.workout_id} is already completed", code="workout_already_completed")
    require_active_plan(workout.plan_status)
    # Skipping the workout skips every exercise in it: its logs say so, as a completion's unreported ones do.
    logs = [replace(log, skipped=True) for log in workout.exercises]
    return replace(workout, status="skipped", skip_reason=reason, exercises=logs)


def require_prescribed(workout: Workout, exercise_id: uuid.UUID) -> None:
    """An exercise session records one of the workout's own exercises."""
    if exercise_id not in {log.exercise_id for log in workout.exercises}:
        raise InvalidInput("exerciseId", f"{exercise_id} is not part of workout {workout.workout_id}")


def require_completed(workout: Workout) -> None:
    """A post-session form is about a workout the patient has done."""
    if workout.status != "completed":
        raise RuleViolation("a post-session form belongs to a completed workout")
