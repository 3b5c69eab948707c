"""HTTP bodies of the clinic roster, the patient summary, a patient's plans and the billing worklist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.gateway.schemas.base import BillingStatus, PlanStatus, RtmCode, StrictBody, example
from services.gateway.schemas.billing import BillingRecordReply

RosterPlanStatus = Literal["active", "completed", "expired", "cancelled", "none"]
RtmStatus = Literal["none", "projected", "ready", "billed"]
AlertKind = Literal["pain_rising", "no_activity", "adherence_falling"]
RosterSort = Literal["name", "-name", "lastActivity", "-lastActivity", "adherence", "-adherence"]


class RosterPlanReply(BaseModel):
    planId: UUID
    title: str
    status: PlanStatus
    startDate: date
    endDate: date
    frequencyPerWeek: int
    sessionsCompleted: int
    sessionsPlanned: int


class TherapistRef(BaseModel):
    therapistId: UUID
    displayName: str


class RtmPeriodReply(BaseModel):
    status: RtmStatus = Field(description="the data-days record of the patient's current 30-day window; none without one")
    periodStart: date | None
    periodEnd: date | None
    dataDays: int = Field(description="days with data in that window")
    minutes: int = Field(description="therapist management minutes logged this calendar month")


class RosterAlertReply(BaseModel):
    kind: AlertKind = Field(
        description="pain_rising: pain after the last 3 sessions never fell and ended higher; no_activity: an active plan "
                    "and no session for 7 days; adherence_falling: 7-day adherence 25 points or more under 30-day"
    )
    detail: str


class RosterRowReply(BaseModel):
    patientId: UUID
    displayName: str
    timezone: str = Field(description="the patient's zone, else the clinic's")
    localDate: date = Field(description="the patient's today, which the figures run up to")
    therapist: TherapistRef | None
    currentPlan: RosterPlanReply | None = Field(description="the active plan, else the latest; null without any")
    adherence7d: float | None = Field(description="percent of the sessions the active plan expected over the last 7 days")
    adherence30d: float | None
    lastActivityAt: datetime | None = Field(description="when the last session was completed")
    currentDailyStreak: int | None = Field(description="null when the streaks service did not answer in time")
    rtm: RtmPeriodReply
    alerts: list[RosterAlertReply]


class RosterReply(BaseModel):
    patients: list[RosterRowReply]
    nextCursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")
    streakAvailable: bool


class PatientSummaryReply(RosterRowReply):
    streakAvailable: bool


class PatientPlansReply(BaseModel):
    plans: list[RosterPlanReply]


class WorklistCodeReply(BaseModel):
    code: RtmCode
    units: int


class TypedBillingRecordReply(BillingRecordReply):
    """A billing record with its ids, dates and enums typed in the document."""

    recordId: UUID  # type: ignore[assignment]
    patientId: UUID  # type: ignore[assignment]
    track: Literal["data_days", "management_time"]  # type: ignore[assignment]
    status: BillingStatus  # type: ignore[assignment]
    codes: list[WorklistCodeReply]  # type: ignore[assignment]
    periodStart: date  # type: ignore[assignment]
    periodEnd: date  # type: ignore[assignment]


class WorklistRecordReply(TypedBillingRecordReply):
    patientName: str
    therapistId: UUID | None


class WorklistReply(BaseModel):
    records: list[WorklistRecordReply]
    nextCursor: str | None


class MarkBilledBody(StrictBody):
    model_config = example(recordIds=["3f1c2b9e-8d4a-4e6f-9b1a-7c2d5e8f0a13"])
    recordIds: list[UUID] = Field(min_length=1, max_length=500)


class MarkBilledReply(BaseModel):
    records: list[TypedBillingRecordReply]
