"""The therapist's workout history links each exercise log to its exercise sessions: detected reps next
to reported ones, each session's status, and which one the log's measurement comes from."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.telemetry.domain.pose_profile import SHOULDER_ABDUCTION_RIGHT
from tests.e2e.test_exercise_sessions_read import _care, _log, _plans_stored, _start, _stream
from tests.support.care import completion
from tests.support.clinic import client, new_clinic
from tests.support.telemetry import Exercise, bearer


async def test_each_exercise_log_links_its_sessions_with_detected_and_reported_reps(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    movement = Exercise.of(reps=5, profile=SHOULDER_ABDUCTION_RIGHT, amplitude=120, seed=91)
    still = Exercise.still(seconds=4)
    async with client(stack.base_url) as http:
        exercise, workout = await _care(http, clinic)
        before = await _log(http, clinic, workout["workoutId"])
        assert (before["exerciseSessions"], before["detectedReps"], before["incomplete"]) == ([], None, None)

        async def session(frames) -> str:  # type: ignore[no-untyped-def]
            session_id, token = await _start(http, clinic, workout, exercise)
            await _stream(http, token, frames)
            ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
            assert ended.status_code == 200, ended.text
            await _plans_stored(stack, clinic, session_id)
            return session_id

        measured = await session(movement)
        empty = await session(still)  # later, but it detected nothing: it never stands in for the measurement
        opened, _ = await _start(http, clinic, workout, exercise)  # still open when the therapist looks
        reported = completion(workout, datetime.now(timezone.utc) - timedelta(seconds=5))
        reported["exercises"][0]["actualReps"] = 7
        done = await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=reported, headers=clinic.as_patient())
        assert done.status_code == 200, done.text

        log = await _log(http, clinic, workout["workoutId"])
    assert (log["actualReps"], log["detectedReps"], log["incomplete"]) == (7, 5, False)
    assert log["poseAccuracySessionId"] == measured
    links = log["exerciseSessions"]
    assert [(s["sessionId"], s["status"], s["detectedReps"]) for s in links] == [
        (measured, "completed", 5), (empty, "completed", 0), (opened, "open", None),
    ]
    assert links[0]["startedAt"] < links[0]["endedAt"] and links[2]["endedAt"] is None
