"""The organization dashboard pinned on a hand-built clinic, and never mixed with another clinic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.analytics import complete, exercises, give_plan, noon, therapist, utc_today
from tests.support.clinic import client, new_clinic


async def _finish(stack, clinic, care, status: str) -> None:
    await stack.runtimes["plans"].components.plans.update_plan(therapist(clinic), care.plan_id, None, status, None)


@pytest.fixture(scope="module")
async def clinic_history(stack):
    """Six plans: two completed with known pain, one expired, one cancelled, two active with known adherence."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=6)
    catalogue = await exercises(stack, clinic, ("Squat", "Bridge", "Lunge"))
    squat, bridge, lunge = catalogue["Squat"], catalogue["Bridge"], catalogue["Lunge"]
    today = utc_today()
    both = ("Squat", "Bridge")

    # P0, completed: pain before 8 -> 4, after 6 -> 2; skipped the bridge both times.
    p0 = await give_plan(stack, clinic, 0, today - timedelta(days=40), 4, 3, catalogue, both)
    await complete(stack, clinic, 0, p0.workouts[0], noon(today - timedelta(days=39)), pain=(8, 6), skipped=[bridge])
    await complete(stack, clinic, 0, p0.workouts[1], noon(today - timedelta(days=37)), pain=(4, 2), skipped=[bridge])
    await _finish(stack, clinic, p0, "completed")
    # P1, completed: pain before 6 -> 6, after 4 -> 3.
    p1 = await give_plan(stack, clinic, 1, today - timedelta(days=40), 4, 3, catalogue, both)
    await complete(stack, clinic, 1, p1.workouts[0], noon(today - timedelta(days=39)), pain=(6, 4))
    await complete(stack, clinic, 1, p1.workouts[1], noon(today - timedelta(days=38)), pain=(6, 3))
    await _finish(stack, clinic, p1, "completed")
    # P2 expired, P3 cancelled, both without sessions.
    await _finish(stack, clinic, await give_plan(stack, clinic, 2, today - timedelta(days=60), 2, 3, catalogue, both), "expired")
    await _finish(stack, clinic, await give_plan(stack, clinic, 3, today - timedelta(days=10), 4, 3, catalogue, both), "cancelled")
    # P4 active for 14 whole days at 3 a week: 6 expected, 3 done (50 %); one lunge skipped.
    p4 = await give_plan(stack, clinic, 4, today - timedelta(days=14), 4, 3, catalogue)
    for n, days_ago in enumerate((13, 11, 9)):
        await complete(stack, clinic, 4, p4.workouts[n], noon(today - timedelta(days=days_ago)),
                       skipped=[lunge] if n == 0 else ())
    # P5 active for 7 days at 2 a week: 2 expected, 3 done (capped at 100 %).
    p5 = await give_plan(stack, clinic, 5, today - timedelta(days=7), 4, 2, catalogue, both)
    for n, days_ago in enumerate((6, 5, 4)):
        await complete(stack, clinic, 5, p5.workouts[n], noon(today - timedelta(days=days_ago)))

    # Another clinic with dramatic figures that must never leak in.
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    other_catalogue = await exercises(stack, other, ("Squat",))
    foreign = await give_plan(stack, other, 0, today - timedelta(days=20), 2, 3, other_catalogue)
    await complete(stack, other, 0, foreign.workouts[0], noon(today - timedelta(days=19)), pain=(10, 10))
    await complete(stack, other, 0, foreign.workouts[1], noon(today - timedelta(days=18)), pain=(1, 0))
    await _finish(stack, other, foreign, "completed")
    return clinic, other, {"squat": str(squat), "bridge": str(bridge), "lunge": str(lunge)}


async def test_dashboard_figures(stack, clinic_history):
    clinic, _, ids = clinic_history
    async with client(stack.base_url) as http:
        reply = await http.get("/v1/organizations/dashboard", headers=clinic.as_admin())
    assert reply.status_code == 200, reply.text
    d = reply.json()
    assert d["painImprovement"] == {
        "plansCounted": 2, "beforePoints": 2.0, "beforePercent": 25.0,  # (4 + 0) / 2 points, (50 % + 0 %) / 2
        "afterPoints": 2.5, "afterPercent": 45.83,  # (4 + 1) / 2 points, (66.67 % + 25 %) / 2
    }
    assert d["activeAdherence"] == {
        "activePlans": 2, "plansWithExpectation": 2, "sessionsCompleted": 6, "sessionsExpected": 8,
        "averageAdherencePercent": 75.0,  # (50 % + 100 % capped) / 2
    }
    assert d["planOutcomes"] == {
        "active": 2, "completed": 2, "expired": 1, "cancelled": 1,
        "completedPercent": 50.0, "expiredPercent": 25.0, "cancelledPercent": 25.0,
    }
    top = d["topExercises"]
    # Squat and Bridge are in all six plans and ten logged sessions; Lunge in one plan, three sessions.
    assert [(e["name"], e["plansPrescribed"], e["sessionsPrescribed"]) for e in top["mostPrescribed"]] == [
        ("Bridge", 6, 10), ("Squat", 6, 10), ("Lunge", 1, 3),
    ]
    assert [(e["name"], e["sessionsDone"], e["completionPercent"]) for e in top["bestPerformance"]] == [
        ("Squat", 10, 100.0), ("Bridge", 8, 80.0), ("Lunge", 2, 66.67),
    ]
    assert [e["name"] for e in top["worstPerformance"]] == ["Lunge", "Bridge", "Squat"]
    assert {e["exerciseId"] for e in top["mostPrescribed"]} == set(ids.values())


async def test_dashboard_is_per_clinic_and_admin_only(stack, clinic_history):
    clinic, other, _ = clinic_history
    async with client(stack.base_url) as http:
        theirs = (await http.get("/v1/organizations/dashboard", headers=other.as_admin())).json()
        assert theirs["painImprovement"]["plansCounted"] == 1 and theirs["painImprovement"]["beforePoints"] == 9.0
        assert theirs["planOutcomes"]["completed"] == 1 and theirs["planOutcomes"]["active"] == 0
        assert [e["name"] for e in theirs["topExercises"]["mostPrescribed"]] == ["Squat"]
        assert (await http.get("/v1/organizations/dashboard", headers=clinic.as_therapist())).status_code == 403
        assert (await http.get("/v1/organizations/dashboard", headers=clinic.as_patient())).status_code == 403
        assert (await http.get("/v1/organizations/dashboard")).status_code == 401


async def test_an_empty_clinic_has_null_figures_not_errors(stack):
    empty = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        d = (await http.get("/v1/organizations/dashboard", headers=empty.as_admin())).json()
    assert d["painImprovement"] == {"plansCounted": 0, "beforePoints": None, "beforePercent": None,
                                    "afterPoints": None, "afterPercent": None}
    assert d["activeAdherence"]["averageAdherencePercent"] is None
    assert d["planOutcomes"]["completedPercent"] is None
    assert d["topExercises"] == {"mostPrescribed": [], "bestPerformance": [], "worstPerformance": []}
