"""The patient's timezone and the clinic's appEntranceTracking flag as entrances knows them: its own
copy, kept by plans' events (timezone_changed, feature_flags_changed), filled from plans on first use."""

from __future__ import annotations

import uuid

from momentum.events.v1 import events_pb2
from services.common.db import UnitOfWork
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.parsing import from_timestamp, parse_uuid
from services.common.errors import InvalidInput
from services.common.timezones import is_valid_zone
from services.entrances import context_repository
from services.entrances.plans_client import APP_ENTRANCE_FLAG, PatientContext, PlansClient

USER_TIMEZONE_CHANGED = "plans.user.timezone_changed"
FEATURE_FLAGS_CHANGED = "plans.tenant.feature_flags_changed"
PEOPLE_EVENTS = ConsumerQueue("entrances.people-events", bindings=(USER_TIMEZONE_CHANGED, FEATURE_FLAGS_CHANGED))


class PatientContexts:
    """What the dashboard log reads in its own transaction (repository.open_day) instead of asking plans on every call."""

    def __init__(self, plans: PlansClient) -> None:
        self._plans = plans

    async def learn(self, uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> PatientContext:
        """A patient's first log: plans answers (NotFound for someone who is not a patient of this
        clinic) and the answer is kept until an event replaces it."""
        context = await self._plans.patient_context(tenant_id, patient_id, fresh=True)
        await context_repository.keep_zone(uow, tenant_id, patient_id, context.timezone, None)
        await context_repository.keep_flag(uow, tenant_id, context.entrance_tracking, None)
        return context

    @property
    def handlers(self) -> dict[str, tuple[type, object]]:
        return {
            USER_TIMEZONE_CHANGED: (events_pb2.UserTimezoneChanged, self.on_timezone_changed),
            FEATURE_FLAGS_CHANGED: (events_pb2.FeatureFlagsChanged, self.on_feature_flags_changed),
        }

    async def on_timezone_changed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        body: events_pb2.UserTimezoneChanged = event.body  # type: ignore[assignment]
        if body.role != "patient":
            return  # only patients log entrances
        try:
            user_id = parse_uuid("user_id", body.user_id)
        except InvalidInput as exc:
            raise PoisonMessage(exc.detail) from exc
        if not is_valid_zone(body.timezone):
            raise PoisonMessage(f"timezone {body.timezone!r} is not an IANA zone")
        if not body.HasField("changed_at"):
            raise PoisonMessage("changed_at is missing")
        await context_repository.keep_zone(uow, event.tenant_id, user_id, body.timezone, from_timestamp(body.changed_at))

    async def on_feature_flags_changed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        body: events_pb2.FeatureFlagsChanged = event.body  # type: ignore[assignment]
        if not body.HasField("changed_at"):
            raise PoisonMessage("changed_at is missing")
        tracking = bool(body.feature_flags.get(APP_ENTRANCE_FLAG, False))
        await context_repository.keep_flag(uow, event.tenant_id, tracking, from_timestamp(body.changed_at))
