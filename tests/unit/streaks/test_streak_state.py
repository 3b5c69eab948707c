"""StreakState: the stored row, its JSON form and the checks on what goes into it."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from services.streaks.domain import DAYS_OFF_PER_WEEK, WEEKLY_MINUTES_TARGET, StreakState

UTC = timezone.utc


def test_constants_are_the_issue_s():
    assert DAYS_OFF_PER_WEEK == 3
    assert WEEKLY_MINUTES_TARGET == 45


def test_empty_state_is_a_patient_without_workouts():
    state = StreakState()
    assert state.to_dict() == {
        "current_daily_streak": 0,
        "current_weekly_streak": 0,
        "last_workout_date": None,
        "weekly_minutes": 0,
        "weekly_workout_days": [],
        "week_streak_active_since": None,
        "week_timezone": None,
    }
    assert StreakState.from_dict(state.to_dict()) == state


def test_round_trip_through_json_is_exact():
    state = StreakState(
        current_daily_streak=12,
        current_weekly_streak=3,
        last_workout_date=datetime(2026, 3, 2, 15, 0, 0, 123456, tzinfo=UTC),
        weekly_minutes=95,
        weekly_workout_days=frozenset({0, 6, 1, 3}),
        week_streak_active_since=1,
        week_timezone="America/New_York",
    )
    stored = json.loads(json.dumps(state.to_dict()))
    assert stored["last_workout_date"] == "2026-03-02T15:00:00.123456Z"
    assert stored["weekly_workout_days"] == [0, 1, 3, 6]
    assert StreakState.from_dict(stored) == state


def test_instants_are_kept_in_utc_whatever_offset_they_came_with():
    plus_five = timezone(timedelta(hours=5))
    state = StreakState(last_workout_date=datetime(2026, 3, 2, 20, 0, tzinfo=plus_five))
    assert state.to_dict()["last_workout_date"] == "2026-03-02T15:00:00Z"
    assert state.last_workout_date.tzinfo is UTC


def test_from_dict_accepts_an_explicit_offset_and_a_list_of_days():
    state = StreakState.from_dict(
        {"last_workout_date": "2026-03-02T10:00:00-05:00", "weekly_workout_days": [2, 1], "current_daily_streak": 2}
    )
    assert state.last_workout_date == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert state.weekly_workout_days == frozenset({1, 2})
    assert state.current_weekly_streak == 0  # missing keys take the defaults


@pytest.mark.parametrize(
    "fields",
    [
        {"last_workout_date": datetime(2026, 3, 2, 15, 0)},  # naive
        {"weekly_workout_days": frozenset({7})},
        {"week_streak_active_since": -1},
    ],
)
def test_impossible_rows_are_refused(fields):
    with pytest.raises(ValueError):
        StreakState(**fields)


def test_naive_text_is_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        StreakState.from_dict({"last_workout_date": "2026-03-02T15:00:00"})
