"""HTTP bodies of daily activity: app opens and closes, a patient's days with their streak run, and XP awards."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field, StrictInt, StrictStr

from momentum.entrances.v1 import entrances_pb2
from services.gateway.schemas.base import DateText, InstantText, StrictBody, UuidText, example, instant_or_none


class DailyActivityReply(BaseModel):
    date: DateText
    timezone: str
    firstAppOpenedAt: InstantText | None
    lastAppOpenedAt: InstantText | None
    lastAppClosedAt: InstantText | None
    appOpensCount: int
    appClosesCount: int
    workoutsCompleted: int
    exercisesCompleted: int
    xpEarned: int
    isStreakDay: bool
    dailyXpGoal: int
    dailyExercisesGoal: int
    metGoal: bool

    @classmethod
    def of(cls, day: entrances_pb2.DailyActivity) -> "DailyActivityReply":
        return cls(
            date=day.local_date, timezone=day.timezone,
            firstAppOpenedAt=instant_or_none(day, "first_app_opened_at"), lastAppOpenedAt=instant_or_none(day, "last_app_opened_at"),
            lastAppClosedAt=instant_or_none(day, "last_app_closed_at"),
            appOpensCount=day.app_opens_count, appClosesCount=day.app_closes_count,
            workoutsCompleted=day.workouts_completed, exercisesCompleted=day.exercises_completed,
            xpEarned=day.xp_earned, isStreakDay=day.is_streak_day,
            dailyXpGoal=day.daily_xp_goal, dailyExercisesGoal=day.daily_exercises_goal, metGoal=day.met_goal,
        )


class DailyActivityRangeReply(BaseModel):
    patientId: UuidText
    today: str = Field(description="the patient's local date the streak run is counted from")
    currentStreakDays: int = Field(description="consecutive streak days ending today (or yesterday while today is open)")
    days: list[DailyActivityReply]


class XpAwardBody(StrictBody):
    model_config = example(patientId="c773b51c-b00a-5871-bd4c-e43b55323a87", amount=20, reason="extra home exercises", idempotencyKey="award-2026-03-02-1")
    patientId: UUID
    # StrictInt: 10.0, "10" and true are refused, not coerced; the cap is checked by the service.
    amount: StrictInt = Field(ge=1, le=2_147_483_647, examples=[20])
    reason: StrictStr = Field(min_length=1, max_length=200, examples=["extra home exercises"])
    source: StrictStr | None = Field(
        None, min_length=1, max_length=64, examples=["therapist"], description="defaults to the caller's role"
    )
    idempotencyKey: StrictStr = Field(min_length=1, max_length=128, description="the same key never awards twice")


class XpAwardView(BaseModel):
    awardId: UuidText
    patientId: UuidText
    amount: int
    reason: str
    source: str
    idempotencyKey: str
    awardedAt: InstantText | None
    localDate: DateText

    @classmethod
    def of(cls, award: entrances_pb2.XpAward) -> "XpAwardView":
        return cls(
            awardId=award.award_id, patientId=award.patient_id, amount=award.amount, reason=award.reason,
            source=award.source, idempotencyKey=award.idempotency_key, awardedAt=instant_or_none(award, "awarded_at"),
            localDate=award.local_date,
        )


class XpAwardReply(BaseModel):
    created: bool = Field(description="false: the key was used before; this is the stored award")
    award: XpAwardView
    goalBonus: XpAwardView | None
    day: DailyActivityReply
