"""validate_workout: events the service must dead-letter instead of applying."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.streaks.domain import InvalidWorkout, WorkoutRecord, validate_workout

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("minutes", [0, 1, 45, 1440])
def test_valid_workouts_pass(minutes):
    validate_workout(NOW - timedelta(hours=1), minutes, NOW)
    validate_workout(NOW + timedelta(days=1), minutes, NOW)  # exactly a day ahead is tolerated


@pytest.mark.parametrize(
    "completed_at, minutes, reason",
    [
        (NOW, -1, "less than 0"),
        (NOW, 1441, "more than 24 hours"),
        (NOW, 30.5, "whole number"),
        (NOW, True, "whole number"),
        (NOW, "30", "whole number"),
        (datetime(2026, 3, 2, 12, 0), 30, "no timezone"),
        (NOW + timedelta(days=1, seconds=1), 30, "more than a day after now"),
        ("2026-03-02T12:00:00Z", 30, "must be a datetime"),
    ],
)
def test_invalid_workouts_say_why(completed_at, minutes, reason):
    with pytest.raises(InvalidWorkout, match=reason) as raised:
        validate_workout(completed_at, minutes, NOW)
    assert isinstance(raised.value, ValueError)
    assert reason in raised.value.reason


@pytest.mark.parametrize(
    "completed_at, minutes",
    [(datetime(2026, 3, 2, 12, 0), 30), (NOW, 30.0), (NOW, False)],
)
def test_workout_records_refuse_what_replay_cannot_count(completed_at, minutes):
    with pytest.raises(ValueError):
        WorkoutRecord(completed_at, minutes)
