"""Two instances of every service and two gateways on one database and vhost: competing consumers on
every queue, two outbox relays per schema, two entrance finalizers and two repair sweeps. Every
effect is still counted exactly once."""

from __future__ import annotations

import asyncio
import json

import httpx

from tests.faults.kit import SHORT_ENTRANCE_WINDOW, TimezoneWalker, eventually, log_events, settled, tz_counts, walk_all
from tests.support.broker_probe import queue_depths_async
from services.telemetry.domain.pose_batch import decode_batch
from services.telemetry.domain.pose_profile import SQUAT_LEFT
from tests.support.population import completion_body, session_batches

SERVICES = ["plans", "streaks", "entrances"]
COMPETED = ("streaks.user-events", "streaks.workout-events", "entrances.workout-events", "entrances.finalize")
FINALIZED = "FINALIZED_TO_INFERRED_WORKOUT"


async def test_two_of_everything_counts_every_effect_once(processes, population, probe, http: httpx.AsyncClient):
    stack = processes(**SHORT_ENTRANCE_WINDOW)
    await stack.start_all(SERVICES, lanes=2)
    gateways = [stack.lane_base_url(1), stack.lane_base_url(2)]

    async def consumers() -> dict[str, int]:  # the broker's figures trail by a moment
        depths = await queue_depths_async()
        return {name: depths[name].consumers if name in depths else 0 for name in COMPETED}

    await eventually(consumers, lambda found: found == {name: 2 for name in COMPETED}, timeout=20, every=0.5)

    movers = await population.clinic(6)
    exercisers = await population.clinic(4, plan_weeks=2)
    openers = await population.clinic(4, flags={"appEntranceTracking": True}, plan_weeks=2, earlier_workout_days_ago=3)
    walkers = [TimezoneWalker(p, gateways) for p in movers]

    async def exercise(patient) -> list[str]:  # type: ignore[no-untyped-def]
        done = []
        for turn in range(3):
            workout_id, exercise_ids = patient.next_workout()
            body = completion_body(exercise_ids)
            # The app retries through the other gateway: the same completion, no second event.
            for gateway in (gateways[turn % 2], gateways[(turn + 1) % 2]):
                response = await http.post(f"{gateway}/v2/workouts/{workout_id}/complete", json=body, headers=patient.headers())
                assert response.status_code == 200, response.text
            done.append(workout_id)
        return done

    async def open_app(patient) -> None:  # type: ignore[no-untyped-def]
        for gateway in gateways:
            response = await http.post(f"{gateway}/v2/app-entrances/log", headers=patient.headers())
            assert response.status_code == 202, response.text

    results = await asyncio.gather(
        walk_all(walkers, http, 10),
        *(exercise(p) for p in exercisers),
        *(open_app(p) for p in openers),
    )
    completed = [w for done in results[1:1 + len(exercisers)] for w in done]
    opener_ids = [p.patient_id for p in openers]

    async def finalized() -> list[str]:
        rows = await probe.rows("SELECT status FROM entrances.entrances WHERE patient_id = ANY($1::uuid[])", opener_ids)
        return [r["status"] for r in rows]

    await eventually(finalized, lambda s: s == [FINALIZED] * len(openers), timeout=30)
    await settled(probe)

    # Timezone events through two relays and two consumers: exact.
    assert await tz_counts(probe, walkers) == [(10, 10)] * len(walkers)
    # Each completed workout reached each consumer once, and its XP was awarded once.
    for table in ("streaks.completed_workouts", "entrances.completed_workouts"):
        assert await probe.scalar(
            f"SELECT count(*) FROM {table} WHERE workout_id::text = ANY($1::text[])", completed
        ) == len(completed), table
    assert await probe.scalar(
        "SELECT count(*) FROM entrances.xp_ledger WHERE idempotency_key = ANY($1::text[])", [f"workout:{w}" for w in completed]
    ) == len(completed)
    mismatched = await probe.rows(
        "SELECT d.patient_id, d.xp_earned, sum(l.amount) AS ledger FROM entrances.daily_activity d "
        "JOIN entrances.xp_ledger l ON l.patient_id = d.patient_id AND l.local_date = d.local_date "
        "WHERE d.patient_id = ANY($1::uuid[]) GROUP BY d.patient_id, d.local_date, d.xp_earned HAVING d.xp_earned <> sum(l.amount)",
        [p.patient_id for p in exercisers],
    )
    assert mismatched == []
    assert await probe.outbox_events("plans", exercisers[0].tenant_id, "plans.workout.completed") == len(completed)
    # Two finalizers and two sweeps, one finalization per entrance: one mirror, one event, one transition.
    for patient_id in opener_ids:
        entrance = await probe.rows(
            "SELECT entrance_id, mirror_workout_id FROM entrances.entrances WHERE patient_id = $1", patient_id
        )
        assert len(entrance) == 1
        entrance_id = entrance[0]["entrance_id"]
        mirrors = await probe.rows(
            "SELECT workout_id FROM plans.workouts WHERE entrance_id = $1 AND source = 'inferred'", entrance_id
        )
        assert [str(m["workout_id"]) for m in mirrors] == [entrance[0]["mirror_workout_id"]]
        assert await probe.scalar(
            "SELECT count(*) FROM entrances.entrance_transitions WHERE entrance_id = $1 AND to_status = $2",
            entrance_id, FINALIZED,
        ) == 1
        assert await probe.scalar(
            "SELECT count(*) FROM entrances.outbox WHERE message_id = $1", f"entrance-finalized:{entrance_id}"
        ) == 1
    # Both streaks instances did share the work.
    applied = {label: len(log_events(stack.get(label).log_text(), "streak.workout_applied")) for label in ("streaks-1", "streaks-2")}
    assert all(applied.values()), applied
    finalizers = {
        label: len(log_events(stack.get(label).log_text(), "entrance.transition", to_status=FINALIZED))
        for label in ("entrances-1", "entrances-2")
    }
    print(f"\n[two instances] {sum(t for t, _ in await tz_counts(probe, walkers))} timezone events, "
          f"{len(completed)} workouts (each sent twice), {len(openers)} entrances; workouts applied per streaks "
          f"instance {applied}; finalizations per entrances instance {finalizers}")


async def test_two_telemetry_instances_finalize_each_session_once_when_one_is_killed(
    processes, population, probe, http: httpx.AsyncClient
):
    # Leases renewed every second and stale after four: a dead instance's sessions are taken over fast.
    stack = processes(MOMENTUM_TELEMETRY_SILENCE_SECONDS="4")
    plans_port = str(stack.grpc_port("plans"))
    targets = ",".join(f"127.0.0.1:{stack.grpc_port('telemetry', lane)}" for lane in (1, 2))
    lane_one = {"MOMENTUM_PLANS_GRPC_PORT": plans_port, "MOMENTUM_TELEMETRY_TARGETS": targets}
    await stack.start_many(["plans", "telemetry"])
    await stack.start("telemetry", lane=2, extra_env=lane_one)
    gateways = [(await stack.start("gateway", lane, extra_env=lane_one)).port for lane in (1, 2)]
    urls = [f"http://127.0.0.1:{port}" for port in gateways]

    patients = await population.clinic(
        8, plan_weeks=1, pose_profile_json=json.dumps(SQUAT_LEFT.to_dict()), consents=("analytics", "biometric"),
    )
    batches = session_batches(10)
    sessions: list[tuple[str, dict[str, str]]] = []
    for index, patient in enumerate(patients):
        workout_id, exercise_ids = patient.open_workouts[0]
        grant = await http.post(
            f"{urls[index % 2]}/v1/workouts/{workout_id}/sessions/start", json={"exerciseId": exercise_ids[0]},
            headers=patient.headers(),
        )
        assert grant.status_code == 201, grant.text
        sessions.append((grant.json()["sessionId"], {"Authorization": f"Bearer {grant.json()['token']}"}))

    async def post_batch(second: int) -> list[int]:
        replies = await asyncio.gather(*(
            http.post(f"{urls[(second + i) % 2]}/v1/pose/frames", content=batches[second],
                      headers={**token, "Content-Type": "application/octet-stream"})
            for i, (_, token) in enumerate(sessions)
        ))
        return [r.status_code for r in replies]

    for second in range(5):  # every batch through alternating gateways: affinity keeps each session on one instance
        assert await post_batch(second) == [200] * len(sessions)
    leases = {r["session_id"]: r["instance"] for r in await probe.rows("SELECT session_id, instance FROM telemetry.session_leases")}
    doomed_name = f"127.0.0.1:{stack.grpc_port('telemetry', 2)}"
    doomed = [sid for sid, _ in sessions if leases.get(sid) == doomed_name]
    assert 0 < len(doomed) < len(sessions), leases  # sessions are spread over both instances
    await stack.get("telemetry-2").kill()

    later = [await post_batch(second) for second in range(5, 10)]
    survivors = [i for i, (sid, _) in enumerate(sessions) if sid not in doomed]
    assert all(statuses[i] == 200 for statuses in later for i in survivors), later
    ended = [
        await http.post(f"{urls[i % 2]}/v1/sessions/{sid}/end", headers=token) for i, (sid, token) in enumerate(sessions)
    ]
    for i in survivors:
        assert ended[i].status_code == 200, ended[i].text
        assert ended[i].json()["frameCount"] == sum(decode_batch(b).frame_count for b in batches)

    async def finalized() -> int:
        return int(await probe.scalar(
            "SELECT count(*) FROM telemetry.exercise_sessions WHERE session_id = ANY($1::text[]) AND status = 'finalized'",
            [sid for sid, _ in sessions],
        ))

    await eventually(finalized, lambda n: n == len(sessions), timeout=30)  # the survivor recovered the rest
    await settled(probe)
    for session_id, _ in sessions:
        assert await probe.scalar(
            "SELECT count(*) FROM telemetry.outbox WHERE message_id = $1", f"telemetry-session-finalized:{session_id}"
        ) == 1
    assert await probe.scalar(
        "SELECT count(*) FROM plans.exercise_sessions WHERE session_id = ANY($1::uuid[]) AND finalized_at IS NOT NULL",
        [sid for sid, _ in sessions],
    ) == len(sessions)
    recovered = await probe.rows(
        "SELECT frame_count, incomplete FROM telemetry.exercise_sessions WHERE session_id = ANY($1::text[])", doomed
    )
    print(f"\n[two telemetry] {len(sessions)} sessions, {len(doomed)} on the killed instance, all finalized once; "
          f"the killed instance's sessions recovered with frames {[r['frame_count'] for r in recovered]} "
          f"(of {sum(decode_batch(b).frame_count for b in batches[:5])} it had received), incomplete "
          f"{[r['incomplete'] for r in recovered]}; "
          f"answers to the killed instance's sessions after the kill: {sorted({s for st in later for i, s in enumerate(st) if i not in survivors})}")

