"""The rules a workout completion must satisfy, and what completing does to the workout."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.errors import InvalidInput, RuleViolation
from services.plans.domain.completion import (
    CLOCK_SKEW,
    Completion,
    ExerciseResult,
    complete_workout,
    validate_completion,
)
from services.plans.domain.workout import skip_workout
from tests.unit.plans.fakes import scheduled_workout

NOW = datetime(2026, 5, 4, 18, 0, tzinfo=timezone.utc)
SQUAT, BRIDGE = uuid.uuid4(), uuid.uuid4()
PRESCRIBED = {str(SQUAT), str(BRIDGE)}


def completion(start: datetime = NOW - timedelta(minutes=40), end: datetime = NOW, *, pain: tuple[int, int] = (5, 3),
               difficulty: int = 6, exercises: tuple[ExerciseResult, ...] = ()) -> Completion:
    return Completion(start, end, pain[0], pain[1], difficulty, exercises)


def field_of(c: Completion) -> str:
    with pytest.raises(InvalidInput) as raised:
        validate_completion(c, NOW, PRESCRIBED)
    return raised.value.field


def result(exercise: uuid.UUID, sets: int = 3, reps: int = 10, watched: float | None = None) -> ExerciseResult:
    return ExerciseResult(str(exercise), sets, reps, False, watched)


def test_minutes_are_the_rounded_length_of_the_workout() -> None:
    assert completion(NOW - timedelta(minutes=29, seconds=40)).minutes == 30
    assert completion(NOW, NOW).minutes == 0


def test_a_plausible_completion_passes() -> None:
    validate_completion(completion(exercises=(result(SQUAT), result(BRIDGE, watched=100.0))), NOW, PRESCRIBED)


def test_times_need_an_offset() -> None:
    assert field_of(completion(NOW.replace(tzinfo=None) - timedelta(minutes=5), NOW.replace(tzinfo=None))) == "timeWorkoutStart"


def test_an_end_before_the_start_or_a_day_long_workout_is_refused() -> None:
    assert field_of(completion(NOW, NOW - timedelta(seconds=1))) == "timeWorkoutEnd"
    assert field_of(completion(NOW - timedelta(hours=24, seconds=1))) == "timeWorkoutEnd"
    validate_completion(completion(NOW - timedelta(hours=24)), NOW, PRESCRIBED)


def test_a_phone_clock_a_little_ahead_is_the_same_moment_but_the_future_is_refused() -> None:
    validate_completion(completion(end=NOW + CLOCK_SKEW), NOW, PRESCRIBED)
    assert field_of(completion(end=NOW + CLOCK_SKEW + timedelta(seconds=1))) == "timeWorkoutEnd"


@pytest.mark.parametrize(("pain", "field"), [((-1, 3), "painBefore"), ((11, 3), "painBefore"), ((5, 11), "painAfter")])
def test_pain_is_reported_from_0_to_10(pain: tuple[int, int], field: str) -> None:
    assert field_of(completion(pain=pain)) == field
    validate_completion(completion(pain=(0, 10)), NOW, PRESCRIBED)


@pytest.mark.parametrize("difficulty", [0, 11])
def test_perceived_difficulty_is_from_1_to_10(difficulty: int) -> None:
    assert field_of(completion(difficulty=difficulty)) == "perceivedDifficulty"


def test_each_exercise_result_names_its_own_field() -> None:
    assert field_of(completion(exercises=(result(uuid.uuid4()),))) == "exercises[0].exerciseId"
    assert field_of(completion(exercises=(result(SQUAT), result(SQUAT)))) == "exercises[1].exerciseId"
    assert field_of(completion(exercises=(result(SQUAT, sets=101),))) == "exercises[0].actualSets"
    assert field_of(completion(exercises=(result(SQUAT, reps=-1),))) == "exercises[0].actualReps"
    assert field_of(completion(exercises=(result(BRIDGE, watched=100.5),))) == "exercises[0].videoWatchPercentage"


def test_completing_dates_the_workout_on_its_end_in_the_patients_zone() -> None:
    workout = scheduled_workout(uuid.uuid4(), uuid.uuid4(), [SQUAT, BRIDGE], date(2026, 5, 5))
    late_evening = datetime(2026, 5, 5, 3, 30, tzinfo=timezone.utc)  # 4 May, 20:30 in Los Angeles
    done = complete_workout(workout, completion(late_evening - timedelta(minutes=20), late_evening,
                                                 exercises=(result(SQUAT),)), NOW + timedelta(hours=12), "America/Los_Angeles")
    assert done is not None
    assert (done.status, done.local_date, done.timezone, done.scheduled_date) == (
        "completed", date(2026, 5, 4), "America/Los_Angeles", date(2026, 5, 5))
    assert (done.completed_at, done.duration_minutes, done.pain_before, done.pain_after) == (late_evening, 20, 5, 3)
    assert [(log.skipped, log.actual_sets) for log in done.exercises] == [(False, 3), (True, 0)]
    assert done.exercises_completed == 1
    assert workout.status == "scheduled"  # the loaded workout is not changed in place


def test_completing_a_completed_workout_changes_nothing_and_a_skipped_one_is_refused() -> None:
    workout = scheduled_workout(uuid.uuid4(), uuid.uuid4(), [SQUAT], date(2026, 5, 4))
    done = complete_workout(workout, completion(), NOW, "UTC")
    assert done is not None and complete_workout(done, completion(), NOW, "UTC") is None
    skipped = skip_workout(workout, "travelling")
    assert skipped is not None
    with pytest.raises(RuleViolation, match="skipped"):
        complete_workout(skipped, completion(), NOW, "UTC")
    with pytest.raises(RuleViolation, match="already completed"):
        skip_workout(done, "too late")
    assert skip_workout(skipped, "again") is None


@pytest.mark.parametrize("status", ["completed", "expired", "cancelled"])
def test_workouts_of_a_plan_that_is_over_can_be_neither_completed_nor_skipped(status: str) -> None:
    workout = scheduled_workout(uuid.uuid4(), uuid.uuid4(), [SQUAT], date(2026, 5, 4), plan_status=status)
    with pytest.raises(RuleViolation, match=status):
        complete_workout(workout, completion(), NOW, "UTC")
    with pytest.raises(RuleViolation, match=status):
        skip_workout(workout, "why not")
