"""A channel made by service_channel finds a restarted service again within about 2 s, however long it was down:
gRPC's default reconnect backoff grows to minutes, the helper caps it at 2 s."""

from __future__ import annotations

import asyncio
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.grpc_server import GrpcServer
from services.common.service_auth import service_channel
from services.common.settings import Settings
from tests.support.ports import free_port

KEYS = Settings().auth.service_keys
DOWN_SECONDS = 10.0  # long enough for gRPC's default backoff (1 s × 1.6ⁿ) to pass 4 s between attempts


async def _serving(stub: health_pb2_grpc.HealthStub) -> bool:
    try:
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=0.5)
    except grpc.aio.AioRpcError:
        return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_a_restarted_service_is_found_again_within_two_seconds():
    port = free_port()
    server = GrpcServer("127.0.0.1", port, [], "plans", KEYS)
    await server.start()
    channel = service_channel(KEYS, "gateway", "plans", f"127.0.0.1:{port}")
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        assert await _serving(stub)
        await server.stop(grace=0)
        down_until = time.monotonic() + DOWN_SECONDS
        while time.monotonic() < down_until:  # callers keep trying while it is down: the channel keeps backing off
            assert not await _serving(stub)
            await asyncio.sleep(0.2)
        server = GrpcServer("127.0.0.1", port, [], "plans", KEYS)
        await server.start()
        restarted = time.monotonic()
        while not await _serving(stub):
            assert time.monotonic() - restarted < 10, "the restarted service was not found again in 10 s"
            await asyncio.sleep(0.05)
        found_after = time.monotonic() - restarted
        # 2 s cap, plus gRPC's ±20 % jitter and the polling step.
        assert found_after <= 2.6, f"found again only after {found_after:.2f} s"
    finally:
        await channel.close()
        await server.stop(grace=0)
