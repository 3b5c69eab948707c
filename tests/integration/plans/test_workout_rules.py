"""The clinical core's rules, through the gateway against real Postgres and RabbitMQ."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic


async def counts(stack, clinic, workout_id):
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        status = (await uow.execute(text("SELECT status FROM plans.workouts WHERE workout_id = :w"), {"w": workout_id})).scalar_one()
        events = (await uow.execute(
            text("SELECT count(*) FROM plans.outbox WHERE message_id = :m"), {"m": f"workout-completed:{workout_id}"}
        )).scalar_one()
        audits = (await uow.execute(
            text("SELECT count(*) FROM plans.audit_log WHERE entity_id = :w AND action = 'workout.complete'"), {"w": workout_id}
        )).scalar_one()
    return status, events, audits


@pytest.fixture
async def care(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2, timezone="America/New_York")
    async with client(stack.base_url) as http:
        plan = await create_plan(http, clinic)
        workouts = await patient_workouts(http, clinic)
    return clinic, plan, workouts


@pytest.mark.parametrize(
    "override, field",
    [
        ({"painBefore": 11}, "painBefore"),
        ({"painAfter": -1}, "painAfter"),
        ({"perceivedDifficulty": 0}, "perceivedDifficulty"),
        ({"painBefore": 5.5}, "painBefore"),
        ({"extra": 1}, "extra"),
    ],
)
async def test_out_of_range_values_are_rejected_naming_the_field(stack, care, override, field):
    clinic, _, workouts = care
    async with client(stack.base_url) as http:
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete",
                                json=completion(workouts[0], **override), headers=clinic.as_patient())
    assert reply.status_code in (400, 422), reply.text
    assert field in reply.json()["detail"]
    assert await counts(stack, clinic, workouts[0]["workoutId"]) == ("scheduled", 0, 0)


async def test_end_before_start_and_future_end_are_rejected(stack, care):
    clinic, _, workouts = care
    now = datetime.now(timezone.utc)
    async with client(stack.base_url) as http:
        backwards = completion(workouts[0], timeWorkoutStart=now.isoformat(), timeWorkoutEnd=(now - timedelta(hours=1)).isoformat())
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=backwards, headers=clinic.as_patient())
        assert reply.status_code == 422 and "timeWorkoutEnd" in reply.json()["detail"]
        future = completion(workouts[0], ended=now + timedelta(hours=2))
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=future, headers=clinic.as_patient())
        assert reply.status_code == 422 and "future" in reply.json()["detail"]
        naive = completion(workouts[0], timeWorkoutStart="2026-01-01T10:00:00", timeWorkoutEnd="2026-01-01T10:30:00")
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=naive, headers=clinic.as_patient())
        assert reply.status_code == 422 and "timeWorkoutStart" in reply.json()["detail"]
        stranger = completion(workouts[0])
        stranger["exercises"][0]["exerciseId"] = "00000000-0000-4000-8000-000000000000"
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=stranger, headers=clinic.as_patient())
        assert reply.status_code == 422 and "exercises[0].exerciseId" in reply.json()["detail"]
        assert reply.json()["errors"] == [{"field": "exercises[0].exerciseId", "message": reply.json()["errors"][0]["message"]}]
    assert await counts(stack, clinic, workouts[0]["workoutId"]) == ("scheduled", 0, 0)


async def test_another_patients_workout_is_not_found(stack, care):
    clinic, _, workouts = care
    async with client(stack.base_url) as http:
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=completion(workouts[0]),
                                headers=clinic.as_patient(1))
        assert reply.status_code == 404
        other_clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=completion(workouts[0]),
                                headers=other_clinic.as_patient())
        assert reply.status_code == 404
        reply = await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=other_clinic.as_therapist())
        assert reply.status_code == 404
    assert await counts(stack, clinic, workouts[0]["workoutId"]) == ("scheduled", 0, 0)


async def test_completing_a_cancelled_plans_workout_is_refused(stack, care):
    clinic, plan, workouts = care
    async with client(stack.base_url) as http:
        cancel = await http.patch(f"/v1/patient-treatment-plans/{plan['planId']}", json={"status": "cancelled"}, headers=clinic.as_therapist())
        assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled", cancel.text
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=completion(workouts[0]), headers=clinic.as_patient())
        assert reply.status_code == 400 and "cancelled" in reply.json()["detail"]
        reopen = await http.patch(f"/v1/patient-treatment-plans/{plan['planId']}", json={"status": "active"}, headers=clinic.as_therapist())
        assert reopen.status_code == 400
    assert await counts(stack, clinic, workouts[0]["workoutId"]) == ("scheduled", 0, 0)


async def test_completion_is_idempotent_and_stored_with_local_date_and_zone(stack, care):
    clinic, _, workouts = care
    # 22:30 in New York is already the next day in UTC: the local date is the patient's day.
    ended = datetime(2026, 11, 20, 3, 30, tzinfo=timezone.utc)
    body = completion(workouts[0], ended=ended, minutes=40)
    async with client(stack.base_url) as http:
        first = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=body, headers=clinic.as_patient())
        second = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=body, headers=clinic.as_patient())
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    done = first.json()
    assert (done["status"], done["localDate"], done["timezone"], done["durationMinutes"]) == (
        "completed", "2026-11-19", "America/New_York", 40)
    assert done["completedAt"] == "2026-11-20T03:30:00Z"
    assert done["exercisesCompleted"] == done["exercisesTotal"] == 2
    assert await counts(stack, clinic, workouts[0]["workoutId"]) == ("completed", 1, 1)


async def test_skip_and_then_complete_is_refused(stack, care):
    clinic, _, workouts = care
    async with client(stack.base_url) as http:
        skipped = await http.post(f"/v1/workouts/{workouts[1]['workoutId']}/skip", json={"reason": "knee hurt"}, headers=clinic.as_patient())
        assert skipped.status_code == 200 and skipped.json()["status"] == "skipped"
        reply = await http.post(f"/v2/workouts/{workouts[1]['workoutId']}/complete", json=completion(workouts[1]), headers=clinic.as_patient())
        assert reply.status_code == 400


async def test_therapist_cannot_complete_and_patient_cannot_plan(stack, care):
    clinic, _, workouts = care
    async with client(stack.base_url) as http:
        reply = await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=completion(workouts[0]), headers=clinic.as_therapist())
        assert reply.status_code == 403
        reply = await http.post("/v1/patient-treatment-plans", json={}, headers=clinic.as_patient())
        assert reply.status_code == 403


async def test_plan_validation_names_the_field_and_writes_nothing(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        base = {"patientId": str(clinic.patient_id), "title": "x", "startDate": "2026-11-01", "durationWeeks": 4,
                "frequencyPerWeek": 3, "exercises": [{"exerciseId": "00000000-0000-4000-8000-000000000000", "sets": 3, "reps": 10}]}
        reply = await http.post("/v1/patient-treatment-plans", json=base, headers=clinic.as_therapist())
        assert reply.status_code == 422 and "exercises[0].exerciseId" in reply.json()["detail"]
        reply = await http.post("/v1/patient-treatment-plans", json={**base, "durationWeeks": 0}, headers=clinic.as_therapist())
        assert reply.status_code == 422 and "durationWeeks" in reply.json()["detail"]
        reply = await http.post("/v1/patient-treatment-plans", json={**base, "startDate": "2026-02-30"}, headers=clinic.as_therapist())
        assert reply.status_code == 422 and "startDate" in reply.json()["detail"]
        reply = await http.post("/v1/patient-treatment-plans", json={**base, "patientId": str(clinic.therapist_id)}, headers=clinic.as_therapist())
        assert reply.status_code == 404
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        assert (await uow.execute(text("SELECT count(*) FROM plans.treatment_plans"))).scalar_one() == 0
        assert (await uow.execute(text("SELECT count(*) FROM plans.workouts"))).scalar_one() == 0


async def test_today_and_plan_progress_counts(stack, care):
    clinic, plan, workouts = care
    async with client(stack.base_url) as http:
        today = await http.get("/v2/workouts/today", headers=clinic.as_patient())
        assert today.status_code == 200
        assert today.json()["workout"] is None or today.json()["workout"]["status"] == "scheduled"
        await http.post(f"/v2/workouts/{workouts[0]['workoutId']}/complete", json=completion(workouts[0]), headers=clinic.as_patient())
        fetched = await http.get(f"/v1/patient-treatment-plans/{plan['planId']}", headers=clinic.as_patient())
        assert (fetched.json()["sessionsPlanned"], fetched.json()["sessionsCompleted"]) == (12, 1)
        other = await http.get(f"/v1/patient-treatment-plans/{plan['planId']}", headers=clinic.as_patient(1))
        assert other.status_code == 404


async def test_consent_ledger_derives_state_and_publishes_changes(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        path = f"/v1/patients/{clinic.patient_id}/consents"
        assert (await http.put(f"{path}/biometric", json={"granted": True}, headers=clinic.as_admin())).json()["granted"] == {"biometric": True}
        await http.put(f"{path}/biometric", json={"granted": True}, headers=clinic.as_patient())  # no change, no event
        state = (await http.put(f"{path}/biometric", json={"granted": False}, headers=clinic.as_patient())).json()
        assert state["granted"] == {"biometric": False}
        bad = await http.put(f"{path}/marketing", json={"granted": True}, headers=clinic.as_admin())
        assert bad.status_code == 422 and "purpose" in bad.json()["detail"]
        therapist = await http.put(f"{path}/analytics", json={"granted": True}, headers=clinic.as_therapist())
        assert therapist.status_code == 403
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        ledger = (await uow.execute(text("SELECT granted FROM plans.consent_ledger ORDER BY consent_entry_id"))).scalars().all()
        events = (await uow.execute(
            text("SELECT count(*) FROM plans.outbox WHERE tenant_id = :t AND routing_key = 'plans.consent.changed'"), {"t": clinic.tenant_id}
        )).scalar_one()
    assert ledger == [True, False]
    assert events == 2


async def test_exercise_session_token_carries_consented_purposes(stack, care):
    from services.common.session_token import verify_session_token

    clinic, _, workouts = care
    workout = workouts[0]
    async with client(stack.base_url) as http:
        await http.put(f"/v1/patients/{clinic.patient_id}/consents/biometric", json={"granted": True}, headers=clinic.as_patient())
        grant = await http.post(f"/v1/workouts/{workout['workoutId']}/sessions/start",
                                json={"exerciseId": workout["exercises"][0]["exerciseId"]}, headers=clinic.as_patient())
        assert grant.status_code == 201, grant.text
        foreign = await http.post(f"/v1/workouts/{workout['workoutId']}/sessions/start",
                                  json={"exerciseId": workout["exercises"][0]["exerciseId"]}, headers=clinic.as_patient(1))
        assert foreign.status_code == 404
    body = grant.json()
    claims = verify_session_token(stack.settings.auth.telemetry_token_keys, body["token"], int(datetime.now(timezone.utc).timestamp()))
    assert (claims.session_id, claims.patient_id, claims.workout_id, claims.exercise_id, claims.purposes) == (
        body["sessionId"], str(clinic.patient_id), workout["workoutId"], workout["exercises"][0]["exerciseId"], ("biometric",))
    assert claims.tenant_id == str(clinic.tenant_id)


async def test_post_session_form_is_validated_against_its_template(stack, care):
    clinic, _, workouts = care
    workout = workouts[0]
    async with client(stack.base_url) as http:
        url = f"/v1/workouts/{workout['workoutId']}/form-responses"
        answers = {"pain_now": 3, "effort": 6, "felt": "better"}
        early = await http.post(url, json={"templateKey": "post_session", "templateVersion": 1, "answers": answers}, headers=clinic.as_patient())
        assert early.status_code == 400
        await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=completion(workout), headers=clinic.as_patient())
        bad = await http.post(url, json={"templateKey": "post_session", "templateVersion": 1, "answers": {**answers, "felt": "meh"}},
                              headers=clinic.as_patient())
        assert bad.status_code == 422 and "answers.felt" in bad.json()["detail"]
        good = await http.post(url, json={"templateKey": "post_session", "templateVersion": 1, "answers": answers}, headers=clinic.as_patient())
        assert good.status_code == 201 and good.json()["answers"] == answers
        again = await http.post(url, json={"templateKey": "post_session", "templateVersion": 1, "answers": answers}, headers=clinic.as_patient())
        assert again.status_code == 409
