"""Pose batches travel from the gateway to telemetry on one stream per session: each HTTP reply is its own
batch's ack, sessions never mix, and a stream that breaks answers 503, never a 200 for frames not held."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import grpc
import pytest
from prometheus_client import REGISTRY

from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc

from services.telemetry import repository
from services.telemetry.domain.pose_batch import encode_batch
from tests.support.clinic import client, new_clinic
from tests.support.ports import free_port
from tests.support.telemetry import FPS, Exercise, Gateway, Instance, bearer, session_token
from tests.support.waiting import eventually


def _unary_batches() -> float:
    labels = {"service": "telemetry", "method": "TelemetryService/IngestPoseBatch", "code": "OK"}
    return REGISTRY.get_sample_value("momentum_grpc_server_handled_total", labels) or 0.0


async def _session(stack, tenant_id, session_id):
    async with stack.runtimes["telemetry"].database.unit_of_work(tenant_id) as uow:
        return await repository.get_session(uow, session_id)


def _streams(gateway: Gateway):
    return gateway.server.config.app.app.state.pose_streams


def _cut(movement: Exercise, sizes: list[int]) -> list[bytes]:
    """Consecutive batches of the given frame counts, so each reply shows which batch it answers."""
    bodies, start = [], 0
    for size in sizes:
        bodies.append(encode_batch(movement.landmarks[start:start + size], movement.timestamps[start:start + size], FPS))
        start += size
    return bodies


async def test_two_sessions_interleaved_on_one_gateway_each_get_their_own_stream_and_frames(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    held = stack.runtimes["telemetry"].components.handlers.sessions
    settings = dataclasses.replace(stack.settings, gateway_port=free_port())
    first, second = session_token(stack.settings, clinic), session_token(stack.settings, clinic, patient_index=1)
    first_batches = _cut(Exercise.of(reps=1, seed=81), [10, 20, 30, 40])
    second_batches = _cut(Exercise.of(reps=1, seed=82), [25, 35, 15, 5])
    unary_before = _unary_batches()
    gateway = Gateway(settings)
    async with gateway as base_url, client(base_url) as http:
        for one, other in zip(first_batches, second_batches):
            replies = await asyncio.gather(
                http.post("/v1/pose/frames", content=one, headers=bearer(first[1])),
                http.post("/v1/pose/frames", content=other, headers=bearer(second[1])),
            )
            assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
            assert [r.json()["sessionId"] for r in replies] == [first[0], second[0]]
        assert replies[0].json()["sessionFrames"] == 100 and replies[1].json()["sessionFrames"] == 80
        assert held.get(first[0]).frame_count == 100 and held.get(second[0]).frame_count == 80
        assert set(_streams(gateway).open_sessions()) == {first[0], second[0]}

        ended = await http.post(f"/v1/sessions/{first[0]}/end", headers=bearer(first[1], None))
        assert ended.status_code == 200 and ended.json()["frameCount"] == 100
        assert set(_streams(gateway).open_sessions()) == {second[0]}  # the ended session's stream is closed
        late = await http.post("/v1/pose/frames", content=first_batches[0], headers=bearer(first[1]))
        assert late.status_code == 409 and late.json()["error"] == "already_exists"
        ended = await http.post(f"/v1/sessions/{second[0]}/end", headers=bearer(second[1], None))
        assert ended.status_code == 200 and ended.json()["frameCount"] == 80
    assert _unary_batches() == unary_before  # every batch went over the streams


async def test_batches_of_one_session_in_flight_together_are_each_answered_with_their_own_ack(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    sizes = [7, 11, 13, 17, 19]
    bodies = _cut(Exercise.of(reps=1, seed=83), sizes)
    async with client(stack.base_url) as http:
        # Out of order and with retries, all in flight on the one stream at once.
        order = [2, 0, 4, 2, 1, 3, 0]
        replies = await asyncio.gather(*(http.post("/v1/pose/frames", content=bodies[i], headers=bearer(token)) for i in order))
        assert [r.status_code for r in replies] == [200] * len(order), [r.text for r in replies]
        assert [r.json()["framesReceived"] for r in replies] == [sizes[i] for i in order]
        for i, reply in zip(order, replies):
            assert reply.json()["framesAccepted"] + reply.json()["duplicateFrames"] == sizes[i]
        # Each frame is held once, whichever copy of its batch came first: the retries were duplicates by timestamp.
        assert sum(r.json()["framesAccepted"] for r in replies) == sum(sizes)
        assert sum(r.json()["duplicateFrames"] for r in replies) == sizes[2] + sizes[0]
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200 and ended.json()["frameCount"] == sum(sizes)


async def test_a_stream_broken_mid_session_answers_503_and_the_retry_goes_out_on_a_new_stream(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    silence = timedelta(minutes=10)
    instance = await Instance(stack, silence=silence).start()
    handlers = instance.runtime.components.handlers
    settings = dataclasses.replace(stack.settings, telemetry_targets=(handlers.instance.name,), gateway_port=free_port())
    session_id, token = session_token(stack.settings, clinic)
    batches = Exercise.of(reps=1, seed=84).batches
    gateway = Gateway(settings)
    restarted = None
    try:
        async with gateway as base_url, client(base_url) as http:
            assert (await http.post("/v1/pose/frames", content=batches[0], headers=bearer(token))).status_code == 200

            # The next batch reaches telemetry, which dies before it holds the frames.
            reached = asyncio.Event()

            async def dies_holding_it(token: str, body: bytes):
                reached.set()
                await asyncio.Event().wait()

            handlers.ingest_pose = dies_holding_it
            pending = asyncio.create_task(http.post("/v1/pose/frames", content=batches[1], headers=bearer(token)))
            await asyncio.wait_for(reached.wait(), 10)
            await instance.stop(crash=True)
            broken = await pending
            assert broken.status_code == 503, broken.text
            assert broken.json()["error"] == "unavailable" and int(broken.headers["retry-after"]) >= 1

            # The app retries while the instance is down: a new stream, and still no 200.
            down = await http.post("/v1/pose/frames", content=batches[1], headers=bearer(token))
            assert down.status_code == 503, down.text

            # Back at the same address, the instance ends the session it lost as incomplete (its frames died
            # with it); the retry goes out on a new stream and is told so; a new session is stored.
            restarted = await Instance(stack, silence=silence, port=instance.port).start()
            recovered = await eventually(lambda: _session(stack, clinic.tenant_id, session_id), lambda row: row.finalized)
            assert recovered.incomplete and recovered.frame_count == 0
            retried = await http.post("/v1/pose/frames", content=batches[1], headers=bearer(token))
            assert retried.status_code == 409 and retried.json()["error"] == "already_exists", retried.text
            fresh_id, fresh = session_token(stack.settings, clinic)
            stored = await http.post("/v1/pose/frames", content=batches[1], headers=bearer(fresh))
            assert stored.status_code == 200 and stored.json()["framesAccepted"] == 30
            assert restarted.runtime.components.handlers.sessions.get(fresh_id).frame_count == 30
    finally:
        if restarted is not None:
            await restarted.stop()


async def test_a_stream_opened_without_the_gateway_s_signature_is_refused_and_holds_nothing(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    handlers = stack.runtimes["telemetry"].components.handlers
    async with grpc.aio.insecure_channel(handlers.instance.name) as channel:
        call = telemetry_pb2_grpc.TelemetryServiceStub(channel).StreamPoseBatches()
        await call.write(telemetry_pb2.PoseBatchInStream(session_token=token, body=Exercise.of(reps=1, seed=85).batches[0]))
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call.read()
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert handlers.sessions.get(session_id) is None
