"""The boundary care's workout handlers stand on: one transaction with its workouts, the patients they
belong to, the outbox and the audit trail. Postgres behind it in the service; fakes in unit tests.

The catalogue and plan handlers (`plan_handlers.py`) stay on the repository functions: they are
straight writes whose proof is the SQL itself, so integration tests cover them."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import Any, Callable, Sequence

from google.protobuf.message import Message

from services.common.audit import audit
from services.common.db import Database, UnitOfWork
from services.common.identity import Identity
from services.plans import people
from services.plans.care import mirror_repository, repository
from services.plans.domain.mirror import EntranceFacts
from services.plans.domain.workout import Workout


class WorkoutStore(ABC):
    """The patient's workouts as care's handlers load and save them."""

    @abstractmethod
    async def get(self, workout_id: uuid.UUID, *, lock: bool = False) -> Workout | None: ...

    @abstractmethod
    async def next_open(self, patient_id: uuid.UUID, today: date) -> Workout | None:
        """Today's session of an active plan, else the earliest still-open one from today on."""

    @abstractmethod
    async def history(self, patient_id: uuid.UUID, until: date | None) -> list[Workout]:
        """Newest first; with `until`, only those done, skipped or scheduled before that day."""

    @abstractmethod
    async def save_completion(self, workout: Workout) -> None: ...

    @abstractmethod
    async def save_skip(self, workout: Workout, at: datetime) -> None: ...

    @abstractmethod
    async def add_exercise_session(
        self, session_id: uuid.UUID, workout: Workout, exercise_id: uuid.UUID, purposes: Sequence[str],
        started_at: datetime, expires_at: datetime, local_date: date,
    ) -> None: ...

    @abstractmethod
    async def add_form_response(
        self, response_id: uuid.UUID, workout: Workout, template_key: str, version: int, answers: dict[str, Any],
        at: datetime,
    ) -> bool:
        """False when the workout already has a response to this template."""

    @abstractmethod
    async def mirror_of_entrance(self, entrance_id: uuid.UUID) -> uuid.UUID | None: ...

    @abstractmethod
    async def entrance_facts(self, patient_id: uuid.UUID, entrance_id: uuid.UUID, day: date) -> EntranceFacts:
        """What finalizing an entrance depends on in the workouts, as one read (the clinic flag comes from people)."""

    @abstractmethod
    async def add_mirror(self, mirror: Workout) -> bool:
        """Adds the mirror with its source's exercise logs unless the entrance has one; True if this call did."""


class PatientDirectory(ABC):
    """What care needs to know about the patients (owned by people)."""

    @abstractmethod
    async def zone(self, who: Identity, patient_id: uuid.UUID) -> str:
        """The zone the patient's days are counted in; NotFound if the caller may not see the patient."""

    @abstractmethod
    async def require_visible(self, who: Identity, patient_id: uuid.UUID) -> None: ...

    @abstractmethod
    async def granted_purposes(self, patient_id: uuid.UUID) -> list[str]: ...

    @abstractmethod
    async def clinic_flag(self, tenant_id: uuid.UUID, flag: str) -> bool: ...


class CareUnitOfWork(ABC):
    """One transaction: rolled back unless committed; events and the audit row commit with the change."""

    workouts: WorkoutStore
    patients: PatientDirectory

    async def __aenter__(self) -> "CareUnitOfWork":
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return None

    @abstractmethod
    async def add_event(
        self, routing_key: str, body: Message, tenant_id: uuid.UUID, message_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> None: ...

    @abstractmethod
    async def audit(self, who: Identity, action: str, entity_type: str, entity_id: str, at: datetime, **details: Any) -> None: ...

    @abstractmethod
    async def commit(self) -> None: ...


# A unit of work for a clinic: what the handlers are built with.
CareUnits = Callable[[uuid.UUID], CareUnitOfWork]


# ------------------------------------------------------------------ Postgres
class SqlWorkoutStore(WorkoutStore):
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def get(self, workout_id: uuid.UUID, *, lock: bool = False) -> Workout | None:
        return await repository.get_workout(self._uow, workout_id, for_update=lock)

    async def next_open(self, patient_id: uuid.UUID, today: date) -> Workout | None:
        return await repository.next_workout(self._uow, patient_id, today)

    async def history(self, patient_id: uuid.UUID, until: date | None) -> list[Workout]:
        return await repository.list_workouts(self._uow, patient_id, until=until)

    async def save_completion(self, workout: Workout) -> None:
        await repository.record_completion(self._uow, workout)

    async def save_skip(self, workout: Workout, at: datetime) -> None:
        await repository.record_skip(self._uow, workout.workout_id, at, workout.skip_reason or "")

    async def add_exercise_session(
        self, session_id: uuid.UUID, workout: Workout, exercise_id: uuid.UUID, purposes: Sequence[str],
        started_at: datetime, expires_at: datetime, local_date: date,
    ) -> None:
        await repository.insert_exercise_session(
            self._uow, workout.tenant_id, session_id, workout.workout_id, exercise_id, workout.patient_id, purposes,
            started_at, expires_at, local_date,
        )

    async def add_form_response(
        self, response_id: uuid.UUID, workout: Workout, template_key: str, version: int, answers: dict[str, Any],
        at: datetime,
    ) -> bool:
        return await repository.insert_form_response(
            self._uow, workout.tenant_id, response_id, workout.workout_id, workout.patient_id, template_key, version,
            answers, at,
        )

    async def mirror_of_entrance(self, entrance_id: uuid.UUID) -> uuid.UUID | None:
        return await mirror_repository.workout_id_for_entrance(self._uow, entrance_id)

    async def entrance_facts(self, patient_id: uuid.UUID, entrance_id: uuid.UUID, day: date) -> EntranceFacts:
        return await mirror_repository.entrance_facts(self._uow, patient_id, entrance_id, day)

    async def add_mirror(self, mirror: Workout) -> bool:
        if not await mirror_repository.insert_mirror(self._uow, mirror):
            return False
        assert mirror.mirrored_from_workout_id is not None
        await mirror_repository.copy_exercise_logs(self._uow, mirror.tenant_id, mirror.mirrored_from_workout_id, mirror.workout_id)
        return True


class SqlPatientDirectory(PatientDirectory):
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def zone(self, who: Identity, patient_id: uuid.UUID) -> str:
        return await people.patient_zone(self._uow, who, patient_id)

    async def require_visible(self, who: Identity, patient_id: uuid.UUID) -> None:
        await people.visible_patient(self._uow, who, patient_id)

    async def granted_purposes(self, patient_id: uuid.UUID) -> list[str]:
        return await people.granted_purposes(self._uow, patient_id)

    async def clinic_flag(self, tenant_id: uuid.UUID, flag: str) -> bool:
        return await people.clinic_flag(self._uow, tenant_id, flag)


class SqlCareUnitOfWork(CareUnitOfWork):
    def __init__(self, database: Database, tenant_id: uuid.UUID) -> None:
        self._uow = database.unit_of_work(tenant_id)
        self.workouts = SqlWorkoutStore(self._uow)
        self.patients = SqlPatientDirectory(self._uow)

    async def __aenter__(self) -> "SqlCareUnitOfWork":
        await self._uow.__aenter__()
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        await self._uow.__aexit__(exc_type, exc, tb)

    async def add_event(
        self, routing_key: str, body: Message, tenant_id: uuid.UUID, message_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> None:
        await self._uow.add_event(routing_key, body, tenant_id=tenant_id, message_id=message_id, occurred_at=occurred_at)

    async def audit(self, who: Identity, action: str, entity_type: str, entity_id: str, at: datetime, **details: Any) -> None:
        await audit(self._uow, who, action, entity_type, entity_id, at, **details)

    async def commit(self) -> None:
        await self._uow.commit()


def sql_units(database: Database) -> CareUnits:
    return lambda tenant_id: SqlCareUnitOfWork(database, tenant_id)
