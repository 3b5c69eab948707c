"""Clinics full of patients with plans, built through plans' own handlers (there is no HTTP route for
creating a clinic), for fault tests and load runs that then act only through the gateway."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any

from services.common.clock import SystemClock
from services.common.db import Database, create_engine
from services.common.identity import Identity
from services.common.settings import Settings
from services.plans.domain.completion import Completion, ExerciseResult
from services.plans.people.handlers import PeopleHandlers
from services.plans.care.plan_handlers import PlanHandlers, Prescription
from services.plans.care.handlers import WorkoutHandlers
from tests.support.clinic import Clinic, new_clinic

ZONES = ("Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "America/St_Johns", "Asia/Kathmandu")


@dataclass
class SeededPatient:
    clinic: Clinic
    index: int
    # Scheduled workouts not yet done, oldest session first: (workout_id, exercise ids).
    open_workouts: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def patient_id(self) -> uuid.UUID:
        return self.clinic.patient_ids[self.index]

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.clinic.tenant_id

    def headers(self) -> dict[str, str]:
        return self.clinic.as_patient(self.index)

    def next_workout(self) -> tuple[str, list[str]] | None:
        return self.open_workouts.pop(0) if self.open_workouts else None


def session_batches(seconds: int) -> list[bytes]:
    """The pose batches one exercise session posts, a second each (3-second squats, tracking noise)."""
    from services.telemetry.domain.pose_profile import SQUAT_LEFT
    from services.telemetry.simulator import one_second_batches, synthetic_reps

    reps = max(1, math.ceil((seconds - 2) / 3.0))
    landmarks, timestamps = synthetic_reps(
        SQUAT_LEFT, reps, 70.0, 3.0, fps=30, noise_degrees=2.0, low_visibility_ratio=0.02, seed=7,
        secondary_deviation_degrees=6.0,
    )
    return one_second_batches(landmarks, timestamps, 30)[:seconds]


def completion_body(exercise_ids: list[str], ended_at: datetime | None = None, minutes: int = 20) -> dict[str, Any]:
    """The body of POST /v2/workouts/{id}/complete for a workout whose exercises were all done."""
    ended_at = ended_at or datetime.now(timezone.utc)
    return {
        "timeWorkoutStart": (ended_at - timedelta(minutes=minutes)).isoformat(),
        "timeWorkoutEnd": ended_at.isoformat(),
        "painBefore": 4,
        "painAfter": 3,
        "perceivedDifficulty": 5,
        "exercises": [{"exerciseId": e, "actualSets": 3, "actualReps": 10, "skipped": False} for e in exercise_ids],
    }


class Population:
    """plans' handlers over a small pool of the plans role, as the `momentum` CLI uses them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(create_engine(settings.database.app_url("plans"), 4), "plans")
        clock = SystemClock()
        self.people = PeopleHandlers(self.database, clock)
        self.plans = PlanHandlers(self.database, clock)
        self.workouts = WorkoutHandlers(self.database, clock, settings.auth)

    async def close(self) -> None:
        await self.database.dispose()

    async def clinic(
        self, patients: int, flags: dict[str, bool] | None = None, plan_weeks: int = 0, per_week: int = 7,
        earlier_workout_days_ago: int | None = None, patient_timezone: str | None = "UTC",
        pose_profile_json: str = "", consents: tuple[str, ...] = (),
    ) -> list[SeededPatient]:
        """A clinic, its patients, and (plan_weeks > 0) a plan each that started `earlier_workout_days_ago`
        or 7 days ago; with earlier_workout_days_ago, one real workout completed that day (a mirror source).
        `pose_profile_json` goes on the first exercise; `consents` are granted by the clinic admin."""
        clinic = await new_clinic(self.people, self.settings, patients=patients, flags=flags,
                                  patient_timezone=patient_timezone)
        seeded = [SeededPatient(clinic, i) for i in range(patients)]
        admin = Identity(clinic.tenant_id, clinic.admin_id, "admin", f"seed-{uuid.uuid4().hex[:8]}")
        for patient in seeded:
            for purpose in consents:
                await self.people.set_consent(admin, patient.patient_id, purpose, True)
        if plan_weeks <= 0:
            return seeded
        therapist = Identity(clinic.tenant_id, clinic.therapist_id, "therapist", f"seed-{uuid.uuid4().hex[:8]}")
        exercises = [
            await self.plans.create_exercise(therapist, "Sit-to-stand", "", 0, pose_profile_json),
            await self.plans.create_exercise(therapist, "Heel slide", "", 0, ""),
        ]
        today = datetime.now(timezone.utc).date()
        start = today - timedelta(days=earlier_workout_days_ago or 7)
        for patient in seeded:
            await self.plans.create_plan(
                therapist, patient.patient_id, "Knee rehabilitation", start, plan_weeks, per_week,
                [Prescription(str(e.exercise_id), 3, 10) for e in exercises],
            )
            who = Identity(clinic.tenant_id, patient.patient_id, "patient", f"seed-{uuid.uuid4().hex[:8]}")
            scheduled = sorted(
                (w for w in await self.workouts.my_workouts(who, past_only=False) if w.status == "scheduled"),
                key=lambda w: w.session_number,
            )
            if earlier_workout_days_ago is not None:
                first, scheduled = scheduled[0], scheduled[1:]
                day = today - timedelta(days=earlier_workout_days_ago)
                ended = datetime.combine(day, time(12), tzinfo=timezone.utc)
                await self.workouts.complete(who, first.workout_id, Completion(
                    started_at=ended - timedelta(minutes=20), ended_at=ended, pain_before=4, pain_after=3,
                    perceived_difficulty=5,
                    exercises=tuple(ExerciseResult(str(log.exercise_id), 3, 10, False, None) for log in first.exercises),
                ))
            patient.open_workouts = [(str(w.workout_id), [str(log.exercise_id) for log in w.exercises]) for w in scheduled]
        return seeded
