"""In-memory stand-ins for care's unit of work: workouts in a dict, events and audit rows in lists."""

from __future__ import annotations

import uuid
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Sequence

from google.protobuf.message import Message

from services.common.errors import NotFound
from services.common.identity import Identity
from services.plans.care.unit_of_work import CareUnitOfWork, PatientDirectory, WorkoutStore
from services.plans.domain.mirror import EntranceFacts, MadeMirror
from services.plans.domain.workout import ExerciseLog, Workout


@dataclass(frozen=True)
class OutboxEvent:
    routing_key: str
    body: Message
    tenant_id: uuid.UUID
    message_id: str | None


@dataclass(frozen=True)
class AuditRow:
    who: Identity
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, Any]


@dataclass
class Clinic:
    """What the fakes hold; only committed work lands here, as in Postgres."""

    workouts: dict[uuid.UUID, Workout] = field(default_factory=dict)
    zones: dict[uuid.UUID, str] = field(default_factory=dict)  # patient -> zone
    flags: dict[str, bool] = field(default_factory=lambda: {"appEntranceTracking": True})
    events: list[OutboxEvent] = field(default_factory=list)
    audit: list[AuditRow] = field(default_factory=list)
    commits: int = 0


class FakeWorkoutStore(WorkoutStore):
    def __init__(self, workouts: dict[uuid.UUID, Workout]) -> None:
        self._workouts = workouts

    async def get(self, workout_id: uuid.UUID, *, lock: bool = False) -> Workout | None:
        found = self._workouts.get(workout_id)
        return deepcopy(found) if found is not None else None

    async def next_open(self, patient_id: uuid.UUID, today: date) -> Workout | None:
        open_ = [w for w in self._workouts.values() if w.patient_id == patient_id and w.status == "scheduled"
                 and w.plan_status == "active" and w.scheduled_date is not None and w.scheduled_date >= today]
        return min(open_, key=lambda w: (w.scheduled_date, w.session_number), default=None)

    async def history(self, patient_id: uuid.UUID, until: date | None) -> list[Workout]:
        return [w for w in self._workouts.values() if w.patient_id == patient_id]

    async def save_completion(self, workout: Workout) -> None:
        self._workouts[workout.workout_id] = workout

    async def save_skip(self, workout: Workout, at: datetime) -> None:
        self._workouts[workout.workout_id] = workout

    def _has_real_workout_on(self, patient_id: uuid.UUID, day: date) -> bool:
        return any(w.patient_id == patient_id and w.local_date == day and w.source == "real" and w.status == "completed"
                   for w in self._workouts.values())

    async def entrance_facts(self, patient_id: uuid.UUID, entrance_id: uuid.UUID, day: date) -> EntranceFacts:
        done = [w for w in self._workouts.values() if w.patient_id == patient_id and w.source == "real" and w.completed_at]
        latest = max(done, key=lambda w: w.completed_at, default=None)  # type: ignore[arg-type, return-value]
        mirror = next((w for w in self._workouts.values() if w.entrance_id == entrance_id), None)
        return EntranceFacts(
            self._has_real_workout_on(patient_id, day), latest.workout_id if latest else None,
            MadeMirror(mirror.workout_id, mirror.completed_at, mirror.timezone) if mirror else None,  # type: ignore[arg-type]
        )

    async def add_exercise_session(
        self, session_id: uuid.UUID, workout: Workout, exercise_id: uuid.UUID, purposes: Sequence[str],
        started_at: datetime, expires_at: datetime, local_date: date,
    ) -> None:
        raise NotImplementedError("exercise sessions are proven against Postgres")

    async def add_form_response(
        self, response_id: uuid.UUID, workout: Workout, template_key: str, version: int, answers: dict[str, Any],
        at: datetime,
    ) -> bool:
        raise NotImplementedError("form responses are proven against Postgres")

    async def mirror_of_entrance(self, entrance_id: uuid.UUID) -> uuid.UUID | None:
        return next((w.workout_id for w in self._workouts.values() if w.entrance_id == entrance_id), None)

    async def add_mirror(self, mirror: Workout) -> bool:
        if await self.mirror_of_entrance(mirror.entrance_id) is not None:  # type: ignore[arg-type]
            return False
        source = self._workouts[mirror.mirrored_from_workout_id]  # type: ignore[index]
        self._workouts[mirror.workout_id] = replace(mirror, exercises=[
            replace(log, actual_sets=None, actual_reps=None, skipped=False, video_watch_percentage=None,
                    pose_accuracy_score=None)
            for log in source.exercises
        ])
        return True


class FakePatientDirectory(PatientDirectory):
    def __init__(self, zones: dict[uuid.UUID, str], flags: dict[str, bool]) -> None:
        self._zones = zones
        self._flags = flags

    async def zone(self, who: Identity, patient_id: uuid.UUID) -> str:
        await self.require_visible(who, patient_id)
        return self._zones[patient_id]

    async def require_visible(self, who: Identity, patient_id: uuid.UUID) -> None:
        if patient_id not in self._zones or (who.role == "patient" and who.user_id != patient_id):
            raise NotFound(f"patient {patient_id} not found")

    async def granted_purposes(self, patient_id: uuid.UUID) -> list[str]:
        return []

    async def clinic_flag(self, tenant_id: uuid.UUID, flag: str) -> bool:
        return self._flags.get(flag, False)


class FakeCareUnitOfWork(CareUnitOfWork):
    """Works on a copy of the clinic's workouts; commit publishes the copy, events and audit rows,
    leaving without commit throws them away (a rollback)."""

    def __init__(self, clinic: Clinic) -> None:
        self._clinic = clinic
        self._workouts = dict(clinic.workouts)
        self._events: list[OutboxEvent] = []
        self._audit: list[AuditRow] = []
        self.workouts = FakeWorkoutStore(self._workouts)
        self.patients = FakePatientDirectory(clinic.zones, clinic.flags)

    async def add_event(
        self, routing_key: str, body: Message, tenant_id: uuid.UUID, message_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> None:
        if message_id is not None and any(e.message_id == message_id for e in self._clinic.events + self._events):
            return  # the outbox ignores a repeated message id
        self._events.append(OutboxEvent(routing_key, body, tenant_id, message_id))

    async def audit(self, who: Identity, action: str, entity_type: str, entity_id: str, at: datetime, **details: Any) -> None:
        self._audit.append(AuditRow(who, action, entity_type, entity_id, details))

    async def commit(self) -> None:
        self._clinic.workouts.clear()
        self._clinic.workouts.update(self._workouts)
        self._clinic.events.extend(self._events)
        self._clinic.audit.extend(self._audit)
        self._events, self._audit = [], []
        self._clinic.commits += 1


def fake_units(clinic: Clinic):  # type: ignore[no-untyped-def]
    """What WorkoutHandlers is built with instead of a Database."""
    return lambda tenant_id: FakeCareUnitOfWork(clinic)


def scheduled_workout(
    tenant_id: uuid.UUID, patient_id: uuid.UUID, exercises: Sequence[uuid.UUID], scheduled: date,
    plan_status: str = "active",
) -> Workout:
    return Workout(
        workout_id=uuid.uuid4(), tenant_id=tenant_id, plan_id=uuid.uuid4(), patient_id=patient_id, session_number=1,
        scheduled_date=scheduled, status="scheduled", source="real", time_workout_start=None, time_workout_end=None,
        completed_at=None, local_date=None, timezone=None, pain_before=None, pain_after=None, perceived_difficulty=None,
        duration_minutes=None, exercises_completed=None, exercises_total=len(exercises), skip_reason=None,
        completed_via_app_entrance=False, mirrored_from_workout_id=None, entrance_id=None, plan_status=plan_status,
        exercises=[
            ExerciseLog(position, exercise_id, f"exercise {position}", 3, 10, None, None, False, None, None)
            for position, exercise_id in enumerate(exercises, start=1)
        ],
    )
