"""Use cases of the streaks service: record a completed workout, read a streak, rebuild one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import InvalidInput, NotFound, PermissionDenied, Unavailable
from services.common.identity import SERVICE_ROLE, Identity
from services.common.logging import get_logger
from services.common.timezones import is_valid_zone, local_date, resolve_zone_name
from services.streaks import repository
from services.streaks.domain.replay import applies_incrementally, replay
from services.streaks.domain.rules import apply_workout, evaluate
from services.streaks.domain.state import StreakState
from services.streaks.domain.view import build_view
from services.streaks.plans_client import PlansClient
from services.streaks.repository import ProjectedWorkout

log = get_logger(__name__)

REAL = "real"
INFERRED = "inferred"
SOURCES = (REAL, INFERRED)
# A roster page is at most 100 patients.
MAX_BATCH = 100


def replayed_through(state: StreakState, now: datetime) -> datetime:
    """The instant a replay at `now` has evaluated through: now, or a (slightly) future workout after it."""
    last = state.last_workout_date
    return max(now, last) if last is not None else now


class DependencyUnavailable(Unavailable):
    """Plans could not be asked something this request cannot be answered without."""


class UnusableWorkout(Exception):
    """A workout event that can never be applied (the consumer dead-letters it)."""


@dataclass(frozen=True)
class CompletedWorkout:
    """A plans.workout.completed event, parsed and validated by the consumer."""

    workout_id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: str | None
    completed_at: datetime
    minutes: int
    timezone: str  # as the event said; may be empty or unknown
    source: str
    message_id: str


@dataclass(frozen=True)
class StreakReading:
    patient_id: uuid.UUID
    view: dict[str, Any]


class StreaksHandlers:
    def __init__(self, database: Database, clock: Clock, plans: PlansClient | None) -> None:
        self._db = database
        self._clock = clock
        self._plans = plans

    # ------------------------------------------------------------------ workout events
    async def record_completed_workout(self, uow: UnitOfWork, tenant_id: uuid.UUID, workout: CompletedWorkout) -> str:
        """Projects the workout and brings the streak up to date inside the consumer's transaction.

        Returns how: "incremental", "replay" or "duplicate" (same workout id, same facts: nothing to do).
        """
        zone_name = workout.timezone if is_valid_zone(workout.timezone) else None
        if zone_name is None:
            known = await repository.get_patient(uow, workout.patient_id)
            zone_name = await self._patient_zone(tenant_id, workout.patient_id, known.timezone if known else None)
        projected = ProjectedWorkout(
            workout_id=workout.workout_id,
            patient_id=workout.patient_id,
            plan_id=workout.plan_id,
            completed_at=workout.completed_at,
            minutes=workout.minutes,
            timezone=zone_name,
            local_date=local_date(workout.completed_at, zone_name),
            source=workout.source,
        )
        # The streak row lock comes first: the projection rows of a patient change only under it,
        # so a replay below sees every workout committed before it and none half-written.
        stored = await repository.lock_streak(uow, tenant_id, workout.patient_id)
        if stored is None:
            raise UnusableWorkout(f"patient {workout.patient_id} belongs to another clinic")
        existing = await repository.get_workout(uow, workout.workout_id)
        if existing is not None:
            if existing.patient_id != workout.patient_id:
                raise UnusableWorkout(f"workout {workout.workout_id} was recorded for patient {existing.patient_id}")
            if existing.same_facts(projected):
                # Redelivered under a new message id: the projection makes it harmless.
                log.info("streak.workout_already_counted", workout_id=str(workout.workout_id))
                return "duplicate"
            await repository.correct_workout(uow, projected, workout.message_id)
        elif not await repository.insert_workout(uow, tenant_id, projected, workout.message_id):
            raise UnusableWorkout(f"workout id {workout.workout_id} is taken in another clinic")

        if existing is None and applies_incrementally(stored.state, stored.evaluated_at, workout.completed_at):
            state = apply_workout(stored.state, workout.completed_at, workout.minutes, zone_name)
            await repository.save_streak(uow, workout.patient_id, state, workout.completed_at)
            how = "incremental"
        else:
            # Late, corrected or first workout: the projection is the truth, replay it. The
            # replay stops at the latest workout, as the incremental path would; reads evaluate the rest
            # lazily, and a workout completed after it can again be applied incrementally.
            history = await repository.workout_history(uow, workout.patient_id)
            as_of = history[-1].completed_at
            state = replay(history, as_of, zone_name)
            await repository.save_streak(uow, workout.patient_id, state, as_of, rebuilt=True)
            how = "replay"
        await repository.register_tenant(uow, tenant_id)
        log.info("streak.workout_applied", patient_id=str(workout.patient_id), workout_id=str(workout.workout_id), how=how)
        return how

    # ------------------------------------------------------------------ reads
    async def get_streak(self, who: Identity, requested: uuid.UUID | None) -> StreakReading:
        """Evaluates the streak at now in the patient's zone, persists what changed, returns the view."""
        patient_id = self._readable_patient(who, requested)
        now = self._clock.now()
        zone_name, stored = await self._locate(who, patient_id)
        state = stored.state if stored is not None else StreakState()
        evaluated = evaluate(state, now, zone_name)
        if stored is None or evaluated != state:
            # Something to persist (a new zero row or a lazy break or week turn): redo it under the lock
            # so a workout applied in between is never overwritten.
            async with self._db.unit_of_work(who.tenant_id) as uow:
                locked = await repository.lock_streak(uow, who.tenant_id, patient_id)
                if locked is None:
                    raise NotFound(f"patient {patient_id} is not known in this clinic")
                evaluated = evaluate(locked.state, now, zone_name)
                if evaluated != locked.state:
                    await repository.save_streak(uow, patient_id, evaluated, max(now, locked.evaluated_at or now))
                    await audit(
                        uow, who, "streak.evaluated", "streak", str(patient_id), now,
                        before=locked.state.to_dict(), after=evaluated.to_dict(), timezone=zone_name,
                    )
                await repository.register_tenant(uow, who.tenant_id)
                await uow.commit()
        return StreakReading(patient_id, build_view(evaluated, now, zone_name))

    async def current_streaks(
        self, who: Identity, patient_ids: list[uuid.UUID], zones: dict[uuid.UUID, str]
    ) -> dict[uuid.UUID, int]:
        """The current daily streak of each patient at now, read-only: a roster page asks for its rows at
        once. The evaluation is the one a read performs; persisting a due break is left to that patient's
        next own read. A patient streaks has no row for (or of another clinic: RLS) has 0."""
        who.require_role("therapist", "admin", SERVICE_ROLE)
        if len(patient_ids) > MAX_BATCH:
            raise InvalidInput("patient_ids", f"at most {MAX_BATCH} at once")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            stored = await repository.streaks_of(uow, patient_ids)
            known = await repository.known_timezones(uow, patient_ids)
        streaks: dict[uuid.UUID, int] = {}
        for patient_id in patient_ids:
            zone = known.get(patient_id)
            if not is_valid_zone(zone):
                zone = resolve_zone_name(zones.get(patient_id))
            state = stored[patient_id].state if patient_id in stored else StreakState()
            streaks[patient_id] = evaluate(state, now, zone).current_daily_streak  # type: ignore[arg-type]
        return streaks

    async def rebuild_streak(self, who: Identity, requested: uuid.UUID | None) -> StreakReading:
        """Replaces the stored streak with a full replay of the patient's projected workouts."""
        who.require_role("therapist", "admin", SERVICE_ROLE)
        if requested is None:
            raise InvalidInput("patient_id", "required: whose streak to rebuild")
        now = self._clock.now()
        zone_name, _ = await self._locate(who, requested)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            locked = await repository.lock_streak(uow, who.tenant_id, requested)
            if locked is None:
                raise NotFound(f"patient {requested} is not known in this clinic")
            history = await repository.workout_history(uow, requested)
            rebuilt = replay(history, now, zone_name)
            await repository.save_streak(uow, requested, rebuilt, replayed_through(rebuilt, now), rebuilt=True)
            await audit(
                uow, who, "streak.rebuilt", "streak", str(requested), now,
                before=evaluate(locked.state, now, zone_name).to_dict(), after=rebuilt.to_dict(),
                workouts=len(history), timezone=zone_name,
            )
            await repository.register_tenant(uow, who.tenant_id)
            await uow.commit()
        return StreakReading(requested, build_view(rebuilt, now, zone_name))

    async def known_timezone(self, who: Identity, requested: uuid.UUID | None) -> repository.KnownPatient:
        """The zone streaks has learnt for a user (the caller when none is named) from plans' events."""
        user_id = requested or who.user_id
        async with self._db.unit_of_work(who.tenant_id) as uow:
            patient = await repository.get_patient(uow, user_id)
        if patient is None:
            raise NotFound(f"streaks knows no patient {user_id}")
        return patient

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _readable_patient(who: Identity, requested: uuid.UUID | None) -> uuid.UUID:
        if who.role == "patient":
            if requested is not None and requested != who.user_id:
                raise PermissionDenied("a patient may only read their own streak")
            return who.user_id
        if requested is None:
            raise InvalidInput("patient_id", f"required when a {who.role} asks: whose streak to read")
        return requested

    async def _locate(self, who: Identity, patient_id: uuid.UUID) -> tuple[str, repository.StoredStreak | None]:
        """The patient's zone and stored streak, after making sure the patient belongs to the caller's clinic.

        A streak row or a zone event for the patient in this tenant (RLS) proves it; otherwise plans
        must confirm, so a therapist never creates rows for another clinic's or a made-up patient.
        """
        async with self._db.unit_of_work(who.tenant_id) as uow:
            stored = await repository.get_streak(uow, patient_id)
            known = await repository.get_patient(uow, patient_id)
        if known is not None and is_valid_zone(known.timezone):
            return known.timezone, stored  # type: ignore[return-value]
        if self._plans is None:
            return resolve_zone_name(None), stored
        answer = await self._plans.patient(who.tenant_id, patient_id, who.request_id)
        if stored is None and known is None:
            if answer.known is False:
                raise NotFound(f"patient {patient_id} is not known in this clinic")
            if answer.known is None and not (who.role == "patient" and who.user_id == patient_id):
                raise DependencyUnavailable("plans is unavailable to confirm the patient; retry shortly")
        return resolve_zone_name(answer.timezone), stored

    async def _patient_zone(self, tenant_id: uuid.UUID, patient_id: uuid.UUID, known_zone: str | None) -> str:
        if is_valid_zone(known_zone):
            return known_zone  # type: ignore[return-value]
        if self._plans is None:
            return resolve_zone_name(None)
        answer = await self._plans.patient(tenant_id, patient_id)
        return resolve_zone_name(answer.timezone)

