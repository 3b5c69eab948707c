"""Pose batches through the gateway: auth, every kind of bad batch, de-duplication, the replay blob."""

from __future__ import annotations

import gzip
import struct
import zlib
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import event

from services.telemetry.domain.pose_batch import decode_replay, encode_batch, encode_payload
from tests.support.clinic import client, new_clinic
from tests.support.telemetry import Exercise, bearer, outbox_events, read_replay, session_token


def _gzip(payload: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(payload) + compressor.flush()


def bad_batches(good: bytes) -> dict[str, bytes]:
    """One request body per rejection reason, each built from a valid batch."""
    frames = Exercise.of(reps=1, seed=11)
    landmarks, timestamps = frames.landmarks[:30].copy(), frames.timestamps[:30].copy()
    payload = encode_payload(landmarks, timestamps, 30)
    with_nan = landmarks.copy()
    with_nan[3, 5, 0] = np.nan
    too_visible = landmarks.copy()
    too_visible[4, 2, 3] = 1.5
    backwards = timestamps.copy()
    backwards[10], backwards[11] = backwards[11], backwards[10]
    announces_more = struct.pack("<BII", 1, 31, 30) + payload[9:]
    many = np.repeat(landmarks, 5, axis=0)[:150]
    return {
        "empty": b"",
        "bad_gzip": b"this is not gzip at all",
        "truncated": good[: len(good) // 2],
        "bad_version": _gzip(struct.pack("<BII", 2, 30, 30) + payload[9:]),
        "bad_fps_hint": _gzip(struct.pack("<BII", 1, 30, 0) + payload[9:]),
        "length_mismatch": _gzip(announces_more),
        "trailing_bytes": _gzip(payload + b"\x00" * 16),
        "too_many_frames": encode_batch(many, np.arange(150, dtype=np.uint32) * 33, 30),
        "non_finite": encode_batch(with_nan, timestamps, 30),
        "visibility_out_of_range": encode_batch(too_visible, timestamps, 30),
        "timestamps_not_increasing": encode_batch(landmarks, backwards, 30),
        # A gzip bomb: a header announcing 30 frames followed by megabytes of zeros.
        "gzip_bomb": _gzip(struct.pack("<BII", 1, 30, 30) + b"\x00" * (20 * 1024 * 1024)),
        "too_large": gzip.compress(np.random.default_rng(0).bytes(600 * 1024), compresslevel=1),
    }


async def test_every_bad_batch_is_a_4xx_with_a_reason_and_the_session_carries_on(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=3, seed=2)
    good = exercise.batches
    async with client(stack.base_url) as http:
        first = await http.post("/v1/pose/frames", content=good[0], headers=bearer(token))
        assert first.status_code == 200, first.text
        for reason, body in bad_batches(good[1]).items():
            reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert 400 <= reply.status_code < 500, (reason, reply.status_code, reply.text)
            detail = reply.json()["detail"]
            assert detail and "body" in detail, (reason, detail)
        for body in good[1:]:
            reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert reply.status_code == 200, reply.text
        assert reply.json()["sessionFrames"] == exercise.timestamps.shape[0]
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
    assert ended.json()["frameCount"] == exercise.timestamps.shape[0]
    assert ended.json()["repCount"] == 3 and ended.json()["incomplete"] is False
    replay = decode_replay(await read_replay(stack, f"{clinic.tenant_id}/{session_id}.bin.gz"))
    np.testing.assert_array_equal(replay.timestamps_ms, exercise.timestamps)
    np.testing.assert_array_equal(replay.landmarks, exercise.landmarks)


async def test_duplicate_and_overlapping_batches_are_deduplicated_by_timestamp(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=2, seed=4)
    lm, ts = exercise.landmarks, exercise.timestamps
    async with client(stack.base_url) as http:
        async def post(body: bytes) -> dict:
            reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert reply.status_code == 200, reply.text
            return reply.json()

        assert (await post(encode_batch(lm[0:30], ts[0:30], 30)))["framesAccepted"] == 30
        retried = await post(encode_batch(lm[0:30], ts[0:30], 30))
        assert (retried["framesAccepted"], retried["duplicateFrames"]) == (0, 30)
        overlapping = await post(encode_batch(lm[15:60], ts[15:60], 30))
        assert (overlapping["framesAccepted"], overlapping["duplicateFrames"]) == (30, 15)
        stale = await post(encode_batch(lm[40:50], ts[40:50], 30))  # late copy of frames already held
        assert stale["framesAccepted"] == 0
        for start in range(60, ts.shape[0], 30):
            rest = await post(encode_batch(lm[start : start + 30], ts[start : start + 30], 30))
        assert rest["sessionFrames"] == ts.shape[0] and rest["lastTimestampMs"] == int(ts[-1])
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.json()["frameCount"] == ts.shape[0]
    replay = decode_replay(await read_replay(stack, f"{clinic.tenant_id}/{session_id}.bin.gz"))
    np.testing.assert_array_equal(replay.timestamps_ms, ts)
    np.testing.assert_array_equal(replay.landmarks, lm)


async def test_the_session_token_is_the_credential(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    session_id, token = session_token(stack.settings, clinic)
    body = Exercise.of(reps=1, seed=6).batches[0]
    async with client(stack.base_url) as http:
        as_json = await http.post("/v1/pose/frames", json={"frames": []}, headers=bearer(token, None))
        assert as_json.status_code == 415
        missing = await http.post("/v1/pose/frames", content=body, headers={"Content-Type": "application/octet-stream"})
        assert missing.status_code == 401
        # A user JWT is not a session token.
        jwt = await http.post("/v1/pose/frames", content=body, headers={**clinic.as_patient(), "Content-Type": "application/octet-stream"})
        assert jwt.status_code == 401
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert (await http.post("/v1/pose/frames", content=body, headers=bearer(forged))).status_code == 401
        _, expired = session_token(
            stack.settings, clinic, issued_at=datetime.now(timezone.utc) - timedelta(hours=3), ttl=timedelta(hours=1)
        )
        reply = await http.post("/v1/pose/frames", content=body, headers=bearer(expired))
        assert reply.status_code == 401 and "expired" in reply.json()["detail"]
        _, no_biometric = session_token(stack.settings, clinic, purposes=("analytics",))
        assert (await http.post("/v1/pose/frames", content=body, headers=bearer(no_biometric))).status_code == 403
        assert (await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 200
        # Another session's token cannot end this one.
        other_session, other_token = session_token(stack.settings, clinic, patient_index=1)
        wrong = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(other_token, None))
        assert wrong.status_code == 401
        # The same session id under another patient's signed token does not match the session.
        _, hijack = session_token(stack.settings, clinic, session_id=session_id, patient_index=1)
        assert (await http.post("/v1/pose/frames", content=body, headers=bearer(hijack))).status_code == 401
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200 and ended.json()["alreadyFinalized"] is False
        again = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert again.status_code == 200 and again.json()["alreadyFinalized"] is True
        late = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
        assert late.status_code == 409
    assert len(await outbox_events(stack, session_id)) == 1


async def test_no_database_statement_per_batch(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=12, seed=8)
    engine = stack.runtimes["telemetry"].database.engine.sync_engine
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        # The outbox relay polls, the lease loop renews and the health loop asks `SELECT 1` on their own
        # clocks, not per batch.
        if "telemetry.outbox" not in statement and "session_leases" not in statement and statement != "SELECT 1":
            statements.append(statement)

    async with client(stack.base_url) as http:
        assert (await http.post("/v1/pose/frames", content=exercise.batches[0], headers=bearer(token))).status_code == 200
        event.listen(engine, "before_cursor_execute", record)
        try:
            for body in exercise.batches[1:]:
                assert (await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
    assert len(exercise.batches) > 40
    assert statements == [], f"{len(statements)} statements for {len(exercise.batches) - 1} batches"
