"""Tenant isolation of the entrances schema, the sweep's narrow cross-tenant door, and the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.support.clinic import client, new_clinic
from tests.support.fresh import asyncpg_dsn

TENANT_TABLES = ("entrances", "entrance_transitions", "daily_activity", "xp_ledger", "completed_workouts", "audit_log")


async def used_clinic(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"appEntranceTracking": True})
    async with client(stack.base_url) as http:
        assert (await http.post("/v2/app-entrances/log", headers=clinic.as_patient())).status_code == 202
        assert (await http.post("/api/app-usage/close", headers=clinic.as_patient())).status_code == 200
        award = await http.post(
            "/api/xp/award",
            json={"patientId": str(clinic.patient_id), "amount": 12, "reason": "great form", "idempotencyKey": "x"},
            headers=clinic.as_admin(),
        )
        assert award.status_code == 201
    return clinic


async def counts(stack, tenant_id):
    async with stack.runtimes["entrances"].database.unit_of_work(tenant_id) as uow:
        return {t: (await uow.execute(text(f"SELECT count(*) FROM entrances.{t}"))).scalar_one() for t in TENANT_TABLES}


async def test_each_clinic_sees_only_its_rows_and_no_tenant_sees_none(estack):
    a, b = await used_clinic(estack), await used_clinic(estack)
    seen_by_a = await counts(estack, a.tenant_id)
    assert all(seen_by_a[t] >= 1 for t in ("entrances", "entrance_transitions", "daily_activity", "xp_ledger", "audit_log"))
    async with estack.runtimes["entrances"].database.unit_of_work(a.tenant_id) as uow:
        foreign = (
            await uow.execute(text("SELECT count(*) FROM entrances.entrances WHERE tenant_id = :b"), {"b": b.tenant_id})
        ).scalar_one()
    assert foreign == 0
    assert set((await counts(estack, None)).values()) == {0}


async def test_a_row_for_another_clinic_cannot_be_written(estack):
    a, b = await used_clinic(estack), await used_clinic(estack)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with estack.runtimes["entrances"].database.unit_of_work(a.tenant_id) as uow:
            await uow.execute(
                text("INSERT INTO entrances.daily_activity (tenant_id, patient_id, local_date, timezone) "
                     "VALUES (:b, :p, '2026-01-01', 'UTC')"),
                {"b": b.tenant_id, "p": b.patient_id},
            )


async def test_the_sweep_function_returns_ids_only_and_only_to_the_service_role(estack):
    clinic = await used_clinic(estack)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    async with estack.runtimes["entrances"].database.unit_of_work(None) as uow:
        result = await uow.execute(text("SELECT * FROM entrances.due_entrances(:at, 5000)"), {"at": later})
        rows = result.all()
        assert list(result.keys()) == ["tenant_id", "entrance_id"]
    assert (clinic.tenant_id,) in {(row.tenant_id,) for row in rows}

    import asyncpg

    settings = estack.settings
    owner = await asyncpg.connect(asyncpg_dsn(settings, "momentum_owner", settings.database.owner_password))
    try:
        grants = {
            role: await owner.fetchval(
                "SELECT has_function_privilege($1, 'entrances.due_entrances(timestamptz, integer)', 'EXECUTE')", role
            )
            for role in ("momentum_entrances", "momentum_plans", "momentum_streaks")
        }
        definer = await owner.fetchval("SELECT prosecdef FROM pg_proc WHERE proname = 'due_entrances'")
    finally:
        await owner.close()
    assert grants == {"momentum_entrances": True, "momentum_plans": False, "momentum_streaks": False}
    assert definer is True


async def test_every_authenticated_mutation_is_audited_with_its_request_id(estack):
    clinic = await used_clinic(estack)
    async with client(estack.base_url) as http:
        await http.post("/api/app-usage/open", headers={**clinic.as_patient(), "x-request-id": "req-open-1"})
    async with estack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        rows = (
            await uow.execute(
                text("SELECT action, actor_role, actor_user_id, request_id FROM entrances.audit_log ORDER BY audit_id")
            )
        ).all()
    assert [(r.action, r.actor_role) for r in rows] == [
        ("app_entrance.log", "patient"), ("app_usage.close", "patient"), ("xp.award", "admin"),
        ("app_usage.open", "patient"),
    ]
    assert all(r.request_id for r in rows)
    assert rows[-1].request_id == "req-open-1" and rows[-1].actor_user_id == clinic.patient_id
