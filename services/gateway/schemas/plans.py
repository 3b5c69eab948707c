"""HTTP bodies of the clinical-core routes: people, consents, the exercise catalogue and treatment plans."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool, StrictInt

from services.gateway.schemas.base import DateText, InstantText, PlanStatus, StrictBody, UuidText, example
from services.gateway.schemas.pose_profile import PoseProfileBody


class CreateUserBody(StrictBody):
    model_config = example(role="patient", displayName="Ana García", timezone="Europe/Madrid")
    role: Literal["patient", "therapist", "admin"]
    displayName: str = Field(min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)


class AssignBody(StrictBody):
    model_config = example(therapistId="87531ad5-5ba5-5c72-9cea-33fa1f291f75")
    therapistId: UUID | None = Field(default=None, description="a therapist of the clinic; null or absent unassigns")


class ConsentBody(StrictBody):
    model_config = example(granted=True)
    granted: StrictBool


class ConsentReply(BaseModel):
    patientId: UuidText
    granted: dict[str, bool]
    changedAt: dict[str, InstantText]


class RtmPolicyBody(StrictBody):
    model_config = example(policy="activity_days")
    policy: Literal["activity_days", "access_days"]


class ExerciseBody(StrictBody):
    model_config = example(name="Squat", videoUrl="https://cdn.example/squat.mp4", videoDurationSeconds=45.0)
    name: str = Field(min_length=1, max_length=200)
    videoUrl: str | None = Field(default=None, max_length=2000)
    videoDurationSeconds: float | None = Field(default=None, ge=0, le=86400)
    poseProfile: PoseProfileBody | None = Field(
        default=None, description="how telemetry scores this exercise; without one it is read as a left-knee squat"
    )


class ExerciseReply(BaseModel):
    exerciseId: UuidText
    name: str
    videoUrl: str | None
    videoDurationSeconds: float | None
    poseProfile: dict | None  # type: ignore[type-arg]


class PrescribedExerciseBody(StrictBody):
    model_config = example(exerciseId="5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11", sets=3, reps=10, holdSeconds=5)
    exerciseId: UUID
    sets: StrictInt = Field(ge=1, le=50)
    reps: StrictInt = Field(ge=1, le=500)
    holdSeconds: StrictInt | None = Field(default=None, ge=1, le=600, description="seconds each rep is held; absent or null: no hold")


class CreatePlanBody(StrictBody):
    model_config = example(patientId="c773b51c-b00a-5871-bd4c-e43b55323a87", title="Knee rehab", startDate="2026-03-02", durationWeeks=6, frequencyPerWeek=3, exercises=[{"exerciseId": "5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11", "sets": 3, "reps": 10}])
    patientId: UUID
    title: str = Field(min_length=1, max_length=200)
    startDate: date = Field(description="from 2000-01-01 to a year from today")
    durationWeeks: StrictInt = Field(ge=1, le=104)
    frequencyPerWeek: StrictInt = Field(ge=1, le=14)
    exercises: list[PrescribedExerciseBody] = Field(min_length=1, max_length=50)


class UpdatePlanBody(StrictBody):
    model_config = example(status="completed")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    status: Literal["active", "completed", "expired", "cancelled"] | None = None
    exercises: list[PrescribedExerciseBody] | None = Field(default=None, min_length=1, max_length=50)


class PrescribedExerciseReply(BaseModel):
    exerciseId: UuidText
    name: str
    position: int
    sets: int
    reps: int
    holdSeconds: int | None = Field(description="seconds each rep is held; null: no hold prescribed")


class PlanReply(BaseModel):
    planId: UuidText
    patientId: UuidText
    therapistId: UuidText
    title: str
    startDate: DateText
    durationWeeks: int
    frequencyPerWeek: int
    status: PlanStatus
    sessionsPlanned: int
    sessionsCompleted: int
    exercises: list[PrescribedExerciseReply]
