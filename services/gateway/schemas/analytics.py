"""HTTP bodies of patient progress, specialist analytics and the clinic dashboard."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.gateway.schemas.base import DateText, InstantText, PlanStatus, UuidText

PainTrend = Literal["improving", "plateau", "declining", "insufficient_data"]


class SessionPainReply(BaseModel):
    sessionNumber: int
    localDate: DateText
    painBefore: int | None
    painAfter: int | None


class PlanWeekReply(BaseModel):
    weekNumber: int = Field(description="1-based plan week: 7-day blocks from the plan's start date")
    start: str
    end: str
    sessionsDone: int
    sessionsPlanned: int = Field(description="the plan's sessions per week")


class ProgressReply(BaseModel):
    planId: UuidText
    patientId: UuidText
    title: str
    status: PlanStatus
    startDate: DateText
    endDate: DateText
    localDate: DateText = Field(description="the patient's today, in their timezone")
    timezone: str
    sessionsCompleted: int
    sessionsPlanned: int
    completionPercent: float | None
    painTrend: list[SessionPainReply]
    thisWeek: PlanWeekReply | None = Field(description="null when today is outside the plan's dates")
    currentDailyStreak: int | None = Field(description="from the streaks service; null when it could not answer")
    streakAvailable: bool
    streakUnavailableReason: str | None = Field(
        description="why currentDailyStreak is null (the gRPC status of the streaks call), else null"
    )


class ExercisePerformanceReply(BaseModel):
    exerciseId: UuidText
    name: str
    sessionsDone: int
    sessionsPrescribed: int = Field(description="completed sessions that prescribed this exercise")
    skipped: int
    averageVideoWatchPercent: float | None
    averagePoseAccuracy: float | None


class PainEvolutionReply(BaseModel):
    before: list[float]
    after: list[float]
    beforeChangePercent: float | None = Field(description="signed change first to last; negative means less pain")
    afterChangePercent: float | None
    trend: PainTrend
    sessions: list[SessionPainReply]


class WeekAdherenceReply(BaseModel):
    weekNumber: int
    start: str
    end: str
    completed: int
    expected: int
    adherencePercent: float | None


class PlanAnalyticsReply(BaseModel):
    planId: UuidText
    patientId: UuidText
    patientName: str
    title: str
    status: PlanStatus
    startDate: DateText
    endDate: DateText
    asOf: str = Field(description="expectations count the plan days before this local date")
    sessionsPlanned: int
    sessionsCompleted: int
    sessionsExpected: int
    adherencePercent: float | None = Field(description="completed / expected, capped at 100; null when nothing is due yet")
    averageSessionMinutes: float | None
    averageVideoWatchPercent: float | None
    exercises: list[ExercisePerformanceReply]
    painEvolution: PainEvolutionReply
    weeklyAdherence: list[WeekAdherenceReply]
    trend: PainTrend = Field(description="from the pain-after series; insufficient_data below three reports")


class PainImprovementReply(BaseModel):
    plansCounted: int
    beforePoints: float | None = Field(description="average first-minus-last pain before a session; positive is better")
    beforePercent: float | None
    afterPoints: float | None
    afterPercent: float | None


class ActiveAdherenceReply(BaseModel):
    activePlans: int
    plansWithExpectation: int
    sessionsCompleted: int
    sessionsExpected: int
    averageAdherencePercent: float | None


class ExerciseUsageReply(BaseModel):
    exerciseId: UuidText
    name: str
    plansPrescribed: int = Field(description="plans of the clinic that prescribe it, all time")
    sessionsPrescribed: int = Field(description="completed sessions of the last 90 days that prescribed it")
    sessionsDone: int = Field(description="of those, the sessions where it was not skipped")
    completionPercent: float | None
    averagePoseAccuracy: float | None
    averageVideoWatchPercent: float | None


class TopExercisesReply(BaseModel):
    mostPrescribed: list[ExerciseUsageReply]
    bestPerformance: list[ExerciseUsageReply] = Field(
        description="highest share done (not skipped) over the last 90 days, then pose accuracy; at least 3 sessions"
    )
    worstPerformance: list[ExerciseUsageReply]


class PlanOutcomesReply(BaseModel):
    active: int
    completed: int
    expired: int
    cancelled: int
    completedPercent: float | None
    expiredPercent: float | None
    cancelledPercent: float | None


class DashboardReply(BaseModel):
    generatedAt: InstantText
    painImprovement: PainImprovementReply
    activeAdherence: ActiveAdherenceReply
    topExercises: TopExercisesReply
    planOutcomes: PlanOutcomesReply
