"""RabbitMQ stopped and started (one restart: it interrupts every run on this machine) while events sit
in the plans outbox, while streaks holds unacked messages, and while entrance finalizations wait in
their delay queue. Afterwards every event has had exactly one effect, every entrance is finalized
once, and no outbox row is left unsent."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.faults.kit import TimezoneWalker, eventually, log_events, settled, tz_counts, walk_all
from tests.support.fresh import rabbitmqctl

FINALIZED = "FINALIZED_TO_INFERRED_WORKOUT"
# Finalization 8 s after the open, so it waits through the restart in the delay queue; the repair
# sweep's grace is far longer than the test, so only the delayed message can finalize.
DELAYED_ONLY = {
    "ENTRANCE_FINALIZE_DELAY": "8",
    "ENTRANCE_SWEEP_INTERVAL": "1",
    "ENTRANCE_SWEEP_GRACE": "300",
    "MOMENTUM_FLAG_CACHE_SECONDS": "0.5",
}


@pytest.mark.slow
async def test_broker_restart_with_unsent_outbox_unacked_messages_and_waiting_delays(
    processes, population, probe, http: httpx.AsyncClient
):
    stack = processes(**DELAYED_ONLY)
    await stack.start_all(["plans", "streaks", "entrances"])
    movers = await population.clinic(6)
    openers = await population.clinic(3, flags={"appEntranceTracking": True}, plan_weeks=2, earlier_workout_days_ago=3)
    held = movers[:3]  # their deliveries stay unacked across the restart; the rest flow freely
    walkers = [TimezoneWalker(p, [stack.base_url]) for p in movers]
    await walk_all(walkers, http, 1)
    for walker in walkers:
        await eventually(lambda w=walker: probe.timezone_changes(w.patient.patient_id), lambda n: n == 1)

    for patient in openers:
        response = await http.post(f"{stack.base_url}/v2/app-entrances/log", headers=patient.headers())
        assert response.status_code == 202, response.text
    opener_ids = [p.patient_id for p in openers]

    lock = await probe.hold(
        "SELECT 1 FROM streaks.patients WHERE patient_id = ANY($1::uuid[]) FOR UPDATE", [p.patient_id for p in held]
    )
    stopped = False
    try:
        await walk_all(walkers, http, 3)
        # Six messages delivered to streaks and not acked (their transactions wait on our lock).
        await eventually(lambda: probe.backends("momentum_streaks", waiting_on_lock=True), lambda n: n == 6)
        for walker in walkers[3:]:
            await eventually(lambda w=walker: probe.timezone_changes(w.patient.patient_id), lambda n: n == 3)

        began = time.monotonic()
        stopped = True
        await asyncio.to_thread(rabbitmqctl, "stop_app")
        # Broker down: plans keeps committing; the events wait in its outbox.
        await asyncio.wait_for(walk_all(walkers, http, 6), timeout=30)
        unsent_while_down = (await probe.unsent_outbox())["plans"]
        # The held transactions go on now; whatever they commit, their acks have no channel to go to.
        await lock.release()
        await eventually(lambda: probe.backends("momentum_streaks", waiting_on_lock=True), lambda n: n == 0)
        held_applied_while_down = [await probe.timezone_changes(p.patient_id) for p in held]
    finally:
        await lock.release()
        if stopped:  # whatever failed above, the broker every other run on this machine uses comes back
            await asyncio.to_thread(rabbitmqctl, "start_app")
            await asyncio.to_thread(rabbitmqctl, "await_startup")
    downtime = time.monotonic() - began
    assert unsent_while_down >= 18

    async def entrance_states() -> list[str]:
        rows = await probe.rows("SELECT status FROM entrances.entrances WHERE patient_id = ANY($1::uuid[])", opener_ids)
        return [r["status"] for r in rows]

    await eventually(entrance_states, lambda s: s == [FINALIZED] * len(openers), timeout=60)
    await settled(probe, timeout=60)
    recovered = time.monotonic() - began

    assert await tz_counts(probe, walkers) == [(6, 6)] * len(walkers)
    # Unacked messages whose transaction had committed came back after the restart and met their inbox rows.
    duplicates = log_events(stack.get("streaks-1").log_text(), "consumer.duplicate_ignored")
    assert len(duplicates) >= sum(n - 1 for n in held_applied_while_down)
    for patient_id in opener_ids:
        entrance_id = await probe.scalar("SELECT entrance_id FROM entrances.entrances WHERE patient_id = $1", patient_id)
        assert await probe.scalar(
            "SELECT count(*) FROM plans.workouts WHERE entrance_id = $1 AND source = 'inferred'", entrance_id
        ) == 1
        assert await probe.scalar(
            "SELECT count(*) FROM entrances.entrance_transitions WHERE entrance_id = $1 AND to_status = $2",
            entrance_id, FINALIZED,
        ) == 1
    finalized_by = log_events(stack.get("entrances-1").log_text(), "entrance.transition", to_status=FINALIZED)
    assert {r.get("routing_key") for r in finalized_by} == {"entrances.finalize"}  # the delayed jobs, not the sweep
    print(f"\n[broker restart] broker away {downtime:.1f}s, all settled {recovered:.1f}s after the stop; "
          f"{unsent_while_down} events waited in the outbox; held deliveries committed before the restart "
          f"{held_applied_while_down}; 36 timezone events applied once each ({len(duplicates)} redeliveries "
          f"absorbed by the inbox); "
          f"{len(openers)} entrances finalized once by their delayed jobs")
