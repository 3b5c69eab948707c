"""`momentum billing recalculate` as an operator runs it: a dry run reports and writes nothing,
--apply writes, and a second run finds nothing left to change."""

from __future__ import annotations

from datetime import timedelta

from tests.support.analytics import (
    billing_records, complete_on_days, exercises, give_plan, mirror, utc_today,
)
from tests.support.cli import momentum
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually


async def test_dry_run_then_apply_then_nothing_left(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    today = utc_today()
    d0 = today - timedelta(days=10)
    care = await give_plan(stack, clinic, 0, d0, 4, 7, await exercises(stack, clinic, ("Squat",)))
    (real,) = await complete_on_days(stack, clinic, 0, care, [d0 + timedelta(days=1)])
    await mirror(stack, clinic, 0, real.workout_id, d0 + timedelta(days=2))
    async with client(stack.base_url) as http:
        async def window():
            found = await billing_records(http, clinic, 0, "data_days")
            return found[0] if found else None

        before = await eventually(window, lambda r: r is not None and r["quantity"] == 1)
        # Records out of date (a policy changed behind the service's back, e.g. a restored backup):
        # the admin route would recompute by itself, so change the row directly.
        from sqlalchemy import text

        async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
            await uow.execute(text("UPDATE plans.tenants SET rtm_qualifying_policy = 'access_days'"))
            await uow.commit()

        code, out = await momentum(stack, "billing", "recalculate", "--tenant", str(clinic.tenant_id))
        assert code == 0, out
        assert f"patient {clinic.patient_id}: update data_days {(d0 + timedelta(days=1)).isoformat()}" in out
        assert "q=1->2" in out and "1 patient(s) would change (dry run" in out
        assert await window() == before  # a dry run writes nothing

        code, out = await momentum(stack, "billing", "recalculate", "--tenant", str(clinic.tenant_id), "--apply")
        assert code == 0 and "1 patient(s) changed" in out, out
        after = await window()
        assert after["quantity"] == 2 and [c["code"] for c in after["codes"]] == ["98975", "98985"]

        code, out = await momentum(stack, "billing", "recalculate", "--tenant", str(clinic.tenant_id))
        assert code == 0 and "0 patient(s) would change" in out, out

    off = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    code, out = await momentum(stack, "billing", "recalculate", "--tenant", str(off.tenant_id))
    assert code == 0 and "not enabled" in out
    code, out = await momentum(stack, "billing", "recalculate")
    assert code == 0 and "clinic(s)" in out and "would change" in out
