"""HTTP bodies of staff reads of exercise sessions: a patient's sessions, and one session's reps, totals and video."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.gateway.schemas.video_quality import VideoQualityReply

SessionStatus = Literal["completed", "incomplete"]
IncompleteReason = Literal["silence_timeout", "instance_crash", "ended_early"]


class RepReply(BaseModel):
    repNumber: int = Field(ge=1)
    startMs: int = Field(description="ms since the session started")
    endMs: int
    peakRomDegrees: float = Field(description="range of motion reached: starting angle - deepest angle")
    minimumAngleDegrees: float | None = Field(
        description="the joint angle at the rep's deepest point (a squat's smallest knee angle; for a movement "
        "whose working end is the high angle, such as an abduction, its largest); null for sessions scored "
        "before it was kept"
    )
    formScore: float = Field(ge=0, le=100)
    eccentricMs: int = Field(description="time moving into the rep (start to the first frame of the hold)")
    holdMs: int = Field(description="time held at the deepest point")
    concentricMs: int = Field(description="time coming back (last frame of the hold to the end)")
    maxDeviationDegrees: float | None = Field(
        description="largest deviation of the secondary joint from the patient's own neutral posture; null when "
        "the profile has no secondary joint or it was never visible during the rep"
    )


class SessionTotalsReply(BaseModel):
    averageFormScore: float | None = Field(description="mean form score of the reps; null when no rep was detected")
    activeDurationMs: int = Field(description="sum of rep durations (pauses between reps excluded)")
    poseAccuracyScore: float | None = Field(
        description="0-100, the form score without its tempo part averaged over reps; null when no rep was detected"
    )
    frameCount: int
    framesLowVisibility: int


class ReplayInfo(BaseModel):
    available: bool
    url: str | None = Field(description="the route that signs a short-lived URL to the landmark stream; null without frames")


class ExerciseSessionSummaryReply(BaseModel):
    sessionId: UUID
    patientId: UUID
    workoutId: UUID | None
    exerciseId: UUID | None
    startedAt: datetime
    endedAt: datetime
    status: SessionStatus = Field(description="completed: the app ended it; incomplete: it was cut short")
    incompleteReason: IncompleteReason | None = Field(
        description="silence_timeout: no data for the silence timeout; instance_crash: the telemetry instance "
        "holding it died; ended_early: telemetry stopped before the app ended it; null when completed"
    )
    detectedRepCount: int = Field(description="reps telemetry detected in the pose stream (not those reported)")
    totals: SessionTotalsReply
    replay: ReplayInfo


class ExerciseSessionReply(ExerciseSessionSummaryReply):
    reps: list[RepReply]
    videoQuality: list[VideoQualityReply] = Field(description="each playback of this exercise's video in the session")


class ExerciseSessionPageReply(BaseModel):
    sessions: list[ExerciseSessionSummaryReply] = Field(description="newest first")
    nextCursor: str | None = Field(description="pass as cursor for the next page; null on the last page")
