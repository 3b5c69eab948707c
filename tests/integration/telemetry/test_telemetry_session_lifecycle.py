"""Sessions that do not end politely: the silence timeout, an instance that crashes, S3 parts and lifecycle."""

from __future__ import annotations

import asyncio
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



@pytest.mark.parametrize("recovered_by", ["the first batch or the lease loop", "the first batch"])
async def test_no_batch_is_accepted_while_a_restarted_instance_recovers_its_session(stack, recovered_by):
    """Once the recovery has claimed the dead incarnation's lease, the lease reads as this instance's own:
    a batch then must still be refused as ended, never acknowledged into a session about to be finalized
    without it, and at once, not queued behind the recovery (which reads S3 for seconds)."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=2, seed=35)
    instance = await Instance(stack, silence=timedelta(seconds=60)).start()
    port = instance.port
    for body in exercise.batches[:3]:
        await instance.post(token, body)
    await instance.stop(crash=True)

    restarted = await Instance(stack, silence=timedelta(seconds=60), port=port).build()
    finalizer = restarted.runtime.components.handlers._finalizer
    recovering, release = asyncio.Event(), asyncio.Event()
    read_parts = finalizer._recover_replay

    async def slow_recovery(who, upload_id):  # type: ignore[no-untyped-def]
        recovering.set()  # the lease is claimed by now: it reads as the restarted instance's
        await release.wait()
        return await read_parts(who, upload_id)

    finalizer._recover_replay = slow_recovery
    if recovered_by == "the first batch":
        async def no_lease_loop() -> int:
            return 0

        restarted.runtime.components.handlers.renew_and_recover = no_lease_loop
    await restarted.serve()
    try:
        first = asyncio.create_task(restarted.post(token, exercise.batches[3]))  # may start the recovery itself
        await asyncio.wait_for(recovering.wait(), 15)
        with pytest.raises(grpc.aio.AioRpcError) as during:
            await asyncio.wait_for(restarted.post(token, exercise.batches[4]), 10)
        assert during.value.code() == grpc.StatusCode.ALREADY_EXISTS
        release.set()
        with pytest.raises(grpc.aio.AioRpcError) as racing:
            await first
        assert racing.value.code() == grpc.StatusCode.ALREADY_EXISTS
        row = await eventually(
            lambda: _session_row(stack, clinic.tenant_id, session_id), lambda r: r.status == "finalized", timeout=10
        )
        assert (row.incomplete, row.end_reason, row.frame_count) == (True, "recovered", 0)
        assert restarted.runtime.components.handlers.sessions.get(session_id) is None  # nothing held for it
    finally:
        release.set()
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
