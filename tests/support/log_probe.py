"""A representative day of the platform in a process of its own, logging at DEBUG to its real stderr.

`python -m tests.support.log_probe` rebuilds its own database and vhost (MOMENTUM_TEST_DB and
MOMENTUM_TEST_VHOST, set by the caller), starts every service and the gateway in-process, and runs
what patients and therapists do: a timezone change, a plan, a completed workout, consents given and
withdrawn, an exercise session with pose batches and video events, app opens; and what attackers
send: expired, forged and misplaced tokens. It waits until the events have travelled, stops, and
prints one line `MANIFEST <json>` on stdout naming every token it used. The caller scans stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt

from services.common.logging import configure_logging
from services.telemetry.domain.pose_profile import SQUAT_LEFT
from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.fresh import fresh_storage
from tests.support.stack import RunningStack, services_with_bootstrap, settings_for_tests
from tests.support.telemetry import Exercise, bearer, media_playback
from tests.support.waiting import eventually

# The same frames the scanning test regenerates to look for their coordinates in the logs.
POSE_SEED = 97


def pose_frames() -> Exercise:
    return Exercise.of(reps=2, seed=POSE_SEED)


async def _flow(stack: RunningStack) -> dict[str, Any]:
    settings = stack.settings
    clinic = await new_clinic(stack.runtimes["plans"].components.people, settings, flags={"appEntranceTracking": True, "rtmBilling": True})
    user_tokens = [clinic.token(clinic.patient_id, "patient"), clinic.token(clinic.therapist_id, "therapist"), clinic.token(clinic.admin_id, "admin")]
    session_tokens: list[str] = []
    async with client(stack.base_url) as http:
        moved = await http.post("/v2/user/auto-update-timezone", json={"timezone": "Asia/Kathmandu"}, headers=clinic.as_patient())
        assert moved.status_code == 200, moved.text
        exercise = await http.post(
            "/v1/exercises", json={"name": "Squat", "videoUrl": "https://video.example/squat.mp4", "videoDurationSeconds": 42,
                                   "poseProfile": SQUAT_LEFT.to_dict()},
            headers=clinic.as_therapist(),
        )
        assert exercise.status_code == 201, exercise.text
        await create_plan(http, clinic, exercises=[exercise.json()])
        workouts = await patient_workouts(http, clinic)
        for purpose in ("biometric", "analytics"):
            granted = await http.put(f"/v1/patients/{clinic.patient_id}/consents/{purpose}", json={"granted": True}, headers=clinic.as_patient())
            assert granted.status_code == 200, granted.text
        done = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=completion(workouts[0]), headers=clinic.as_patient())
        assert done.status_code == 200, done.text
        assert (await http.post("/api/app-usage/open", headers=clinic.as_patient())).status_code == 200
        assert (await http.post("/v2/app-entrances/log", headers=clinic.as_patient())).status_code in (200, 202)

        grant = await http.post(
            f"/v1/workouts/{workouts[1]['workoutId']}/sessions/start", json={"exerciseId": exercise.json()["exerciseId"]},
            headers=clinic.as_patient(),
        )
        assert grant.status_code == 201, grant.text
        session_id, token = grant.json()["sessionId"], grant.json()["token"]
        session_tokens.append(token)
        media = await http.post("/v1/media/events", json={"events": media_playback()}, headers=bearer(token, None))
        assert media.status_code == 200, media.text
        for body in pose_frames().batches:
            sent = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert sent.status_code == 200, sent.text
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
        replay = await http.get(f"/v1/sessions/{session_id}/replay", headers=clinic.as_therapist())
        assert replay.status_code == 200, replay.text
        withdrawn = await http.put(f"/v1/patients/{clinic.patient_id}/consents/analytics", json={"granted": False}, headers=clinic.as_patient())
        assert withdrawn.status_code == 200, withdrawn.text

        # What attackers and broken apps send: every one refused, none of it logged.
        expired = jwt.encode(
            {"sub": str(clinic.patient_id), "tenant": str(clinic.tenant_id), "role": "patient", "aud": settings.auth.jwt_audience,
             "iss": settings.auth.jwt_issuer, "exp": datetime.now(timezone.utc) - timedelta(minutes=1)},
            settings.auth.jwt_secret, algorithm="HS256",
        )
        foreign = jwt.encode({"sub": str(clinic.patient_id), "tenant": str(clinic.tenant_id), "role": "admin"}, "k" * 40, algorithm="HS256")
        user_tokens += [expired, foreign]
        for headers in ({"Authorization": f"Bearer {expired}"}, {"Authorization": f"Bearer {foreign}"}):
            assert (await http.get("/v2/user/me", headers=headers)).status_code == 401
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        session_tokens.append(tampered)
        assert (await http.post("/v1/pose/frames", content=pose_frames().batches[0], headers=bearer(tampered))).status_code == 401
        assert (await http.post("/v1/pose/frames", content=b"\x1f\x8b" + b"\x00" * 30, headers=bearer(token))).status_code in (409, 422)
        assert (await http.post("/v1/pose/frames", content=pose_frames().batches[0], headers=bearer(clinic.token(clinic.patient_id, "patient")))).status_code == 401
        bad_zone = await http.post("/v2/user/auto-update-timezone", json={"timezone": "Mars/Olympus"}, headers=clinic.as_patient())
        assert bad_zone.status_code == 422

        # Wait for the events to travel: streaks counted the workout, plans stored the session's figures.
        await eventually(
            lambda: http.get("/v2/streaks", headers=clinic.as_patient()), lambda r: r.json()["currentDailyStreak"] >= 1, timeout=15
        )
        await eventually(
            lambda: http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist()),
            lambda r: any(log["poseAccuracyScore"] is not None for w in r.json()["workouts"] for log in w["exercises"]),
            timeout=15,
        )
    return {"user_tokens": user_tokens, "session_tokens": session_tokens, "session_id": session_id}


async def main() -> None:
    settings = settings_for_tests()
    # As a service process does first thing (services.common.runtime.run_service).
    configure_logging(settings.log_format, settings.log_level)
    await fresh_storage(settings)
    stack = RunningStack(settings)
    try:
        for name in services_with_bootstrap():
            await stack.start_service(name)
        await stack.start_gateway()
        manifest = await _flow(stack)
    finally:
        await stack.stop()
    sys.stdout.write("MANIFEST " + json.dumps(manifest) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
