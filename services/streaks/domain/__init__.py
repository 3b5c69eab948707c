"""The streak rules as pure functions over values: evaluate, apply, replay, view, explain."""

from .explain import explain
from .replay import WorkoutRecord, applies_incrementally, replay
from .rules import apply_workout, evaluate
from .state import DAYS_OFF_PER_WEEK, WEEKLY_MINUTES_TARGET, StreakState
from .validation import InvalidWorkout, validate_workout
from .view import build_view
from .week import days_off

__all__ = [
    "DAYS_OFF_PER_WEEK",
    "WEEKLY_MINUTES_TARGET",
    "InvalidWorkout",
    "StreakState",
    "WorkoutRecord",
    "applies_incrementally",
    "apply_workout",
    "build_view",
    "days_off",
    "evaluate",
    "explain",
    "replay",
    "validate_workout",
]
