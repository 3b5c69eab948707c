"""The roster and dashboard read models (migration 0013): a completion moves the roster row and the dashboard in its
own transaction, and after every kind of write the rows the triggers kept equal a rebuild from the source tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import text

from tests.support.analytics import (
    complete, exercises, finalize_session, give_plan, noon, patient, therapist, utc_today,
)
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

UTC = timezone.utc
# Every kept column of the three read models, in a stable order, for one clinic (row-level security picks it).
SNAPSHOT = {
    "roster_figures": "SELECT patient_id, plan_id, plan_status, plan_start, plan_last_day, frequency_per_week, "
                      "last_activity_at, recent_pain_after, recent_days FROM plans.roster_figures ORDER BY patient_id",
    "plan_figures": "SELECT plan_id, sessions_planned, sessions_completed, completed_in_plan, pains_reported, first_before, "
                    "last_before, first_after, last_after FROM plans.plan_figures ORDER BY plan_id",
    "exercise_days": "SELECT local_date, exercise_id, sessions_prescribed, sessions_done, pose_sum, pose_count, watch_sum, "
                     "watch_count FROM plans.exercise_days WHERE sessions_prescribed <> 0 ORDER BY local_date, exercise_id",
}


async def _snapshot(uow) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    return {table: [tuple(row) for row in await uow.execute(text(query))] for table, query in SNAPSHOT.items()}


async def test_a_completion_moves_the_roster_row_and_the_dashboard_at_once(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    catalogue = await exercises(stack, clinic, ("Squat", "Bridge"))
    today = utc_today()
    # Eve: a plan of 14 whole days at 3 a week (6 expected), two sessions 10 and 8 days ago, pain after 3 then 4.
    eve = await give_plan(stack, clinic, 0, today - timedelta(days=14), 4, 3, catalogue)
    await complete(stack, clinic, 0, eve.workouts[0], noon(today - timedelta(days=10)), pain=(5, 3))
    await complete(stack, clinic, 0, eve.workouts[1], noon(today - timedelta(days=8)), pain=(5, 4))
    # Finn: one session 5 days ago, so he leads the last-activity order until Eve exercises.
    finn = await give_plan(stack, clinic, 1, today - timedelta(days=14), 4, 3, catalogue, ("Squat",))
    await complete(stack, clinic, 1, finn.workouts[0], noon(today - timedelta(days=5)), pain=(2, 2))

    async with client(stack.base_url) as http:
        async def views() -> tuple[dict, dict]:  # type: ignore[type-arg]
            roster = await http.get("/v1/patients?sort=-lastActivity", headers=clinic.as_therapist())
            dashboard = await http.get("/v1/organizations/dashboard", headers=clinic.as_admin())
            assert roster.status_code == 200 and dashboard.status_code == 200, (roster.text, dashboard.text)
            return roster.json(), dashboard.json()

        roster, dashboard = await views()
        assert [p["patientId"] for p in roster["patients"]] == [str(clinic.patient_ids[1]), str(clinic.patient_ids[0])]
        before = roster["patients"][1]
        # Nothing in the last 7 days of 3 expected; 2 of the plan's 6.
        assert (before["adherence7d"], before["adherence30d"]) == (0.0, 33.33)
        assert before["currentPlan"]["sessionsCompleted"] == 2 and before["alerts"][0]["kind"] == "no_activity"
        assert dashboard["activeAdherence"]["sessionsCompleted"] == 3
        squat = {e["name"]: e for e in dashboard["topExercises"]["mostPrescribed"]}["Squat"]
        assert squat["sessionsPrescribed"] == 3

        ended = max(datetime.now(UTC) - timedelta(minutes=1), datetime.combine(today, time(0, 0, 1), UTC))
        await complete(stack, clinic, 0, eve.workouts[2], ended, pain=(5, 5))
        # No waiting: the figures changed in the completion's own transaction.
        roster, dashboard = await views()

    assert [p["patientId"] for p in roster["patients"]] == [str(clinic.patient_ids[0]), str(clinic.patient_ids[1])]
    after = roster["patients"][0]
    assert abs(datetime.fromisoformat(after["lastActivityAt"].replace("Z", "+00:00")) - ended) < timedelta(seconds=1)
    # 1 of 3 this week; 3 of the plan's 6; pains after 3 -> 4 -> 5 rise; the session was today.
    assert (after["adherence7d"], after["adherence30d"]) == (33.33, 50.0)
    assert after["currentPlan"]["sessionsCompleted"] == 3 and after["currentPlan"]["sessionsPlanned"] == 12
    assert [a["kind"] for a in after["alerts"]] == ["pain_rising"]
    assert dashboard["activeAdherence"]["sessionsCompleted"] == 4
    squat = {e["name"]: e for e in dashboard["topExercises"]["mostPrescribed"]}["Squat"]
    assert (squat["sessionsPrescribed"], squat["sessionsDone"]) == (4, 4)


async def test_the_kept_rows_equal_a_rebuild_after_every_kind_of_write(stack):
    plans = stack.runtimes["plans"].components.plans
    workouts = stack.runtimes["plans"].components.workouts
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2)
    catalogue = await exercises(stack, clinic, ("Squat", "Bridge", "Lunge"))
    today = utc_today()
    # Completions with skipped exercises and video watch, out of session order; a skip.
    first = await give_plan(stack, clinic, 0, today - timedelta(days=30), 8, 3, catalogue, ("Squat", "Bridge"))
    await complete(stack, clinic, 0, first.workouts[1], noon(today - timedelta(days=27)), pain=(7, 5),
                   watch={catalogue["Squat"]: 80.0}, skipped=[catalogue["Bridge"]])
    await complete(stack, clinic, 0, first.workouts[0], noon(today - timedelta(days=26)), pain=(6, 6),
                   watch={catalogue["Squat"]: 55.5, catalogue["Bridge"]: 100.0})
    await workouts.skip(patient(clinic, 0), first.workouts[2].workout_id, "travel")
    # A pose score and a higher watch arriving after the completion, through telemetry's event.
    await finalize_session(stack, clinic, 0, first.workouts[0].workout_id, catalogue["Squat"], pose_accuracy=87.5,
                           watched_percent=90.0)
    # The plan is completed, a new one (another prescription) becomes the one the roster shows.
    await plans.update_plan(therapist(clinic), first.plan_id, None, "completed", None)
    second = await give_plan(stack, clinic, 0, today - timedelta(days=3), 4, 2, catalogue, ("Lunge",))
    await complete(stack, clinic, 0, second.workouts[0], noon(today - timedelta(days=2)), pain=(4, 2))
    # Another patient: sessions, then the plan cancelled.
    other = await give_plan(stack, clinic, 1, today - timedelta(days=10), 2, 2, catalogue, ("Squat",))
    await complete(stack, clinic, 1, other.workouts[0], noon(today - timedelta(days=9)), pain=(3, 3))
    await plans.update_plan(therapist(clinic), other.plan_id, None, "cancelled", None)

    database = stack.runtimes["plans"].database

    async def pose_landed() -> bool:
        async with database.unit_of_work(clinic.tenant_id) as uow:
            score = (await uow.execute(text(
                "SELECT pose_accuracy_score FROM plans.exercise_logs WHERE workout_id = :w AND exercise_id = :e"),
                {"w": first.workouts[0].workout_id, "e": catalogue["Squat"]})).scalar()
        return score == 87.5

    await eventually(pose_landed, lambda landed: landed)
    async with database.unit_of_work(clinic.tenant_id) as uow:
        kept = await _snapshot(uow)
        await uow.execute(text("SELECT plans.rebuild_read_models()"))  # this clinic's rows only: RLS; rolled back
        rebuilt = await _snapshot(uow)
    assert kept == rebuilt
    # And the rows say what happened: the roster shows the second plan, with the latest pains first.
    rows = {row[0]: row for row in kept["roster_figures"]}
    eve = rows[clinic.patient_ids[0]]
    assert (eve[1], eve[2], list(eve[7])) == (second.plan_id, "active", [2, 6, 5])
    squat_day = [row for row in kept["exercise_days"] if row[1] == catalogue["Squat"] and row[0] == today - timedelta(days=26)]
    assert squat_day and (squat_day[0][2], squat_day[0][4], squat_day[0][5], squat_day[0][6]) == (1, 87.5, 1, 90.0)
