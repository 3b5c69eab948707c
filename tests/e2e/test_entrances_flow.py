"""App entrances end to end over HTTP: dashboard log → delayed finalization → mirror workout in plans →
streak and daily activity; and a real workout inside the window cancelling the entrance."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator

import pytest

from tests.support.clinic import Clinic, client, new_clinic
from tests.support.entrances import start_short_window_stack
from tests.support.stack import RunningStack
from tests.support.waiting import eventually

UTC = timezone.utc


@pytest.fixture(scope="module")
async def short_stack(fresh_stack) -> AsyncIterator[RunningStack]:
    running = await start_short_window_stack()
    yield running
    await running.stop()


async def clinic_with_plan(stack: RunningStack, http) -> tuple[Clinic, list[dict]]:  # type: ignore[no-untyped-def]
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    for flag in ("appEntranceTracking", "rtmBilling"):
        switched = await http.put(f"/v1/admin/feature-flags/{flag}", json={"enabled": True}, headers=clinic.as_admin())
        assert switched.status_code == 200, switched.text
    policy = await http.put("/v1/admin/rtm-policy", json={"policy": "access_days"}, headers=clinic.as_admin())
    assert policy.status_code == 200, policy.text
    exercise = await http.post("/v1/exercises", json={"name": "Sit-to-stand"}, headers=clinic.as_therapist())
    assert exercise.status_code == 201, exercise.text
    start = (datetime.now(UTC).date() - timedelta(weeks=2)).isoformat()
    plan = await http.post(
        "/v1/patient-treatment-plans",
        json={"patientId": str(clinic.patient_id), "title": "Knee", "startDate": start, "durationWeeks": 6,
              "frequencyPerWeek": 3, "exercises": [{"exerciseId": exercise.json()["exerciseId"], "sets": 3, "reps": 10}]},
        headers=clinic.as_therapist(),
    )
    assert plan.status_code == 201, plan.text
    workouts = await http.get("/v2/workouts", params={"past": "false"}, headers=clinic.as_patient())
    scheduled = sorted((w for w in workouts.json()["workouts"] if w["status"] == "scheduled"), key=lambda w: w["sessionNumber"])
    return clinic, scheduled


async def complete(http, clinic: Clinic, workout: dict, ended: datetime):  # type: ignore[no-untyped-def]
    reply = await http.post(
        f"/v2/workouts/{workout['workoutId']}/complete",
        json={"timeWorkoutStart": (ended - timedelta(minutes=20)).isoformat(), "timeWorkoutEnd": ended.isoformat(),
              "painBefore": 4, "painAfter": 3, "perceivedDifficulty": 5,
              "exercises": [{"exerciseId": e["exerciseId"], "actualSets": 3, "actualReps": 10} for e in workout["exercises"]]},
        headers=clinic.as_patient(),
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


async def history(http, clinic: Clinic) -> list[dict]:  # type: ignore[no-untyped-def]
    reply = await http.get(f"/v2/doctor/patients/{clinic.patient_id}/app-entrances", headers=clinic.as_therapist())
    assert reply.status_code == 200, reply.text
    return reply.json()["entrances"]


async def test_an_app_visit_becomes_a_mirror_workout_that_counts_for_streak_and_access_days_billing(short_stack):
    today = datetime.now(UTC).date()
    async with client(short_stack.base_url) as http:
        clinic, scheduled = await clinic_with_plan(short_stack, http)
        three_days_ago = datetime.combine(today - timedelta(days=3), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        source = await complete(http, clinic, scheduled[0], three_days_ago)

        logged = await http.post("/v2/app-entrances/log", headers=clinic.as_patient())
        assert logged.status_code == 202, logged.text
        assert logged.json()["localDate"] == today.isoformat()

        entries = await eventually(
            lambda: history(http, clinic), lambda rows: rows[0]["status"] != "PENDING", timeout=10, every=0.2
        )
        (entrance,) = entries
        assert entrance["status"] == "FINALIZED_TO_INFERRED_WORKOUT"
        assert entrance["sourceWorkoutId"] == source["workoutId"]
        assert entrance["finalizedAt"] >= entrance["finalizeAfter"]

        sessions = (await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist())).json()
        mirrors = [w for w in sessions["workouts"] if w["completedViaAppEntrance"]]
        assert [(m["workoutId"], m["source"], m["localDate"]) for m in mirrors] == [
            (entrance["mirrorWorkoutId"], "inferred", today.isoformat())
        ]
        assert mirrors[0]["mirroredFromWorkoutId"] == source["workoutId"]

        # The mirror's workout.completed (inferred) reaches streaks: the day counts.
        streak = await eventually(
            lambda: http.get("/v2/streaks", headers=clinic.as_patient()),
            lambda reply: reply.status_code == 200 and (reply.json()["lastWorkoutDate"] or "").startswith(today.isoformat()),
            timeout=10, every=0.2,
        )
        assert streak.json()["currentDailyStreak"] >= 1

        # RTM billing is recalculated under the clinic's access-days policy: today is a data day.
        async def data_days():  # type: ignore[no-untyped-def]
            reply = await http.get(f"/v1/patients/{clinic.patient_id}/billing", headers=clinic.as_therapist())
            return [r for r in reply.json()["records"] if r["track"] == "data_days"]

        (window,) = await eventually(
            data_days, lambda rows: bool(rows) and rows[0]["quantity"] == 2, timeout=10, every=0.2
        )
        evidence = {e["localDate"]: e["recordIds"] for e in window["evidence"]}
        assert f"workout_inferred:{entrance['mirrorWorkoutId']}" in evidence[today.isoformat()]
        assert evidence[(today - timedelta(days=3)).isoformat()] == [f"workout_real:{source['workoutId']}"]

        days = (await http.get(
            "/api/daily-activity", params={"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()},
            headers=clinic.as_patient(),
        )).json()
    by_date = {day["date"]: day for day in days["days"]}
    assert by_date[today.isoformat()]["appOpensCount"] == 1
    assert by_date[today.isoformat()]["workoutsCompleted"] == 0  # a visit is engagement, not exercise
    source_day = by_date[(today - timedelta(days=3)).isoformat()]
    assert (source_day["workoutsCompleted"], source_day["xpEarned"], source_day["isStreakDay"]) == (1, 12, True)


async def test_a_real_workout_inside_the_window_cancels_the_visit(short_stack):
    async with client(short_stack.base_url) as http:
        clinic, scheduled = await clinic_with_plan(short_stack, http)
        await complete(http, clinic, scheduled[0], datetime.now(UTC) - timedelta(days=2))
        assert (await http.post("/v2/app-entrances/log", headers=clinic.as_patient())).status_code == 202
        await complete(http, clinic, scheduled[1], datetime.now(UTC))
        (entrance,) = await eventually(
            lambda: history(http, clinic), lambda rows: rows[0]["status"] != "PENDING", timeout=6, every=0.1
        )
        assert entrance["status"] == "CANCELED_BY_REAL_WORKOUT" and entrance["mirrorWorkoutId"] is None
        await asyncio.sleep(2.5)
        again = await http.post("/v2/app-entrances/log", headers=clinic.as_patient())
        assert again.status_code == 200 and again.json()["status"] == "not_needed"
        sessions = (await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist())).json()
    assert not [w for w in sessions["workouts"] if w["completedViaAppEntrance"]]
