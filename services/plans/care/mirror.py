"""Mirror workouts: the inferred workout entrances asks for when an app entrance stands for a day of
exercise. Idempotent on the entrance, so racing finalizers and repeated sweeps make one."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import Conflict, RuleViolation
from services.common.identity import SERVICE_ROLE, Identity
from services.common.timezones import day_bounds_utc, resolve_zone_name
from services.plans.care import mirror_repository as mirrors
from services.plans.care import repository as workouts
from services.plans.care.handlers import emit_completed, visible_workout
from services.plans.care.repository import WorkoutRow


class MirrorWorkouts:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create_mirror(
        self, who: Identity, entrance_id: uuid.UUID, source_workout_id: uuid.UUID, day: date, patient_id: uuid.UUID,
        zone_name: str,
    ) -> WorkoutRow:
        """An inferred workout standing for an app entrance; idempotent on the entrance id."""
        who.require_role(SERVICE_ROLE)
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            existing = await mirrors.workout_id_for_entrance(uow, entrance_id)
            if existing is not None:
                return await visible_workout(uow, who, existing)
            source = await workouts.get_workout(uow, source_workout_id)
            if source is None or source.patient_id != patient_id or source.status != "completed" or source.source != "real":
                raise RuleViolation(f"workout {source_workout_id} is not a completed real workout of patient {patient_id}")
            zone = resolve_zone_name(zone_name, source.timezone)
            # Dated on the entrance's day even when the finalizer runs after local midnight.
            last_instant_of_day = day_bounds_utc(day, zone).end_utc - timedelta(seconds=1)
            completed_at = min(now, last_instant_of_day)
            mirror = replace(
                source,
                workout_id=uuid.uuid4(), session_number=0, scheduled_date=day, status="completed", source="inferred",
                time_workout_start=completed_at, time_workout_end=completed_at, completed_at=completed_at,
                local_date=day, timezone=zone, pain_before=None, pain_after=None, perceived_difficulty=None,
                duration_minutes=0, exercises_completed=0, completed_via_app_entrance=True,
                mirrored_from_workout_id=source.workout_id, entrance_id=entrance_id, skip_reason=None, exercises=[],
            )
            if not await mirrors.insert_mirror(uow, mirror):
                # Another finalizer won the race and has committed: return its mirror.
                winner = await mirrors.workout_id_for_entrance(uow, entrance_id)
                if winner is None:
                    raise Conflict(f"a mirror workout for entrance {entrance_id} is being created concurrently; retry")
                return await visible_workout(uow, who, winner)
            await mirrors.copy_exercise_logs(uow, who.tenant_id, source.workout_id, mirror.workout_id)
            await emit_completed(uow, mirror)
            await audit(uow, who, "workout.mirror.create", "workout", str(mirror.workout_id), now,
                        entrance_id=str(entrance_id), source_workout_id=str(source.workout_id), local_date=str(day))
            await uow.commit()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            return await visible_workout(uow, who, mirror.workout_id)
