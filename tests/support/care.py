"""Sets up care through the HTTP API as a therapist would: an exercise catalogue and a treatment plan."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

from tests.support.clinic import Clinic


async def create_exercises(http: httpx.AsyncClient, clinic: Clinic, names: tuple[str, ...] = ("Squat", "Bridge")) -> list[dict[str, Any]]:
    created = []
    for name in names:
        reply = await http.post(
            "/v1/exercises",
            json={"name": name, "videoUrl": f"https://video.example/{name.lower()}.mp4", "videoDurationSeconds": 60},
            headers=clinic.as_therapist(),
        )
        assert reply.status_code == 201, reply.text
        created.append(reply.json())
    return created


async def create_plan(
    http: httpx.AsyncClient, clinic: Clinic, patient_index: int = 0, start: date | None = None,
    weeks: int = 4, per_week: int = 3, exercises: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    exercises = exercises or await create_exercises(http, clinic)
    reply = await http.post(
        "/v1/patient-treatment-plans",
        json={
            "patientId": str(clinic.patient_ids[patient_index]),
            "title": "Knee rehab",
            "startDate": (start or datetime.now(timezone.utc).date() - timedelta(days=7)).isoformat(),
            "durationWeeks": weeks,
            "frequencyPerWeek": per_week,
            "exercises": [{"exerciseId": e["exerciseId"], "sets": 3, "reps": 10} for e in exercises],
        },
        headers=clinic.as_therapist(),
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


async def patient_workouts(http: httpx.AsyncClient, clinic: Clinic, patient_index: int = 0) -> list[dict[str, Any]]:
    reply = await http.get("/v2/workouts?past=false", headers=clinic.as_patient(patient_index))
    assert reply.status_code == 200, reply.text
    return sorted(reply.json()["workouts"], key=lambda w: w["sessionNumber"])


def completion(workout: dict[str, Any], ended: datetime | None = None, minutes: int = 30, **overrides: Any) -> dict[str, Any]:
    ended = ended or datetime.now(timezone.utc) - timedelta(minutes=1)
    body = {
        "timeWorkoutStart": (ended - timedelta(minutes=minutes)).isoformat(),
        "timeWorkoutEnd": ended.isoformat(),
        "painBefore": 6,
        "painAfter": 4,
        "perceivedDifficulty": 5,
        "exercises": [
            {"exerciseId": e["exerciseId"], "actualSets": 3, "actualReps": 10, "videoWatchPercentage": 90.0}
            for e in workout["exercises"]
        ],
    }
    body.update(overrides)
    return body
