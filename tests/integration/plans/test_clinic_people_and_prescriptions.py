"""The routes the web app's admin and plan editor screens stand on, through the gateway against the real stack:
the clinic's people listed and deactivated, a hold per prescribed exercise, and a plan edited then ended."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from tests.support.care import completion, create_exercises
from tests.support.clinic import client, new_clinic


async def _audits(stack, clinic, entity_id, action):  # type: ignore[no-untyped-def]
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        return (await uow.execute(
            text("SELECT count(*) FROM plans.audit_log WHERE entity_id = :e AND action = :a"), {"e": str(entity_id), "a": action}
        )).scalar_one()


async def test_the_admin_lists_the_clinic_and_a_deactivated_therapist_is_refused(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    async with client(stack.base_url) as http:
        made = await http.post("/v1/users", json={"role": "therapist", "displayName": "Dr. Iris Moss"}, headers=clinic.as_admin())
        assert made.status_code == 201, made.text
        iris = made.json()["userId"]

        listed = await http.get("/v1/users", params={"role": "therapist"}, headers=clinic.as_admin())
        assert listed.status_code == 200, listed.text
        therapists = {u["userId"]: u for u in listed.json()["users"]}
        assert set(therapists) == {str(clinic.therapist_id), iris}
        assert therapists[iris] == {"userId": iris, "role": "therapist", "displayName": "Dr. Iris Moss", "timezone": None, "active": True}
        everyone = (await http.get("/v1/users", headers=clinic.as_admin())).json()["users"]
        assert sorted(u["role"] for u in everyone) == ["admin", "patient", "patient", "therapist", "therapist"]

        # Bad input names the field and changes nothing.
        wrong_role = await http.get("/v1/users", params={"role": "doctor"}, headers=clinic.as_admin())
        assert wrong_role.status_code == 422 and wrong_role.json()["errors"][0]["field"] == "role"
        not_bool = await http.patch(f"/v1/users/{iris}", json={"active": "no"}, headers=clinic.as_admin())
        assert not_bool.status_code == 422 and not_bool.json()["errors"][0]["field"] == "active"
        stranger = await http.patch("/v1/users/00000000-0000-4000-8000-000000000000", json={"active": False}, headers=clinic.as_admin())
        assert stranger.status_code == 404, stranger.text
        by_therapist = await http.get("/v1/users", headers=clinic.as_therapist())
        assert by_therapist.status_code == 403
        myself = await http.patch(f"/v1/users/{clinic.admin_id}", json={"active": False}, headers=clinic.as_admin())
        assert myself.status_code == 400 and myself.json()["error"] == "cannot_deactivate_self", myself.text

        # Iris is deactivated: listed inactive, audited, and her token (never seen before) is refused.
        done = await http.patch(f"/v1/users/{iris}", json={"active": False}, headers=clinic.as_admin())
        assert done.status_code == 200 and done.json()["active"] is False, done.text
        listed = (await http.get("/v1/users", params={"role": "therapist"}, headers=clinic.as_admin())).json()["users"]
        assert {u["userId"]: u["active"] for u in listed} == {str(clinic.therapist_id): True, iris: False}
        refused = await http.get("/v1/patients", headers=clinic.headers(iris, "therapist"))
        assert refused.status_code == 401, refused.text
    assert await _audits(stack, clinic, iris, "user.access.set") == 1


async def _doses(http, clinic) -> set[tuple[str, str, int, int | None]]:  # type: ignore[no-untyped-def]
    """(status, exercise, sets, hold) of every exercise of the patient's workouts, as her app reads them."""
    listed = await http.get("/v2/workouts", params={"past": "false"}, headers=clinic.as_patient())
    assert listed.status_code == 200, listed.text
    return {(w["status"], e["name"], e["prescribedSets"], e["prescribedHoldSeconds"])
            for w in listed.json()["workouts"] for e in w["exercises"]}


async def test_a_plan_prescribes_holds_is_edited_and_ended(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1)
    start = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    async with client(stack.base_url) as http:
        squat, wall_sit = await create_exercises(http, clinic, ("Squat", "Wall sit"))
        body = {"patientId": str(clinic.patient_id), "title": "Knee strength", "startDate": start, "durationWeeks": 4,
                "frequencyPerWeek": 3, "exercises": [{"exerciseId": squat["exerciseId"], "sets": 3, "reps": 12},
                                                      {"exerciseId": wall_sit["exerciseId"], "sets": 2, "reps": 1, "holdSeconds": 45}]}
        too_long = {**body, "exercises": [{**body["exercises"][1], "holdSeconds": 601}]}
        refused = await http.post("/v1/patient-treatment-plans", json=too_long, headers=clinic.as_therapist())
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "exercises.0.holdSeconds", refused.text
        assert (await http.get(f"/v1/patients/{clinic.patient_id}/plans", headers=clinic.as_therapist())).json()["plans"] == []

        created = await http.post("/v1/patient-treatment-plans", json=body, headers=clinic.as_therapist())
        assert created.status_code == 201, created.text
        plan = created.json()
        assert [(e["name"], e["sets"], e["reps"], e["holdSeconds"]) for e in plan["exercises"]] == [
            ("Squat", 3, 12, None), ("Wall sit", 2, 1, 45)]
        # Every session shows the patient the hold with the sets and reps; one is done at that dose.
        assert await _doses(http, clinic) == {("scheduled", "Squat", 3, None), ("scheduled", "Wall sit", 2, 45)}
        first = min((await http.get("/v2/workouts", params={"past": "false"}, headers=clinic.as_patient())).json()["workouts"],
                    key=lambda w: w["sessionNumber"])
        done = await http.post(f"/v2/workouts/{first['workoutId']}/complete", json=completion(first),
                               headers=clinic.as_patient())
        assert done.status_code == 200, done.text

        edited = await http.patch(f"/v1/patient-treatment-plans/{plan['planId']}", headers=clinic.as_therapist(), json={
            "title": "Knee strength, week 2", "exercises": [{"exerciseId": wall_sit["exerciseId"], "sets": 3, "reps": 1, "holdSeconds": 60}]})
        assert edited.status_code == 200, edited.text
        read = (await http.get(f"/v1/patient-treatment-plans/{plan['planId']}", headers=clinic.as_therapist())).json()
        assert (read["title"], [(e["name"], e["sets"], e["holdSeconds"]) for e in read["exercises"]]) == (
            "Knee strength, week 2", [("Wall sit", 3, 60)])
        # The sessions still to do take the new dose; the one done keeps what it was done at.
        assert await _doses(http, clinic) == {
            ("scheduled", "Wall sit", 3, 60), ("completed", "Squat", 3, None), ("completed", "Wall sit", 2, 45)}

        ended = await http.patch(f"/v1/patient-treatment-plans/{plan['planId']}", json={"status": "completed"}, headers=clinic.as_therapist())
        assert ended.status_code == 200 and ended.json()["status"] == "completed", ended.text
        again = await http.patch(f"/v1/patient-treatment-plans/{plan['planId']}", headers=clinic.as_therapist(),
                                 json={"exercises": [{"exerciseId": squat["exerciseId"], "sets": 1, "reps": 1}]})
        assert again.status_code == 400, again.text
        (listed,) = (await http.get(f"/v1/patients/{clinic.patient_id}/plans", headers=clinic.as_therapist())).json()["plans"]
        assert listed["status"] == "completed"
