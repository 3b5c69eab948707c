"""Replay: a patient's streak recomputed from their whole workout history (the source of truth)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from services.common.timezones import resolve_zone_name

from .rules import StreakTally, apply_to_tally, evaluate_tally
from .state import StreakState, utc_instant
from .week_scan import replay_one_zone

# Below this many workouts numpy's fixed cost per call outweighs what it saves.
ONE_ZONE_SCAN_MIN_WORKOUTS = 48

_zone_of = attrgetter("timezone")
_completed_at = attrgetter("completed_at")


@dataclass(frozen=True, slots=True)
class WorkoutRecord:
    """One completed workout as the streaks service keeps it (minutes are whole minutes)."""

    completed_at: datetime  # aware
    minutes: int
    timezone: str | None = None  # the patient's zone when it was completed, if recorded

    def __post_init__(self) -> None:
        # Checked once here so the replay loops can trust every record.
        if self.completed_at.tzinfo is None:
            raise ValueError(f"completed_at {self.completed_at.isoformat()} has no timezone")
        if not isinstance(self.minutes, int) or isinstance(self.minutes, bool):
            raise ValueError(f"minutes must be a whole number, got {self.minutes!r}")


def replay(workouts: Iterable[WorkoutRecord], now: datetime, tz: str) -> StreakState:
    """Apply every workout in order of completed_at (each in its own zone, else `tz`), then evaluate at `now`."""
    zone_name = resolve_zone_name(tz)
    records = workouts if isinstance(workouts, (list, tuple)) else list(workouts)
    if len(records) >= ONE_ZONE_SCAN_MIN_WORKOUTS and _all_in_zone(records, zone_name):
        state = replay_one_zone(records, now, zone_name)
        if state is not None:
            return state
    return replay_workout_by_workout(records, now, zone_name)


def applies_incrementally(state: StreakState, evaluated_at: datetime | None, completed_at: datetime) -> bool:
    """True when applying a new workout to `state` ends exactly where a replay of the history with it
    ends: the workout is later than every workout the state counts, and than every instant it was
    evaluated at (a read after this workout completed, its event still queued, may have recorded a break
    the workout prevents). Real or mirror alike: the rules see only the instant, minutes and zone.
    A first workout, a late one or a tie at the same instant is left to the replay."""
    last = state.last_workout_date
    if last is None or completed_at <= last:
        return False
    return evaluated_at is None or completed_at >= evaluated_at


def replay_workout_by_workout(records: Sequence[WorkoutRecord], now: datetime, tz: str) -> StreakState:
    """Replay through the rules one workout at a time (any mix of zones); `tz` must be resolved."""
    tally = StreakTally()
    zones: dict[str | None, str] = {None: tz}
    for record in sorted(records, key=_completed_at):
        workout_zone = zones.get(record.timezone)
        if workout_zone is None:
            workout_zone = zones[record.timezone] = resolve_zone_name(record.timezone, tz)
        apply_to_tally(tally, record.completed_at, record.minutes, workout_zone)
    evaluate_tally(tally, utc_instant(now), tz)
    return tally.to_state()


def _all_in_zone(records: Sequence[WorkoutRecord], zone_name: str) -> bool:
    for recorded in set(map(_zone_of, records)):
        if recorded is not None and resolve_zone_name(recorded, zone_name) != zone_name:
            return False
    return True
