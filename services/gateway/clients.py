"""gRPC channels to every service, opened at start-up, with identity metadata and a deadline on each call."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from momentum.plans.v1 import plans_pb2_grpc
from momentum.streaks.v1 import streaks_pb2_grpc
from services.common.identity import Identity
from services.common.settings import Settings
from services.gateway.errors import from_grpc

Reply = TypeVar("Reply")

GATEWAY_SERVICES = ("plans", "streaks")


class ServiceClients:
    def __init__(self, settings: Settings) -> None:
        self._deadline = settings.grpc_deadline.total_seconds()
        self.channels = {name: grpc.aio.insecure_channel(settings.grpc_target(name)) for name in GATEWAY_SERVICES}
        self.plans = plans_pb2_grpc.PlansServiceStub(self.channels["plans"])
        self.streaks = streaks_pb2_grpc.StreaksServiceStub(self.channels["streaks"])

    async def call(self, method: Callable[..., Awaitable[Reply]], request: Any, caller: Identity) -> Reply:
        try:
            return await method(request, metadata=caller.to_metadata(), timeout=self._deadline)
        except grpc.aio.AioRpcError as exc:
            raise from_grpc(exc) from exc

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
