"""The plans gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

import uuid

import grpc

from momentum.plans.v1 import plans_pb2, plans_pb2_grpc
from services.common import identity
from services.common.errors import InvalidInput
from services.common.timezones import resolve_zone_name
from services.plans.handlers import PlansHandlers, timestamp


def parse_uuid(field: str, raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise InvalidInput(field, f"{raw!r} is not a UUID") from exc


class PlansServicer(plans_pb2_grpc.PlansServiceServicer):
    def __init__(self, handlers: PlansHandlers, clock) -> None:  # type: ignore[no-untyped-def]
        self._handlers = handlers
        self._clock = clock

    async def GetMe(self, request: plans_pb2.GetMeRequest, context: grpc.aio.ServicerContext) -> plans_pb2.UserProfile:
        user, tenant = await self._handlers.get_me(identity.current())
        return plans_pb2.UserProfile(
            user_id=str(user.user_id),
            tenant_id=str(user.tenant_id),
            role=user.role,
            display_name=user.display_name,
            timezone=user.timezone or "",
            effective_timezone=resolve_zone_name(user.timezone, tenant.default_timezone),
        )

    async def UpdateMyTimezone(
        self, request: plans_pb2.UpdateMyTimezoneRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.UpdateMyTimezoneResponse:
        update = await self._handlers.update_my_timezone(identity.current(), request.timezone)
        return plans_pb2.UpdateMyTimezoneResponse(
            timezone=update.timezone, previous_timezone=update.previous_timezone or "", changed=update.changed
        )

    async def GetPatientContext(
        self, request: plans_pb2.GetPatientContextRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.PatientContext:
        patient = await self._handlers.patient_context(identity.current(), parse_uuid("patient_id", request.patient_id))
        return plans_pb2.PatientContext(
            patient_id=str(patient.patient_id),
            tenant_id=str(patient.tenant_id),
            timezone=patient.timezone,
            feature_flags=patient.feature_flags,
            fetched_at=timestamp(self._clock.now()),
        )

    async def GetFeatureFlags(
        self, request: plans_pb2.GetFeatureFlagsRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.FeatureFlags:
        return plans_pb2.FeatureFlags(flags=await self._handlers.feature_flags(identity.current()))

    async def SetFeatureFlag(
        self, request: plans_pb2.SetFeatureFlagRequest, context: grpc.aio.ServicerContext
    ) -> plans_pb2.FeatureFlags:
        flags = await self._handlers.set_feature_flag(identity.current(), request.flag, request.enabled)
        return plans_pb2.FeatureFlags(flags=flags)
