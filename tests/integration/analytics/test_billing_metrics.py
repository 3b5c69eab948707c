"""The business figures of plans: each completed workout counted once, and billing records counted by status
across clinics as periods close and records are billed; a projected record long past its period shows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import asyncpg
from prometheus_client import REGISTRY
from sqlalchemy import text

from services.common.clock import FrozenClock, SystemClock
from services.plans.billing.loops import BillingMonitor
from tests.support.analytics import (
    admin, billing_consumer_saw, billing_records, complete, complete_on_days, exercises, give_plan, recalculate, utc_today,
)
from tests.support.clinic import client, new_clinic
from tests.support.fresh import asyncpg_dsn


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


async def test_the_monitor_s_count_is_for_plans_alone_and_opens_no_clinic_s_rows(stack):
    """The count crosses clinics through the owner's function; the service role itself still sees no record
    without its tenant, and no other service may run the count."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    day = utc_today() - timedelta(days=3)
    care = await give_plan(stack, clinic, 0, day, 2, 7, await exercises(stack, clinic, ("Clamshell",)))
    await complete_on_days(stack, clinic, 0, care, [day])
    await recalculate(stack, clinic, 0)
    counts = await monitor(stack).run_once()
    async with stack.runtimes["plans"].database.unit_of_work(None) as uow:
        visible = (await uow.execute(text("SELECT count(*) FROM plans.billing_records"))).scalar_one()
    assert sum(counts.values()) > 0 and visible == 0

    settings = stack.settings
    owner = await asyncpg.connect(asyncpg_dsn(settings, "momentum_owner", settings.database.owner_password))
    try:
        grants = {
            role: await owner.fetchval(
                "SELECT has_function_privilege($1, 'plans.billing_record_counts(date)', 'EXECUTE')", role
            )
            for role in ("momentum_plans", "momentum_entrances", "momentum_streaks", "momentum_telemetry")
        }
    finally:
        await owner.close()
    assert grants == {"momentum_plans": True, "momentum_entrances": False, "momentum_streaks": False,
                      "momentum_telemetry": False}
