"""Several telemetry instances: the gateway hashes each session to one of them, and follows a session
that lives elsewhere."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

import grpc
import pytest

from momentum.telemetry.v1 import telemetry_pb2
from services.common.settings import Settings
from services.gateway.routes.telemetry import TelemetryRing
from tests.support.clinic import client, new_clinic
from tests.support.ports import free_port
from tests.support.telemetry import Exercise, Gateway, Instance, bearer, session_token

KEYS = Settings().auth.service_keys


async def test_each_session_sticks_to_one_instance_and_sessions_spread_over_all(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    main = stack.runtimes["telemetry"].components.handlers
    other = await Instance(stack, silence=timedelta(minutes=10)).start()
    targets = (main.instance.name, other.runtime.components.handlers.instance.name)
    settings = dataclasses.replace(stack.settings, telemetry_targets=targets, gateway_port=free_port())
    batches = Exercise.of(reps=1, seed=51).batches
    sessions = [session_token(stack.settings, clinic) for _ in range(12)]
    try:
        async with Gateway(settings) as base_url, client(base_url) as http:
            for body in batches[:3]:
                for _, token in sessions:
                    reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
                    assert reply.status_code == 200, reply.text
            holders = Counter()
            for session_id, _ in sessions:
                on_main = main.sessions.get(session_id) is not None
                on_other = other.runtime.components.handlers.sessions.get(session_id) is not None
                assert on_main != on_other, "a session's frames must live on exactly one instance"
                held = (main if on_main else other.runtime.components.handlers).sessions.get(session_id)
                assert held.frame_count == 90
                holders["main" if on_main else "other"] += 1
            assert holders["main"] and holders["other"], holders
            for session_id, token in sessions:
                ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
                assert ended.status_code == 200 and ended.json()["alreadyFinalized"] is False
    finally:
        await other.stop()


async def test_an_instance_names_the_owner_and_the_gateway_retries_there(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    main = stack.runtimes["telemetry"].components.handlers
    other = await Instance(stack, silence=timedelta(minutes=10)).start()
    session_id, token = session_token(stack.settings, clinic)
    batches = Exercise.of(reps=1, seed=52).batches
    try:
        await other.post(token, batches[0])  # the session now lives on the other instance
        main_stub = TelemetryRing((main.instance.name,), 5, stack.settings.auth.service_keys)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await main_stub._stubs[main.instance.name].IngestPoseBatch(
                telemetry_pb2.IngestPoseBatchRequest(session_token=token, body=batches[1])
            )
        assert refused.value.code() == grpc.StatusCode.ABORTED
        assert f"[owner={other.runtime.components.handlers.instance.name}]" in refused.value.details()
        await main_stub.close()

        # A gateway whose hash (after instances came and went) points at the wrong instance follows the owner.
        ring = TelemetryRing((main.instance.name, other.runtime.components.handlers.instance.name), 5, stack.settings.auth.service_keys)
        ring.target_for = lambda key: main.instance.name  # type: ignore[method-assign]
        reply = await ring.call(
            "IngestPoseBatch", telemetry_pb2.IngestPoseBatchRequest(session_token=token, body=batches[1]),
            session_id, (("x-request-id", "affinity-test"),),
        )
        assert reply.frames_accepted == 30 and other.runtime.components.handlers.sessions.get(session_id).frame_count == 60
        await ring.close()
    finally:
        await other.stop()


async def test_rendezvous_hashing_spreads_sessions_and_moves_few_when_instances_change():
    three = TelemetryRing(("10.0.0.1:50054", "10.0.0.2:50054", "10.0.0.3:50054"), 5, KEYS)
    two = TelemetryRing(("10.0.0.1:50054", "10.0.0.2:50054"), 5, KEYS)
    keys = [f"session-{n}" for n in range(3000)]
    placed = {key: three.target_for(key) for key in keys}
    shares = Counter(placed.values())
    assert all(850 < count < 1150 for count in shares.values()), shares
    moved = [key for key in keys if placed[key] != "10.0.0.3:50054" and two.target_for(key) != placed[key]]
    assert moved == []  # only the sessions of the instance that left have to move
    await three.close()
    await two.close()
