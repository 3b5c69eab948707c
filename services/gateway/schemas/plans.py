"""HTTP bodies of the clinical-core routes: people, consents, the exercise catalogue and treatment plans."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool, StrictInt

from services.gateway.schemas.base import StrictBody
from services.gateway.schemas.pose_profile import PoseProfileBody


class CreateUserBody(StrictBody):
    role: Literal["patient", "therapist", "admin"]
    displayName: str = Field(min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)


class AssignBody(StrictBody):
    therapistId: UUID | None = Field(default=None, description="a therapist of the clinic; null or absent unassigns")


class ConsentBody(StrictBody):
    granted: StrictBool


class ConsentReply(BaseModel):
    patientId: str
    granted: dict[str, bool]
    changedAt: dict[str, str]


class RtmPolicyBody(StrictBody):
    policy: Literal["activity_days", "access_days"]


class ExerciseBody(StrictBody):
    name: str = Field(min_length=1, max_length=200)
    videoUrl: str | None = Field(default=None, max_length=2000)
    videoDurationSeconds: float | None = Field(default=None, ge=0, le=86400)
    poseProfile: PoseProfileBody | None = Field(
        default=None, description="how telemetry scores this exercise; without one it is read as a left-knee squat"
    )


class ExerciseReply(BaseModel):
    exerciseId: str
    name: str
    videoUrl: str | None
    videoDurationSeconds: float | None
    poseProfile: dict | None  # type: ignore[type-arg]


class PrescribedExerciseBody(StrictBody):
    exerciseId: UUID
    sets: StrictInt = Field(ge=1, le=50)
    reps: StrictInt = Field(ge=1, le=500)


class CreatePlanBody(StrictBody):
    patientId: UUID
    title: str = Field(min_length=1, max_length=200)
    startDate: date = Field(description="from 2000-01-01 to a year from today")
    durationWeeks: StrictInt = Field(ge=1, le=104)
    frequencyPerWeek: StrictInt = Field(ge=1, le=14)
    exercises: list[PrescribedExerciseBody] = Field(min_length=1, max_length=50)


class UpdatePlanBody(StrictBody):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    status: Literal["active", "completed", "expired", "cancelled"] | None = None
    exercises: list[PrescribedExerciseBody] | None = Field(default=None, min_length=1, max_length=50)


class PrescribedExerciseReply(BaseModel):
    exerciseId: str
    name: str
    position: int
    sets: int
    reps: int


class PlanReply(BaseModel):
    planId: str
    patientId: str
    therapistId: str
    title: str
    startDate: str
    durationWeeks: int
    frequencyPerWeek: int
    status: str
    sessionsPlanned: int
    sessionsCompleted: int
    exercises: list[PrescribedExerciseReply]
