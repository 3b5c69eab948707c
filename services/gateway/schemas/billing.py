"""HTTP bodies of RTM billing: therapist time entries, billing records and the engagement board."""

from __future__ import annotations

from typing import Literal

from datetime import date

from pydantic import BaseModel, Field, StrictBool, StrictInt

from services.gateway.schemas.base import BillingStatus, DateText, InstantText, RtmCode, StrictBody, UuidText, example


class TimeEntryBody(StrictBody):
    model_config = example(minutes=20, activityType="data_review", interactive=False, occurredOn="2026-03-02", note="reviewed the week's pain trend")
    minutes: StrictInt = Field(ge=1, le=1440)
    activityType: str = Field(
        min_length=1, max_length=64,
        description="data_review | patient_communication | care_plan_update | care_coordination | documentation | other",
    )
    interactive: StrictBool = Field(description="a real-time call with the patient or caregiver")
    occurredOn: date = Field(description="the day the time was spent: from 2000-01-01 to the patient's today")
    note: str | None = Field(default=None, max_length=1000)


class TimeEntryReply(BaseModel):
    entryId: UuidText
    patientId: UuidText
    therapistId: UuidText
    minutes: int
    activityType: str
    interactive: bool
    occurredOn: str
    note: str | None
    createdAt: InstantText


class TimeEntryListReply(BaseModel):
    entries: list[TimeEntryReply]


class CodeUnitsReply(BaseModel):
    code: RtmCode
    units: int


class CountedDayReply(BaseModel):
    localDate: DateText
    recordIds: list[str] = Field(description='"<kind>:<id>" of each source record behind the day')


class BillingRecordReply(BaseModel):
    recordId: UuidText
    patientId: UuidText
    track: str = Field(description="data_days (30-day windows) | management_time (calendar months)")
    periodStart: str
    periodEnd: str
    codes: list[CodeUnitsReply]
    status: BillingStatus = Field(description="projected | ready | billed")
    quantity: int = Field(description="data days, or minutes")
    evidence: list[CountedDayReply]
    billedAt: InstantText | None
    billedBy: str | None
    conflict: str | None = Field(description="a billed record recalculation disagrees with: codes_changed | period_withdrawn")
    updatedAt: InstantText


class BillingRecordListReply(BaseModel):
    records: list[BillingRecordReply]


class PatientEngagementReply(BaseModel):
    patientId: UuidText
    displayName: str
    status: Literal["never_logged_in", "needs_engagement", "on_track"] = Field(description="never_logged_in | needs_engagement | on_track")
    daysRemaining: int
    daysNeeded: int
    dataDays: int
    windowIndex: int | None
    windowStart: str | None
    windowEnd: str | None
    localDate: DateText


class ProgressBoardReply(BaseModel):
    patients: list[PatientEngagementReply]
