"""Outbox: an event committed with its change is published once in effect, even across a relay crash;
a rolled-back change publishes nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from momentum.events.v1 import events_pb2
from services.common.clock import SystemClock
from services.common.db import Database, create_engine
from services.common.identity import Identity
from services.plans.people.handlers import PeopleHandlers
from tests.support.clinic import new_clinic
from tests.support.waiting import eventually


async def timezone_seen_by_streaks(stack, clinic):
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        row = (
            await uow.execute(
                text("SELECT timezone, timezone_changes FROM streaks.patients WHERE patient_id = :p"), {"p": clinic.patient_id}
            )
        ).first()
    return tuple(row) if row else None


async def outbox_rows(database, tenant_id):
    async with database.unit_of_work(tenant_id) as uow:
        return (
            await uow.execute(
                text("SELECT message_id, published_at FROM plans.outbox WHERE tenant_id = :t ORDER BY id"), {"t": tenant_id}
            )
        ).all()


async def test_event_waits_in_outbox_while_relay_is_down_then_arrives_once(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    await stack.stop_service("plans")  # the relay dies with its process
    database = Database(create_engine(stack.settings.database.app_url("plans"), 2), "plans")
    try:
        patient = Identity(clinic.tenant_id, clinic.patient_id, "patient", "req-outbox-1")
        await PeopleHandlers(database, SystemClock()).update_my_timezone(patient, "Asia/Kolkata")
        await asyncio.sleep(1)
        rows = await outbox_rows(database, clinic.tenant_id)
        assert len(rows) == 1 and rows[0].published_at is None
        assert await timezone_seen_by_streaks(stack, clinic) is None

        await stack.start_service("plans")  # restart: the new relay picks the row up
        assert await eventually(lambda: timezone_seen_by_streaks(stack, clinic), bool) == ("Asia/Kolkata", 1)
        rows = await eventually(lambda: outbox_rows(database, clinic.tenant_id), lambda r: r[0].published_at is not None)

        # A crash after the broker confirmed but before the row was marked: it is sent again,
        # and the consumer's inbox absorbs the duplicate.
        async with database.unit_of_work(None) as uow:
            await uow.execute(text("UPDATE plans.outbox SET published_at = NULL WHERE message_id = :m"), {"m": rows[0].message_id})
            await uow.commit()
        stack.runtimes["plans"].relay.wake()
        await eventually(lambda: outbox_rows(database, clinic.tenant_id), lambda r: r[0].published_at is not None)
        await asyncio.sleep(0.5)
        assert await timezone_seen_by_streaks(stack, clinic) == ("Asia/Kolkata", 1)
    finally:
        await database.dispose()


async def test_rolled_back_transaction_leaves_no_event(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    database = stack.runtimes["plans"].database
    async with database.unit_of_work(clinic.tenant_id) as uow:
        await uow.add_event(
            "plans.user.timezone_changed",
            events_pb2.UserTimezoneChanged(user_id=str(clinic.patient_id), role="patient", timezone="Europe/Paris"),
            tenant_id=clinic.tenant_id,
        )
        # no commit: leaving the block rolls back
    assert await outbox_rows(database, clinic.tenant_id) == []
    await asyncio.sleep(0.5)
    assert await timezone_seen_by_streaks(stack, clinic) is None
