"""Checks a workout event must pass before it may touch a streak (failures are dead-lettered)."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_WORKOUT_MINUTES = 24 * 60
# Device clocks drift and events queue; anything further ahead than this is not a real workout.
FUTURE_TOLERANCE = timedelta(days=1)


class InvalidWorkout(ValueError):
    """A workout the streak rules must not apply; `reason` says why, for the dead-letter log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def validate_workout(completed_at: datetime, minutes: int, now: datetime) -> None:
    """Raise InvalidWorkout unless the workout is one the rules can apply at `now`."""
    if not isinstance(completed_at, datetime):
        raise InvalidWorkout(f"completed_at must be a datetime, got {type(completed_at).__name__}")
    if completed_at.tzinfo is None or completed_at.utcoffset() is None:
        raise InvalidWorkout(f"completed_at {completed_at.isoformat()} has no timezone offset")
    # bool is an int in Python; true/false minutes is a broken producer, not a duration.
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidWorkout(f"minutes must be a whole number, got {minutes!r}")
    if minutes < 0:
        raise InvalidWorkout(f"minutes is {minutes}: a workout cannot last less than 0 minutes")
    if minutes > MAX_WORKOUT_MINUTES:
        raise InvalidWorkout(f"minutes is {minutes}: more than 24 hours ({MAX_WORKOUT_MINUTES} minutes)")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if completed_at - now > FUTURE_TOLERANCE:
        raise InvalidWorkout(
            f"completed_at {completed_at.isoformat()} is more than a day after now ({now.isoformat()})"
        )
