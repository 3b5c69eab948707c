"""Mirror workouts: an inferred workout standing for an app entrance, dated on the entrance's day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from services.common.errors import RuleViolation
from services.common.timezones import day_bounds_utc, resolve_zone_name
from services.plans.domain.workout import Workout


@dataclass(frozen=True)
class MadeMirror:
    workout_id: uuid.UUID
    completed_at: datetime
    timezone: str


@dataclass(frozen=True)
class EntranceFacts:
    """What finalizing an app entrance decides on, read in one plans transaction; `mirror` is the
    entrance's mirror when one exists (made now or by an earlier attempt)."""

    has_real_workout: bool
    latest_real_workout_id: uuid.UUID | None
    mirror: MadeMirror | None
    entrance_tracking: bool = False

    @property
    def calls_for_mirror(self) -> bool:
        """Entrances' rule (decide_finalization): tracking on, no real workout that day, something to copy."""
        return (
            self.mirror is None and self.entrance_tracking and not self.has_real_workout
            and self.latest_real_workout_id is not None
        )


def mirror_instant(day: date, zone: str, now: datetime) -> datetime:
    """When the mirror counts as done: now, but never after the entrance's local day ends (its last
    second, 23:59:59), so a finalizer running after local midnight still dates it on that day."""
    last_instant_of_day = day_bounds_utc(day, zone).end_utc - timedelta(seconds=1)
    return min(now, last_instant_of_day)


def mirror_workout(
    source: Workout | None, source_workout_id: uuid.UUID, patient_id: uuid.UUID, entrance_id: uuid.UUID, day: date,
    zone_name: str, now: datetime,
) -> Workout:
    """The mirror of the patient's latest completed real workout for the entrance's day: the same plan
    and exercises, no figures of its own (no minutes, pain or difficulty)."""
    if source is None or source.patient_id != patient_id or source.status != "completed" or source.source != "real":
        raise RuleViolation(f"workout {source_workout_id} is not a completed real workout of patient {patient_id}")
    zone = resolve_zone_name(zone_name, source.timezone)
    completed_at = mirror_instant(day, zone, now)
    return replace(
        source,
        workout_id=uuid.uuid4(), session_number=0, scheduled_date=day, status="completed", source="inferred",
        time_workout_start=completed_at, time_workout_end=completed_at, completed_at=completed_at,
        local_date=day, timezone=zone, pain_before=None, pain_after=None, perceived_difficulty=None,
        duration_minutes=0, exercises_completed=0, completed_via_app_entrance=True,
        mirrored_from_workout_id=source.workout_id, entrance_id=entrance_id, skip_reason=None, exercises=[],
    )
