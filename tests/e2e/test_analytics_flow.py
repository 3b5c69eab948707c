"""Through the HTTP API only: a therapist plans care, the patient works out and skips, and progress,
analytics, the dashboard and the RTM records all reflect it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually


async def test_care_to_figures_over_http(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    now = datetime.now(timezone.utc)
    today = now.date()
    async with client(stack.base_url) as http:
        plan = await create_plan(http, clinic, start=today - timedelta(days=7), weeks=4, per_week=3)
        workouts = await patient_workouts(http, clinic)
        for days_ago, workout, pain in ((6, workouts[0], (7, 5)), (4, workouts[1], (6, 3))):
            body = completion(workout, ended=now - timedelta(days=days_ago), minutes=20 + days_ago, painBefore=pain[0],
                              painAfter=pain[1])
            reply = await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=body, headers=clinic.as_patient())
            assert reply.status_code == 200, reply.text
        skip = await http.post(f"/v1/workouts/{workouts[2]['workoutId']}/skip", json={"reason": "travel"}, headers=clinic.as_patient())
        assert skip.status_code == 200

        progress = (await http.get(f"/v1/patient-treatment-plans/{plan['planId']}/progress", headers=clinic.as_patient())).json()
        assert (progress["sessionsCompleted"], progress["sessionsPlanned"], progress["completionPercent"]) == (2, 12, 16.67)
        assert [(p["painBefore"], p["painAfter"]) for p in progress["painTrend"]] == [(7, 5), (6, 3)]
        assert progress["thisWeek"]["weekNumber"] == 2 and progress["thisWeek"]["sessionsDone"] == 0

        analytics = (await http.get(f"/v1/patient-treatment-plans/{plan['planId']}/analytics", headers=clinic.as_therapist())).json()
        assert (analytics["sessionsCompleted"], analytics["sessionsExpected"], analytics["adherencePercent"]) == (2, 3, 66.67)
        assert analytics["averageSessionMinutes"] == 25.0 and analytics["averageVideoWatchPercent"] == 90.0
        assert analytics["painEvolution"]["afterChangePercent"] == -40.0
        assert [(w["completed"], w["expected"]) for w in analytics["weeklyAdherence"]] == [(2, 3), (0, 0)]

        dashboard = (await http.get("/v1/organizations/dashboard", headers=clinic.as_admin())).json()
        assert dashboard["activeAdherence"]["sessionsCompleted"] == 2 and dashboard["planOutcomes"]["active"] == 1

        async def data_days():
            reply = await http.get(f"/v1/patients/{clinic.patient_id}/billing", headers=clinic.as_therapist())
            return [r for r in reply.json()["records"] if r["track"] == "data_days"]

        # The completions reached plans' own billing consumer through the broker.
        windows = await eventually(data_days, lambda r: len(r) == 1 and r[0]["quantity"] == 2)
        assert [c["code"] for c in windows[0]["codes"]] == ["98975", "98985"]
        entry = {"minutes": 20, "activityType": "patient_communication", "interactive": True, "occurredOn": today.isoformat()}
        assert (await http.post(f"/v1/patients/{clinic.patient_id}/time-entries", json=entry,
                                headers=clinic.as_therapist())).status_code == 201
        board = (await http.get("/v1/billing/progress-board", headers=clinic.as_admin())).json()["patients"]
        assert [(p["status"], p["dataDays"]) for p in board] == [("on_track", 2)]
