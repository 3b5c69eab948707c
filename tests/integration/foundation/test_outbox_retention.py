"""Published outbox rows are pruned after the retention period, unpublished and recent ones kept; the
pruning statement used to fail on every run (an untyped interval parameter) and took the relay down with it."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.analytics import patient
from tests.support.clinic import new_clinic
from tests.support.waiting import eventually


async def _rows(stack, clinic):  # type: ignore[no-untyped-def]
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        found = await uow.execute(
            text("SELECT id, published_at FROM plans.outbox WHERE tenant_id = :t ORDER BY id"), {"t": clinic.tenant_id}
        )
        return found.all()


async def test_old_published_rows_are_pruned_and_the_rest_kept(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    plans = stack.runtimes["plans"].components.people

    for zone in ("Asia/Kolkata", "Asia/Kathmandu"):
        await plans.update_my_timezone(patient(clinic), zone)
    old, recent = await eventually(lambda: _rows(stack, clinic), lambda rows: len(rows) == 2 and all(r.published_at for r in rows))
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        await uow.execute(text("UPDATE plans.outbox SET published_at = now() - interval '8 days' WHERE id = :id"), {"id": old.id})
        await uow.commit()

    await stack.runtimes["plans"].relay._forget_old()

    assert [r.id for r in await _rows(stack, clinic)] == [recent.id]
