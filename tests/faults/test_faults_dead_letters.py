"""Poison messages against a real streaks process: an undecodable body is parked at once with its reason, a
message that fails on every delivery climbs the retry ladder and is parked only after `retry_park_after`
(a short ladder here: 0.2 s steps, park after 3 s), and neither holds up the rest."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import httpx
from google.protobuf.timestamp_pb2 import Timestamp

from momentum.events.v1 import events_pb2
from services.common.messaging.topology import ATTEMPT_HEADER, DEAD_REASON_HEADER
from tests.faults.kit import TimezoneWalker, eventually, log_events, settled, walk_all
from tests.support.broker_probe import drain, publish_event, queue_depths_async

QUEUE = "streaks.user-events"
ROUTING_KEY = "plans.user.timezone_changed"
SHORT_LADDER = {"MOMENTUM_AMQP_RETRY_LADDER": "0.2", "MOMENTUM_AMQP_RETRY_PARK_AFTER": "3"}


async def test_poison_and_always_failing_messages_are_parked_without_blocking_the_queue(
    processes, population, probe, http: httpx.AsyncClient
):
    stack = processes(**SHORT_LADDER)
    await stack.start_all(["plans", "streaks"])
    url = stack.settings.broker.url
    await drain(url, f"{QUEUE}.dead")  # whatever earlier tests of this session parked

    victim, = await population.clinic(1)
    other_clinic, = await population.clinic(1)
    bystanders = await population.clinic(4)
    first = TimezoneWalker(victim, [stack.base_url])
    await first.walk(http, 1)
    await eventually(lambda: probe.timezone_changes(victim.patient_id), lambda n: n == 1)

    # 1. Not a protobuf at all.
    await publish_event(url, ROUTING_KEY, b"\xff\xfe\x00 not protobuf", "poison-undecodable", {"tenant_id": str(victim.tenant_id)})
    published = time.monotonic()
    # 2. Well formed, but it names a patient of one clinic under another clinic's tenant: row-level
    # security refuses the upsert on every delivery, an error the consumer cannot tell from a transient one.
    at = Timestamp()
    at.FromDatetime(datetime.now(timezone.utc))
    foreign = events_pb2.UserTimezoneChanged(
        user_id=str(victim.patient_id), role="patient", timezone="Asia/Tokyo", changed_at=at
    ).SerializeToString()
    await publish_event(url, ROUTING_KEY, foreign, "always-fails", {"tenant_id": str(other_clinic.tenant_id)})

    # 3. Ordinary traffic right behind them flows while the failing one is retried.
    started = time.monotonic()
    walkers = [TimezoneWalker(p, [stack.base_url]) for p in bystanders]
    await walk_all(walkers, http, 5)
    for walker in walkers:
        await eventually(lambda w=walker: probe.timezone_changes(w.patient.patient_id), lambda n: n == 5, timeout=15)
    flowed_after = time.monotonic() - started

    async def parked() -> int:
        depths = await queue_depths_async()
        return depths[f"{QUEUE}.dead"].messages if f"{QUEUE}.dead" in depths else 0

    await eventually(parked, lambda n: n == 2, timeout=30)
    parked_after = time.monotonic() - published
    await settled(probe, queues=[QUEUE])
    dead = {m.message_id: m for m in await drain(url, f"{QUEUE}.dead")}
    assert sorted(dead) == ["always-fails", "poison-undecodable"]
    assert "not a valid" in dead["poison-undecodable"].headers[DEAD_REASON_HEADER]
    assert dead["always-fails"].headers[DEAD_REASON_HEADER].startswith("failed transiently for 3 s")
    assert parked_after >= 3

    log = stack.get("streaks-1").log_text()
    assert len(log_events(log, "consumer.dead_lettered", message_id="poison-undecodable")) == 1
    retries = log_events(log, "consumer.failed_will_retry", message_id="always-fails")
    # Retried every 0.2 s for 3 s, far past the old delivery limit of 5, then parked with its attempts.
    assert len(retries) >= 6, len(retries)
    assert int(dead["always-fails"].headers[ATTEMPT_HEADER]) == len(retries) + 1
    # The victim's row was never touched by the foreign event; the bystanders' effects are exact.
    assert await probe.timezone_changes(victim.patient_id) == 1
    assert [await probe.timezone_changes(w.patient.patient_id) for w in walkers] == [5, 5, 5, 5]
    assert not [w.unclean for w in walkers if w.unclean]
    print(f"\n[dead letters] ladder 0.2 s, park after 3 s: parked after {parked_after:.1f} s and "
          f"{len(retries) + 1} failed deliveries; 20 later changes applied within {flowed_after:.1f}s")
