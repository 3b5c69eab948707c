"""Helpers for streak tests: publish workout events on the real broker, read streak rows, call gRPC."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from momentum.events.v1 import events_pb2
from momentum.streaks.v1 import streaks_pb2, streaks_pb2_grpc
from services.common.identity import Identity
from services.common.service_auth import service_channel
from services.streaks.domain.replay import WorkoutRecord, replay
from services.streaks.domain.view import build_view
from tests.support.broker_probe import drain

WORKOUT_COMPLETED = "plans.workout.completed"


@dataclass(frozen=True)
class Workout:
    workout_id: uuid.UUID
    completed_at: datetime
    minutes: int
    timezone: str = "UTC"
    source: str = "real"

    def record(self) -> WorkoutRecord:
        return WorkoutRecord(self.completed_at, self.minutes, self.timezone)


def workout(completed_at: datetime, minutes: int, zone: str = "UTC", source: str = "real") -> Workout:
    return Workout(uuid.uuid4(), completed_at, minutes, zone, source)


def workout_event(patient_id: uuid.UUID, done: Workout) -> events_pb2.WorkoutCompleted:
    at = Timestamp()
    at.FromDatetime(done.completed_at)
    return events_pb2.WorkoutCompleted(
        patient_id=str(patient_id),
        workout_id=str(done.workout_id),
        plan_id=str(uuid.uuid4()),
        completed_at=at,
        local_date=done.completed_at.date().isoformat(),
        timezone=done.timezone,
        minutes=done.minutes,
        source=done.source,
        exercises_completed=3,
    )


async def publish_workout(
    stack: Any, tenant_id: uuid.UUID, patient_id: uuid.UUID, done: Workout, message_id: str | None = None,
    body: events_pb2.WorkoutCompleted | None = None,
) -> str:
    """Publishes straight to the exchange, as the plans relay would (message id as plans sets it)."""
    message_id = message_id or f"workout-completed:{done.workout_id}"
    payload = (body or workout_event(patient_id, done)).SerializeToString()
    headers = {"message_id": message_id, "tenant_id": str(tenant_id), "request_id": f"test-{message_id}"}
    await stack.runtimes["plans"].broker.publish_event(
        WORKOUT_COMPLETED, payload, message_id, headers, "momentum.events.v1.WorkoutCompleted", datetime.now(timezone.utc)
    )
    return message_id


async def streak_row(stack: Any, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> Any:
    async with stack.runtimes["streaks"].database.unit_of_work(tenant_id) as uow:
        return (
            await uow.execute(text("SELECT * FROM streaks.patient_streaks WHERE patient_id = :p"), {"p": patient_id})
        ).first()


async def projected_workouts(stack: Any, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> list[Any]:
    async with stack.runtimes["streaks"].database.unit_of_work(tenant_id) as uow:
        return (
            await uow.execute(
                text("SELECT * FROM streaks.completed_workouts WHERE patient_id = :p ORDER BY completed_at"),
                {"p": patient_id},
            )
        ).all()


async def inbox_has(stack: Any, message_id: str) -> bool:
    async with stack.runtimes["streaks"].database.unit_of_work(None) as uow:
        found = await uow.execute(
            text("SELECT 1 FROM streaks.inbox WHERE consumer = 'streaks.workout-events' AND message_id = :m"),
            {"m": message_id},
        )
        return found.first() is not None


def expected_view(history: list[Workout], now: datetime, zone: str) -> dict[str, Any]:
    """What the rules say the API must show: a replay of the history in completion order."""
    records = [done.record() for done in sorted(history, key=lambda w: w.completed_at)]
    return build_view(replay(records, now, zone), now, zone)


class StreaksGrpc:
    """The streaks service over real loopback gRPC, as the gateway calls it."""

    def __init__(self, stack: Any) -> None:
        self._channel = service_channel(stack.settings.auth.service_keys, "gateway", "streaks", stack.settings.grpc_target("streaks"))
        self.stub = streaks_pb2_grpc.StreaksServiceStub(self._channel)

    async def get(self, caller: Identity, patient_id: uuid.UUID | None = None) -> streaks_pb2.StreakView:
        request = streaks_pb2.GetStreakRequest(patient_id=str(patient_id) if patient_id else "")
        return await self.stub.GetStreak(request, metadata=caller.to_metadata(), timeout=5)

    async def rebuild(self, caller: Identity, patient_id: uuid.UUID) -> streaks_pb2.StreakView:
        request = streaks_pb2.RebuildStreakRequest(patient_id=str(patient_id))
        return await self.stub.RebuildStreak(request, metadata=caller.to_metadata(), timeout=5)

    async def __aenter__(self) -> "StreaksGrpc":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._channel.close()


async def dead_lettered(stack: Any, queue: str, wanted: set[str]) -> set[str]:
    """Takes messages off a dead-letter queue and returns which of `wanted` message ids were there."""
    return {message.message_id for message in await drain(stack.settings.broker.url, queue)} & wanted
