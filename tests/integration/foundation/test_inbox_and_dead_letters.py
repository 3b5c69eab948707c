"""Inbox: one side effect per message id. Poison messages are parked, not looped."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import aio_pika
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from momentum.events.v1 import events_pb2
from tests.support.clinic import new_clinic
from tests.support.waiting import eventually


async def changes_seen(stack, clinic):
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        row = (
            await uow.execute(
                text("SELECT timezone_changes FROM streaks.patients WHERE patient_id = :p"), {"p": clinic.patient_id}
            )
        ).first()
    return row[0] if row else 0


async def test_same_message_delivered_twice_has_one_effect(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    changed_at = Timestamp()
    changed_at.FromDatetime(datetime.now(timezone.utc))
    body = events_pb2.UserTimezoneChanged(
        user_id=str(clinic.patient_id), role="patient", timezone="Pacific/Chatham", changed_at=changed_at
    ).SerializeToString()
    message_id = str(uuid.uuid4())
    broker = stack.runtimes["plans"].broker
    headers = {"message_id": message_id, "tenant_id": str(clinic.tenant_id), "request_id": "dup-test"}
    for _ in range(2):
        await broker.publish_event(
            "plans.user.timezone_changed", body, message_id, headers, "momentum.events.v1.UserTimezoneChanged",
            datetime.now(timezone.utc),
        )
    assert await eventually(lambda: changes_seen(stack, clinic), lambda n: n >= 1) == 1
    await asyncio.sleep(0.5)
    assert await changes_seen(stack, clinic) == 1


async def test_undecodable_message_is_parked_in_the_dead_letter_queue(stack):
    connection = await aio_pika.connect(stack.settings.broker.url)
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange("momentum.events")
        marker = str(uuid.uuid4())
        await exchange.publish(
            aio_pika.Message(b"\xff\xff\xff not protobuf", message_id=marker, headers={"tenant_id": str(uuid.uuid4())}),
            routing_key="plans.user.timezone_changed",
        )
        dead = await channel.declare_queue("streaks.user-events.dead", passive=True)

        async def parked():
            message = await dead.get(fail=False, no_ack=False)
            if message is None:
                return None
            await message.ack()
            return message.message_id

        found = await eventually(parked, lambda mid: mid == marker, timeout=10, every=0.1)
        assert found == marker
    finally:
        await connection.close()
