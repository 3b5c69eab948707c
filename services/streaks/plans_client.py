"""What streaks asks plans: does a patient exist in this clinic, and their effective zone; over gRPC
with a deadline, remembered briefly."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import grpc

from momentum.plans.v1 import plans_pb2, plans_pb2_grpc
from services.common.identity import service_identity
from services.common.logging import get_logger
from services.common.service_auth import service_channel
from services.common.settings import Settings

log = get_logger(__name__)

# A zone changes rarely and a change reaches streaks as an event anyway; this only spares plans
# one call per dashboard load for patients whose device never reported a zone.
CACHE_SECONDS = 60.0
CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class PlansPatient:
    """known: True = a patient of this clinic, False = plans says no, None = plans could not be asked."""

    known: bool | None
    timezone: str | None = None


class PlansClient:
    """One channel to plans, opened at start-up and closed on stop; calls carry the service identity."""

    def __init__(self, settings: Settings) -> None:
        self._channel = service_channel(
            settings.auth.service_keys, "streaks", "plans", settings.grpc_target("plans"), settings.grpc_tls
        )
        self._stub = plans_pb2_grpc.PlansServiceStub(self._channel)
        self._deadline = settings.grpc_deadline.total_seconds()
        self._cache: dict[tuple[uuid.UUID, uuid.UUID], tuple[float, PlansPatient]] = {}

    async def patient(self, tenant_id: uuid.UUID, patient_id: uuid.UUID, request_id: str | None = None) -> PlansPatient:
        key = (tenant_id, patient_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        caller = service_identity(tenant_id, request_id)
        try:
            reply = await self._stub.GetPatientContext(
                plans_pb2.GetPatientContextRequest(patient_id=str(patient_id)),
                metadata=caller.to_metadata(),
                timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return PlansPatient(known=False)
            # Plans away or slow: the caller decides whether it can go on without an answer.
            log.warning("plans.patient_context_unavailable", patient_id=str(patient_id), status=exc.code().name)
            return PlansPatient(known=None)
        answer = PlansPatient(known=True, timezone=reply.timezone or None)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (time.monotonic() + CACHE_SECONDS, answer)
        return answer

    async def close(self) -> None:
        await self._channel.close()
