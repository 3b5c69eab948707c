"""An exercise session end to end: plans starts it, the app streams media events and a minute of pose
batches through the gateway, ends it; telemetry publishes the aggregates, plans stores them, the
replay in S3 decodes to what was sent. Then consent withdrawal mid-session, and an abandoned session."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import text

from services.common.session_token import verify_session_token
from services.telemetry.domain.pose_batch import decode_replay
from services.telemetry.domain.pose_profile import SHOULDER_ABDUCTION_RIGHT
from tests.support.care import create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.ports import free_port
from tests.support.telemetry import (
    EventTap, Exercise, Gateway, Instance, bearer, check_presigned_url, media_playback, session_token,
    shuffled_with_duplicates,
)
from tests.support.waiting import eventually


async def _care_with_pose_profile(http, clinic):
    """A shoulder-abduction exercise whose catalogue entry carries its pose profile, in a plan for the patient."""
    reply = await http.post(
        "/v1/exercises",
        json={"name": "Shoulder abduction", "videoUrl": "https://video.example/abduction.mp4",
              "videoDurationSeconds": 42, "poseProfile": SHOULDER_ABDUCTION_RIGHT.to_dict()},
        headers=clinic.as_therapist(),
    )
    assert reply.status_code == 201, reply.text
    exercise = reply.json()
    await create_plan(http, clinic, exercises=[exercise])
    workout = (await patient_workouts(http, clinic))[0]
    for purpose in ("biometric", "analytics"):
        granted = await http.put(
            f"/v1/patients/{clinic.patient_id}/consents/{purpose}", json={"granted": True}, headers=clinic.as_patient()
        )
        assert granted.status_code == 200, granted.text
    return exercise, workout


async def _start(http, clinic, workout, exercise) -> tuple[str, str]:
    grant = await http.post(
        f"/v1/workouts/{workout['workoutId']}/sessions/start", json={"exerciseId": exercise["exerciseId"]},
        headers=clinic.as_patient(),
    )
    assert grant.status_code == 201, grant.text
    return grant.json()["sessionId"], grant.json()["token"]


async def _plans_pose_figures(stack, clinic, session_id):
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        session = (
            await uow.execute(
                text("SELECT rep_count, pose_accuracy_score, incomplete FROM plans.pose_session_metrics WHERE session_id = :s"),
                {"s": session_id},
            )
        ).first()
        reps = (
            await uow.execute(text("SELECT count(*) FROM plans.pose_rep_metrics WHERE session_id = :s"), {"s": session_id})
        ).scalar_one()
    return session, reps


async def test_a_session_started_in_plans_streams_ends_and_lands_everywhere(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    # Twelve 3-second abductions with 2-second rests: one minute of frames.
    movement = Exercise.of(reps=12, rep_seconds=3.0, rest_seconds=2.0, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=61)
    assert len(movement.batches) >= 60
    async with client(stack.base_url) as http, EventTap(stack.settings) as tap:
        exercise, workout = await _care_with_pose_profile(http, clinic)
        session_id, token = await _start(http, clinic, workout, exercise)
        playback = media_playback()
        for chunk in (shuffled_with_duplicates(playback)[:7], shuffled_with_duplicates(playback)[7:]):
            reply = await http.post("/v1/media/events", json={"events": chunk}, headers=bearer(token, None))
            assert reply.status_code == 200, reply.text
        for body in movement.batches:
            reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert reply.status_code == 200, reply.text
        # The app retried the last batch after a timeout: nothing changes.
        retry = await http.post("/v1/pose/frames", content=movement.batches[-1], headers=bearer(token))
        assert retry.json()["framesAccepted"] == 0
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
        headers, event = await tap.wait_for(session_id)

        summary = ended.json()
        assert (summary["repCount"], summary["incomplete"], summary["mediaSessions"]) == (12, False, 1)
        assert summary["frameCount"] == movement.timestamps.shape[0]

        # The published event carries the aggregates computed with the exercise's own pose profile.
        assert headers["tenant_id"] == str(clinic.tenant_id)
        assert (event.workout_id, event.exercise_id, event.patient_id) == (
            workout["workoutId"], exercise["exerciseId"], str(clinic.patient_id)
        )
        assert not event.incomplete and event.frame_count == movement.timestamps.shape[0]
        assert event.pose.rep_count == 12 and [r.rep_number for r in event.pose.reps] == list(range(1, 13))
        assert all(100 <= r.peak_rom_degrees <= 130 and 0 < r.form_score <= 100 for r in event.pose.reps)
        assert event.pose.pose_accuracy_score == summary["poseAccuracyScore"]
        [media] = event.media
        assert (media.media_session_id, media.completion_percentage, media.rebuffer_count) == (
            playback[0]["media_session_id"], 100.0, 1
        )
        assert event.replay_key == f"{clinic.tenant_id}/{session_id}.bin.gz"

        # Plans stored them (its consumer of telemetry.session.finalized) and scored the exercise log.
        stored, reps = await eventually(
            lambda: _plans_pose_figures(stack, clinic, session_id), lambda found: found[0] is not None, timeout=10
        )
        assert (stored.rep_count, reps, stored.incomplete) == (12, 12, False)
        sessions = await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist())
        logs = [log for w in sessions.json()["workouts"] if w["workoutId"] == workout["workoutId"] for log in w["exercises"]]
        assert [log["poseAccuracyScore"] for log in logs] == [event.pose.pose_accuracy_score]

        # The therapist replays it: a signed short-lived URL to exactly the frames the app sent.
        link = await http.get(f"/v1/sessions/{session_id}/replay", headers=clinic.as_therapist())
        assert link.status_code == 200, link.text
        check_presigned_url(link.json()["url"], stack.settings, max_expiry=300)
        blob = await http.get(link.json()["url"])
    replay = decode_replay(blob.content)
    np.testing.assert_array_equal(replay.timestamps_ms, movement.timestamps)
    np.testing.assert_array_equal(replay.landmarks, movement.landmarks)


async def test_a_token_issued_directly_works_like_one_from_plans(stack):
    """Until any app runs through plans, tests and tools can sign a session token themselves."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    claims = verify_session_token(stack.settings.auth.telemetry_token_keys, token, int(datetime.now(timezone.utc).timestamp()))
    assert claims.session_id == session_id
    movement = Exercise.of(reps=3, seed=62)
    async with client(stack.base_url) as http:
        for body in movement.batches:
            assert (await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 200
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
    assert ended.json()["repCount"] == 3  # the catalogue does not know the exercise: the default profile


async def test_consent_withdrawn_mid_session_refuses_the_next_batch(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    movement = Exercise.of(reps=6, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=63)
    async with client(stack.base_url) as http:
        exercise, workout = await _care_with_pose_profile(http, clinic)
        session_id, token = await _start(http, clinic, workout, exercise)
        for body in movement.batches[:10]:
            assert (await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 200
        withdrawn = await http.put(
            f"/v1/patients/{clinic.patient_id}/consents/biometric", json={"granted": False}, headers=clinic.as_patient()
        )
        assert withdrawn.status_code == 200
        deadline = datetime.now(timezone.utc) + timedelta(seconds=1)
        statuses = []
        for body in movement.batches[10:]:
            statuses.append((await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code)
            if statuses[-1] == 403:
                break
        assert statuses[-1] == 403 and datetime.now(timezone.utc) < deadline, statuses
        # What was sent before the withdrawal is still the session's: it ends normally.
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        accepted = sum(decode_replay(b).frame_count for b in movement.batches[: 10 + len(statuses) - 1])
        assert ended.status_code == 200 and ended.json()["frameCount"] == accepted


async def test_an_abandoned_session_is_finalized_as_incomplete_and_plans_sees_the_flag(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    movement = Exercise.of(reps=4, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=64)
    # An instance with a 1-second silence timeout, behind its own gateway.
    instance = await Instance(stack, silence=timedelta(seconds=1)).start()
    settings = dataclasses.replace(
        stack.settings, telemetry_targets=(instance.runtime.components.handlers.instance.name,), gateway_port=free_port()
    )
    try:
        async with client(stack.base_url) as http:
            exercise, workout = await _care_with_pose_profile(http, clinic)
            session_id, token = await _start(http, clinic, workout, exercise)
        async with Gateway(settings) as base_url, client(base_url) as app, EventTap(stack.settings) as tap:
            for body in movement.batches[:6]:
                assert (await app.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 200
            # The phone is locked and never comes back.
            _, event = await tap.wait_for(session_id, timeout=10)
        assert event.incomplete and event.frame_count == sum(decode_replay(b).frame_count for b in movement.batches[:6])
        stored, _ = await eventually(
            lambda: _plans_pose_figures(stack, clinic, session_id), lambda found: found[0] is not None, timeout=10
        )
        assert stored.incomplete is True
    finally:
        await instance.stop()
