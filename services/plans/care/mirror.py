"""Mirror workouts: the inferred workout entrances asks for when an app entrance stands for a day of
exercise. Idempotent on the entrance, so racing finalizers and repeated sweeps make one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import Conflict, InvalidInput
from services.common.identity import SERVICE_ROLE, Identity
from services.plans.care.handlers import emit_completed, visible_workout
from services.plans.care.unit_of_work import CareUnitOfWork, CareUnits, sql_units
from services.plans.domain.mirror import EntranceFacts, MadeMirror, mirror_workout
from services.plans.domain.workout import Workout
from services.plans.metrics import MIRROR_WORKOUTS

APP_ENTRANCE_FLAG = "appEntranceTracking"
# One transaction holds every mirror of a call: bounded so a call stays short and its locks few.
MAX_ENTRANCES_PER_CALL = 100


@dataclass(frozen=True)
class EntranceToFinalize:
    entrance_id: uuid.UUID
    patient_id: uuid.UUID
    local_date: date
    timezone: str


@dataclass(frozen=True)
class _Finalized:
    facts: EntranceFacts
    made_now: bool


class MirrorWorkouts:
    def __init__(self, database: Database | CareUnits, clock: Clock) -> None:
        self._units = sql_units(database) if isinstance(database, Database) else database
        self._clock = clock

    async def finalize_entrances(self, who: Identity, entrances: Sequence[EntranceToFinalize]) -> list[EntranceFacts]:
        """The entrance finalizer's one call per batch: for each entrance, the facts it decides on and,
        when they call for one, the mirror, all in one transaction (so no real workout can slip in
        between a check and its mirror), answered from what was written rather than read back. In the
        order asked; idempotent on each entrance id."""
        who.require_role(SERVICE_ROLE)
        if len(entrances) > MAX_ENTRANCES_PER_CALL:
            raise InvalidInput("entrances", f"at most {MAX_ENTRANCES_PER_CALL} in one call, got {len(entrances)}")
        if len({asked.entrance_id for asked in entrances}) != len(entrances):
            raise InvalidInput("entrances", "an entrance is named twice")
        now = self._clock.now()
        answers: list[EntranceFacts] = []
        made = 0
        async with self._units(who.tenant_id) as uow:
            tracking = await uow.patients.clinic_flag(who.tenant_id, APP_ENTRANCE_FLAG)
            for asked in entrances:
                answer = await self._finalize_one(uow, who, asked, tracking, now)
                made += answer.made_now
                answers.append(answer.facts)
            if made:
                await uow.commit()  # else nothing was written: read-only, rolled back
        MIRROR_WORKOUTS.inc(made)
        return answers

    async def _finalize_one(
        self, uow: CareUnitOfWork, who: Identity, asked: EntranceToFinalize, tracking: bool, now: datetime,
    ) -> _Finalized:
        await uow.patients.require_visible(who, asked.patient_id)
        facts = replace(
            await uow.workouts.entrance_facts(asked.patient_id, asked.entrance_id, asked.local_date),
            entrance_tracking=tracking,
        )
        if not facts.calls_for_mirror:
            return _Finalized(facts, False)  # nothing to make, or made by an earlier attempt
        assert facts.latest_real_workout_id is not None
        mirror = await self._add(
            uow, who, asked.entrance_id, facts.latest_real_workout_id, asked.local_date, asked.patient_id,
            asked.timezone, now,
        )
        if mirror is None:
            # Another finalizer made it and committed (the insert waited for it): answer that one.
            winner = await uow.workouts.entrance_facts(asked.patient_id, asked.entrance_id, asked.local_date)
            if winner.mirror is None:
                raise Conflict(f"a mirror workout for entrance {asked.entrance_id} is being created concurrently; retry")
            return _Finalized(replace(facts, mirror=winner.mirror), False)
        assert mirror.completed_at is not None and mirror.timezone is not None
        return _Finalized(replace(facts, mirror=MadeMirror(mirror.workout_id, mirror.completed_at, mirror.timezone)), True)

    async def create_mirror(
        self, who: Identity, entrance_id: uuid.UUID, source_workout_id: uuid.UUID, day: date, patient_id: uuid.UUID,
        zone_name: str,
    ) -> Workout:
        """A mirror of a given workout, read back whole; idempotent on the entrance id (seeding and tests:
        the finalizer goes through finalize_entrances)."""
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
