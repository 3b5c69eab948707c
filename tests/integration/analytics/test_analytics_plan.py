"""Specialist analytics and patient progress pinned on a hand-built history: a patient in New York
who exercises across the March DST jump, moves to Tokyo mid-plan, leaves gaps, and whose plan expires."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.plans.domain.adherence import expected_sessions
from tests.support.analytics import (
    complete, exercises, finalize_session, give_plan, noon, patient, therapist, utc_today,
)
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

START = date(2026, 3, 2)  # a Monday; US clocks jump forward on Sunday 8 March 2026


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
async def history(stack):
    """Four sessions of a 4-week, 3-a-week plan (12 planned), then the plan expires."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2, timezone="UTC",
                              patient_timezone="America/New_York")
    catalogue = await exercises(stack, clinic, ("Quad set", "Heel slide"))
    quad, heel = catalogue["Quad set"], catalogue["Heel slide"]
    care = await give_plan(stack, clinic, 0, START, 4, 3, catalogue)
    s1, s2, s3, s4 = care.workouts[:4]
    # S1: Monday 2 March, 10:00 in New York.
    await complete(stack, clinic, 0, s1, at("2026-03-02T15:00:00"), minutes=30, pain=(7, 5), watch={quad: 90, heel: 80})
    # S2: 04:30 UTC on 9 March is 00:30 EDT on the 9th (week 2); a fixed EST offset would say the 8th (week 1).
    await complete(stack, clinic, 0, s2, at("2026-03-09T04:30:00"), minutes=40, pain=(6, 5), watch={quad: 100},
                   skipped=[heel])
    # The patient moves to Tokyo: later sessions are dated in Tokyo.
    await stack.runtimes["plans"].components.people.update_my_timezone(patient(clinic), "Asia/Tokyo")
    # S3: 16:00 UTC on 15 March is 01:00 on the 16th in Tokyo (week 3); still the 15th in New York or UTC.
    await complete(stack, clinic, 0, s3, at("2026-03-15T16:00:00"), minutes=20, pain=(5, 4), watch={quad: 50, heel: 50})
    await complete(stack, clinic, 0, s4, at("2026-03-17T02:00:00"), minutes=30, pain=(5, 3), watch={quad: 70, heel: 60})
    # Pose accuracy arrives from telemetry for the quad sets of S1 and S4.
    await finalize_session(stack, clinic, 0, s1.workout_id, quad, pose_accuracy=80)
    await finalize_session(stack, clinic, 0, s4.workout_id, quad, pose_accuracy=90)
    # Week 4 is a gap. The plan ran out and the therapist marks it expired.
    async with client(stack.base_url) as http:
        async def pose_count():
            reply = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/analytics", headers=clinic.as_therapist())
            return reply.json()["exercises"][0]["averagePoseAccuracy"]

        await eventually(pose_count, lambda v: v == 85.0)
    await stack.runtimes["plans"].components.plans.update_plan(therapist(clinic), care.plan_id, None, "expired", None)
    return clinic, care


async def test_specialist_analytics_of_an_expired_plan(stack, history):
    clinic, care = history
    async with client(stack.base_url) as http:
        reply = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/analytics", headers=clinic.as_therapist())
    assert reply.status_code == 200, reply.text
    a = reply.json()
    assert a["status"] == "expired" and a["startDate"] == "2026-03-02" and a["endDate"] == "2026-03-29"
    assert (a["sessionsPlanned"], a["sessionsCompleted"], a["sessionsExpected"]) == (12, 4, 12)
    assert a["sessionsExpected"] == expected_sessions(START, 3, 4, utc_today())
    assert a["adherencePercent"] == 33.33
    assert a["averageSessionMinutes"] == 30.0  # (30 + 40 + 20 + 30) / 4
    assert a["averageVideoWatchPercent"] == 71.43  # 90, 80, 100, 50, 50, 70, 60; the skipped one has none
    assert [(e["name"], e["sessionsDone"], e["sessionsPrescribed"], e["skipped"], e["averageVideoWatchPercent"],
             e["averagePoseAccuracy"]) for e in a["exercises"]] == [
        ("Quad set", 4, 4, 0, 77.5, 85.0),
        ("Heel slide", 3, 4, 1, 63.33, None),
    ]
    pain = a["painEvolution"]
    assert pain["before"] == [7, 6, 5, 5] and pain["after"] == [5, 5, 4, 3]
    assert pain["beforeChangePercent"] == -28.57 and pain["afterChangePercent"] == -40.0
    assert a["trend"] == pain["trend"] == "improving"  # slope of pain after: -0.7 per session
    assert [(w["weekNumber"], w["start"], w["completed"], w["expected"], w["adherencePercent"]) for w in a["weeklyAdherence"]] == [
        (1, "2026-03-02", 1, 3, 33.33),
        (2, "2026-03-09", 1, 3, 33.33),  # S2 by the DST-correct date
        (3, "2026-03-16", 2, 3, 66.67),  # S3 by the Tokyo date, S4
        (4, "2026-03-23", 0, 3, 0.0),  # the gap
    ]
    assert [s["localDate"] for s in pain["sessions"]] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-17"]


async def test_progress_of_the_expired_plan_for_patient_and_therapist(stack, history):
    clinic, care = history
    async with client(stack.base_url) as http:
        mine = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=clinic.as_patient())
        staff = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=clinic.as_therapist())
    assert mine.status_code == 200 and staff.status_code == 200, (mine.text, staff.text)
    for p in (mine.json(), staff.json()):
        assert (p["sessionsCompleted"], p["sessionsPlanned"], p["completionPercent"]) == (4, 12, 33.33)
        assert [(s["sessionNumber"], s["painBefore"], s["painAfter"]) for s in p["painTrend"]] == [
            (1, 7, 5), (2, 6, 5), (3, 5, 4), (4, 5, 3)
        ]
        assert p["thisWeek"] is None  # the plan is over
        assert p["timezone"] == "Asia/Tokyo"
        assert p["streakAvailable"] is True and isinstance(p["currentDailyStreak"], int)


async def test_who_may_read_progress_and_analytics(stack, history):
    clinic, care = history
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    url = f"/v1/patient-treatment-plans/{care.plan_id}"
    async with client(stack.base_url) as http:
        assert (await http.get(f"{url}/progress", headers=clinic.as_patient(1))).status_code == 404  # not theirs
        assert (await http.get(f"{url}/analytics", headers=clinic.as_patient())).status_code == 403
        assert (await http.get(f"{url}/analytics", headers=clinic.as_admin())).status_code == 200
        assert (await http.get(f"{url}/analytics", headers=other.as_therapist())).status_code == 404  # other clinic
        assert (await http.get(f"{url}/progress", headers=other.as_admin())).status_code == 404
        bad = await http.get("/v1/patient-treatment-plans/not-a-uuid/analytics", headers=clinic.as_therapist())
        assert bad.status_code == 422 and "planId" in bad.json()["detail"]
        missing = await http.get(f"/v1/patient-treatment-plans/{uuid.uuid4()}/progress", headers=clinic.as_therapist())
        assert missing.status_code == 404


async def test_this_week_and_streak_of_a_running_plan(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    catalogue = await exercises(stack, clinic, ("Bridge",))
    today = utc_today()
    care = await give_plan(stack, clinic, 0, today - timedelta(days=9), 4, 3, catalogue)
    now = datetime.now(timezone.utc)
    # Week 1 runs today-9 .. today-3, week 2 today-2 .. today+4.
    await complete(stack, clinic, 0, care.workouts[0], noon(today - timedelta(days=8)))
    await complete(stack, clinic, 0, care.workouts[1], noon(today - timedelta(days=1)))
    last = await complete(stack, clinic, 0, care.workouts[2], min(now - timedelta(minutes=1), noon(today)))
    async with client(stack.base_url) as http:
        async def progress():
            reply = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=clinic.as_patient())
            assert reply.status_code == 200, reply.text
            return reply.json()

        async def streak():
            return (await http.get("/v2/streaks", headers=clinic.as_patient())).json()

        # The streak is the streaks service's own figure, once it has consumed the three completions.
        # The three completions may be consumed in any order: read the streak on both sides of progress until
        # it holds still, so progress is compared with the streak it saw.
        async def progress_between_streaks():
            before = await streak()
            between = await progress()
            return before, between, await streak()

        def consumed_and_still(reads) -> bool:  # type: ignore[no-untyped-def]
            before, _, after = reads
            return before == after and (after["lastWorkoutDate"] or "")[:10] == last.completed_at.date().isoformat()

        _, p, seen = await eventually(progress_between_streaks, consumed_and_still)
        assert seen["currentDailyStreak"] >= 1
        assert p["currentDailyStreak"] == seen["currentDailyStreak"] and p["streakAvailable"] is True
        assert p["thisWeek"] == {"weekNumber": 2, "start": (today - timedelta(days=2)).isoformat(),
                                 "end": (today + timedelta(days=4)).isoformat(), "sessionsDone": 2, "sessionsPlanned": 3}
        assert (p["sessionsCompleted"], p["sessionsPlanned"], p["completionPercent"]) == (3, 12, 25.0)
        staff_view = (await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=clinic.as_therapist())).json()
        assert staff_view["currentDailyStreak"] == seen["currentDailyStreak"]

        # Streaks goes away: progress still answers, and says why the streak is missing.
        await stack.stop_service("streaks")
        try:
            for headers in (clinic.as_patient(), clinic.as_therapist()):
                reply = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=headers)
                assert reply.status_code == 200, reply.text
                body = reply.json()
                assert body["currentDailyStreak"] is None and body["streakAvailable"] is False
                assert body["streakUnavailableReason"] in ("unavailable", "deadline_exceeded")
                assert body["sessionsCompleted"] == 3
        finally:
            await stack.start_service("streaks")
        await eventually(progress, lambda p: p["streakAvailable"], timeout=30, every=0.5)
