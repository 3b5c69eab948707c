"""Helpers for entrance and daily-activity tests: a stack with a short finalization window, past and
present real workouts through plans' own handlers, and direct reads of both services' rows."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone
from typing import Any

import aio_pika
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from momentum.entrances.v1 import entrances_pb2
from services.common.identity import Identity
from services.common.timezones import zone
from services.plans.domain.completion import Completion, ExerciseResult
from services.plans.care.plan_handlers import Prescription
from tests.support.broker_probe import publish_event
from tests.support.clinic import Clinic
from tests.support.stack import RunningStack, services_with_bootstrap, settings_for_tests

# A 2 s window, a sweep every second with a 1 s grace: every path finishes within a test's patience.
SHORT_WINDOW = {
    "ENTRANCE_FINALIZE_DELAY": "2",
    "ENTRANCE_SWEEP_INTERVAL": "1",
    "ENTRANCE_SWEEP_GRACE": "1",
    "MOMENTUM_FLAG_CACHE_SECONDS": "0.5",
}
TERMINAL = {
    "CANCELED_BY_REAL_WORKOUT", "SKIPPED_FEATURE_DISABLED", "SKIPPED_NO_SOURCE_WORKOUT", "FINALIZED_TO_INFERRED_WORKOUT",
}


async def start_short_window_stack(**overrides: str) -> RunningStack:
    """Every service and the gateway on fresh ports, same test database and vhost as the session."""
    running = RunningStack(settings_for_tests(**{**SHORT_WINDOW, **overrides}))
    for name in services_with_bootstrap():
        await running.start_service(name)
    await running.start_gateway()
    return running


def components(stack: RunningStack) -> Any:
    return stack.runtimes["entrances"].components


def staff(clinic: Clinic, role: str = "therapist") -> Identity:
    user = clinic.therapist_id if role == "therapist" else clinic.admin_id
    return Identity(clinic.tenant_id, user, role, f"test-{uuid.uuid4().hex[:8]}")


def patient(clinic: Clinic, index: int = 0) -> Identity:
    return Identity(clinic.tenant_id, clinic.patient_ids[index], "patient", f"test-{uuid.uuid4().hex[:8]}")


async def give_plan(stack: RunningStack, clinic: Clinic, index: int = 0, weeks_ago: int = 2) -> None:
    """A plan that started weeks ago, three sessions a week, two exercises."""
    plans = stack.runtimes["plans"].components.plans
    therapist = staff(clinic)
    exercises = [
        await plans.create_exercise(therapist, name, "", 0, "") for name in ("Sit-to-stand", "Heel slide")
    ]
    start = datetime.now(timezone.utc).date() - timedelta(weeks=weeks_ago)
    await plans.create_plan(
        therapist, clinic.patient_ids[index], "Knee rehabilitation", start, 8, 3,
        [Prescription(str(e.exercise_id), 3, 10) for e in exercises],
    )


async def complete_workout(stack: RunningStack, clinic: Clinic, ended_at: datetime, index: int = 0) -> uuid.UUID:
    """Completes the patient's next not-yet-done workout as a real one, ending at `ended_at`."""
    workouts = stack.runtimes["plans"].components.workouts
    who = patient(clinic, index)
    pending = sorted(
        (w for w in await workouts.my_workouts(who, past_only=False) if w.status == "scheduled"),
        key=lambda w: w.session_number,
    )
    workout = pending[0]
    done = await workouts.complete(who, workout.workout_id, Completion(
        started_at=ended_at - timedelta(minutes=20), ended_at=ended_at, pain_before=4, pain_after=3,
        perceived_difficulty=5,
        exercises=tuple(ExerciseResult(str(log.exercise_id), 3, 10, False, None) for log in workout.exercises),
    ))
    return done.workout_id


async def seed_earlier_workout(stack: RunningStack, clinic: Clinic, index: int = 0, days_ago: int = 3) -> uuid.UUID:
    """A plan and one real workout completed days ago (noon UTC): the source a mirror copies."""
    await give_plan(stack, clinic, index)
    day = datetime.now(timezone.utc).date() - timedelta(days=days_ago)
    return await complete_workout(stack, clinic, datetime.combine(day, time(12), tzinfo=timezone.utc), index)


async def entrance_rows(stack: RunningStack, clinic: Clinic, index: int = 0) -> list[Any]:
    async with stack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        return (
            await uow.execute(
                text("SELECT * FROM entrances.entrances WHERE patient_id = :p ORDER BY local_date"),
                {"p": clinic.patient_ids[index]},
            )
        ).all()


async def transitions_of(stack: RunningStack, clinic: Clinic, entrance_id: Any) -> list[tuple[str | None, str]]:
    async with stack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        rows = (
            await uow.execute(
                text("SELECT from_status, to_status FROM entrances.entrance_transitions WHERE entrance_id = :e "
                     "ORDER BY transition_id"),
                {"e": entrance_id},
            )
        ).all()
    return [(r.from_status, r.to_status) for r in rows]


async def mirrors_of(stack: RunningStack, clinic: Clinic, index: int = 0) -> list[Any]:
    """plans' inferred workouts of the patient (read from plans' schema: a test may look anywhere)."""
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        return (
            await uow.execute(
                text("SELECT workout_id, entrance_id, local_date, mirrored_from_workout_id FROM plans.workouts "
                     "WHERE patient_id = :p AND source = 'inferred'"),
                {"p": clinic.patient_ids[index]},
            )
        ).all()


async def daily_rows(stack: RunningStack, clinic: Clinic, index: int = 0) -> list[Any]:
    async with stack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        return (
            await uow.execute(
                text("SELECT * FROM entrances.daily_activity WHERE patient_id = :p ORDER BY local_date"),
                {"p": clinic.patient_ids[index]},
            )
        ).all()


async def count_rows(stack: RunningStack, clinic: Clinic, table: str) -> int:
    async with stack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        return int((await uow.execute(text(f"SELECT count(*) FROM entrances.{table}"))).scalar_one())


async def publish_finalize_job(
    stack: RunningStack, tenant_id: uuid.UUID, entrance_id: str, patient_id: uuid.UUID, due: datetime, message_id: str,
) -> None:
    """A finalization job straight onto the work queue, as the delay queue would deliver it."""
    at = Timestamp()
    at.FromDatetime(due)
    body = entrances_pb2.FinalizeEntranceJob(entrance_id=entrance_id, patient_id=str(patient_id), finalize_after=at)
    headers = {"tenant_id": str(tenant_id), "message_id": message_id}
    await publish_event(stack.settings.broker.url, "entrances.finalize", body.SerializeToString(), message_id, headers, "")


async def purge_queue(stack: RunningStack, name: str) -> int:
    connection = await aio_pika.connect(stack.settings.broker.url)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(name, ensure=True)
        result = await queue.purge()
        return int(result.message_count)
    finally:
        await connection.close()


async def publish_workout_completed(
    stack: RunningStack, tenant_id: uuid.UUID, patient_id: uuid.UUID, completed_at: datetime, tz: str,
    exercises: int = 3, source: str = "real", workout_id: uuid.UUID | None = None, message_id: str | None = None,
) -> uuid.UUID:
    """plans.workout.completed straight onto the events exchange, shaped as plans' relay sends it."""
    from momentum.events.v1 import events_pb2

    workout_id = workout_id or uuid.uuid4()
    at = Timestamp()
    at.FromDatetime(completed_at)
    body = events_pb2.WorkoutCompleted(
        patient_id=str(patient_id), workout_id=str(workout_id), plan_id=str(uuid.uuid4()), completed_at=at,
        local_date=completed_at.astimezone(zone(tz)).date().isoformat(), timezone=tz, minutes=20,
        source=source, exercises_completed=exercises,
    )
    message_id = message_id or f"workout-completed:{workout_id}"
    headers = {"tenant_id": str(tenant_id), "message_id": message_id}
    await publish_event(stack.settings.broker.url, "plans.workout.completed", body.SerializeToString(), message_id, headers)
    return workout_id
