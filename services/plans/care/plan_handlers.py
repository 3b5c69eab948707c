"""Use cases of the exercise catalogue and treatment plans (therapists and admins)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence
from urllib.parse import urlparse

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import InvalidInput, NotFound, RuleViolation
from services.common.audit import audit
from services.common.identity import SERVICE_ROLE, Identity
from services.common.parsing import parse_uuid
from services.plans.care import plan_repository as plans, repository as workouts
from services.plans.care.plan_repository import ExerciseRow, PlanRow, PrescriptionRow
from services.plans.domain.schedule import MAX_DURATION_WEEKS, MAX_FREQUENCY_PER_WEEK, session_dates
from services.plans.domain.workout import Workout
from services.plans.people import assign_to_therapist, visible_patient

PLAN_STATUSES = ("active", "completed", "expired", "cancelled")
# A finished plan stays finished; an expired one may be reopened when the therapist extends care.
ALLOWED_STATUS_CHANGES = {
    "active": {"completed", "expired", "cancelled"},
    "expired": {"active", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}


@dataclass(frozen=True)
class Prescription:
    exercise_id: str
    sets: int
    reps: int


class PlanHandlers:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    # ------------------------------------------------------------------ catalogue
    async def create_exercise(
        self, who: Identity, name: str, video_url: str, video_duration_seconds: float, pose_profile_json: str
    ) -> ExerciseRow:
        who.require_role("therapist", "admin")
        if not name.strip() or len(name) > 200:
            raise InvalidInput("name", "must be 1 to 200 characters")
        if video_url and urlparse(video_url).scheme not in ("http", "https"):
            raise InvalidInput("videoUrl", "must be an http(s) URL")
        if video_duration_seconds < 0:
            raise InvalidInput("videoDurationSeconds", "must not be negative")
        profile: dict[str, Any] | None = None
        if pose_profile_json:
            try:
                profile = json.loads(pose_profile_json)
            except json.JSONDecodeError as exc:
                raise InvalidInput("poseProfile", f"is not valid JSON: {exc.msg}") from exc
            if not isinstance(profile, dict):
                raise InvalidInput("poseProfile", "must be a JSON object")
        exercise = ExerciseRow(uuid.uuid4(), name.strip(), video_url or None, video_duration_seconds or None, profile)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await plans.insert_exercise(uow, who.tenant_id, exercise)
            await audit(uow, who, "exercise.create", "exercise", str(exercise.exercise_id), self._clock.now(), name=exercise.name)
            await uow.commit()
        return exercise

    async def list_exercises(self, who: Identity) -> list[ExerciseRow]:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            return await plans.list_exercises(uow)

    async def get_exercise(self, who: Identity, exercise_id: uuid.UUID) -> ExerciseRow:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            found = await plans.list_exercises(uow, [exercise_id])
        if not found:
            raise NotFound(f"exercise {exercise_id} not found")
        return found[0]

    # ------------------------------------------------------------------ plans
    async def create_plan(
        self, who: Identity, patient_id: uuid.UUID, title: str, start_date: date, duration_weeks: int,
        frequency_per_week: int, prescriptions: Sequence[Prescription],
    ) -> tuple[PlanRow, list[PrescriptionRow]]:
        who.require_role("therapist")
        if not title.strip() or len(title) > 200:
            raise InvalidInput("title", "must be 1 to 200 characters")
        if not 1 <= duration_weeks <= MAX_DURATION_WEEKS:
            raise InvalidInput("durationWeeks", f"must be between 1 and {MAX_DURATION_WEEKS}")
        if not 1 <= frequency_per_week <= MAX_FREQUENCY_PER_WEEK:
            raise InvalidInput("frequencyPerWeek", f"must be between 1 and {MAX_FREQUENCY_PER_WEEK}")
        now = self._clock.now()
        plan = PlanRow(uuid.uuid4(), who.tenant_id, patient_id, who.user_id, title.strip(), start_date, duration_weeks,
                       frequency_per_week, "active")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            rows = await self._checked_prescriptions(uow, prescriptions)
            await plans.insert_plan(uow, plan)
            await plans.replace_prescriptions(uow, who.tenant_id, plan.plan_id, rows)
            sessions = [(uuid.uuid4(), s.session_number, s.scheduled_date)
                        for s in session_dates(start_date, duration_weeks, frequency_per_week)]
            await plans.insert_scheduled_workouts(uow, who.tenant_id, plan.plan_id, patient_id, sessions, rows)
            await assign_to_therapist(uow, who.tenant_id, who.user_id, patient_id)
            await audit(uow, who, "plan.create", "treatment_plan", str(plan.plan_id), now,
                        patient_id=str(patient_id), sessions=len(sessions))
            await uow.commit()
        return await self.get_plan(who, plan.plan_id)

    async def _checked_prescriptions(self, uow, prescriptions: Sequence[Prescription]) -> list[PrescriptionRow]:  # type: ignore[no-untyped-def]
        if not prescriptions:
            raise InvalidInput("exercises", "a plan needs at least one exercise")
        if len(prescriptions) > 50:
            raise InvalidInput("exercises", "at most 50 exercises per plan")
        ids = [parse_uuid(f"exercises[{i}].exerciseId", p.exercise_id) for i, p in enumerate(prescriptions)]
        known = {e.exercise_id: e for e in await plans.list_exercises(uow, ids)}
        rows = []
        for index, (prescription, exercise_id) in enumerate(zip(prescriptions, ids)):
            where = f"exercises[{index}]"
            if exercise_id not in known:
                raise InvalidInput(f"{where}.exerciseId", f"{exercise_id} is not in this clinic's catalogue")
            if not 1 <= prescription.sets <= 50:
                raise InvalidInput(f"{where}.sets", "must be between 1 and 50")
            if not 1 <= prescription.reps <= 500:
                raise InvalidInput(f"{where}.reps", "must be between 1 and 500")
            rows.append(PrescriptionRow(index + 1, exercise_id, prescription.sets, prescription.reps, known[exercise_id].name))
        return rows

    async def get_plan(self, who: Identity, plan_id: uuid.UUID) -> tuple[PlanRow, list[PrescriptionRow]]:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            plan = await plans.get_plan(uow, plan_id)
            if plan is None or (who.role == "patient" and plan.patient_id != who.user_id):
                raise NotFound(f"treatment plan {plan_id} not found")
            return plan, await plans.prescriptions(uow, plan_id)

    async def update_plan(
        self, who: Identity, plan_id: uuid.UUID, title: str | None, status: str | None,
        prescriptions: Sequence[Prescription] | None,
    ) -> tuple[PlanRow, list[PrescriptionRow]]:
        who.require_role("therapist", "admin")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            plan = await plans.get_plan(uow, plan_id, for_update=True)
            if plan is None:
                raise NotFound(f"treatment plan {plan_id} not found")
            new_title = plan.title
            if title is not None:
                if not title.strip() or len(title) > 200:
                    raise InvalidInput("title", "must be 1 to 200 characters")
                new_title = title.strip()
            new_status = plan.status
            if status is not None and status != plan.status:
                if status not in PLAN_STATUSES:
                    raise InvalidInput("status", f"must be one of {', '.join(PLAN_STATUSES)}")
                if status not in ALLOWED_STATUS_CHANGES[plan.status]:
                    raise RuleViolation(f"a {plan.status} plan cannot become {status}")
                new_status = status
            await plans.update_plan(uow, plan_id, new_title, new_status)
            if prescriptions is not None:
                if new_status != "active":
                    raise RuleViolation(f"exercises of a {new_status} plan cannot change")
                rows = await self._checked_prescriptions(uow, prescriptions)
                await plans.replace_prescriptions(uow, who.tenant_id, plan_id, rows)
                await plans.replace_open_exercise_logs(uow, who.tenant_id, plan_id, rows)
            await audit(uow, who, "plan.update", "treatment_plan", str(plan_id), now, title=new_title,
                        status=new_status, exercises_replaced=prescriptions is not None)
            await uow.commit()
        return await self.get_plan(who, plan_id)

    async def patient_workouts(self, who: Identity, patient_id: uuid.UUID) -> list[Workout]:
        who.require_role("therapist", "admin", SERVICE_ROLE)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            return await workouts.list_workouts(uow, patient_id)
