"""The rules a workout completion must satisfy before anything is written, and what completing does."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.common.errors import InvalidInput, RuleViolation
from services.common.parsing import instant_in_window
from services.common.timezones import local_date
from services.plans.domain.workout import Workout, require_active_plan

# Phones' clocks drift: an end up to this far in the future is the same moment, not a forgery.
CLOCK_SKEW = timedelta(minutes=5)
MAX_WORKOUT_DURATION = timedelta(hours=24)


@dataclass(frozen=True)
class ExerciseResult:
    exercise_id: str
    actual_sets: int
    actual_reps: int
    skipped: bool
    video_watch_percentage: float | None


@dataclass(frozen=True)
class Completion:
    started_at: datetime
    ended_at: datetime
    pain_before: int
    pain_after: int
    perceived_difficulty: int
    exercises: tuple[ExerciseResult, ...]

    @property
    def minutes(self) -> int:
        return int(round((self.ended_at - self.started_at).total_seconds() / 60))


def validate_completion(completion: Completion, now: datetime, prescribed_exercise_ids: set[str]) -> None:
    """Raises InvalidInput naming the first field that is wrong."""
    if completion.started_at.tzinfo is None or completion.ended_at.tzinfo is None:
        raise InvalidInput("timeWorkoutStart", "times must carry a timezone offset")
    for field, at in (("timeWorkoutStart", completion.started_at), ("timeWorkoutEnd", completion.ended_at)):
        instant_in_window(field, at, now)  # the same window the gateway holds callers to: no unpublishable event
    if completion.ended_at < completion.started_at:
        raise InvalidInput("timeWorkoutEnd", "ends before timeWorkoutStart")
    if completion.ended_at - completion.started_at > MAX_WORKOUT_DURATION:
        raise InvalidInput("timeWorkoutEnd", "a workout cannot last more than 24 hours")
    if completion.ended_at > now + CLOCK_SKEW:
        raise InvalidInput("timeWorkoutEnd", "is in the future")
    for field, value in (("painBefore", completion.pain_before), ("painAfter", completion.pain_after)):
        if not 0 <= value <= 10:
            raise InvalidInput(field, f"must be between 0 and 10, got {value}")
    if not 1 <= completion.perceived_difficulty <= 10:
        raise InvalidInput("perceivedDifficulty", f"must be between 1 and 10, got {completion.perceived_difficulty}")
    seen: set[str] = set()
    for index, result in enumerate(completion.exercises):
        where = f"exercises[{index}]"
        if result.exercise_id not in prescribed_exercise_ids:
            raise InvalidInput(f"{where}.exerciseId", f"{result.exercise_id} is not prescribed in this workout")
        if result.exercise_id in seen:
            raise InvalidInput(f"{where}.exerciseId", f"{result.exercise_id} is reported twice")
        seen.add(result.exercise_id)
        if not 0 <= result.actual_sets <= 100:
            raise InvalidInput(f"{where}.actualSets", "must be between 0 and 100")
        if not 0 <= result.actual_reps <= 1000:
            raise InvalidInput(f"{where}.actualReps", "must be between 0 and 1000")
        if result.video_watch_percentage is not None and not 0 <= result.video_watch_percentage <= 100:
            raise InvalidInput(f"{where}.videoWatchPercentage", "must be between 0 and 100")


def complete_workout(workout: Workout, completion: Completion, now: datetime, zone: str) -> Workout | None:
    """The workout as completed, or None when it already is (a retry: same result, nothing to write,
    no second event).

    An exercise the report leaves out counts as skipped with nothing done; the workout belongs to the
    local day its end falls on in the patient's zone, whatever day it was scheduled for."""
    if workout.status == "completed":
        return None
    if workout.status == "skipped":
        raise RuleViolation(f"workout {workout.workout_id} was skipped and cannot be completed", code="workout_skipped")
    require_active_plan(workout.plan_status)
    validate_completion(completion, now, {str(log.exercise_id) for log in workout.exercises})
    results = {r.exercise_id: r for r in completion.exercises}
    logs = []
    for log in workout.exercises:
        result = results.get(str(log.exercise_id))
        if result is None:
            logs.append(replace(log, skipped=True, actual_sets=0, actual_reps=0))
        else:
            logs.append(replace(log, actual_sets=result.actual_sets, actual_reps=result.actual_reps,
                                skipped=result.skipped, video_watch_percentage=result.video_watch_percentage))
    return replace(
        workout,
        status="completed",
        time_workout_start=completion.started_at,
        time_workout_end=completion.ended_at,
        completed_at=completion.ended_at,
        local_date=local_date(completion.ended_at, zone),
        timezone=zone,
        pain_before=completion.pain_before,
        pain_after=completion.pain_after,
        perceived_difficulty=completion.perceived_difficulty,
        duration_minutes=completion.minutes,
        exercises_completed=sum(1 for log in logs if not log.skipped),
        exercises=logs,
    )
