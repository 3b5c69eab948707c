"""Mirror workouts: the inferred workout entrances asks for when an app entrance stands for a day of
exercise. Idempotent on the entrance, so racing finalizers and repeated sweeps make one."""

from __future__ import annotations

import uuid
from datetime import date

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import Conflict
from services.common.identity import SERVICE_ROLE, Identity
from services.plans.care.handlers import emit_completed, visible_workout
from services.plans.care.unit_of_work import CareUnits, sql_units
from services.plans.domain.mirror import mirror_workout
from services.plans.domain.workout import Workout


class MirrorWorkouts:
    def __init__(self, database: Database | CareUnits, clock: Clock) -> None:
        self._units = sql_units(database) if isinstance(database, Database) else database
        self._clock = clock

    async def create_mirror(
        self, who: Identity, entrance_id: uuid.UUID, source_workout_id: uuid.UUID, day: date, patient_id: uuid.UUID,
        zone_name: str,
    ) -> Workout:
        """An inferred workout standing for an app entrance; idempotent on the entrance id."""
        who.require_role(SERVICE_ROLE)
        now = self._clock.now()
        async with self._units(who.tenant_id) as uow:
            existing = await uow.workouts.mirror_of_entrance(entrance_id)
            if existing is not None:
                return await visible_workout(uow, who, existing)
            source = await uow.workouts.get(source_workout_id)
            mirror = mirror_workout(source, source_workout_id, patient_id, entrance_id, day, zone_name, now)
            if not await uow.workouts.add_mirror(mirror):
                # Another finalizer won the race and has committed: return its mirror.
                winner = await uow.workouts.mirror_of_entrance(entrance_id)
                if winner is None:
                    raise Conflict(f"a mirror workout for entrance {entrance_id} is being created concurrently; retry")
                return await visible_workout(uow, who, winner)
            await emit_completed(uow, mirror)
            await uow.audit(who, "workout.mirror.create", "workout", str(mirror.workout_id), now,
                            entrance_id=str(entrance_id), source_workout_id=str(mirror.mirrored_from_workout_id),
                            local_date=str(day))
            await uow.commit()
        # Read back: the mirror's exercise logs were copied by SQL from its source.
        async with self._units(who.tenant_id) as uow:
            return await visible_workout(uow, who, mirror.workout_id)
