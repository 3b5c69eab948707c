"""The business figures of plans: each completed workout counted once, and billing records counted by status
across clinics as periods close and records are billed; a projected record long past its period shows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client import REGISTRY

from services.common.clock import FrozenClock, SystemClock
from services.plans.billing.loops import BillingMonitor
from tests.support.analytics import (
    admin, billing_consumer_saw, billing_records, complete, complete_on_days, exercises, give_plan, recalculate, utc_today,
)
from tests.support.clinic import client, new_clinic


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def monitor(stack, clock=None) -> BillingMonitor:
    return BillingMonitor(stack.runtimes["plans"].database, clock or SystemClock(), timedelta(seconds=1))


async def test_completions_count_once_and_billing_records_are_counted_by_status(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    await stack.runtimes["plans"].components.people.set_qualifying_policy(admin(clinic), "access_days")
    d0 = utc_today() - timedelta(days=45)  # the first 30-day window closed fifteen days ago, the second is open
    care = await give_plan(stack, clinic, 0, d0, 8, 7, await exercises(stack, clinic, ("Bridge",)))
    now, months_on = monitor(stack), monitor(stack, FrozenClock(datetime.now(timezone.utc) + timedelta(days=60)))
    counted = await now.run_once()
    unclosed = (await months_on.run_once(), sample("momentum_billing_records_unclosed"))[1]
    completions = sample("momentum_plans_completions_total")

    done = await complete_on_days(stack, clinic, 0, care, [d0 + timedelta(days=n) for n in range(15)])
    again = await complete(stack, clinic, 0, care.workouts[0], datetime.now(timezone.utc))  # a repeat: the same workout
    assert again.workout_id == done[0].workout_id
    assert sample("momentum_plans_completions_total") == completions + 15
    await billing_consumer_saw(stack, [w.workout_id for w in done])
    await recalculate(stack, clinic, 0)

    assert await now.run_once() == {
        **counted, "ready": counted.get("ready", 0) + 1, "projected": counted.get("projected", 0) + 1,
    }
    assert sample("momentum_billing_records", status="ready") == counted.get("ready", 0) + 1
    async with client(stack.base_url) as http:
        closed, _ = await billing_records(http, clinic, 0, "data_days")
        billed = await http.post(f"/v1/billing-records/{closed['recordId']}/mark-billed", headers=clinic.as_admin())
        assert billed.status_code == 200, billed.text
    await now.run_once()
    assert sample("momentum_billing_records", status="ready") == counted.get("ready", 0)
    assert sample("momentum_billing_records", status="billed") == counted.get("billed", 0) + 1

    # Two months on with no period closer run, the open window is one the closer missed.
    await months_on.run_once()
    assert sample("momentum_billing_records_unclosed") == unclosed + 1
