"""What entrances asks plans: patient context (cached briefly), and the finalizer's one call per batch."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from momentum.plans.v1 import plans_pb2, plans_pb2_grpc
from services.common.errors import DomainError, InvalidInput, NotFound, PermissionDenied, Unavailable
from services.common.identity import current_request_id, service_identity
from services.common.parsing import from_timestamp
from services.common.service_auth import service_channel
from services.common.settings import Settings
from services.entrances.domain.entrance import Entrance

APP_ENTRANCE_FLAG = "appEntranceTracking"
_CACHE_LIMIT = 50_000


class PlansUnavailable(Unavailable):
    """plans did not answer in time or at all: the caller may retry; nothing was written here."""


@dataclass(frozen=True)
class PatientContext:
    patient_id: uuid.UUID
    tenant_id: uuid.UUID
    timezone: str
    feature_flags: dict[str, bool]

    @property
    def entrance_tracking(self) -> bool:
        return bool(self.feature_flags.get(APP_ENTRANCE_FLAG, False))


@dataclass(frozen=True)
class MadeMirror:
    workout_id: str
    completed_at: datetime
    timezone: str


@dataclass(frozen=True)
class EntranceFinalization:
    """plans' answer to the finalizer: the facts it decides on, and the mirror when plans made one (now or before)."""

    entrance_tracking: bool
    has_real_workout: bool
    source_workout_id: str | None
    mirror: MadeMirror | None


def _domain_error(exc: grpc.aio.AioRpcError, what: str) -> DomainError:
    code, detail = exc.code(), exc.details() or exc.code().name
    if code == grpc.StatusCode.NOT_FOUND:
        return NotFound(detail)
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return PermissionDenied(detail)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidInput(what, detail)
    return PlansUnavailable(f"plans could not answer {what}: {code.name.lower()}: {detail}")


class PlansClient:
    """One channel to plans, opened at start-up. Every call carries a deadline and the service
    identity of the tenant: entrances has already decided the caller may do what it asks."""

    def __init__(self, settings: Settings) -> None:
        self._channel = service_channel(
            settings.auth.service_keys, "entrances", "plans", settings.grpc_target("plans"), settings.grpc_tls
        )
        self._stub = plans_pb2_grpc.PlansServiceStub(self._channel)
        self._deadline = settings.grpc_deadline.total_seconds()
        self._ttl = settings.flag_cache_ttl.total_seconds()
        self._contexts: dict[tuple[uuid.UUID, uuid.UUID], tuple[float, PatientContext]] = {}
        self._in_flight: dict[tuple[uuid.UUID, uuid.UUID], asyncio.Future[PatientContext]] = {}

    def _metadata(self, tenant_id: uuid.UUID) -> tuple[tuple[str, str], ...]:
        return service_identity(tenant_id, current_request_id()).to_metadata()

    async def patient_context(self, tenant_id: uuid.UUID, patient_id: uuid.UUID, fresh: bool = False) -> PatientContext:
        """Timezone and flags; cached for flag_cache_ttl. `fresh` re-asks plans (the first log of a patient)."""
        key = (tenant_id, patient_id)
        if not fresh:
            cached = self._contexts.get(key)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            pending = self._in_flight.get(key)
            if pending is not None:
                # Fifty dashboards mounting at once ask plans once, not fifty times.
                try:
                    return await asyncio.shield(pending)
                except asyncio.CancelledError:
                    if not pending.cancelled():
                        raise  # this caller was cancelled, not the shared fetch
        future: asyncio.Future[PatientContext] = asyncio.get_running_loop().create_future()
        if not fresh:
            self._in_flight[key] = future
        try:
            context = await self._fetch_context(tenant_id, patient_id)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: only the waiters re-raise it
            raise
        finally:
            if self._in_flight.get(key) is future:
                del self._in_flight[key]
        future.set_result(context)
        if len(self._contexts) > _CACHE_LIMIT:
            self._contexts.clear()
        self._contexts[key] = (time.monotonic() + self._ttl, context)
        return context

    async def _fetch_context(self, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> PatientContext:
        try:
            reply = await self._stub.GetPatientContext(
                plans_pb2.GetPatientContextRequest(patient_id=str(patient_id)),
                metadata=self._metadata(tenant_id), timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as exc:
            raise _domain_error(exc, "patient_id") from exc
        return PatientContext(
            patient_id=uuid.UUID(reply.patient_id), tenant_id=uuid.UUID(reply.tenant_id),
            timezone=reply.timezone or "UTC", feature_flags=dict(reply.feature_flags),
        )

    async def finalize_entrances(self, tenant_id: uuid.UUID, entrances: Sequence[Entrance]) -> list[EntranceFinalization]:
        """The finalizer's one call per batch, always fresh: for each entrance, in order, the clinic flag,
        the day's real workout and the latest one as of one plans transaction, with the mirror made in
        it when they call for one (idempotent on the entrance id: an entrance mirrored before gets that
        mirror back)."""
        try:
            reply = await self._stub.FinalizeEntrances(
                plans_pb2.FinalizeEntrancesRequest(entrances=[
                    plans_pb2.FinalizeEntranceRequest(
                        entrance_id=entrance.id, patient_id=entrance.patient_id,
                        local_date=entrance.local_date.isoformat(), timezone=entrance.timezone,
                    )
                    for entrance in entrances
                ]),
                metadata=self._metadata(tenant_id), timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as exc:
            raise _domain_error(exc, "FinalizeEntrances") from exc
        if len(reply.finalizations) != len(entrances):
            raise PlansUnavailable(f"plans answered {len(reply.finalizations)} of {len(entrances)} entrances")
        return [
            EntranceFinalization(
                one.entrance_tracking, one.has_real_workout, one.source_workout_id or None,
                MadeMirror(one.mirror_workout_id, from_timestamp(one.mirror_completed_at), one.mirror_timezone)
                if one.mirror_workout_id else None,
            )
            for one in reply.finalizations
        ]

    async def ping(self) -> None:
        """Raises PlansUnavailable unless plans' gRPC health says SERVING: how a paused finalizer knows it is back."""
        try:
            reply = await health_pb2_grpc.HealthStub(self._channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=1
            )
        except grpc.aio.AioRpcError as exc:
            raise PlansUnavailable(f"plans health: {exc.code().name.lower()}") from exc
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            raise PlansUnavailable("plans health: not serving")

    async def close(self) -> None:
        await self._channel.close()
