"""HTTP bodies of a patient's workouts: today's, the history, completing and skipping, exercise sessions, forms."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StrictBool, StrictInt

from services.common.parsing import WINDOW
from services.gateway.schemas.base import DateText, InstantText, StrictBody, UuidText, WorkoutStatus, example


class ExerciseSessionLinkReply(BaseModel):
    sessionId: UUID = Field(description="GET /v1/exercise-sessions/{sessionId} has its reps, phases and replay")
    startedAt: AwareDatetime
    endedAt: AwareDatetime | None = Field(description="null while the session is open")
    status: Literal["open", "completed", "incomplete"]
    detectedReps: int | None = Field(description="null until finalized with pose data")


class ExerciseLogReply(BaseModel):
    exerciseId: UuidText
    name: str
    prescribedSets: int
    prescribedReps: int
    prescribedHoldSeconds: int | None = Field(
        default=None, description="seconds each rep is held (a wall sit, a plank); null: no hold prescribed, or not "
        "recorded for a session done before holds were kept per session"
    )
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
    workoutId: UuidText
    planId: UuidText
    patientId: UuidText
    sessionNumber: int
    scheduledDate: DateText | None
    status: WorkoutStatus
    source: str
    timeWorkoutStart: str | None
    timeWorkoutEnd: str | None
    completedAt: InstantText | None
    localDate: DateText | None
    timezone: str | None
    painBefore: int | None
    painAfter: int | None
    perceivedDifficulty: int | None
    durationMinutes: int | None
    exercisesCompleted: int
    exercisesTotal: int
    completedViaAppEntrance: bool
    mirroredFromWorkoutId: UuidText | None
    skipReason: str | None
    exercises: list[ExerciseLogReply]


class WorkoutListReply(BaseModel):
    workouts: list[WorkoutReply]


class TodayReply(BaseModel):
    localDate: DateText
    workout: WorkoutReply | None


class ExerciseResultBody(StrictBody):
    model_config = example(exerciseId="5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11", actualSets=3, actualReps=10, skipped=False, videoWatchPercentage=100.0)
    exerciseId: UUID
    actualSets: StrictInt = Field(ge=0, le=100)
    actualReps: StrictInt = Field(ge=0, le=1000)
    skipped: StrictBool = False
    videoWatchPercentage: float | None = Field(default=None, ge=0, le=100)


class CompleteWorkoutBody(StrictBody):
    model_config = example(timeWorkoutStart="2026-03-02T09:00:00+01:00", timeWorkoutEnd="2026-03-02T09:25:00+01:00", painBefore=5, painAfter=3, perceivedDifficulty=6, exercises=[{"exerciseId": "5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11", "actualSets": 3, "actualReps": 10}])
    timeWorkoutStart: AwareDatetime = Field(description=f"ISO 8601 with an offset, {WINDOW}")
    timeWorkoutEnd: AwareDatetime = Field(description=f"ISO 8601 with an offset, {WINDOW}")
    painBefore: StrictInt = Field(ge=0, le=10)
    painAfter: StrictInt = Field(ge=0, le=10)
    perceivedDifficulty: StrictInt = Field(ge=1, le=10)
    exercises: list[ExerciseResultBody] = Field(default_factory=list, max_length=50)


class SkipWorkoutBody(StrictBody):
    model_config = example(reason="knee swollen today")
    reason: str = Field(default="", max_length=500)


class StartSessionBody(StrictBody):
    model_config = example(exerciseId="5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11")
    exerciseId: UUID


class SessionGrantReply(BaseModel):
    sessionId: UuidText
    token: str
    expiresAt: InstantText
    purposes: list[str]


class FormResponseBody(StrictBody):
    model_config = example(templateKey="post_session", templateVersion=1, answers={"felt": "better"})
    templateKey: str = Field(min_length=1, max_length=64)
    # int32 on the wire to plans: a larger number must be a 422 here, not a failed proto build (500).
    templateVersion: StrictInt = Field(ge=1, le=2_147_483_647)
    answers: dict  # type: ignore[type-arg]


class FormResponseReply(BaseModel):
    responseId: UuidText
    workoutId: UuidText
    templateKey: str
    templateVersion: int
    answers: dict  # type: ignore[type-arg]
    submittedAt: InstantText
