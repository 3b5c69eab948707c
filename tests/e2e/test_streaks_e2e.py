"""Streaks end to end: workouts completed through the gateway (plans → outbox → RabbitMQ → streaks) show
up in GET /v2/streaks exactly as a replay of the patient's history says."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from momentum.events.v1 import events_pb2
from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.streaks import Workout, expected_view, workout
from tests.support.waiting import eventually

UTC = timezone.utc
ZONE = "America/New_York"


async def streak_matches(http, clinic, history: list[Workout], zone: str, headers=None, params=None):
    """Polls GET /v2/streaks until it shows the replay of `history` (events travel through the broker)."""

    async def probe():
        now = datetime.now(UTC)
        reply = await http.get("/v2/streaks", headers=headers or clinic.as_patient(), params=params)
        assert reply.status_code == 200, reply.text
        return reply.json(), expected_view(history, now, zone)

    shown, expected = await eventually(probe, lambda pair: pair[0] == pair[1], timeout=15, every=0.1)
    return shown


async def test_workouts_completed_through_the_gateway_make_the_streak(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, timezone=ZONE)
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, timezone=ZONE)
    now = datetime.now(UTC)
    async with client(stack.base_url) as http:
        plan = await create_plan(http, clinic, start=(now - timedelta(days=10)).date(), weeks=3, per_week=7)
        assert plan["status"] == "active"
        sessions = await patient_workouts(http, clinic)
        history: list[Workout] = []
        # Three days in a row, then one the app synced late (completed before the last one).
        for session, ended, minutes in (
            (sessions[0], now - timedelta(days=3, hours=2), 20),
            (sessions[1], now - timedelta(days=2, hours=2), 30),
            (sessions[2], now - timedelta(hours=20), 25),
            (sessions[3], now - timedelta(days=1, hours=12), 15),
        ):
            body = completion(session, ended=ended, minutes=minutes)
            for _ in range(2):  # the app retries: plans completes once, streaks counts once
                reply = await http.post(f"/v2/workouts/{session['workoutId']}/complete", json=body, headers=clinic.as_patient())
                assert reply.status_code == 200, reply.text
            history.append(Workout(uuid.UUID(session["workoutId"]), ended, minutes, ZONE))

        shown = await streak_matches(http, clinic, history, ZONE)
        assert shown["lastWorkoutDate"] == history[2].completed_at.isoformat().replace("+00:00", "Z")
        assert shown["weekTimezone"] == ZONE and shown["daysOffPerWeek"] == 3
        assert len(shown["weekCalendar"]) == 7

        # The therapist sees the same streak; another clinic's therapist does not see the patient at all.
        as_therapist = await streak_matches(
            http, clinic, history, ZONE, headers=clinic.as_therapist(), params={"patientId": str(clinic.patient_id)}
        )
        assert as_therapist == shown
        foreign = await http.get("/v2/streaks", params={"patientId": str(clinic.patient_id)}, headers=other.as_therapist())
        assert foreign.status_code == 404


async def test_workout_events_from_the_plans_outbox_reach_get_streaks(stack):
    """The broker path alone: events written to plans' outbox, published by its relay, consumed by streaks."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, timezone="Europe/Madrid")
    now = datetime.now(UTC)
    history = [
        workout(now - timedelta(days=2, hours=3), 50, "Europe/Madrid"),
        workout(now - timedelta(days=1, hours=3), 10, "Europe/Madrid", source="inferred"),
        workout(now - timedelta(hours=3), 30, "Europe/Madrid"),
    ]
    plans_db = stack.runtimes["plans"].database
    for done in history:
        completed_at = Timestamp()
        completed_at.FromDatetime(done.completed_at)
        async with plans_db.unit_of_work(clinic.tenant_id) as uow:
            await uow.add_event(
                "plans.workout.completed",
                events_pb2.WorkoutCompleted(
                    patient_id=str(clinic.patient_id), workout_id=str(done.workout_id), completed_at=completed_at,
                    local_date=done.completed_at.date().isoformat(), timezone=done.timezone, minutes=done.minutes,
                    source=done.source,
                ),
                tenant_id=clinic.tenant_id,
                message_id=f"workout-completed:{done.workout_id}",
                occurred_at=done.completed_at,
            )
            await uow.commit()
    async with client(stack.base_url) as http:
        shown = await streak_matches(http, clinic, history, "Europe/Madrid")
    assert shown["lastWorkoutDate"] == history[-1].completed_at.isoformat().replace("+00:00", "Z")
