"""Demo data: a clinic, its people, a catalogue, plans and a few weeks of history, through the real handlers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable
from datetime import datetime, time, timedelta, timezone

from services.common.clock import Clock
from services.common.identity import Identity
from services.common.timezones import zone
from services.plans.domain.completion import Completion, ExerciseResult
from services.plans.care.handlers import WorkoutHandlers
from services.plans.care.plan_handlers import PlanHandlers, Prescription
from services.plans.people.handlers import PeopleHandlers

DEMO = uuid.uuid5(uuid.NAMESPACE_URL, "https://momentum.example/demo")


def demo_id(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO, name)


TENANT = demo_id("clinic")
ADMIN = demo_id("admin")
THERAPIST = demo_id("therapist")
PATIENTS = (("Ana Ruiz", "Europe/Madrid"), ("Ben Carter", "America/New_York"), ("Chen Wei", "Asia/Kolkata"))
KNEE_PROFILE = {
    "primary_joint": [23, 25, 27], "secondary_joint": [11, 23, 25], "target_rom_degrees": [60, 170],
    "flexed_threshold_degrees": 110, "extended_threshold_degrees": 150, "min_rep_seconds": 0.8,
}


@dataclass(frozen=True)
class DemoClinic:
    tenant_id: uuid.UUID
    admin_id: uuid.UUID
    therapist_id: uuid.UUID
    patient_ids: tuple[uuid.UUID, ...]
    created: bool


async def seed_demo(
    people: PeopleHandlers, plans: PlanHandlers, workouts: WorkoutHandlers, clock: Clock,
    on_patient: Callable[[int, int], None] | None = None,
) -> DemoClinic:
    """Seeds the demo clinic once; `on_patient(done, total)` follows the patients seeded (a progress bar)."""
    patient_ids = tuple(demo_id(f"patient-{i}") for i in range(len(PATIENTS)))
    admin = Identity(TENANT, ADMIN, "admin", "seed-demo")
    try:
        await people.get_me(admin)
        return DemoClinic(TENANT, ADMIN, THERAPIST, patient_ids, created=False)
    except Exception:  # not seeded yet
        pass
    await people.create_tenant(TENANT, "Momentum Demo Clinic", "Europe/Madrid", {"appEntranceTracking": True, "rtmBilling": True})
    await people.create_user(TENANT, ADMIN, "admin", "Dana Admin")
    await people.create_user(TENANT, THERAPIST, "therapist", "Dr. Elena Park")
    therapist = Identity(TENANT, THERAPIST, "therapist", "seed-demo")
    catalogue = [
        await plans.create_exercise(therapist, "Sit-to-stand", "https://video.example/sit-to-stand.mp4", 90, _json(KNEE_PROFILE)),
        await plans.create_exercise(therapist, "Glute bridge", "https://video.example/bridge.mp4", 75, ""),
        await plans.create_exercise(therapist, "Heel slide", "https://video.example/heel-slide.mp4", 60, ""),
    ]
    now = clock.now()
    for index, ((name, zone_name), patient_id) in enumerate(zip(PATIENTS, patient_ids)):
        await people.create_user(TENANT, patient_id, "patient", name, zone_name)
        for purpose in ("analytics", "biometric"):
            await people.set_consent(admin, patient_id, purpose, True)
        local_today = now.astimezone(zone(zone_name)).date()
        plan, _ = await plans.create_plan(
            therapist, patient_id, "Knee rehabilitation", local_today - timedelta(weeks=3), 8, 3,
            [Prescription(str(e.exercise_id), 3, 10 + 2 * i) for i, e in enumerate(catalogue)],
        )
        patient = Identity(TENANT, patient_id, "patient", "seed-demo")
        history = [w for w in await workouts.my_workouts(patient, past_only=True) if w.status == "scheduled"]
        for number, workout in enumerate(sorted(history, key=lambda w: w.session_number)):
            if (number + index) % 5 == 4:
                await workouts.skip(patient, workout.workout_id, "felt unwell")
                continue
            ended = datetime.combine(workout.scheduled_date, time(18, 30), tzinfo=zone(zone_name)).astimezone(timezone.utc)
            if ended > now:
                continue
            pain = max(1, 7 - number // 2 - index)
            await workouts.complete(patient, workout.workout_id, Completion(
                started_at=ended - timedelta(minutes=25 + 5 * index), ended_at=ended,
                pain_before=pain, pain_after=max(0, pain - 1), perceived_difficulty=5,
                exercises=tuple(ExerciseResult(str(log.exercise_id), 3, log.prescribed_reps, False, 80.0 + 5 * index)
                                for log in workout.exercises),
            ))
        if on_patient is not None:
            on_patient(index + 1, len(PATIENTS))
    return DemoClinic(TENANT, ADMIN, THERAPIST, patient_ids, created=True)


def _json(value: object) -> str:
    import json

    return json.dumps(value)
