"""Sessions that do not end politely: the silence timeout, an instance that crashes, S3 parts and lifecycle."""

from __future__ import annotations

import json
from datetime import timedelta

import grpc
import numpy as np
import pytest
from sqlalchemy import text

from momentum.telemetry.v1 import telemetry_pb2
from services.telemetry.domain.pose_batch import decode_replay
from services.telemetry.replay_store import LIFECYCLE_RULES
from tests.support.clinic import new_clinic
from tests.support.telemetry import (
    EventTap, Exercise, Instance, media_playback, outbox_events, read_replay, session_token,
)
from tests.support.waiting import eventually


async def _session_row(stack, tenant_id, session_id):
    async with stack.runtimes["telemetry"].database.unit_of_work(tenant_id) as uow:
        return (
            await uow.execute(
                text(
                    "SELECT status, incomplete, end_reason, frame_count, replay_key, parts_uploaded, frames_uploaded, "
                    "upload_id FROM telemetry.exercise_sessions WHERE session_id = :s"
                ),
                {"s": session_id},
            )
        ).first()


async def test_silence_finalizes_an_abandoned_session_as_incomplete(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=3, seed=31)
    instance = await Instance(stack, silence=timedelta(seconds=1)).start()
    try:
        async with EventTap(stack.settings) as tap:
            for body in exercise.batches[:8]:
                await instance.post(token, body)
            playback = media_playback()
            await instance.stub.IngestMediaEvents(
                telemetry_pb2.IngestMediaEventsRequest(
                    session_token=token, events_json=json.dumps(playback[:4]).encode()
                )
            )
            # The app is closed here: no end call ever comes.
            row = await eventually(
                lambda: _session_row(stack, clinic.tenant_id, session_id), lambda r: r and r.status == "finalized",
                timeout=8,
            )
            headers, event = await tap.wait_for(session_id)
        assert (row.incomplete, row.end_reason) == (True, "silence")
        frames = sum(decode_replay(b).frame_count for b in exercise.batches[:8])
        assert row.frame_count == frames
        assert event.incomplete and event.frame_count == frames and event.patient_id == str(clinic.patient_id)
        assert headers["tenant_id"] == str(clinic.tenant_id)
        assert [m.media_session_id for m in event.media] == [playback[0]["media_session_id"]]
        replay = decode_replay(await read_replay(stack, row.replay_key))
        assert replay.frame_count == frames
        with pytest.raises(grpc.aio.AioRpcError) as late:
            await instance.post(token, exercise.batches[8])
        assert late.value.code() == grpc.StatusCode.ALREADY_EXISTS  # 409: the session has ended
        assert len(await outbox_events(stack, session_id)) == 1
    finally:
        await instance.stop()


async def test_a_crashed_instance_loses_only_what_it_had_not_flushed(stack):
    """Parts of >= 5 MiB reach S3 as the session goes; after a crash the restarted instance finalizes
    the session as incomplete from those parts, and the app's next batch learns the session ended."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.still(440, seed=32)
    instance = await Instance(stack, silence=timedelta(seconds=60)).start()
    port = instance.port
    for body in exercise.batches:
        await instance.post(token, body)
    row = await eventually(
        lambda: _session_row(stack, clinic.tenant_id, session_id), lambda r: r and r.parts_uploaded >= 1, timeout=10
    )
    flushed = row.frames_uploaded
    assert 0 < flushed < exercise.timestamps.shape[0]
    await instance.stop(crash=True)
    assert (await _session_row(stack, clinic.tenant_id, session_id)).status == "open"

    restarted = await Instance(stack, silence=timedelta(seconds=60), port=port).start()
    try:
        row = await eventually(
            lambda: _session_row(stack, clinic.tenant_id, session_id), lambda r: r.status == "finalized", timeout=10
        )
        assert (row.incomplete, row.end_reason, row.frame_count) == (True, "recovered", flushed)
        replay = decode_replay(await read_replay(stack, row.replay_key))
        np.testing.assert_array_equal(replay.timestamps_ms, exercise.timestamps[:flushed])
        np.testing.assert_array_equal(replay.landmarks, exercise.landmarks[:flushed])
        with pytest.raises(grpc.aio.AioRpcError) as after:
            await restarted.post(token, exercise.batches[-1])
        assert after.value.code() == grpc.StatusCode.ALREADY_EXISTS
        [event] = await outbox_events(stack, session_id)
        assert event.incomplete and event.frame_count == flushed
    finally:
        await restarted.stop()


async def test_a_long_session_streams_parts_and_ends_with_every_frame(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.still(420, seed=33)
    instance = await Instance(stack, silence=timedelta(seconds=60)).start()
    try:
        for body in exercise.batches:
            await instance.post(token, body)
        await eventually(
            lambda: _session_row(stack, clinic.tenant_id, session_id), lambda r: r and r.parts_uploaded == 1, timeout=10
        )
        done = await instance.stub.EndSession(telemetry_pb2.EndSessionRequest(session_token=token, session_id=session_id))
        assert (done.frame_count, done.incomplete) == (exercise.timestamps.shape[0], False)
        replay = decode_replay(await read_replay(stack, done.replay_key))
        np.testing.assert_array_equal(replay.timestamps_ms, exercise.timestamps)
        np.testing.assert_array_equal(replay.landmarks, exercise.landmarks)
        store = stack.runtimes["telemetry"].components.replay_store
        assert await store.exists(done.replay_key)
    finally:
        await instance.stop()


async def test_the_replay_bucket_carries_its_lifecycle_rules(stack):
    store = stack.runtimes["telemetry"].components.replay_store
    rules = {rule["ID"]: rule for rule in await store.lifecycle_rules()}
    assert rules.keys() == {rule["ID"] for rule in LIFECYCLE_RULES}
    default = rules["replays-expire-unless-clinically-relevant"]
    assert default["Expiration"] == {"Days": 180}
    assert default["Filter"] == {"Tag": {"Key": "clinically-relevant", "Value": "false"}}
    clinical = rules["clinically-relevant-replays-cool-down"]
    assert clinical["Filter"] == {"Tag": {"Key": "clinically-relevant", "Value": "true"}}
    assert clinical["Transitions"] == [
        {"Days": 90, "StorageClass": "STANDARD_IA"}, {"Days": 365, "StorageClass": "GLACIER"}
    ]
    assert "Expiration" not in clinical
