"""plans stopped for 60 s while entrance finalizations fall due: the finalizer pauses (PlansUnavailable is a
transient failure) instead of burning its delivery limit, and once plans is back every entrance finalizes
within a minute, once, with nothing parked. Default retry ladder (1 s, 5 s, 30 s, 2 min, 10 min)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.faults.kit import eventually, log_events
from tests.support.broker_probe import queue_depths_async

FINALIZED = "FINALIZED_TO_INFERRED_WORKOUT"
OUTAGE_SECONDS = 60
# Finalizations fall due 5 s after the open, well inside the outage; the sweep's grace is longer than the
# test, so only the delayed jobs (the mechanism under test) can finalize.
DUE_DURING_OUTAGE = {
    "ENTRANCE_FINALIZE_DELAY": "5",
    "ENTRANCE_SWEEP_INTERVAL": "1",
    "ENTRANCE_SWEEP_GRACE": "600",
    "MOMENTUM_FLAG_CACHE_SECONDS": "0.5",
}


@pytest.mark.slow
async def test_plans_stopped_for_a_minute_while_finalizations_fall_due(processes, population, probe, http: httpx.AsyncClient):
    stack = processes(**DUE_DURING_OUTAGE)
    await stack.start_all(["plans", "streaks", "entrances"])
    openers = await population.clinic(6, flags={"appEntranceTracking": True}, plan_weeks=2, earlier_workout_days_ago=3)
    for patient in openers:
        response = await http.post(f"{stack.base_url}/v2/app-entrances/log", headers=patient.headers())
        assert response.status_code == 202, response.text
    opener_ids = [p.patient_id for p in openers]

    plans = stack.get("plans-1")
    stopped_at = time.monotonic()
    assert await plans.terminate() == 0
    try:
        await asyncio.sleep(OUTAGE_SECONDS)
    finally:
        await stack.restart(plans)
    back_at = time.monotonic()

    async def entrance_states() -> list[str]:
        rows = await probe.rows("SELECT status FROM entrances.entrances WHERE patient_id = ANY($1::uuid[])", opener_ids)
        return [r["status"] for r in rows]

    during = await entrance_states()
    await eventually(entrance_states, lambda s: s == [FINALIZED] * len(openers), timeout=60)
    finalized_after = time.monotonic() - back_at
    assert finalized_after < 60

    depths = await queue_depths_async()
    dead = depths.get("entrances.finalize.dead")
    assert dead is None or dead.messages == 0, dead
    for patient_id in opener_ids:
        entrance_id = await probe.scalar("SELECT entrance_id FROM entrances.entrances WHERE patient_id = $1", patient_id)
        assert await probe.scalar(
            "SELECT count(*) FROM plans.workouts WHERE entrance_id = $1 AND source = 'inferred'", entrance_id
        ) == 1
        assert await probe.scalar(
            "SELECT count(*) FROM entrances.entrance_transitions WHERE entrance_id = $1 AND to_status = $2",
            entrance_id, FINALIZED,
        ) == 1
    log = stack.get("entrances-1").log_text()
    finalized_by = log_events(log, "entrance.transition", to_status=FINALIZED)
    assert {r.get("routing_key") for r in finalized_by} == {"entrances.finalize"}  # the delayed jobs, not the sweep
    assert log_events(log, "consumer.dead_lettered") == []
    paused = log_events(log, "consumer.paused", consumer="entrances.finalize", dependency="plans")
    resumed = log_events(log, "consumer.resumed", consumer="entrances.finalize", dependency="plans")
    assert len(paused) >= 1 and len(resumed) == len(paused)
    retries = log_events(log, "consumer.failed_will_retry", consumer="entrances.finalize")
    assert all("Traceback" not in str(r) for r in retries)
    print(f"\n[plans outage] plans away {back_at - stopped_at:.0f} s; {len(openers)} entrances due during it "
          f"(states then: {sorted(set(during))}); all finalized {finalized_after:.1f} s after plans returned, "
          f"0 parked; finalizer paused {len(paused)}x, {len(retries)} failed deliveries retried")
