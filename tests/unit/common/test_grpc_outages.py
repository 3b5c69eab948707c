"""The gRPC interceptor over a real loopback server: the database away is UNAVAILABLE with a retry hint and one
warning line; a bug is INTERNAL with its traceback once. DependencyHealth turns the health NOT_SERVING while a
dependency fails and SERVING again when it is back."""

from __future__ import annotations

import logging

import asyncpg
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.errors import Unavailable
from services.common.grpc_server import RETRY_AFTER_KEY, GrpcServer
from services.common.health import DependencyHealth
from services.common.logging import configure_logging
from services.common.service_auth import service_channel
from services.common.settings import Settings

configure_logging()  # the services' logging: structlog through the standard library, where caplog sees it
METHOD = "/test.Outages/Call"
KEYS = Settings().auth.service_keys


def _server_raising(failure: BaseException) -> GrpcServer:
    server = GrpcServer("127.0.0.1", 0, ["test.Outages"], "plans", KEYS)

    async def call(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        raise failure

    handler = grpc.method_handlers_generic_handler(
        "test.Outages", {"Call": grpc.unary_unary_rpc_method_handler(call, lambda b: b, lambda b: b)}
    )
    server.server.add_generic_rpc_handlers((handler,))
    return server


async def _call(server: GrpcServer) -> grpc.aio.AioRpcError:
    await server.start()
    try:
        async with service_channel(KEYS, "gateway", "plans", f"127.0.0.1:{server.port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await channel.unary_unary(METHOD, lambda b: b, lambda b: b)(b"", timeout=5)
            return failed.value
    finally:
        await server.stop(0)


def _tracebacks(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.exc_info or (isinstance(r.msg, dict) and r.msg.get("exc_info"))]


@pytest.mark.parametrize(
    "failure",
    [
        asyncpg.ObjectNotInPrerequisiteStateError('database "momentum" is not currently accepting connections'),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    ],
    ids=["closed-database", "too-many-connections", "admin-shutdown", "refused"],
)
async def test_the_database_away_is_unavailable_with_a_retry_hint_and_one_warning(failure, caplog):
    with caplog.at_level(logging.INFO):
        error = await _call(_server_raising(failure))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error.details().startswith("database unavailable; retry")
    assert dict(error.trailing_metadata() or ())[RETRY_AFTER_KEY] == "2"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert _tracebacks(caplog.records) == []


async def test_a_service_this_call_needs_being_away_is_unavailable_with_a_hint(caplog):
    with caplog.at_level(logging.INFO):
        error = await _call(_server_raising(Unavailable("plans is unavailable")))
    assert error.code() == grpc.StatusCode.UNAVAILABLE and error.details() == "plans is unavailable"
    assert dict(error.trailing_metadata() or ())[RETRY_AFTER_KEY] == "1"
    assert _tracebacks(caplog.records) == []


async def test_a_bug_is_internal_with_its_traceback_once(caplog):
    with caplog.at_level(logging.INFO):
        error = await _call(_server_raising(KeyError("workout_id")))
    assert error.code() == grpc.StatusCode.INTERNAL
    assert len(_tracebacks(caplog.records)) == 1


async def test_health_follows_the_dependencies_and_a_stopping_server_stays_not_serving():
    server = GrpcServer("127.0.0.1", 0, ["test.Outages"], "plans", KEYS)
    database_up = True

    async def database() -> None:
        if not database_up:
            raise asyncpg.ObjectNotInPrerequisiteStateError("database is not currently accepting connections")

    health = DependencyHealth(server.set_serving, interval=0.05)
    health.add_check("database", database)
    await server.start()
    try:
        async with service_channel(KEYS, "gateway", "plans", f"127.0.0.1:{server.port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)

            async def status(service: str = "") -> int:
                return (await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)).status

            assert await health.run_once() == {}
            assert await status() == health_pb2.HealthCheckResponse.SERVING
            database_up = False
            assert "database" in await health.run_once()
            assert await status() == await status("test.Outages") == health_pb2.HealthCheckResponse.NOT_SERVING
            database_up = True
            await health.run_once()
            assert await status() == health_pb2.HealthCheckResponse.SERVING
            # A check that hangs is a failure after the timeout, not a hung loop.
            slow = DependencyHealth(server.set_serving, timeout=0.05)

            async def hangs() -> None:
                import asyncio
                await asyncio.sleep(10)

            slow.add_check("s3", hangs)
            assert "s3" in await slow.run_once()
            assert await status() == health_pb2.HealthCheckResponse.NOT_SERVING
            await health.run_once()
            server._stopping = True  # what stop() sets first: a late health pass must not undo it
            await health.run_once()
            assert await status() == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        await server.stop(0)
