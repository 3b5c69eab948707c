"""Broker consumers of the streaks service: patients' zones and completed workouts."""

from __future__ import annotations

from momentum.events.v1 import events_pb2
from services.common.clock import Clock
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput
from services.common.logging import get_logger
from services.common.messaging.consumer import Handler, IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.parsing import from_timestamp, parse_uuid
from services.common.timezones import is_valid_zone
from services.streaks import repository
from services.streaks.domain.validation import InvalidWorkout, validate_workout
from services.streaks.handlers import SOURCES, CompletedWorkout, StreaksHandlers, UnusableWorkout

log = get_logger(__name__)

USER_EVENTS = ConsumerQueue("streaks.user-events", bindings=("plans.user.timezone_changed",))
WORKOUT_COMPLETED = "plans.workout.completed"
WORKOUT_EVENTS = ConsumerQueue("streaks.workout-events", bindings=(WORKOUT_COMPLETED,))


async def on_timezone_changed(event: IncomingEvent, uow: UnitOfWork) -> None:
    body: events_pb2.UserTimezoneChanged = event.body  # type: ignore[assignment]
    if body.role != "patient":
        return
    if not is_valid_zone(body.timezone):
        raise PoisonMessage(f"timezone {body.timezone!r} is not an IANA zone")
    try:
        patient_id = parse_uuid("user_id", body.user_id)
    except InvalidInput as exc:
        raise PoisonMessage(exc.detail) from exc
    await repository.record_timezone(uow, event.tenant_id, patient_id, body.timezone, from_timestamp(body.changed_at))


USER_EVENT_HANDLERS = {"plans.user.timezone_changed": (events_pb2.UserTimezoneChanged, on_timezone_changed)}


def parse_workout_completed(event: IncomingEvent, clock: Clock) -> CompletedWorkout:
    """The event as a CompletedWorkout; PoisonMessage (with the reason) if the rules must never see it."""
    body: events_pb2.WorkoutCompleted = event.body  # type: ignore[assignment]
    try:
        patient_id = parse_uuid("patient_id", body.patient_id)
        workout_id = parse_uuid("workout_id", body.workout_id)
    except InvalidInput as exc:
        raise PoisonMessage(exc.detail) from exc
    if not body.HasField("completed_at"):
        raise PoisonMessage(f"workout {workout_id}: completed_at is missing")
    completed_at = from_timestamp(body.completed_at)
    source = body.source or "real"
    if source not in SOURCES:
        raise PoisonMessage(f"workout {workout_id}: source {body.source!r} is not one of {', '.join(SOURCES)}")
    try:
        validate_workout(completed_at, body.minutes, clock.now())
    except InvalidWorkout as exc:
        raise PoisonMessage(f"workout {workout_id}: {exc.reason}") from exc
    return CompletedWorkout(
        workout_id=workout_id,
        patient_id=patient_id,
        plan_id=body.plan_id or None,
        completed_at=completed_at,
        minutes=body.minutes,
        timezone=body.timezone,
        source=source,
        message_id=event.message_id,
    )


def workout_event_handlers(handlers: StreaksHandlers, clock: Clock) -> dict[str, tuple[type, Handler]]:
    async def on_workout_completed(event: IncomingEvent, uow: UnitOfWork) -> None:
        workout = parse_workout_completed(event, clock)
        try:
            await handlers.record_completed_workout(uow, event.tenant_id, workout)
        except UnusableWorkout as exc:
            raise PoisonMessage(str(exc)) from exc

    return {WORKOUT_COMPLETED: (events_pb2.WorkoutCompleted, on_workout_completed)}
