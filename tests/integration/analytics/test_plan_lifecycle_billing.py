"""Plans that end and billing that follows: a therapist's status change and the passing of the plan's
last day recompute RTM records; the lifecycle job ends plans past their last day in each patient's
own today, audited and announced; a plan's analytics and billing count the same days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from services.common.clock import FrozenClock, SystemClock
from services.plans.billing.handlers import close_finished_periods
from services.plans.care.lifecycle import PlanLifecycle
from tests.support.analytics import (
    billing_consumer_saw, billing_records, complete, complete_on_days, exercises, give_plan, noon, patient, recalculate,
    last_day_past_noon,
)
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

# Its noon has passed: completions at noon(TODAY) are not in the future before 12:00 UTC.
TODAY = last_day_past_noon()


async def _billing_clinic(stack, patients: int = 1):  # type: ignore[no-untyped-def]
    return await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=patients,
                            flags={"rtmBilling": True})


async def _stale_projection(stack, clinic):  # type: ignore[no-untyped-def]
    """A two-week plan that ended a week ago, its first window (30 days) still open by its own end,
    and its record computed back while the plan ran: projected."""
    d0 = TODAY - timedelta(days=20)  # plan days d0..d0+13; window 0 runs d0..d0+29 (ends in 9 days)
    care = await give_plan(stack, clinic, 0, d0, 2, 7, await exercises(stack, clinic, ("Squat",)))
    done = await complete_on_days(stack, clinic, 0, care, [d0 + timedelta(days=n) for n in range(14)])
    await billing_consumer_saw(stack, [w.workout_id for w in done])
    await recalculate(stack, clinic, 0, FrozenClock(noon(d0 + timedelta(days=10))))
    async with client(stack.base_url) as http:
        (window,) = await billing_records(http, clinic, 0, "data_days")
    assert (window["status"], window["quantity"], window["periodEnd"]) == (
        "projected", 14, (d0 + timedelta(days=29)).isoformat()
    )
    return care


async def test_a_therapist_completing_a_plan_makes_its_billing_ready(stack):
    clinic = await _billing_clinic(stack)
    care = await _stale_projection(stack, clinic)
    async with client(stack.base_url) as http:
        changed = await http.patch(f"/v1/patient-treatment-plans/{care.plan_id}", json={"status": "completed"},
                                   headers=clinic.as_therapist())
        assert changed.status_code == 200, changed.text

        async def window():  # type: ignore[no-untyped-def]
            return (await billing_records(http, clinic, 0, "data_days"))[0]

        # The status change reaches billing as plans.plan.status_changed: no later activity needed.
        record = await eventually(window, lambda r: r["status"] == "ready", timeout=10)
    assert record["quantity"] == 14
    outcome = await recalculate(stack, clinic, 0)
    assert outcome is not None and outcome.changes == 0, outcome.describe()  # already what a recalculation says


async def test_the_period_closer_sees_a_window_cut_short_by_the_plans_last_day(stack):
    clinic = await _billing_clinic(stack)
    await _stale_projection(stack, clinic)  # the plan stays active: nobody touched it
    assert await close_finished_periods(stack.runtimes["plans"].database, SystemClock()) >= 1
    async with client(stack.base_url) as http:
        (window,) = await billing_records(http, clinic, 0, "data_days")
    assert (window["status"], window["quantity"]) == ("ready", 14)


async def _plan_statuses(http, clinic, plans) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for care in plans:
        reply = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}", headers=clinic.as_therapist())
        assert reply.status_code == 200, reply.text
        found.append(reply.json()["status"])
    return found


async def test_the_lifecycle_job_ends_plans_past_their_last_day_in_the_patients_today(stack):
    clinic = await _billing_clinic(stack, patients=3)
    people = stack.runtimes["plans"].components.people
    # At 12:00 UTC it is already tomorrow on Kiritimati (UTC+14) and still today in Pago Pago (UTC-11).
    await people.update_my_timezone(patient(clinic, 0), "Pacific/Kiritimati")
    await people.update_my_timezone(patient(clinic, 1), "Pacific/Pago_Pago")
    catalogue = await exercises(stack, clinic, ("Bridge",))
    ends_today_far_east = await give_plan(stack, clinic, 0, TODAY - timedelta(days=6), 1, 2, catalogue)
    ends_today_far_west = await give_plan(stack, clinic, 1, TODAY - timedelta(days=6), 1, 2, catalogue)
    ended_yesterday_all_done = await give_plan(stack, clinic, 2, TODAY - timedelta(days=7), 1, 1, catalogue)
    await complete(stack, clinic, 2, ended_yesterday_all_done.workouts[0], noon(TODAY - timedelta(days=3)))
    plans = [ends_today_far_east, ends_today_far_west, ended_yesterday_all_done]

    loop = PlanLifecycle(stack.runtimes["plans"].database, FrozenClock(noon(TODAY)))
    ended = dict(await loop.run_once())
    assert {care.plan_id: ended.get(care.plan_id) for care in plans} == {
        ends_today_far_east.plan_id: "expired",  # sessions left undone
        ends_today_far_west.plan_id: None,  # its last day is not over where the patient lives
        ended_yesterday_all_done.plan_id: "completed",  # every session done
    }
    async with client(stack.base_url) as http:
        assert await _plan_statuses(http, clinic, plans) == ["expired", "active", "completed"]
        # No longer active: the clinic dashboard stops counting them.
        dashboard = await http.get("/v1/organizations/dashboard", headers=clinic.as_admin())
        assert dashboard.status_code == 200, dashboard.text
        assert dashboard.json()["activeAdherence"]["activePlans"] == 1
    assert not [p for p, _ in await loop.run_once() if p in {c.plan_id for c in plans}]  # a second pass: nothing

    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        audited = (await uow.execute(text(
            "SELECT entity_id, action, details->>'status_after' AS after, details->>'reason' AS reason "
            "FROM plans.audit_log WHERE action = 'plan.status_change' ORDER BY entity_id"
        ))).all()
        events = (await uow.execute(text(
            "SELECT count(*) FROM plans.outbox WHERE routing_key = 'plans.plan.status_changed' AND tenant_id = :t"
        ), {"t": clinic.tenant_id})).scalar_one()
    assert sorted((r.entity_id, r.after, r.reason) for r in audited) == sorted([
        (str(ends_today_far_east.plan_id), "expired", "end_date_passed"),
        (str(ended_yesterday_all_done.plan_id), "completed", "end_date_passed"),
    ])
    assert events == 2

    # The next day in Pago Pago, its plan ends too.
    later = PlanLifecycle(stack.runtimes["plans"].database, FrozenClock(noon(TODAY + timedelta(days=1))))
    assert (ends_today_far_west.plan_id, "expired") in await later.run_once()


async def test_a_plans_analytics_and_its_billing_count_the_same_days(stack):
    """The rule: RTM counts data days inside the service period (the plan's dates), and a plan's
    analytics count only completions dated inside the plan's dates; a session done after the last
    day (the plan still active, nobody ended it) is neither."""
    clinic = await _billing_clinic(stack)
    d0 = TODAY - timedelta(days=20)  # a two-week plan: d0..d0+13
    care = await give_plan(stack, clinic, 0, d0, 2, 3, await exercises(stack, clinic, ("Lunge",)))
    inside = [d0 + timedelta(days=n) for n in (0, 2, 4, 7)]
    done = await complete_on_days(stack, clinic, 0, care, inside)
    done.append(await complete(stack, clinic, 0, care.workouts[4], noon(TODAY)))  # a week after the last day
    await billing_consumer_saw(stack, [w.workout_id for w in done])

    async def compare(http) -> tuple[list[str], list[str], int, int]:  # type: ignore[no-untyped-def]
        analytics = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/analytics", headers=clinic.as_therapist())
        assert analytics.status_code == 200, analytics.text
        body = analytics.json()
        analytics_days = sorted(s["localDate"] for s in body["painEvolution"]["sessions"])
        records = await billing_records(http, clinic, 0, "data_days")
        billing_days = sorted(e["localDate"] for r in records for e in r["evidence"])
        progress = await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=clinic.as_patient())
        assert progress.status_code == 200, progress.text
        return analytics_days, billing_days, body["sessionsCompleted"], progress.json()["sessionsCompleted"]

    expected = sorted(day.isoformat() for day in inside)
    async with client(stack.base_url) as http:
        assert await compare(http) == (expected, expected, 4, 4)
        # Ended by the therapist: nothing changes in either.
        changed = await http.patch(f"/v1/patient-treatment-plans/{care.plan_id}", json={"status": "expired"},
                                   headers=clinic.as_therapist())
        assert changed.status_code == 200, changed.text
        await eventually(lambda: compare(http), lambda found: found == (expected, expected, 4, 4), timeout=10)

