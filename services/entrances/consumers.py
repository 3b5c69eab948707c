"""Broker consumer of plans' workout events: cancels the day's PENDING entrance, awards XP, refreshes the day."""

from __future__ import annotations

import uuid
from datetime import date

from momentum.events.v1 import events_pb2
from services.common.clock import Clock
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.parsing import from_timestamp, parse_date, parse_uuid
from services.common.timezones import is_valid_zone
from services.entrances import activity_repository, repository
from services.entrances.activity import XpPolicy, apply_award, refresh_day
from services.entrances.domain.entrance import cancel_for_real_workout
from services.entrances.domain.xp import workout_award
from services.entrances.finalizer import store_terminal

WORKOUT_COMPLETED = "plans.workout.completed"
WORKOUT_EVENTS = ConsumerQueue("entrances.workout-events", bindings=(WORKOUT_COMPLETED,))


class WorkoutEvents:
    """Also the log path's answer to "a real workout today": the completed_workouts rows it writes."""

    def __init__(self, policy: XpPolicy, clock: Clock) -> None:
        self._policy = policy
        self._clock = clock

    @property
    def handlers(self) -> dict[str, tuple[type, object]]:
        return {WORKOUT_COMPLETED: (events_pb2.WorkoutCompleted, self.on_workout_completed)}

    async def on_workout_completed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        body: events_pb2.WorkoutCompleted = event.body  # type: ignore[assignment]
        patient_id, day = _valid(body)
        completed_at = from_timestamp(body.completed_at)
        first_time = await activity_repository.record_completed_workout(
            uow, event.tenant_id, patient_id, body.workout_id, completed_at, day, body.timezone,
            max(body.exercises_completed, 0), max(body.minutes, 0), body.source, body.entrance_id or None,
        )
        if not first_time:
            return  # the same workout under another message id: already counted
        if body.source != "real":
            return  # a mirror workout is engagement, not exercise: no XP, nothing on the day changes
        # Lock order everywhere: entrance row, then the daily row.
        entrance = await repository.lock_entrance_for_day(uow, str(patient_id), day)
        if entrance is not None and entrance.is_pending:
            await store_terminal(uow, event.tenant_id, cancel_for_real_workout(entrance, self._clock.now()))
        award = workout_award(
            body.workout_id, max(body.exercises_completed, 0), completed_at,
            xp_per_workout=self._policy.per_workout, xp_per_exercise=self._policy.per_exercise,
        )
        if award is not None:
            await apply_award(uow, self._policy, event.tenant_id, patient_id, award, day, body.timezone)
        await refresh_day(uow, event.tenant_id, patient_id, day, body.timezone, self._policy.goal, keep_snapshot=True)


def _valid(body: events_pb2.WorkoutCompleted) -> tuple[uuid.UUID, date]:
    """A malformed event can never succeed: dead-letter it rather than retry it."""
    try:
        patient_id = parse_uuid("patient_id", body.patient_id)
        day = parse_date("local_date", body.local_date)
    except InvalidInput as exc:
        raise PoisonMessage(exc.detail) from exc
    if not body.workout_id:
        raise PoisonMessage("workout_id is missing")
    if not is_valid_zone(body.timezone):
        raise PoisonMessage(f"timezone {body.timezone!r} is not an IANA zone")
    if body.source not in ("real", "inferred"):
        raise PoisonMessage(f"source {body.source!r} is neither real nor inferred")
    if not body.HasField("completed_at"):
        raise PoisonMessage("completed_at is missing")
    return patient_id, day
