"""What the therapist sees of exercise sessions created through the public API: reps, ROM, phases, the incomplete
flag and its reason, totals, the replay route and video quality equal to hand arithmetic; who may see them;
and an exercise log's pose score, which no session without a detected rep measures or replaces."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from services.telemetry.domain.pose_profile import SHOULDER_ABDUCTION_RIGHT
from tests.support.care import create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.ports import free_port
from tests.support.telemetry import EventTap, Exercise, Gateway, Instance, bearer, media_playback, outbox_events
from tests.support.waiting import eventually


async def _care(http, clinic):
    created = await http.post(
        "/v1/exercises",
        json={"name": "Shoulder abduction", "videoUrl": "https://video.example/abduction.mp4",
              "videoDurationSeconds": 42, "poseProfile": SHOULDER_ABDUCTION_RIGHT.to_dict()},
        headers=clinic.as_therapist(),
    )
    assert created.status_code == 201, created.text
    exercise = created.json()
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


async def _stream(http, token, movement):
    for body in movement.batches:
        reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
        assert reply.status_code == 200, reply.text


async def _log(http, clinic, workout_id):
    sessions = await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist())
    assert sessions.status_code == 200, sessions.text
    [log] = [log for w in sessions.json()["workouts"] if w["workoutId"] == workout_id for log in w["exercises"]]
    return log


async def test_the_therapist_sees_reps_rom_phases_video_quality_and_the_incomplete_flag(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    stranger = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    movement = Exercise.of(reps=8, rep_seconds=3.0, rest_seconds=2.0, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=81)
    abandoned = Exercise.of(reps=3, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=82)
    instance = await Instance(stack, silence=timedelta(seconds=1)).start()
    short_silence = dataclasses.replace(
        stack.settings, telemetry_targets=(instance.runtime.components.handlers.instance.name,), gateway_port=free_port()
    )
    try:
        async with client(stack.base_url) as http:
            exercise, workout = await _care(http, clinic)
            # The first session: completed, with a video watched to the end (one 2-second stall).
            done_id, token = await _start(http, clinic, workout, exercise)
            playback = media_playback()
            assert (await http.post("/v1/media/events", json={"events": playback}, headers=bearer(token, None))).status_code == 200
            await _stream(http, token, movement)
            ended = await http.post(f"/v1/sessions/{done_id}/end", headers=bearer(token, None))
            assert ended.status_code == 200, ended.text
            cut_id, cut_token = await _start(http, clinic, workout, exercise)
        # The second: the phone is locked mid-exercise and never comes back.
        async with Gateway(short_silence) as base_url, client(base_url) as app, EventTap(stack.settings) as tap:
            for body in abandoned.batches[:8]:
                assert (await app.post("/v1/pose/frames", content=body, headers=bearer(cut_token))).status_code == 200
            await tap.wait_for(cut_id, timeout=10)

        async with client(stack.base_url) as http:
            listed = await http.get(f"/v1/patients/{clinic.patient_id}/exercise-sessions", headers=clinic.as_therapist())
            assert listed.status_code == 200, listed.text
            page = listed.json()
            assert [s["sessionId"] for s in page["sessions"]] == [cut_id, done_id] and page["nextCursor"] is None
            cut, done = page["sessions"]
            assert (done["status"], done["incompleteReason"], done["detectedRepCount"]) == ("completed", None, 8)
            assert (cut["status"], cut["incompleteReason"]) == ("incomplete", "silence_timeout")
            assert (done["exerciseId"], done["workoutId"]) == (exercise["exerciseId"], workout["workoutId"])
            assert done["replay"] == {"available": True, "url": f"/v1/sessions/{done_id}/replay"}
            assert done["totals"]["frameCount"] == movement.timestamps.shape[0]

            detail = await http.get(f"/v1/exercise-sessions/{done_id}", headers=clinic.as_therapist())
            assert detail.status_code == 200, detail.text
            session = detail.json()
            assert session["totals"]["poseAccuracyScore"] == ended.json()["poseAccuracyScore"]
            assert session["totals"]["averageFormScore"] == ended.json()["averageFormScore"]
            reps = session["reps"]
            assert [r["repNumber"] for r in reps] == list(range(1, 9))
            for rep in reps:
                assert 100 <= rep["peakRomDegrees"] <= 130 and 0 < rep["formScore"] <= 100
                # An abduction opens to work: its deepest point is the largest angle, ROM above the resting one.
                assert rep["minimumAngleDegrees"] > 100
                assert rep["eccentricMs"] + rep["holdMs"] + rep["concentricMs"] == rep["endMs"] - rep["startMs"]
                assert rep["eccentricMs"] > 0 and rep["concentricMs"] > 0
                assert rep["maxDeviationDegrees"] is not None
            assert session["totals"]["activeDurationMs"] == sum(r["endMs"] - r["startMs"] for r in reps)
            assert session["totals"]["averageFormScore"] == round(sum(r["formScore"] for r in reps) / 8, 1)
            [video] = session["videoQuality"]
            # By hand from the events sent: 42 s watched, one stall from 12 s to 14 s, 800 ms to start.
            assert video["mediaSessionId"] == playback[0]["media_session_id"]
            assert (video["watchTimeSeconds"], video["completionPercentage"], video["startupTimeMs"]) == (42.0, 100.0, 800.0)
            assert (video["rebufferCount"], video["rebufferDurationSeconds"]) == (1, 2.0)
            assert video["rebufferPercentage"] == round(100 * 2.0 / 42.0, 2)  # per second played
            assert video["viewingTimeSeconds"] == 0.8 + 42.0 + 2.0  # startup + played + stalled (Mux's watch time)
            assert video["milestonesReached"] == [25, 50, 75, 95]
            assert video["qualityDownSwitches"] == 1

            incomplete = (await http.get(f"/v1/exercise-sessions/{cut_id}", headers=clinic.as_therapist())).json()
            assert (incomplete["status"], incomplete["incompleteReason"]) == ("incomplete", "silence_timeout")
            assert incomplete["videoQuality"] == []

            # Paging, the exercise filter and the time window.
            first = (await http.get(f"/v1/patients/{clinic.patient_id}/exercise-sessions?limit=1", headers=clinic.as_therapist())).json()
            assert [s["sessionId"] for s in first["sessions"]] == [cut_id] and first["nextCursor"]
            second = (await http.get(
                f"/v1/patients/{clinic.patient_id}/exercise-sessions", params={"limit": 1, "cursor": first["nextCursor"]},
                headers=clinic.as_therapist(),
            )).json()
            assert [s["sessionId"] for s in second["sessions"]] == [done_id] and second["nextCursor"] is None
            other = await http.get(
                f"/v1/patients/{clinic.patient_id}/exercise-sessions", params={"exerciseId": clinic.therapist_id},
                headers=clinic.as_therapist(),
            )
            assert other.status_code == 200 and other.json()["sessions"] == []
            later = (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat()
            window = await http.get(
                f"/v1/patients/{clinic.patient_id}/exercise-sessions", params={"from": later}, headers=clinic.as_therapist()
            )
            assert window.status_code == 200 and window.json()["sessions"] == []
            bad = await http.get(
                f"/v1/patients/{clinic.patient_id}/exercise-sessions", params={"cursor": "nonsense"}, headers=clinic.as_therapist()
            )
            assert bad.status_code == 422 and "cursor" in bad.json()["detail"]

            # Who may read: the clinic's admin and the patient themself; not another patient, not another clinic.
            assert (await http.get(f"/v1/exercise-sessions/{done_id}", headers=clinic.as_admin())).status_code == 200
            own = await http.get(f"/v1/patients/{clinic.patient_id}/exercise-sessions", headers=clinic.as_patient())
            assert own.status_code == 200 and len(own.json()["sessions"]) == 2
            assert (await http.get(f"/v1/exercise-sessions/{done_id}", headers=clinic.as_patient())).status_code == 200
            assert (await http.get(f"/v1/exercise-sessions/{done_id}", headers=clinic.as_patient(1))).status_code == 404
            assert (await http.get(
                f"/v1/patients/{clinic.patient_id}/exercise-sessions", headers=clinic.as_patient(1)
            )).status_code == 404
            assert (await http.get(f"/v1/exercise-sessions/{done_id}", headers=stranger.as_therapist())).status_code == 404
            assert (await http.get(
                f"/v1/patients/{clinic.patient_id}/exercise-sessions", headers=stranger.as_therapist()
            )).status_code == 404
            assert (await http.get(f"/v1/exercise-sessions/{clinic.admin_id}", headers=clinic.as_therapist())).status_code == 404
    finally:
        await instance.stop()


async def test_a_session_without_a_detected_rep_has_no_score_and_never_replaces_one(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    still = Exercise.still(seconds=4)
    movement = Exercise.of(reps=4, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=83)
    async with client(stack.base_url) as http:
        exercise, workout = await _care(http, clinic)

        async def session(frames) -> tuple[str, dict]:
            session_id, token = await _start(http, clinic, workout, exercise)
            await _stream(http, token, frames)
            ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
            assert ended.status_code == 200, ended.text
            return session_id, ended.json()

        async def plans_saw(session_id):
            return await eventually(
                lambda: http.get(f"/v1/exercise-sessions/{session_id}", headers=clinic.as_therapist()),
                lambda r: r.status_code == 200, timeout=10,
            )

        # Frames but no rep: nothing was measured.
        empty_id, empty = await session(still)
        assert (empty["repCount"], empty["poseAccuracyScore"], empty["averageFormScore"]) == (0, None, None)
        [event] = await outbox_events(stack, empty_id)
        assert not event.pose.HasField("pose_accuracy_score") and not event.pose.HasField("average_form_score")
        await _plans_stored(stack, clinic, empty_id)
        assert (await _plans_scores(stack, clinic, empty_id)) == (None, None)
        log = await _log(http, clinic, workout["workoutId"])
        assert (log["poseAccuracyScore"], log["poseAccuracySessionId"]) == (None, None)
        shown = (await plans_saw(empty_id)).json()
        assert shown["totals"]["poseAccuracyScore"] is None and shown["totals"]["averageFormScore"] is None

        # A real session scores the log, and says so.
        real_id, real = await session(movement)
        assert real["poseAccuracyScore"] is not None
        await _plans_stored(stack, clinic, real_id)
        log = await eventually(
            lambda: _log(http, clinic, workout["workoutId"]), lambda found: found["poseAccuracySessionId"] == real_id,
            timeout=10,
        )
        assert log["poseAccuracyScore"] == real["poseAccuracyScore"]

        # A later empty session leaves it alone.
        later_id, _ = await session(Exercise.still(seconds=3, seed=4))
        await _plans_stored(stack, clinic, later_id)
        log = await _log(http, clinic, workout["workoutId"])
        assert (log["poseAccuracyScore"], log["poseAccuracySessionId"]) == (real["poseAccuracyScore"], real_id)


async def _plans_stored(stack, clinic, session_id):
    async def finalized():
        async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
            return (
                await uow.execute(
                    text("SELECT finalized_at FROM plans.exercise_sessions WHERE session_id = :s"), {"s": session_id}
                )
            ).scalar_one_or_none()

    await eventually(finalized, lambda at: at is not None, timeout=10)


async def _plans_scores(stack, clinic, session_id):
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        row = (
            await uow.execute(
                text("SELECT pose_accuracy_score, average_form_score FROM plans.pose_session_metrics WHERE session_id = :s"),
                {"s": session_id},
            )
        ).one()
    return row.pose_accuracy_score, row.average_form_score
