"""The foundation slice end to end: HTTP → gateway → gRPC → plans → outbox → RabbitMQ → streaks."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually


async def streaks_view_of(stack, clinic):
    database = stack.runtimes["streaks"].database
    async with database.unit_of_work(clinic.tenant_id) as uow:
        row = (
            await uow.execute(
                text("SELECT timezone, timezone_changes FROM streaks.patients WHERE patient_id = :p"),
                {"p": clinic.patient_id},
            )
        ).first()
    return tuple(row) if row else None


async def test_patient_timezone_reaches_streaks_exactly_once(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, timezone="Europe/Madrid")
    async with client(stack.base_url) as http:
        reply = await http.post(
            "/v2/user/auto-update-timezone", json={"timezone": "America/New_York"}, headers=clinic.as_patient()
        )
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"timezone": "America/New_York", "previousTimezone": None, "changed": True}
        assert reply.headers["x-request-id"]

        # The same zone again changes nothing and emits nothing.
        again = await http.post(
            "/v2/user/auto-update-timezone", json={"timezone": "America/New_York"}, headers=clinic.as_patient()
        )
        assert again.json()["changed"] is False

        me = await http.get("/v2/user/me", headers=clinic.as_patient())
        assert me.json()["timezone"] == "America/New_York"

    seen = await eventually(lambda: streaks_view_of(stack, clinic), lambda row: row is not None)
    assert seen == ("America/New_York", 1)

    plans_db = stack.runtimes["plans"].database
    async with plans_db.unit_of_work(clinic.tenant_id) as uow:
        audit = (
            await uow.execute(
                text("SELECT action, actor_role, request_id, details->>'changed' AS changed FROM plans.audit_log "
                     "WHERE tenant_id = :t ORDER BY audit_id"),
                {"t": clinic.tenant_id},
            )
        ).all()
    assert [(a.action, a.actor_role, a.changed) for a in audit] == [
        ("user.timezone.update", "patient", "true"),
        ("user.timezone.update", "patient", "false"),
    ]
    assert all(a.request_id for a in audit)


async def test_invalid_timezone_is_a_422_naming_the_zone_and_writes_nothing(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.post(
            "/v2/user/auto-update-timezone", json={"timezone": "Mars/Olympus_Mons"}, headers=clinic.as_patient()
        )
    assert reply.status_code == 422
    assert reply.json()["error"] == "invalid_argument"
    assert "Mars/Olympus_Mons" in reply.json()["detail"]
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        outbox = (await uow.execute(text("SELECT count(*) FROM plans.outbox WHERE tenant_id = :t"), {"t": clinic.tenant_id})).scalar_one()
        audit = (await uow.execute(text("SELECT count(*) FROM plans.audit_log"))).scalar_one()
    assert (outbox, audit) == (0, 0)


async def test_unknown_fields_are_rejected(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.post(
            "/v2/user/auto-update-timezone", json={"timezone": "UTC", "tz": "UTC"}, headers=clinic.as_patient()
        )
    assert reply.status_code == 422
    assert "tz" in reply.json()["detail"]
