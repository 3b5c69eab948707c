"""The channel every caller opens spreads calls over a service's instances, steps around one that stopped or
reports NOT_SERVING, and speaks TLS (with client certificates) when configured. Real gRPC over loopback."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from services.common.grpc_server import GrpcServer
from services.common.service_auth import service_channel
from services.common.settings import GrpcTls, Settings

KEYS = Settings().auth.service_keys
METHOD = "/test.Spread/Who"


def _server(name: bytes, tls: GrpcTls | None = None) -> GrpcServer:
    server = GrpcServer("127.0.0.1", 0, ["test.Spread"], "plans", KEYS, tls)

    async def who(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return name

    handler = grpc.method_handlers_generic_handler(
        "test.Spread", {"Who": grpc.unary_unary_rpc_method_handler(who, lambda b: b, lambda b: b)}
    )
    server.server.add_generic_rpc_handlers((handler,))
    return server


async def _answers(channel: grpc.aio.Channel, calls: int) -> list[bytes]:
    call = channel.unary_unary(METHOD, lambda b: b, lambda b: b)
    return [await call(b"", timeout=5) for _ in range(calls)]


async def _eventually(probe, until, timeout: float = 10):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await probe()
        if until(found) or loop.time() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_calls_spread_over_every_instance_and_skip_a_stopped_or_not_serving_one():
    one, two = _server(b"one"), _server(b"two")
    await one.start()
    await two.start()
    target = f"ipv4:127.0.0.1:{one.port},127.0.0.1:{two.port}"
    try:
        async with service_channel(KEYS, "gateway", "plans", target) as channel:
            spread = await _eventually(lambda: _answers(channel, 20), lambda a: set(a) == {b"one", b"two"})
            assert set(spread) == {b"one", b"two"}, "round_robin sends calls to both instances"

            await one.set_serving(False)  # its database or broker is away: health says NOT_SERVING
            skipped = await _eventually(lambda: _answers(channel, 10), lambda a: set(a) == {b"two"})
            assert set(skipped) == {b"two"}
            await one.set_serving(True)
            assert set(await _eventually(lambda: _answers(channel, 20), lambda a: len(set(a)) == 2)) == {b"one", b"two"}

            await two.stop(0)  # its host died: every call still answered, by the survivor
            assert set(await _answers(channel, 20)) == {b"one"}
    finally:
        await one.stop(0)
        await two.stop(0)


async def test_tls_with_client_certificates(tmp_path):
    from tests.unit.scaling.certs import write_ca_and_leaf

    ca, cert, key = write_ca_and_leaf(tmp_path, "plans.internal")
    tls = GrpcTls(cert_file=str(cert), key_file=str(key), ca_file=str(ca), client_ca_file=str(ca),
                  server_name="plans.internal")
    server = _server(b"tls", tls)
    await server.start()
    try:
        async with service_channel(KEYS, "gateway", "plans", f"127.0.0.1:{server.port}", tls) as channel:
            assert await _answers(channel, 1) == [b"tls"]
        # A caller without a client certificate, and one speaking plain text, are refused.
        anonymous = GrpcTls(ca_file=str(ca), server_name="plans.internal")
        for refused in (anonymous, None):
            async with service_channel(KEYS, "gateway", "plans", f"127.0.0.1:{server.port}", refused) as channel:
                with pytest.raises(grpc.aio.AioRpcError) as failed:
                    await _answers(channel, 1)
                assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop(0)
