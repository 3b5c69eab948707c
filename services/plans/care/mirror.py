"""Mirror workouts: the inferred workout entrances asks for when an app entrance stands for a day of
exercise. Idempotent on the entrance, so racing finalizers and repeated sweeps make one."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import Conflict
from services.common.identity import SERVICE_ROLE, Identity
from services.plans.care.handlers import emit_completed, visible_workout
from services.plans.care.unit_of_work import CareUnitOfWork, CareUnits, sql_units
from services.plans.domain.mirror import EntranceFacts, MadeMirror, mirror_workout
from services.plans.domain.workout import Workout
from services.plans.metrics import MIRROR_WORKOUTS

APP_ENTRANCE_FLAG = "appEntranceTracking"


class MirrorWorkouts:
    def __init__(self, database: Database | CareUnits, clock: Clock) -> None:
        self._units = sql_units(database) if isinstance(database, Database) else database
        self._clock = clock

    async def finalize_entrance(
        self, who: Identity, entrance_id: uuid.UUID, patient_id: uuid.UUID, day: date, zone_name: str,
    ) -> EntranceFacts:
        """The entrance finalizer's one call: the facts it decides on and, when they call for one, the
        mirror, all in one transaction (so no real workout can slip in between the check and the
        mirror), answered from what was written rather than read back."""
        who.require_role(SERVICE_ROLE)
        now = self._clock.now()
        async with self._units(who.tenant_id) as uow:
            await uow.patients.require_visible(who, patient_id)
            facts = replace(
                await uow.workouts.entrance_facts(patient_id, entrance_id, day),
                entrance_tracking=await uow.patients.clinic_flag(who.tenant_id, APP_ENTRANCE_FLAG),
            )
            if not facts.calls_for_mirror:
                return facts  # nothing to make, or made by an earlier attempt: read-only, rolled back
            assert facts.latest_real_workout_id is not None
            mirror = await self._add(uow, who, entrance_id, facts.latest_real_workout_id, day, patient_id, zone_name, now)
            if mirror is None:
                # Another finalizer made it and committed (the insert waited for it): answer that one.
                winner = await uow.workouts.entrance_facts(patient_id, entrance_id, day)
                if winner.mirror is None:
                    raise Conflict(f"a mirror workout for entrance {entrance_id} is being created concurrently; retry")
                return replace(facts, mirror=winner.mirror)
            await uow.commit()
        MIRROR_WORKOUTS.inc()
        assert mirror.completed_at is not None and mirror.timezone is not None
        return replace(facts, mirror=MadeMirror(mirror.workout_id, mirror.completed_at, mirror.timezone))

    async def create_mirror(
        self, who: Identity, entrance_id: uuid.UUID, source_workout_id: uuid.UUID, day: date, patient_id: uuid.UUID,
        zone_name: str,
    ) -> Workout:
        """A mirror of a given workout, read back whole; idempotent on the entrance id (seeding and tests:
        the finalizer goes through finalize_entrance)."""
        who.require_role(SERVICE_ROLE)
        now = self._clock.now()
        async with self._units(who.tenant_id) as uow:
            existing = await uow.workouts.mirror_of_entrance(entrance_id)
            if existing is not None:
                return await visible_workout(uow, who, existing)
            mirror = await self._add(uow, who, entrance_id, source_workout_id, day, patient_id, zone_name, now)
            if mirror is None:
                winner = await uow.workouts.mirror_of_entrance(entrance_id)
                if winner is None:
                    raise Conflict(f"a mirror workout for entrance {entrance_id} is being created concurrently; retry")
                return await visible_workout(uow, who, winner)
            await uow.commit()
        MIRROR_WORKOUTS.inc()
        # Read back: the mirror's exercise logs were copied by SQL from its source.
        async with self._units(who.tenant_id) as uow:
            return await visible_workout(uow, who, mirror.workout_id)

    async def _add(
        self, uow: CareUnitOfWork, who: Identity, entrance_id: uuid.UUID, source_workout_id: uuid.UUID, day: date,
        patient_id: uuid.UUID, zone_name: str, now: datetime,
    ) -> Workout | None:
        """The mirror with its event and audit row, uncommitted; None when another transaction's mirror won."""
        source = await uow.workouts.get(source_workout_id)
        mirror = mirror_workout(source, source_workout_id, patient_id, entrance_id, day, zone_name, now)
        if not await uow.workouts.add_mirror(mirror):
            return None
        await emit_completed(uow, mirror)
        await uow.audit(who, "workout.mirror.create", "workout", str(mirror.workout_id), now,
                        entrance_id=str(entrance_id), source_workout_id=str(mirror.mirrored_from_workout_id),
                        local_date=str(day))
        return mirror
