"""One outbox row that cannot be published is quarantined with its reason and counted, and every other
clinic's events still go out at once; `add_event` refuses such an event in the first place."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

import aio_pika
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from momentum.events.v1 import events_pb2
from services.common.errors import InvalidInput
from services.common.messaging.topology import EVENTS_EXCHANGE
from tests.support.clinic import new_clinic

# A phone clock reset to its epoch, east of UTC: before 1970 in UTC, which no AMQP timestamp can carry.
EPOCH_AT_PLUS_ONE = datetime(1970, 1, 1, 0, 10, tzinfo=timezone(timedelta(hours=1)))


def quarantined_total() -> float:
    return REGISTRY.get_sample_value("momentum_outbox_quarantined_total", {"schema": "plans"}) or 0.0


async def test_a_row_that_cannot_be_published_is_quarantined_and_the_others_publish_within_100_ms(stack):
    plans = stack.runtimes["plans"]
    victim = await new_clinic(plans.components.people, stack.settings)
    others = await new_clinic(plans.components.people, stack.settings, patients=3)
    routing_key = f"test.{uuid.uuid4().hex[:8]}.quarantine"
    connection = await aio_pika.connect(stack.settings.broker.url)
    before = quarantined_total()
    try:
        channel = await connection.channel()
        listener = await channel.declare_queue(exclusive=True)
        await listener.bind(EVENTS_EXCHANGE, routing_key=routing_key)
        arrivals: dict[str, float] = {}

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            arrivals[message.message_id or ""] = time.monotonic()
            await message.ack()

        await listener.consume(on_message)
        # Steady state first: an earlier test may have left the relay in its outage backoff or the pool with
        # connections Postgres dropped; one event through proves the path is warm.
        async with plans.database.unit_of_work(others.tenant_id) as uow:
            await uow.add_event(routing_key, events_pb2.UserTimezoneChanged(), others.tenant_id, message_id="warm-up")
            await uow.commit()
        deadline = time.monotonic() + 15
        while "warm-up" not in arrivals and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert arrivals.pop("warm-up", None) is not None
        body = events_pb2.UserTimezoneChanged(user_id=str(victim.patient_id), role="patient", timezone="UTC")
        bad_id = f"bad-{uuid.uuid4()}"
        # Written past add_event's check, as a row from before the check (or a bug) would be.
        async with plans.database.unit_of_work(victim.tenant_id) as uow:
            await uow.execute(
                text(
                    "INSERT INTO plans.outbox (message_id, routing_key, tenant_id, message_type, body, occurred_at) "
                    "VALUES (:m, :r, :t, 'momentum.events.v1.UserTimezoneChanged', :b, :o)"
                ),
                {"m": bad_id, "r": routing_key, "t": victim.tenant_id, "b": body.SerializeToString(),
                 "o": EPOCH_AT_PLUS_ONE},
            )
            await uow.commit()
        committed: dict[str, float] = {}
        good_ids = []
        for round_ in range(3):
            for index, patient in enumerate(others.patient_ids):
                message_id = f"good-{round_}-{index}-{uuid.uuid4()}"
                async with plans.database.unit_of_work(others.tenant_id) as uow:
                    await uow.add_event(
                        routing_key,
                        events_pb2.UserTimezoneChanged(user_id=str(patient), role="patient", timezone="Asia/Tokyo"),
                        others.tenant_id, message_id=message_id,
                    )
                    await uow.commit()
                committed[message_id] = time.monotonic()
                good_ids.append(message_id)
            await asyncio.sleep(0.3)
        deadline = time.monotonic() + 5
        while len(arrivals) < len(good_ids) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert sorted(arrivals) == sorted(good_ids)
        latencies = sorted(arrivals[m] - committed[m] for m in good_ids)
        # The 100 ms the issue asks for, as the median on this shared 2-core host; none waits out a relay
        # backoff (seconds, which is what one bad row used to cost every clinic).
        assert latencies[len(latencies) // 2] < 0.1, latencies
        assert latencies[-1] < 1.0, latencies
        async with plans.database.unit_of_work(victim.tenant_id) as uow:
            row = (
                await uow.execute(
                    text("SELECT published_at, quarantined_at, quarantine_reason FROM plans.outbox WHERE message_id = :m"),
                    {"m": bad_id},
                )
            ).one()
        assert row.published_at is None and row.quarantined_at is not None
        assert "int too large to convert" in row.quarantine_reason
        assert quarantined_total() == before + 1
        assert await plans.relay.unpublished_count() == 0
        assert await plans.relay.quarantined_count() >= 1
        print(f"\n[quarantine] 1 row quarantined; {len(good_ids)} other-clinic events published, "
              f"commit→broker p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    finally:
        await connection.close()


@pytest.mark.parametrize(
    "occurred_at",
    [EPOCH_AT_PLUS_ONE, datetime(1, 1, 1, tzinfo=timezone.utc), datetime.now(timezone.utc) + timedelta(days=2)],
    ids=["1970-at-plus-one", "year-1", "two-days-ahead"],
)
async def test_add_event_refuses_an_instant_outside_the_window_and_writes_nothing(stack, occurred_at):
    plans = stack.runtimes["plans"]
    clinic = await new_clinic(plans.components.people, stack.settings)
    message_id = f"refused-{uuid.uuid4()}"
    async with plans.database.unit_of_work(clinic.tenant_id) as uow:
        with pytest.raises(InvalidInput, match="occurred_at"):
            await uow.add_event(
                "plans.user.timezone_changed", events_pb2.UserTimezoneChanged(user_id=str(clinic.patient_id)),
                clinic.tenant_id, message_id=message_id, occurred_at=occurred_at,
            )
        await uow.commit()
    async with plans.database.unit_of_work(clinic.tenant_id) as uow:
        found = (await uow.execute(text("SELECT count(*) FROM plans.outbox WHERE message_id = :m"), {"m": message_id})).scalar_one()
    assert found == 0
