"""A therapist plans care, the patient completes two workouts and skips one, the therapist sees the
sessions, and each completion reaches a broker consumer exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import aio_pika

from momentum.events.v1 import events_pb2
from services.common.messaging.topology import EVENTS_EXCHANGE
from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic


async def test_plan_complete_skip_and_therapist_view(stack):
    connection = await aio_pika.connect(stack.settings.broker.url)
    channel = await connection.channel()
    probe = await channel.declare_queue(f"tests.workout-probe-{uuid.uuid4().hex[:8]}", exclusive=True)
    await probe.bind(EVENTS_EXCHANGE, routing_key="plans.workout.completed")
    received: list[events_pb2.WorkoutCompleted] = []

    async def on_message(message):
        async with message.process():
            body = events_pb2.WorkoutCompleted()
            body.ParseFromString(message.body)
            received.append(body)

    await probe.consume(on_message)
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, timezone="Europe/Madrid")
    try:
        async with client(stack.base_url) as http:
            plan = await create_plan(http, clinic, weeks=2, per_week=3)
            assert plan["sessionsPlanned"] == 6 and plan["status"] == "active"
            workouts = await patient_workouts(http, clinic)
            now = datetime.now(timezone.utc)
            for index, workout in enumerate(workouts[:2]):
                body = completion(workout, ended=now - timedelta(days=2 - index), minutes=25 + index)
                for _ in range(2):  # the app retries: still one completion, one event
                    reply = await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=body, headers=clinic.as_patient())
                    assert reply.status_code == 200, reply.text
            skipped = await http.post(f"/v1/workouts/{workouts[2]['workoutId']}/skip", json={"reason": "travel"}, headers=clinic.as_patient())
            assert skipped.status_code == 200

            sessions = await http.get(f"/v2/doctor/patients/{clinic.patient_id}/workout-sessions", headers=clinic.as_therapist())
            assert sessions.status_code == 200
            by_id = {w["workoutId"]: w for w in sessions.json()["workouts"]}
            assert [by_id[w["workoutId"]]["status"] for w in workouts[:3]] == ["completed", "completed", "skipped"]
            assert all(by_id[w["workoutId"]]["completedViaAppEntrance"] is False for w in workouts)
            assert by_id[workouts[0]["workoutId"]]["painBefore"] == 6
            assert by_id[workouts[2]["workoutId"]]["skipReason"] == "travel"

            past = await http.get("/v2/workouts", headers=clinic.as_patient())
            assert {w["workoutId"] for w in past.json()["workouts"]} >= {w["workoutId"] for w in workouts[:3]}

        for _ in range(100):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # time for any duplicate to show up
        mine = [e for e in received if e.patient_id == str(clinic.patient_id)]
        assert sorted(e.workout_id for e in mine) == sorted(w["workoutId"] for w in workouts[:2])
        assert {(e.source, e.timezone, e.plan_id) for e in mine} == {("real", "Europe/Madrid", plan["planId"])}
        assert sorted(e.minutes for e in mine) == [25, 26]
    finally:
        await connection.close()
