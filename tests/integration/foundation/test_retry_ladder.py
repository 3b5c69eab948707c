"""The retry ladder against the real broker and Postgres: transient failures retry through delay queues
and apply once, a poison message parks at once with its reason, a message parks only after
`retry_park_after` of failures, and a closed database pauses the consumer instead of parking."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
from prometheus_client import REGISTRY

from services.common.messaging.topology import (
    ATTEMPT_HEADER,
    DEAD_REASON_HEADER,
    FIRST_FAILURE_HEADER,
    LAST_ERROR_HEADER,
    ROUTING_KEY_HEADER,
)
from tests.integration.foundation.messaging_kit import Switchboard, inbox_rows, start_test_consumer, timezone_changes
from tests.support.clinic import new_clinic
from tests.support.waiting import eventually


async def test_transient_failures_retry_through_the_ladder_and_apply_once(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    handler = Switchboard(transient=3)
    probe = await start_test_consumer(stack, handler, ladder=(0.2, 0.4))
    try:
        started = time.monotonic()
        await probe.publish(clinic)
        await eventually(lambda: timezone_changes(stack, clinic), lambda n: n == 1, timeout=10)
        took = time.monotonic() - started
        await asyncio.sleep(1)  # anything extra would have arrived by now
        assert await timezone_changes(stack, clinic) == 1
        assert await inbox_rows(stack, probe.consumer.name) == 1
        # Each delivery saw the number of failures before it, carried in x-momentum-attempt.
        assert handler.calls == [0, 1, 2, 3]
        assert await probe.dead() == []
        # 0.2 + 0.4 + 0.4 s of ladder, and no more than a little overhead on top.
        assert 0.9 <= took < 5, took
        retried = REGISTRY.get_sample_value("momentum_consumer_retries_total", {"consumer": probe.consumer.name})
        assert retried == 3
    finally:
        await probe.stop()


async def test_a_poison_message_parks_at_once_with_its_reason(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    handler = Switchboard(poison=True)
    probe = await start_test_consumer(stack, handler)
    try:
        started = time.monotonic()
        message_id = await probe.publish(clinic)

        async def parked():
            return await probe.dead() or None

        dead = await eventually(parked, lambda found: found is not None, timeout=10)
        assert time.monotonic() - started < 2
        assert [m.message_id for m in dead] == [message_id]
        headers = dead[0].headers
        assert "never existed" in headers[DEAD_REASON_HEADER]
        assert headers[ROUTING_KEY_HEADER] == probe.routing_key
        assert headers["tenant_id"] == str(clinic.tenant_id)
        assert handler.calls == [0]
        assert await timezone_changes(stack, clinic) == 0
    finally:
        await probe.stop()


async def test_a_message_parks_only_after_retry_park_after_of_transient_failures(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    handler = Switchboard(always_fail=True)
    probe = await start_test_consumer(stack, handler, ladder=(0.2,), park_after=2)
    try:
        started = time.monotonic()
        message_id = await probe.publish(clinic)
        collected = []

        async def parked():
            collected.extend(await probe.dead())
            return len(collected)

        await eventually(parked, lambda n: n == 1, timeout=15, every=0.1)
        parked_after = time.monotonic() - started
        assert 2 <= parked_after < 6, parked_after
        [message] = collected
        assert message.message_id == message_id
        headers = message.headers
        assert headers[DEAD_REASON_HEADER].startswith("failed transiently for 2 s")
        assert "downstream away" in headers[LAST_ERROR_HEADER]
        assert int(headers[ATTEMPT_HEADER]) == len(handler.calls) >= 5
        assert headers[FIRST_FAILURE_HEADER]
        # Not the 5 deliveries of the old delivery limit: it kept retrying for the whole 2 s.
        assert handler.calls == list(range(len(handler.calls)))
        print(f"\n[retry ladder] 0.2 s steps, park after 2 s: parked after {parked_after:.1f} s, "
              f"{len(handler.calls)} attempts")
    finally:
        await probe.stop()


async def test_consumer_pauses_while_its_database_is_closed_and_applies_after_it_reopens(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    handler = Switchboard()
    probe = await start_test_consumer(stack, handler, ladder=(0.2, 0.5, 1), park_after=120)
    admin = await _admin()
    name = stack.settings.database.name
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name
        )
        closed_at = time.monotonic()
        await probe.publish(clinic)
        await eventually(lambda: _value(probe.consumer.pause.paused), lambda p: p, timeout=10)
        await asyncio.sleep(3)
        assert probe.consumer.pause.paused
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        reopened = time.monotonic()
        await eventually(lambda: timezone_changes(stack, clinic), lambda n: n == 1, timeout=20, every=0.1)
        applied_after = time.monotonic() - reopened
        assert not probe.consumer.pause.paused
        assert probe.consumer.pause.pauses == 1
        assert await probe.dead() == []
        await asyncio.sleep(0.5)
        assert await timezone_changes(stack, clinic) == 1
        print(f"\n[pause] database closed {reopened - closed_at:.1f} s; applied {applied_after:.1f} s after reopening, "
              f"0 parked")
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        await probe.stop()


async def _value(value):  # type: ignore[no-untyped-def]
    return value


async def _admin() -> asyncpg.Connection:
    dsn = os.environ.get("MOMENTUM_DB_ADMIN_DSN")
    assert dsn, "MOMENTUM_DB_ADMIN_DSN is not set: source .run/stack.env"
    pairs = dict(part.split("=", 1) for part in dsn.split())
    return await asyncpg.connect(
        host=pairs.get("host"), port=int(pairs.get("port", 5432)), user=pairs.get("user"),
        password=pairs.get("password"), database=pairs.get("dbname", "postgres"),
    )


async def test_dead_letter_depth_and_quarantined_rows_are_exported_as_gauges(stack):
    from services.common.messaging.monitor import MessagingMonitor

    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    probe = await start_test_consumer(stack, Switchboard(poison=True))
    monitor = MessagingMonitor(probe.broker, [probe.consumer], stack.runtimes["plans"].relay)
    dead = probe.spec.dead_letter_name
    try:
        for _ in range(2):
            await probe.publish(clinic)

        async def depth():
            await monitor.run_once()
            return REGISTRY.get_sample_value("momentum_dead_letter_messages", {"queue": dead})

        assert await eventually(depth, lambda n: n == 2, timeout=10, every=0.2) == 2
        assert REGISTRY.get_sample_value("momentum_outbox_quarantined_rows", {"schema": "plans"}) == float(
            await stack.runtimes["plans"].relay.quarantined_count()
        )
        await probe.dead()
        assert await depth() == 0
    finally:
        await probe.stop()
