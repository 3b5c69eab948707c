"""Broker consumers of the streaks service."""

from __future__ import annotations

import uuid
from datetime import timezone

from momentum.events.v1 import events_pb2
from services.common.db import UnitOfWork
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.timezones import is_valid_zone
from services.streaks import repository

USER_EVENTS = ConsumerQueue("streaks.user-events", bindings=("plans.user.timezone_changed",))


async def on_timezone_changed(event: IncomingEvent, uow: UnitOfWork) -> None:
    body: events_pb2.UserTimezoneChanged = event.body  # type: ignore[assignment]
    if body.role != "patient":
        return
    if not is_valid_zone(body.timezone):
        raise PoisonMessage(f"timezone {body.timezone!r} is not an IANA zone")
    try:
        patient_id = uuid.UUID(body.user_id)
    except ValueError as exc:
        raise PoisonMessage(f"user_id {body.user_id!r} is not a UUID") from exc
    await repository.record_timezone(
        uow, event.tenant_id, patient_id, body.timezone, body.changed_at.ToDatetime(tzinfo=timezone.utc)
    )


USER_EVENT_HANDLERS = {"plans.user.timezone_changed": (events_pb2.UserTimezoneChanged, on_timezone_changed)}
