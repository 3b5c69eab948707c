"""What an engineer on call reads off the metrics ports: a completed workout moves the RED figures of each gRPC hop,
the outbox's published count, the consumers' deliveries, and leaves no backlog."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client import REGISTRY

from services.common.messaging.monitor import MessagingMonitor
from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

UTC = timezone.utc


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def figures() -> dict[str, float]:
    return {
        "plans answered CompleteWorkout": sample(
            "momentum_grpc_server_handled_total", service="plans", method="PlansService/CompleteWorkout", code="OK"
        ),
        "plans timed CompleteWorkout": sample(
            "momentum_grpc_server_handling_seconds_count", service="plans", method="PlansService/CompleteWorkout"
        ),
        "the gateway's calls to plans that ended OK": sum(
            s.value for m in REGISTRY.collect() if m.name == "momentum_grpc_client_handled"
            for s in m.samples if s.name.endswith("_total") and s.labels["target"] == "plans" and s.labels["code"] == "OK"
        ),
        "plans' relay published": sample("momentum_outbox_published_total", schema="plans"),
        "streaks handled workout events": sample(
            "momentum_consumer_deliveries_total", consumer="streaks.workout-events", outcome="handled"
        ),
        "streaks timed workout events": sample(
            "momentum_consumer_handling_seconds_count", consumer="streaks.workout-events"
        ),
    }


async def test_a_completed_workout_moves_the_figures_of_every_hop_it_crosses(stack):
    plans = stack.runtimes["plans"]
    clinic = await new_clinic(plans.components.people, stack.settings)
    async with client(stack.base_url) as http:
        await create_plan(http, clinic, start=(datetime.now(UTC) - timedelta(days=3)).date(), per_week=7)
        session = (await patient_workouts(http, clinic))[0]
        before = figures()
        reply = await http.post(
            f"/v2/workouts/{session['workoutId']}/complete", json=completion(session), headers=clinic.as_patient()
        )
        assert reply.status_code == 200, reply.text
        async def streaks_handled() -> float:
            return figures()["streaks handled workout events"]

        await eventually(streaks_handled, lambda n: n > before["streaks handled workout events"], timeout=15)
        after = figures()

    moved = {name: after[name] - before[name] for name in before}
    assert moved["plans answered CompleteWorkout"] == 1, moved
    assert moved["plans timed CompleteWorkout"] == 1
    assert moved["the gateway's calls to plans that ended OK"] >= 1
    assert moved["plans' relay published"] >= 1  # the workout.completed event, and whatever else the clinic wrote
    assert moved["streaks handled workout events"] >= 1
    assert moved["streaks timed workout events"] == moved["streaks handled workout events"]

    # Once the relay has caught up, the monitor reports an empty backlog with no age.
    monitor = MessagingMonitor(plans.broker, plans.consumers, plans.relay)

    async def backlog() -> tuple[float, float]:
        await monitor.run_once()
        return sample("momentum_outbox_backlog_rows", schema="plans"), sample("momentum_outbox_oldest_age_seconds", schema="plans")

    assert await eventually(backlog, lambda pair: pair == (0.0, 0.0), timeout=10) == (0.0, 0.0)
