"""HTTP bodies of a patient's workouts: today's, the history, completing and skipping, exercise sessions, forms."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StrictBool, StrictInt

from services.common.parsing import WINDOW
from services.gateway.schemas.base import StrictBody


class ExerciseSessionLinkReply(BaseModel):
    sessionId: UUID = Field(description="GET /v1/exercise-sessions/{sessionId} has its reps, phases and replay")
    startedAt: AwareDatetime
    endedAt: AwareDatetime | None = Field(description="null while the session is open")
    status: Literal["open", "completed", "incomplete"]
    detectedReps: int | None = Field(description="null until finalized with pose data")


class ExerciseLogReply(BaseModel):
    exerciseId: str
    name: str
    prescribedSets: int
    prescribedReps: int
    actualSets: int | None
    actualReps: int | None
    skipped: bool
    videoWatchPercentage: float | None
    poseAccuracyScore: float | None = Field(
        description="0-100, from the latest exercise session of this exercise that detected a rep; null when none "
        "did (a session without a detected rep measures nothing and never replaces a score)"
    )
    poseAccuracySessionId: UUID | None = Field(
        default=None, description="the exercise session poseAccuracyScore comes from (GET /v1/exercise-sessions/{id})"
    )
    detectedReps: int | None = Field(
        default=None, description="reps telemetry detected, next to the reported actualReps: from the session "
        "poseAccuracySessionId names, else the latest finalized one; null without a finalized session with pose data "
        "(staff's workout history only)",
    )
    incomplete: bool | None = Field(
        default=None, description="whether that same session ended incomplete (silence, crash, ended early); "
        "null without a finalized session",
    )
    exerciseSessions: list[ExerciseSessionLinkReply] = Field(
        default_factory=list, description="every exercise session of this exercise in this workout, oldest first "
        "(staff's workout history only; empty elsewhere)",
    )


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
    exerciseId: UUID
    actualSets: StrictInt = Field(ge=0, le=100)
    actualReps: StrictInt = Field(ge=0, le=1000)
    skipped: StrictBool = False
    videoWatchPercentage: float | None = Field(default=None, ge=0, le=100)


class CompleteWorkoutBody(StrictBody):
    timeWorkoutStart: AwareDatetime = Field(description=f"ISO 8601 with an offset, {WINDOW}")
    timeWorkoutEnd: AwareDatetime = Field(description=f"ISO 8601 with an offset, {WINDOW}")
    painBefore: StrictInt = Field(ge=0, le=10)
    painAfter: StrictInt = Field(ge=0, le=10)
    perceivedDifficulty: StrictInt = Field(ge=1, le=10)
    exercises: list[ExerciseResultBody] = Field(default_factory=list, max_length=50)


class SkipWorkoutBody(StrictBody):
    reason: str = Field(default="", max_length=500)


class StartSessionBody(StrictBody):
    exerciseId: UUID


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
