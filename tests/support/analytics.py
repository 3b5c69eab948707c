"""Hand-built histories for analytics and billing tests: plans, completions at chosen instants,
mirrors, entrance and exercise-session events, all through plans' own handlers or the broker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Sequence

from google.protobuf.timestamp_pb2 import Timestamp

from momentum.events.v1 import events_pb2
from services.common.identity import Identity, service_identity
from services.plans.domain.completion import Completion, ExerciseResult
from services.plans.care.plan_handlers import Prescription
from tests.support.broker_probe import publish_event
from tests.support.clinic import Clinic
from tests.support.stack import RunningStack


def therapist(clinic: Clinic) -> Identity:
    return Identity(clinic.tenant_id, clinic.therapist_id, "therapist", f"test-{uuid.uuid4().hex[:8]}")


def admin(clinic: Clinic) -> Identity:
    return Identity(clinic.tenant_id, clinic.admin_id, "admin", f"test-{uuid.uuid4().hex[:8]}")


def patient(clinic: Clinic, index: int = 0) -> Identity:
    return Identity(clinic.tenant_id, clinic.patient_ids[index], "patient", f"test-{uuid.uuid4().hex[:8]}")


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def last_day_past_noon() -> date:
    """The latest day whose noon (UTC) has passed: a test that acts at noon of it never acts in the future, and
    at noon of the day after never more than 24 h ahead, whatever the hour it runs at."""
    return (datetime.now(timezone.utc) - timedelta(hours=12)).date()


@dataclass
class Care:
    plan_id: uuid.UUID
    exercises: dict[str, uuid.UUID]  # name -> exercise id
    workouts: list[Any]  # WorkoutRow, in session order


async def exercises(stack: RunningStack, clinic: Clinic, names: Sequence[str]) -> dict[str, uuid.UUID]:
    plans = stack.runtimes["plans"].components.plans
    return {name: (await plans.create_exercise(therapist(clinic), name, "", 60, "")).exercise_id for name in names}


async def give_plan(
    stack: RunningStack, clinic: Clinic, index: int, start: date, weeks: int, per_week: int,
    catalogue: dict[str, uuid.UUID], names: Sequence[str] | None = None,
) -> Care:
    plans = stack.runtimes["plans"].components.plans
    chosen = list(names or catalogue)
    plan, _ = await plans.create_plan(
        therapist(clinic), clinic.patient_ids[index], "Knee rehabilitation", start, weeks, per_week,
        [Prescription(str(catalogue[name]), 3, 10) for name in chosen],
    )
    workouts = await stack.runtimes["plans"].components.workouts.my_workouts(patient(clinic, index), past_only=False)
    mine = sorted((w for w in workouts if w.plan_id == plan.plan_id), key=lambda w: w.session_number)
    return Care(plan.plan_id, {name: catalogue[name] for name in chosen}, mine)


async def complete(
    stack: RunningStack, clinic: Clinic, index: int, workout: Any, ended_at: datetime, *, minutes: int = 30,
    pain: tuple[int, int] = (6, 4), watch: dict[uuid.UUID, float | None] | None = None,
    skipped: Sequence[uuid.UUID] = (),
) -> Any:
    """Completes a workout ending at `ended_at`; `watch` gives each exercise's video %, `skipped` the skipped ones."""
    watch = watch or {}
    results = tuple(
        ExerciseResult(str(log.exercise_id), 0 if log.exercise_id in skipped else 3, 0 if log.exercise_id in skipped else 10,
                       log.exercise_id in skipped, watch.get(log.exercise_id))
        for log in workout.exercises
    )
    return await stack.runtimes["plans"].components.workouts.complete(
        patient(clinic, index), workout.workout_id,
        Completion(ended_at - timedelta(minutes=minutes), ended_at, pain[0], pain[1], 5, results),
    )


async def complete_on_days(stack: RunningStack, clinic: Clinic, index: int, care: Care, days: Sequence[date]) -> list[Any]:
    """One real workout completed at noon UTC on each day (the next scheduled ones, in session order)."""
    pending = [w for w in care.workouts if w.status == "scheduled"]
    done = []
    for workout, day in zip(pending, days, strict=False):
        done.append(await complete(stack, clinic, index, workout, noon(day)))
        workout.status = "completed"
    assert len(done) == len(days), "the plan has fewer open sessions than days asked for"
    return done


async def mirror(stack: RunningStack, clinic: Clinic, index: int, source_workout_id: uuid.UUID, day: date) -> Any:
    """An inferred workout for an app entrance on `day`, created as the entrances finalizer does."""
    return await stack.runtimes["plans"].components.mirrors.create_mirror(
        service_identity(clinic.tenant_id), uuid.uuid4(), source_workout_id, day, clinic.patient_ids[index], "UTC"
    )


async def publish(stack: RunningStack, tenant_id: uuid.UUID, routing_key: str, body: Any, message_id: str) -> None:
    headers = {"tenant_id": str(tenant_id), "message_id": message_id}
    await publish_event(stack.settings.broker.url, routing_key, body.SerializeToString(), message_id, headers)


def _ts(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


async def publish_entrance(stack: RunningStack, clinic: Clinic, index: int, day: date, status: str = "SKIPPED_NO_SOURCE_WORKOUT") -> uuid.UUID:
    """entrances.entrance.finalized as the entrances service emits it."""
    entrance_id = uuid.uuid4()
    body = events_pb2.EntranceFinalized(
        entrance_id=str(entrance_id), patient_id=str(clinic.patient_ids[index]), local_date=day.isoformat(),
        status=status, finalized_at=_ts(noon(day)),
    )
    await publish(stack, clinic.tenant_id, "entrances.entrance.finalized", body, f"entrance-finalized:{entrance_id}")
    return entrance_id


async def finalize_session(
    stack: RunningStack, clinic: Clinic, index: int, workout_id: uuid.UUID, exercise_id: uuid.UUID,
    pose_accuracy: float | None = None, watched_percent: float | None = None,
) -> uuid.UUID:
    """Opens an exercise session through plans and publishes telemetry's finalization of it."""
    session_id, _, _, _ = await stack.runtimes["plans"].components.workouts.start_session(
        patient(clinic, index), workout_id, exercise_id
    )
    now = datetime.now(timezone.utc)
    body = events_pb2.ExerciseSessionFinalized(
        session_id=str(session_id), patient_id=str(clinic.patient_ids[index]), workout_id=str(workout_id),
        exercise_id=str(exercise_id), incomplete=False, started_at=_ts(now - timedelta(minutes=5)), ended_at=_ts(now),
    )
    if pose_accuracy is not None:
        body.pose.CopyFrom(events_pb2.PoseSessionSummary(
            rep_count=10, average_form_score=pose_accuracy, active_duration_ms=60000, pose_accuracy_score=pose_accuracy,
            frames_total=300, frames_low_visibility=0,
        ))
    if watched_percent is not None:
        body.media.append(events_pb2.MediaSessionSummary(
            media_session_id=uuid.uuid4().hex, watched_seconds=30.0, completion_percentage=watched_percent,
        ))
    await publish(stack, clinic.tenant_id, "telemetry.session.finalized", body, f"session-finalized:{session_id}")
    return session_id


async def recalculate(stack: RunningStack, clinic: Clinic, index: int, clock: Any = None) -> Any:
    """Recomputes one patient's RTM records now, as the consumer and the CLI do."""
    from services.common.clock import SystemClock
    from services.plans.billing.handlers import recalculate_patient

    database = stack.runtimes["plans"].database
    async with database.unit_of_work(clinic.tenant_id) as uow:
        outcome = await recalculate_patient(uow, clock or SystemClock(), clinic.tenant_id, clinic.patient_ids[index])
        await uow.commit()
    return outcome


async def billing_records(http: Any, clinic: Clinic, index: int, track: str | None = None) -> list[dict[str, Any]]:
    reply = await http.get(f"/v1/patients/{clinic.patient_ids[index]}/billing", headers=clinic.as_therapist())
    assert reply.status_code == 200, reply.text
    return [r for r in reply.json()["records"] if track is None or r["track"] == track]


def codes(record: dict[str, Any]) -> list[str]:
    """'98980', '98981x2' — a record's codes, compactly."""
    return [c["code"] if c["units"] == 1 else f"{c['code']}x{c['units']}" for c in record["codes"]]


async def billing_consumer_saw(stack: RunningStack, workout_ids: Sequence[uuid.UUID]) -> None:
    """Waits until plans.billing-events has handled the completion events of these workouts."""
    from sqlalchemy import text

    from tests.support.waiting import eventually

    wanted = [f"workout-completed:{w}" for w in workout_ids]

    async def handled() -> int:
        async with stack.runtimes["plans"].database.unit_of_work(None) as uow:
            return int((await uow.execute(
                text("SELECT count(*) FROM plans.inbox WHERE consumer = 'plans.billing-events' AND message_id = ANY(:ids)"),
                {"ids": wanted},
            )).scalar_one())

    await eventually(handled, lambda n: n == len(wanted))
