"""Use cases of a patient's workouts: today's, history, completion, skipping, exercise sessions, forms,
and what other services ask about workouts."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from momentum.events.v1 import events_pb2
from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import Conflict, InvalidInput, NotFound, RuleViolation
from services.common.identity import Identity
from services.common.parsing import to_timestamp
from services.common.session_token import SessionClaims, issue_session_token
from services.common.settings import AuthSettings
from services.common.timezones import local_date
from services.plans.care import repository as workouts
from services.plans.care.repository import WorkoutRow
from services.plans.domain.completion import Completion, require_active_plan, validate_completion
from services.plans.domain.forms import validate_answers
from services.plans.people import granted_purposes, patient_zone, visible_patient

WORKOUT_COMPLETED = "plans.workout.completed"


def completed_event_id(workout_id: uuid.UUID) -> str:
    # Deterministic: a retried completion can never enqueue a second event.
    return f"workout-completed:{workout_id}"


async def visible_workout(uow: UnitOfWork, who: Identity, workout_id: uuid.UUID, lock: bool = False) -> WorkoutRow:
    """The workout, if the caller may see it: a patient only their own; otherwise NotFound."""
    workout = await workouts.get_workout(uow, workout_id, for_update=lock)
    if workout is None or (who.role == "patient" and workout.patient_id != who.user_id):
        raise NotFound(f"workout {workout_id} not found")
    return workout


async def emit_completed(uow: UnitOfWork, workout: WorkoutRow) -> None:
    """plans.workout.completed for a real or a mirror workout, in the transaction that completed it."""
    assert workout.completed_at is not None and workout.local_date is not None
    await uow.add_event(
        WORKOUT_COMPLETED,
        events_pb2.WorkoutCompleted(
            patient_id=str(workout.patient_id),
            workout_id=str(workout.workout_id),
            plan_id=str(workout.plan_id),
            completed_at=to_timestamp(workout.completed_at),
            local_date=workout.local_date.isoformat(),
            timezone=workout.timezone or "UTC",
            minutes=workout.duration_minutes or 0,
            source=workout.source,
            exercises_completed=workout.exercises_completed or 0,
            mirrored_from_workout_id=str(workout.mirrored_from_workout_id or ""),
            entrance_id=str(workout.entrance_id or ""),
        ),
        tenant_id=workout.tenant_id,
        message_id=completed_event_id(workout.workout_id),
        occurred_at=workout.completed_at,
    )


class WorkoutHandlers:
    def __init__(self, database: Database, clock: Clock, auth: AuthSettings) -> None:
        self._db = database
        self._clock = clock
        self._auth = auth

    # ------------------------------------------------------------------ patient reads
    async def today(self, who: Identity) -> tuple[date, WorkoutRow | None]:
        who.require_role("patient")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            zone = await patient_zone(uow, who, who.user_id)
            today = local_date(self._clock.now(), zone)
            return today, await workouts.next_workout(uow, who.user_id, today)

    async def my_workouts(self, who: Identity, past_only: bool) -> list[WorkoutRow]:
        who.require_role("patient")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            zone = await patient_zone(uow, who, who.user_id)
            until = local_date(self._clock.now(), zone) if past_only else None
            return await workouts.list_workouts(uow, who.user_id, until=until)

    # ------------------------------------------------------------------ completion
    async def complete(self, who: Identity, workout_id: uuid.UUID, completion: Completion) -> WorkoutRow:
        who.require_role("patient")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id, lock=True)
            if workout.status == "completed":
                return workout  # idempotent: same result, no second event
            if workout.status == "skipped":
                raise RuleViolation(f"workout {workout_id} was skipped and cannot be completed")
            require_active_plan(workout.plan_status)
            validate_completion(completion, now, {str(log.exercise_id) for log in workout.exercises})
            zone = await patient_zone(uow, who, workout.patient_id)
            results = {r.exercise_id: r for r in completion.exercises}
            logs = []
            for log in workout.exercises:
                result = results.get(str(log.exercise_id))
                if result is None:
                    logs.append(replace(log, skipped=True, actual_sets=0, actual_reps=0))
                else:
                    logs.append(replace(log, actual_sets=result.actual_sets, actual_reps=result.actual_reps,
                                        skipped=result.skipped, video_watch_percentage=result.video_watch_percentage))
            done = replace(
                workout,
                status="completed",
                time_workout_start=completion.started_at,
                time_workout_end=completion.ended_at,
                completed_at=completion.ended_at,
                local_date=local_date(completion.ended_at, zone),
                timezone=zone,
                pain_before=completion.pain_before,
                pain_after=completion.pain_after,
                perceived_difficulty=completion.perceived_difficulty,
                duration_minutes=completion.minutes,
                exercises_completed=sum(1 for log in logs if not log.skipped),
                exercises=logs,
            )
            await workouts.record_completion(uow, done)
            await emit_completed(uow, done)
            await audit(uow, who, "workout.complete", "workout", str(workout_id), now,
                        local_date=str(done.local_date), minutes=done.duration_minutes)
            await uow.commit()
        return done

    async def skip(self, who: Identity, workout_id: uuid.UUID, reason: str) -> WorkoutRow:
        who.require_role("patient")
        if len(reason) > 500:
            raise InvalidInput("reason", "at most 500 characters")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id, lock=True)
            if workout.status == "skipped":
                return workout
            if workout.status == "completed":
                raise RuleViolation(f"workout {workout_id} is already completed")
            require_active_plan(workout.plan_status)
            await workouts.record_skip(uow, workout_id, now, reason)
            await audit(uow, who, "workout.skip", "workout", str(workout_id), now, reason=reason)
            await uow.commit()
        return replace(workout, status="skipped", skip_reason=reason)

    # ------------------------------------------------------------------ exercise sessions and forms
    async def start_session(self, who: Identity, workout_id: uuid.UUID, exercise_id: uuid.UUID) -> tuple[uuid.UUID, str, datetime, list[str]]:
        who.require_role("patient")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id)
            require_active_plan(workout.plan_status)
            if exercise_id not in {log.exercise_id for log in workout.exercises}:
                raise InvalidInput("exerciseId", f"{exercise_id} is not part of workout {workout_id}")
            zone = await patient_zone(uow, who, who.user_id)
            purposes = await granted_purposes(uow, who.user_id)
            session_id = uuid.uuid4()
            expires = now + self._auth.telemetry_token_ttl
            await workouts.insert_exercise_session(
                uow, who.tenant_id, session_id, workout_id, exercise_id, who.user_id, purposes, now, expires,
                local_date(now, zone),
            )
            await audit(uow, who, "exercise_session.start", "exercise_session", str(session_id), now,
                        workout_id=str(workout_id), exercise_id=str(exercise_id), purposes=purposes)
            await uow.commit()
        claims = SessionClaims(
            tenant_id=str(who.tenant_id), patient_id=str(who.user_id), session_id=str(session_id),
            workout_id=str(workout_id), purposes=tuple(purposes), issued_at=int(now.timestamp()),
            expires_at=int(expires.timestamp()), exercise_id=str(exercise_id),
        )
        token = issue_session_token(self._auth.telemetry_token_keys, self._auth.telemetry_token_active_key, claims)
        return session_id, token, expires, purposes

    async def submit_form(self, who: Identity, workout_id: uuid.UUID, template_key: str, version: int, answers_json: str) -> dict[str, Any]:
        who.require_role("patient")
        try:
            answers = json.loads(answers_json)
        except json.JSONDecodeError as exc:
            raise InvalidInput("answers", f"is not valid JSON: {exc.msg}") from exc
        answers = validate_answers(template_key, version, answers)
        now = self._clock.now()
        response_id = uuid.uuid4()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id)
            if workout.status != "completed":
                raise RuleViolation("a post-session form belongs to a completed workout")
            created = await workouts.insert_form_response(
                uow, who.tenant_id, response_id, workout_id, who.user_id, template_key, version, answers, now
            )
            if not created:
                raise Conflict(f"form {template_key!r} was already submitted for workout {workout_id}")
            await audit(uow, who, "form_response.submit", "workout", str(workout_id), now, template=template_key, version=version)
            await uow.commit()
        return {"response_id": str(response_id), "submitted_at": now, "answers": answers}

    # ------------------------------------------------------------------ for other services
    async def has_real_workout_on(self, who: Identity, patient_id: uuid.UUID, day: date) -> bool:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            return await workouts.has_real_workout_on(uow, patient_id, day)

    async def latest_real_workout(self, who: Identity, patient_id: uuid.UUID) -> tuple[uuid.UUID, datetime] | None:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            return await workouts.latest_real_workout(uow, patient_id)
