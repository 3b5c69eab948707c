"""SIGKILL in the middle of a transaction: the test stalls a consumer (or the outbox relay) on a row or
table lock it holds, kills the process there, and checks that the redelivered (or republished)
message has its effect exactly once, even when another service already acted on it before the crash."""

from __future__ import annotations

import uuid

import httpx

from services.common.identity import Identity
from tests.faults.kit import SHORT_ENTRANCE_WINDOW, TimezoneWalker, eventually, log_events, settled, tz_counts, walk_all

FINALIZED = "FINALIZED_TO_INFERRED_WORKOUT"


async def test_sigkill_while_streaks_is_inside_its_consumer_transaction(processes, population, probe, http: httpx.AsyncClient):
    stack = processes()
    await stack.start_all(["plans", "streaks"])
    patients = await population.clinic(3)
    walkers = [TimezoneWalker(p, [stack.base_url]) for p in patients]
    await walk_all(walkers, http, 1)
    for walker in walkers:
        await eventually(lambda w=walker: probe.timezone_changes(w.patient.patient_id), lambda n: n == 1)

    inbox_before = await probe.inbox_rows("streaks", "streaks.user-events")
    held = await probe.hold(
        "SELECT 1 FROM streaks.patients WHERE patient_id = ANY($1::uuid[]) FOR UPDATE", [p.patient_id for p in patients]
    )
    streaks = stack.get("streaks-1")
    try:
        await walk_all(walkers, http, 3)  # two more committed changes each: six events now in flight
        # Every one of them is inside streaks' transaction (inbox row written, upsert waiting on our lock).
        await eventually(lambda: probe.backends("momentum_streaks", waiting_on_lock=True), lambda n: n == 6)
        await streaks.kill()
    finally:
        await held.release()
    # The killed process's backends finish their statement, find no client and roll back.
    await eventually(lambda: probe.backends("momentum_streaks"), lambda n: n == 0, timeout=15)
    assert [await probe.timezone_changes(p.patient_id) for p in patients] == [1, 1, 1]
    assert await probe.inbox_rows("streaks", "streaks.user-events") == inbox_before  # inbox rows rolled back too

    await stack.restart(streaks)
    await settled(probe)
    assert await tz_counts(probe, walkers) == [(3, 3)] * 3
    assert await probe.inbox_rows("streaks", "streaks.user-events") == inbox_before + 6


async def test_sigkill_while_entrances_finalizes_after_plans_made_the_mirror(processes, population, probe, http: httpx.AsyncClient):
    # A long gRPC deadline: the finalizer's calls to plans must not time out while the test holds it.
    stack = processes(**SHORT_ENTRANCE_WINDOW, MOMENTUM_GRPC_DEADLINE_SECONDS="20")
    await stack.start_all(["plans", "streaks", "entrances"])
    patients = await population.clinic(2, flags={"appEntranceTracking": True}, plan_weeks=2, earlier_workout_days_ago=3)
    ids = [p.patient_id for p in patients]

    held = None
    try:
        for patient in patients:
            response = await http.post(f"{stack.base_url}/v2/app-entrances/log", headers=patient.headers())
            assert response.status_code == 202, response.text
        # Finalization writes its transition row last: stall it there, after plans has made the mirror.
        held = await probe.hold("LOCK TABLE entrances.entrance_transitions IN SHARE MODE")
        await eventually(lambda: mirrors(probe, ids), lambda rows: len(rows) == 2, timeout=20)
        await eventually(lambda: probe.backends("momentum_entrances", waiting_on_lock=True), lambda n: n >= 2)
        await stack.get("entrances-1").kill()
    finally:
        if held is not None:
            await held.release()
    await eventually(lambda: probe.backends("momentum_entrances"), lambda n: n == 0, timeout=15)
    rows = await entrances(probe, ids)
    assert [r["status"] for r in rows] == ["PENDING", "PENDING"]  # the crash lost the finalization...

    await stack.restart(stack.get("entrances-1"))  # ...the redelivered job (or the sweep) redoes it
    await eventually(lambda: entrances(probe, ids), lambda rs: all(r["status"] == FINALIZED for r in rs), timeout=20)
    await settled(probe)

    rows = await entrances(probe, ids)
    made = await mirrors(probe, ids)
    assert len(made) == 2  # plans was asked again and answered with the same mirror
    assert {r["mirror_workout_id"] for r in rows} == {str(m["workout_id"]) for m in made}
    assert {str(m["entrance_id"]) for m in made} == {str(r["entrance_id"]) for r in rows}
    for row in rows:
        transitions = await probe.rows(
            "SELECT from_status, to_status FROM entrances.entrance_transitions WHERE entrance_id = $1 ORDER BY transition_id",
            row["entrance_id"],
        )
        assert [(t["from_status"], t["to_status"]) for t in transitions] == [(None, "PENDING"), ("PENDING", FINALIZED)]
        assert await probe.scalar(
            "SELECT count(*) FROM entrances.outbox WHERE message_id = $1", f"entrance-finalized:{row['entrance_id']}"
        ) == 1
    # The mirror's own workout.completed reached streaks once.
    assert await probe.scalar(
        "SELECT count(*) FROM streaks.completed_workouts WHERE workout_id = ANY($1::uuid[])",
        [m["workout_id"] for m in made],
    ) == 2


async def mirrors(probe, patient_ids: list[uuid.UUID]):  # type: ignore[no-untyped-def]
    return await probe.rows(
        "SELECT workout_id, entrance_id FROM plans.workouts WHERE patient_id = ANY($1::uuid[]) AND source = 'inferred'",
        patient_ids,
    )


async def entrances(probe, patient_ids: list[uuid.UUID]):  # type: ignore[no-untyped-def]
    return await probe.rows(
        "SELECT entrance_id, status, mirror_workout_id FROM entrances.entrances WHERE patient_id = ANY($1::uuid[]) "
        "ORDER BY patient_id",
        patient_ids,
    )


async def test_sigkill_of_the_relay_between_publish_and_marking_sent(processes, population, probe, http: httpx.AsyncClient):
    stack = processes()
    await stack.start_all(["plans", "streaks"])
    patients = await population.clinic(4)
    plans = stack.get("plans-1")
    assert await plans.terminate() == 0
    # Events committed while no relay runs: they wait in the outbox.
    for patient in patients:
        who = Identity(patient.tenant_id, patient.patient_id, "patient", f"relay-{uuid.uuid4().hex[:8]}")
        await population.people.update_my_timezone(who, "Asia/Kolkata")
    await population.database.dispose()  # the test's own plans connections must not count below
    # SHARE lets the relay lock its rows and publish, but not mark them sent.
    held = await probe.hold("LOCK TABLE plans.outbox IN SHARE MODE")
    try:
        await stack.restart(plans)
        await eventually(lambda: probe.backends("momentum_plans", waiting_on_lock=True), lambda n: n >= 1)
        for patient in patients:  # published and applied...
            await eventually(lambda p=patient: probe.timezone_changes(p.patient_id), lambda n: n == 1)
        await plans.kill()  # ...but the process dies before the rows are marked
    finally:
        await held.release()
    await eventually(lambda: probe.backends("momentum_plans"), lambda n: n == 0, timeout=15)
    assert (await probe.unsent_outbox())["plans"] == len(patients)

    await stack.restart(plans)  # the relay publishes the same rows again
    await settled(probe)
    duplicates = log_events(stack.get("streaks-1").log_text(), "consumer.duplicate_ignored")
    assert len(duplicates) == len(patients)
    assert [await probe.timezone_changes(p.patient_id) for p in patients] == [1] * len(patients)
