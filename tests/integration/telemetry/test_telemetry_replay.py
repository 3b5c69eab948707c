"""Replay links: who may have one, a SigV4 presigned URL with a short life, and the blob behind it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import numpy as np
import pytest
from sqlalchemy import text

from services.telemetry.domain.pose_batch import decode_replay
from tests.support.clinic import client, new_clinic
from tests.support.telemetry import Exercise, bearer, check_presigned_url, session_token


async def test_patient_and_therapist_get_a_short_lived_signed_link_to_the_replay(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    session_id, token = session_token(stack.settings, clinic)
    exercise = Exercise.of(reps=2, seed=41)
    url = f"/v1/sessions/{session_id}/replay"
    async with client(stack.base_url) as http:
        for body in exercise.batches[:4]:
            await http.post("/v1/pose/frames", content=body, headers=bearer(token))
        in_flight = await http.get(url, headers=clinic.as_patient())
        assert in_flight.status_code == 400 and in_flight.json()["error"] == "session_in_progress", in_flight.text
        for body in exercise.batches[4:]:
            await http.post("/v1/pose/frames", content=body, headers=bearer(token))
        assert (await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))).status_code == 200

        assert (await http.get(url)).status_code == 401
        assert (await http.get(url, headers=bearer(token, None))).status_code == 401  # a session token is no user JWT
        assert (await http.get(url, headers=clinic.as_patient(1))).status_code == 403
        assert (await http.get(url, headers=clinic.as_admin())).status_code == 403
        stranger = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
        assert (await http.get(url, headers=stranger.as_therapist())).status_code == 404

        for headers in (clinic.as_patient(), clinic.as_therapist()):
            reply = await http.get(url, headers=headers)
            assert reply.status_code == 200, reply.text
            link = reply.json()
            assert link["frameCount"] == exercise.timestamps.shape[0] and link["contentEncoding"] == "gzip"
            expires = datetime.fromisoformat(link["expiresAt"].replace("Z", "+00:00"))
            assert timedelta(0) < expires - datetime.now(timezone.utc) <= timedelta(minutes=5)
            query = check_presigned_url(link["url"], stack.settings, max_expiry=300)
            assert query["X-Amz-Expires"] == "300"

        # The check is a real one: a link to another key, or with a longer life, does not verify.
        tampered = link["url"].replace(f"{session_id}.bin.gz", "other.bin.gz")
        with pytest.raises(AssertionError, match="signature"):
            check_presigned_url(tampered, stack.settings)
        with pytest.raises(AssertionError, match="validity window"):
            check_presigned_url(link["url"], stack.settings, now=datetime.now(timezone.utc) + timedelta(minutes=6))

    async with httpx.AsyncClient(timeout=10) as s3:
        blob = await s3.get(link["url"])
    assert blob.status_code == 200
    replay = decode_replay(blob.content)
    np.testing.assert_array_equal(replay.landmarks, exercise.landmarks)

    async with stack.runtimes["telemetry"].database.unit_of_work(clinic.tenant_id) as uow:
        audit = (
            await uow.execute(
                text(
                    "SELECT action, actor_role FROM telemetry.audit_log WHERE entity_id = :s ORDER BY audit_id"
                ),
                {"s": session_id},
            )
        ).all()
    assert [(a.action, a.actor_role) for a in audit] == [
        ("exercise_session.open", "patient"),
        ("exercise_session.finalize", "patient"),
        ("exercise_session.replay_link", "patient"),
        ("exercise_session.replay_link", "therapist"),
    ]


async def test_a_session_without_frames_has_no_replay(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    async with client(stack.base_url) as http:
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
        assert (ended.json()["frameCount"], ended.json()["replayAvailable"]) == (0, False)
        assert (await http.get(f"/v1/sessions/{session_id}/replay", headers=clinic.as_therapist())).status_code == 404
