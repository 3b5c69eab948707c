"""Use cases of a patient's workouts: today's, history, completion, skipping, exercise sessions, forms,
and what other services ask about workouts. Each loads through a CareUnitOfWork, lets the domain
decide, saves, emits and audits in the same transaction."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from momentum.events.v1 import events_pb2
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.identity import Identity
from services.common.parsing import to_timestamp
from services.common.session_token import SessionClaims, issue_session_token
from services.common.settings import AuthSettings
from services.common.timezones import local_date
from services.plans.care.unit_of_work import CareUnitOfWork, CareUnits, sql_units
from services.plans.domain.completion import Completion, complete_workout
from services.plans.domain.forms import validate_answers
from services.plans.domain.workout import (
    Workout,
    require_active_plan,
    require_completed,
    require_prescribed,
    skip_workout,
)
from services.plans.metrics import COMPLETIONS

WORKOUT_COMPLETED = "plans.workout.completed"
MAX_SKIP_REASON = 500


def completed_event_id(workout_id: uuid.UUID) -> str:
    # Deterministic: a retried completion can never enqueue a second event.
    return f"workout-completed:{workout_id}"


async def visible_workout(uow: CareUnitOfWork, who: Identity, workout_id: uuid.UUID, lock: bool = False) -> Workout:
    """The workout, if the caller may see it: a patient only their own; otherwise NotFound."""
    workout = await uow.workouts.get(workout_id, lock=lock)
    if workout is None or (who.role == "patient" and workout.patient_id != who.user_id):
        raise NotFound(f"workout {workout_id} not found")
    return workout


async def emit_completed(uow: CareUnitOfWork, workout: Workout) -> None:
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
    def __init__(self, database: Database | CareUnits, clock: Clock, auth: AuthSettings) -> None:
        """`database` is where the transactions come from: the service's Database (Postgres), or any
        factory of CareUnitOfWork per clinic (the fakes of the unit tests)."""
        self._units = sql_units(database) if isinstance(database, Database) else database
        self._clock = clock
        self._auth = auth

    # ------------------------------------------------------------------ patient reads
    async def today(self, who: Identity) -> tuple[date, Workout | None]:
        who.require_role("patient")
        async with self._units(who.tenant_id) as uow:
            today = local_date(self._clock.now(), await uow.patients.zone(who, who.user_id))
            return today, await uow.workouts.next_open(who.user_id, today)

    async def my_workouts(self, who: Identity, past_only: bool) -> list[Workout]:
        who.require_role("patient")
        async with self._units(who.tenant_id) as uow:
            zone = await uow.patients.zone(who, who.user_id)
            until = local_date(self._clock.now(), zone) if past_only else None
            return await uow.workouts.history(who.user_id, until)

    # ------------------------------------------------------------------ completion
    async def complete(self, who: Identity, workout_id: uuid.UUID, completion: Completion) -> Workout:
        who.require_role("patient")
        now = self._clock.now()
        async with self._units(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id, lock=True)
            zone = await uow.patients.zone(who, workout.patient_id)
            done = complete_workout(workout, completion, now, zone)
            if done is None:
                return workout  # idempotent: same result, no second event
            await uow.workouts.save_completion(done)
            await emit_completed(uow, done)
            await uow.audit(who, "workout.complete", "workout", str(workout_id), now,
                            local_date=str(done.local_date), minutes=done.duration_minutes)
            await uow.commit()
        COMPLETIONS.inc()
        return done

    async def skip(self, who: Identity, workout_id: uuid.UUID, reason: str) -> Workout:
        who.require_role("patient")
        if len(reason) > MAX_SKIP_REASON:
            raise InvalidInput("reason", f"at most {MAX_SKIP_REASON} characters")
        now = self._clock.now()
        async with self._units(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id, lock=True)
            skipped = skip_workout(workout, reason)
            if skipped is None:
                return workout
            await uow.workouts.save_skip(skipped, now)
            await uow.audit(who, "workout.skip", "workout", str(workout_id), now, reason=reason)
            await uow.commit()
        return skipped

    # ------------------------------------------------------------------ exercise sessions and forms
    async def start_session(self, who: Identity, workout_id: uuid.UUID, exercise_id: uuid.UUID) -> tuple[uuid.UUID, str, datetime, list[str]]:
        who.require_role("patient")
        now = self._clock.now()
        async with self._units(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id)
            require_active_plan(workout.plan_status)
            require_prescribed(workout, exercise_id)
            zone = await uow.patients.zone(who, who.user_id)
            purposes = await uow.patients.granted_purposes(who.user_id)
            session_id = uuid.uuid4()
            expires = now + self._auth.telemetry_token_ttl
            await uow.workouts.add_exercise_session(session_id, workout, exercise_id, purposes, now, expires, local_date(now, zone))
            await uow.audit(who, "exercise_session.start", "exercise_session", str(session_id), now,
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
        async with self._units(who.tenant_id) as uow:
            workout = await visible_workout(uow, who, workout_id)
            require_completed(workout)
            if not await uow.workouts.add_form_response(response_id, workout, template_key, version, answers, now):
                raise Conflict(f"form {template_key!r} was already submitted for workout {workout_id}")
            await uow.audit(who, "form_response.submit", "workout", str(workout_id), now, template=template_key, version=version)
            await uow.commit()
        return {"response_id": str(response_id), "submitted_at": now, "answers": answers}
