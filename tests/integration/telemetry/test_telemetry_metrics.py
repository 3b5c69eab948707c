"""The telemetry figures an engineer on call reads: a session is in flight from its first batch to its end, every
batch, byte and frame it sends is counted, and its end is counted as completed or incomplete with the reason."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from prometheus_client import REGISTRY

from momentum.telemetry.v1 import telemetry_pb2
from services.telemetry.domain.pose_batch import decode_replay
from tests.support.clinic import new_clinic
from tests.support.telemetry import Exercise, Instance, session_token
from tests.support.waiting import eventually


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def stream_figures() -> dict[str, float]:
    return {
        "accepted batches": sample("momentum_telemetry_pose_batches_total", outcome="accepted"),
        "refused batches": sample("momentum_telemetry_pose_batches_total", outcome="refused"),
        "bytes": sample("momentum_telemetry_pose_bytes_total"),
        "frames": sample("momentum_telemetry_pose_frames_total", kind="accepted"),
        "duplicate frames": sample("momentum_telemetry_pose_frames_total", kind="duplicate"),
        "completed": sample("momentum_telemetry_sessions_ended_total", outcome="completed", reason="ended"),
        "timed": sample("momentum_telemetry_session_seconds_count"),
    }


async def test_a_session_is_in_flight_until_it_ends_and_its_stream_is_counted(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=2, seed=41)
    first, second = exercise.batches[:2]
    instance = await Instance(stack, silence=timedelta(seconds=60)).start()
    try:
        before = stream_figures()
        await instance.post(token, first)
        assert sample("momentum_telemetry_sessions_in_flight") == 1
        await instance.post(token, second)
        await instance.post(token, second)  # resent after a timeout: its frames are duplicates
        with pytest.raises(grpc.aio.AioRpcError):
            await instance.post(token, b"not a pose batch")
        done = await instance.stub.EndSession(telemetry_pb2.EndSessionRequest(session_token=token, session_id=session_id))
        assert not done.incomplete
        after = stream_figures()
    finally:
        await instance.stop()

    moved = {name: after[name] - before[name] for name in before}
    frames = decode_replay(first).frame_count + decode_replay(second).frame_count
    assert moved == {
        "accepted batches": 3, "refused batches": 1, "bytes": len(first) + 2 * len(second) + len(b"not a pose batch"),
        "frames": frames, "duplicate frames": decode_replay(second).frame_count, "completed": 1, "timed": 1,
    }
    assert sample("momentum_telemetry_sessions_in_flight") == 0


async def test_a_silent_session_ends_counted_as_incomplete_for_silence(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    _, token = session_token(stack.settings, clinic)
    silent = sample("momentum_telemetry_sessions_ended_total", outcome="incomplete", reason="silence")
    instance = await Instance(stack, silence=timedelta(seconds=1)).start()
    try:
        await instance.post(token, Exercise.of(reps=1, seed=42).batches[0])
        assert sample("momentum_telemetry_sessions_in_flight") == 1
        # The app is closed here: no end call ever comes.
        async def silenced() -> float:
            return sample("momentum_telemetry_sessions_ended_total", outcome="incomplete", reason="silence")

        await eventually(silenced, lambda n: n == silent + 1, timeout=8, every=0.1)
        assert sample("momentum_telemetry_sessions_in_flight") == 0
    finally:
        await instance.stop()
