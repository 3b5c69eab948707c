"""Defects found by trying the API, each through the gateway: a skipped workout's exercise logs, the pain
evolution of a single session, a blank idempotency key, and how malformed JSON is reported."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic


async def test_a_skipped_workout_skips_its_exercises(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        await create_plan(http, clinic)
        workout = (await patient_workouts(http, clinic))[0]
        skipped = await http.post(f"/v1/workouts/{workout['workoutId']}/skip", json={"reason": "travel"}, headers=clinic.as_patient())
        assert skipped.status_code == 200, skipped.text
        assert skipped.json()["exercises"] and all(e["skipped"] for e in skipped.json()["exercises"])
        sessions = (await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist())).json()
        stored = next(w for w in sessions["workouts"] if w["workoutId"] == workout["workoutId"])
        assert stored["status"] == "skipped" and [e["skipped"] for e in stored["exercises"]] == [True, True]


async def test_one_session_is_not_enough_data_for_a_pain_trend(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        plan = await create_plan(http, clinic)
        workout = (await patient_workouts(http, clinic))[0]
        done = await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=completion(workout), headers=clinic.as_patient())
        assert done.status_code == 200, done.text
        analytics = (await http.get(f"/v1/patient-treatment-plans/{plan['planId']}/analytics", headers=clinic.as_therapist())).json()
        pain = analytics["painEvolution"]
        assert (pain["before"], pain["after"]) == ([6.0], [4.0])
        assert (pain["beforeChangePercent"], pain["afterChangePercent"]) == (None, None)
        assert pain["trend"] == analytics["trend"] == "insufficient_data"


async def test_a_blank_idempotency_key_is_refused(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        for key in (" ", "  \t "):
            body = {"patientId": str(clinic.patient_id), "amount": 5, "reason": "extra", "idempotencyKey": key}
            reply = await http.post("/api/xp/award", json=body, headers=clinic.as_therapist())
            assert reply.status_code == 422 and "idempotency" in reply.json()["detail"].lower(), reply.text
        today = datetime.now(timezone.utc).date().isoformat()
        day = await http.get(f"/api/daily-activity?from={today}&to={today}", headers=clinic.as_patient())
        assert day.status_code == 200 and all(d["xpEarned"] == 0 for d in day.json()["days"]), day.text


async def test_malformed_json_names_the_character_not_a_field(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.post("/v1/exercises", content='{"nam', headers={**clinic.as_therapist(), "content-type": "application/json"})
        assert reply.status_code == 400, reply.text
        assert reply.json() == {"error": "invalid_argument", "detail": "body: malformed JSON at character 1", "errors": []}
        late = await http.post("/v1/exercises", content='{"name": "Squat",}', headers={**clinic.as_therapist(), "content-type": "application/json"})
        assert late.status_code == 400 and late.json()["detail"] == "body: malformed JSON at character 17"  # the } after the trailing comma
