"""gRPC channels to every service, opened at start-up, with identity metadata and a deadline on each call."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from importlib import import_module
from typing import Any, Awaitable, Callable, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity, service_identity
from services.common.parsing import to_timestamp
from services.common.service_auth import service_channel
from services.common.settings import SERVICES, Settings
from services.gateway.errors import from_grpc
from services.gateway.identity_check import StoredIdentity

Reply = TypeVar("Reply")
# Browser-sign-in bookkeeping belongs to no clinic: asked as a service of the nil clinic.
PLATFORM = uuid.UUID(int=0)

def _stub_class(service: str) -> type | None:
    """`momentum.<service>.v1.<service>_pb2_grpc.<Service>ServiceStub`, if that service has its protos yet."""
    try:
        module = import_module(f"momentum.{service}.v1.{service}_pb2_grpc")
    except ModuleNotFoundError:
        return None
    return getattr(module, f"{service.capitalize()}ServiceStub")


GATEWAY_SERVICES = tuple(s for s in SERVICES if _stub_class(s) is not None)


class ServiceClients:
    def __init__(self, settings: Settings) -> None:
        self._deadline = settings.grpc_deadline.total_seconds()
        self.channels = {
            name: service_channel(settings.auth.service_keys, "gateway", name, settings.grpc_target(name), settings.grpc_tls)
            for name in GATEWAY_SERVICES
        }
        stubs = {name: _stub_class(name)(channel) for name, channel in self.channels.items()}  # type: ignore[misc]
        self.plans = stubs["plans"]
        self.streaks = stubs.get("streaks")
        self.entrances = stubs.get("entrances")
        self.telemetry = stubs.get("telemetry")

    async def call(self, method: Callable[..., Awaitable[Reply]], request: Any, caller: Identity) -> Reply:
        try:
            return await method(request, metadata=caller.to_metadata(), timeout=self._deadline)
        except grpc.aio.AioRpcError as exc:
            raise from_grpc(exc) from exc

    async def resolve_identity(self, tenant_id: Any, user_id: Any, request_id: str) -> StoredIdentity:
        """What plans stores about a token's clinic and user, asked as a service of that clinic."""
        reply = await self.call(
            self.plans.ResolveIdentity, plans_pb2.ResolveIdentityRequest(user_id=str(user_id)),
            service_identity(tenant_id, request_id),
        )
        return StoredIdentity(reply.tenant_known, reply.tenant_active, reply.user_known, reply.role, reply.user_active)

    async def spend_browser_credential(self, kind: str, credential_id: str, expires_at: datetime) -> bool:
        """A sign-in link redeemed or a session signed out, recorded in plans for every gateway."""
        reply = await self.call(
            self.plans.SpendBrowserCredential,
            plans_pb2.SpendBrowserCredentialRequest(kind=kind, credential_id=credential_id, expires_at=to_timestamp(expires_at)),
            service_identity(PLATFORM),
        )
        return bool(reply.first_use)

    async def ended_browser_sessions(self, within_seconds: int) -> list[tuple[str, datetime]]:
        reply = await self.call(
            self.plans.ListEndedBrowserSessions,
            plans_pb2.ListEndedBrowserSessionsRequest(recorded_within_seconds=within_seconds), service_identity(PLATFORM),
        )
        return [(s.session_id, s.expires_at.ToDatetime(tzinfo=timezone.utc)) for s in reply.sessions]

    async def health(self) -> dict[str, str]:
        statuses: dict[str, str] = {}
        for name, channel in self.channels.items():
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                statuses[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status).lower()
            except grpc.aio.AioRpcError as exc:
                statuses[name] = f"unreachable ({exc.code().name.lower()})"
        return statuses

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()
