"""Request and response bodies of app entrances, daily activity and XP (pydantic)."""

from __future__ import annotations

from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, Field, StrictInt, StrictStr

from momentum.entrances.v1 import entrances_pb2
from services.gateway.schemas import StrictBody


def iso(message: object, field: str) -> str | None:
    """A Timestamp field as ISO 8601 UTC with Z, or None when unset."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToJsonString()


class NoBody(StrictBody):
    """The apps may send `{}` or nothing; any field is a client bug and is refused."""


# ------------------------------------------------------------------ app entrances
class EntranceLogReply(BaseModel):
    status: str = Field(description="disabled | not_needed | PENDING | a terminal entrance status")
    entranceId: str | None = None
    finalizeAfter: str | None = Field(None, description="when the entrance is finalized unless the app is opened again")
    localDate: str | None = None

    @classmethod
    def of(cls, reply: entrances_pb2.LogEntranceReply) -> "EntranceLogReply":
        return cls(
            status=reply.status, entranceId=reply.entrance_id or None,
            finalizeAfter=iso(reply, "finalize_after"), localDate=reply.local_date or None,
        )


class EntranceReply(BaseModel):
    entranceId: str
    localDate: str
    timezone: str
    status: str
    statusReason: str | None
    firstSeenAt: str | None
    lastSeenAt: str | None
    finalizeAfter: str | None
    finalizedAt: str | None
    mirrorWorkoutId: str | None
    sourceWorkoutId: str | None
    entriesCount: int

    @classmethod
    def of(cls, entrance: entrances_pb2.Entrance) -> "EntranceReply":
        return cls(
            entranceId=entrance.entrance_id, localDate=entrance.local_date, timezone=entrance.timezone,
            status=entrance.status, statusReason=entrance.status_reason or None,
            firstSeenAt=iso(entrance, "first_seen_at"), lastSeenAt=iso(entrance, "last_seen_at"),
            finalizeAfter=iso(entrance, "finalize_after"), finalizedAt=iso(entrance, "finalized_at"),
            mirrorWorkoutId=entrance.mirror_workout_id or None, sourceWorkoutId=entrance.source_workout_id or None,
            entriesCount=entrance.entries_count,
        )


class EntranceHistoryReply(BaseModel):
    patientId: str
    entrances: list[EntranceReply]


# ------------------------------------------------------------------ daily activity
class DailyActivityReply(BaseModel):
    date: str
    timezone: str
    firstAppOpenedAt: str | None
    lastAppOpenedAt: str | None
    lastAppClosedAt: str | None
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
            firstAppOpenedAt=iso(day, "first_app_opened_at"), lastAppOpenedAt=iso(day, "last_app_opened_at"),
            lastAppClosedAt=iso(day, "last_app_closed_at"),
            appOpensCount=day.app_opens_count, appClosesCount=day.app_closes_count,
            workoutsCompleted=day.workouts_completed, exercisesCompleted=day.exercises_completed,
            xpEarned=day.xp_earned, isStreakDay=day.is_streak_day,
            dailyXpGoal=day.daily_xp_goal, dailyExercisesGoal=day.daily_exercises_goal, metGoal=day.met_goal,
        )


class DailyActivityRangeReply(BaseModel):
    patientId: str
    today: str = Field(description="the patient's local date the streak run is counted from")
    currentStreakDays: int = Field(description="consecutive streak days ending today (or yesterday while today is open)")
    days: list[DailyActivityReply]


# ------------------------------------------------------------------ XP
class XpAwardBody(StrictBody):
    patientId: UUID
    # StrictInt: 10.0, "10" and true are refused, not coerced; the cap is checked by the service.
    amount: StrictInt = Field(ge=1, le=2_147_483_647, examples=[20])
    reason: StrictStr = Field(min_length=1, max_length=200, examples=["extra home exercises"])
    source: StrictStr | None = Field(
        None, min_length=1, max_length=64, examples=["therapist"], description="defaults to the caller's role"
    )
    idempotencyKey: StrictStr = Field(min_length=1, max_length=128, description="the same key never awards twice")


class XpAwardView(BaseModel):
    awardId: str
    patientId: str
    amount: int
    reason: str
    source: str
    idempotencyKey: str
    awardedAt: str | None
    localDate: str

    @classmethod
    def of(cls, award: entrances_pb2.XpAward) -> "XpAwardView":
        return cls(
            awardId=award.award_id, patientId=award.patient_id, amount=award.amount, reason=award.reason,
            source=award.source, idempotencyKey=award.idempotency_key, awardedAt=iso(award, "awarded_at"),
            localDate=award.local_date,
        )


class XpAwardReply(BaseModel):
    created: bool = Field(description="false: the key was used before; this is the stored award")
    award: XpAwardView
    goalBonus: XpAwardView | None
    day: DailyActivityReply

