"""HTTP bodies of the clinical-core routes (plans, workouts, people, consents, catalogue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from services.gateway.schemas import StrictBody


class CreateUserBody(StrictBody):
    role: Literal["patient", "therapist", "admin"]
    displayName: str = Field(min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)


class AssignBody(StrictBody):
    therapistId: str | None = None


class UserReply(BaseModel):
    userId: str
    tenantId: str
    role: str
    displayName: str
    timezone: str | None
    effectiveTimezone: str


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
    poseProfile: dict | None = None  # type: ignore[type-arg]


class ExerciseReply(BaseModel):
    exerciseId: str
    name: str
    videoUrl: str | None
    videoDurationSeconds: float | None
    poseProfile: dict | None  # type: ignore[type-arg]


class PrescribedExerciseBody(StrictBody):
    exerciseId: str
    sets: StrictInt = Field(ge=1, le=50)
    reps: StrictInt = Field(ge=1, le=500)


class CreatePlanBody(StrictBody):
    patientId: str
    title: str = Field(min_length=1, max_length=200)
    startDate: date
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


class ExerciseLogReply(BaseModel):
    exerciseId: str
    name: str
    prescribedSets: int
    prescribedReps: int
    actualSets: int | None
    actualReps: int | None
    skipped: bool
    videoWatchPercentage: float | None
    poseAccuracyScore: float | None


class WorkoutReply(BaseModel):
    workoutId: str
    planId: str
    patientId: str
    sessionNumber: int
    scheduledDate: str | None
    status: str
    source: str
    timeWorkoutStart: str | None
    timeWorkoutEnd: str | None
    completedAt: str | None
    localDate: str | None
    timezone: str | None
    painBefore: int | None
    painAfter: int | None
    perceivedDifficulty: int | None
    durationMinutes: int | None
    exercisesCompleted: int
    exercisesTotal: int
    completedViaAppEntrance: bool
    mirroredFromWorkoutId: str | None
    skipReason: str | None
    exercises: list[ExerciseLogReply]


class WorkoutListReply(BaseModel):
    workouts: list[WorkoutReply]


class TodayReply(BaseModel):
    localDate: str
    workout: WorkoutReply | None


class ExerciseResultBody(StrictBody):
    exerciseId: str
    actualSets: StrictInt = Field(ge=0, le=100)
    actualReps: StrictInt = Field(ge=0, le=1000)
    skipped: StrictBool = False
    videoWatchPercentage: float | None = Field(default=None, ge=0, le=100)


class CompleteWorkoutBody(StrictBody):
    timeWorkoutStart: datetime
    timeWorkoutEnd: datetime
    painBefore: StrictInt = Field(ge=0, le=10)
    painAfter: StrictInt = Field(ge=0, le=10)
    perceivedDifficulty: StrictInt = Field(ge=1, le=10)
    exercises: list[ExerciseResultBody] = Field(default_factory=list, max_length=50)


class SkipWorkoutBody(StrictBody):
    reason: str = Field(default="", max_length=500)


class StartSessionBody(StrictBody):
    exerciseId: str


class SessionGrantReply(BaseModel):
    sessionId: str
    token: str
    expiresAt: str
    purposes: list[str]


class FormResponseBody(StrictBody):
    templateKey: str = Field(min_length=1, max_length=64)
    # int32 on the wire to plans: a larger number must be a 422 here, not a failed proto build (500).
    templateVersion: StrictInt = Field(ge=1, le=2_147_483_647)
    answers: dict  # type: ignore[type-arg]


class FormResponseReply(BaseModel):
    responseId: str
    workoutId: str
    templateKey: str
    templateVersion: int
    answers: dict  # type: ignore[type-arg]
    submittedAt: str


class PatientListReply(BaseModel):
    patients: list[UserReply]
