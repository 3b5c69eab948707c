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
from services.common.errors import InvalidInput, NotFound
from services.common.audit import audit
from services.common.identity import SERVICE_ROLE, Identity
from services.common.parsing import parse_uuid
from services.plans.care import plan_repository as plans, repository as workouts
from services.plans.care.lifecycle import emit_status_changed
from services.plans.care.plan_repository import ExerciseRow, PlanRow, PrescriptionRow
from services.common.timezones import local_date, resolve_zone_name
from services.plans.domain.plan import (
    check_dose,
    ended_on_after,
    check_exercise_count,
    check_plan_length,
    next_status,
    plan_title,
    require_prescription_editable,
)
from services.plans.domain.schedule import session_dates
from services.plans.domain.workout import Workout
from services.plans.people import assign_to_therapist, visible_patient

@dataclass(frozen=True)
class Prescription:
    exercise_id: str
    sets: int
    reps: int
    hold_seconds: int | None = None


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
        title = plan_title(title)
        check_plan_length(duration_weeks, frequency_per_week)
        now = self._clock.now()
        plan = PlanRow(uuid.uuid4(), who.tenant_id, patient_id, who.user_id, title, start_date, duration_weeks,
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
        check_exercise_count(len(prescriptions))
        ids = [parse_uuid(f"exercises[{i}].exerciseId", p.exercise_id) for i, p in enumerate(prescriptions)]
        known = {e.exercise_id: e for e in await plans.list_exercises(uow, ids)}
        rows = []
        for index, (prescription, exercise_id) in enumerate(zip(prescriptions, ids)):
            where = f"exercises[{index}]"
            if exercise_id not in known:
                raise InvalidInput(f"{where}.exerciseId", f"{exercise_id} is not in this clinic's catalogue")
            check_dose(where, prescription.sets, prescription.reps, prescription.hold_seconds)
            rows.append(PrescriptionRow(index + 1, exercise_id, prescription.sets, prescription.reps, known[exercise_id].name,
                                        prescription.hold_seconds))
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
            new_title = plan.title if title is None else plan_title(title)
            new_status = next_status(plan.status, status)
            today = local_date(now, resolve_zone_name(plan.patient_timezone, plan.clinic_timezone))
            ended_on = ended_on_after(plan.status, new_status, plan.ended_on, today, plan.start_date, plan.duration_weeks)
            await plans.update_plan(uow, plan_id, new_title, new_status, ended_on)
            if prescriptions is not None:
                require_prescription_editable(new_status)
                rows = await self._checked_prescriptions(uow, prescriptions)
                await plans.replace_prescriptions(uow, who.tenant_id, plan_id, rows)
                await plans.replace_open_exercise_logs(uow, who.tenant_id, plan_id, rows)
            if new_status != plan.status:
                await emit_status_changed(uow, plan, new_status, now, reason="therapist")
            await audit(uow, who, "plan.update", "treatment_plan", str(plan_id), now, title=new_title,
                        status=new_status, exercises_replaced=prescriptions is not None)
            await uow.commit()
        return await self.get_plan(who, plan_id)

    async def patient_workouts(self, who: Identity, patient_id: uuid.UUID) -> list[Workout]:
        who.require_role("therapist", "admin", SERVICE_ROLE)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            return await workouts.list_workouts(uow, patient_id, with_sessions=True)
