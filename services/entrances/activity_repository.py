"""SQL of daily activity: the per-day rows, the XP ledger, and completed workouts learned from plans."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.entrances.domain.daily_activity import CompletedWorkout, DailyActivity, DailyGoal
from services.entrances.domain.xp import XpAward

# ------------------------------------------------------------------ daily activity

_DAY_COLUMNS = (
    "patient_id, local_date, timezone, first_app_opened_at, last_app_opened_at, last_app_closed_at, "
    "app_opens_count, app_closes_count, workouts_completed, exercises_completed, xp_earned, is_streak_day, "
    "daily_xp_goal, daily_exercises_goal, met_goal"
)


def _day(row: Any) -> DailyActivity:
    return DailyActivity(
        patient_id=str(row.patient_id),
        local_date=row.local_date,
        timezone=row.timezone,
        first_app_opened_at=row.first_app_opened_at,
        last_app_opened_at=row.last_app_opened_at,
        last_app_closed_at=row.last_app_closed_at,
        app_opens_count=row.app_opens_count,
        app_closes_count=row.app_closes_count,
        workouts_completed=row.workouts_completed,
        exercises_completed=row.exercises_completed,
        xp_earned=row.xp_earned,
        is_streak_day=row.is_streak_day,
        daily_xp_goal=row.daily_xp_goal,
        daily_exercises_goal=row.daily_exercises_goal,
        met_goal=row.met_goal,
    )


OPEN_SQL = (
    "INSERT INTO entrances.daily_activity AS d (tenant_id, patient_id, local_date, timezone, "
    "first_app_opened_at, last_app_opened_at, app_opens_count, daily_xp_goal, daily_exercises_goal) "
    "VALUES (:open_tenant, :open_patient, :open_day, :open_tz, :open_at, :open_at, 1, :open_goal_xp, "
    ":open_goal_exercises) ON CONFLICT (patient_id, local_date) DO UPDATE SET "
    "first_app_opened_at = LEAST(d.first_app_opened_at, EXCLUDED.first_app_opened_at), "
    "last_app_opened_at = GREATEST(d.last_app_opened_at, EXCLUDED.last_app_opened_at), "
    "app_opens_count = d.app_opens_count + 1, updated_at = now()"
)


@dataclass(frozen=True)
class AppOpen:
    tenant_id: uuid.UUID
    patient_id: uuid.UUID
    local_date: date
    timezone: str
    at: datetime
    goal: DailyGoal

    def params(self) -> dict[str, Any]:
        return {
            "open_tenant": self.tenant_id, "open_patient": self.patient_id, "open_day": self.local_date,
            "open_tz": self.timezone, "open_at": self.at, "open_goal_xp": self.goal.xp,
            "open_goal_exercises": self.goal.exercises,
        }


async def count_app_open(uow: UnitOfWork, opened: AppOpen) -> DailyActivity:
    """record_app_open as one atomic upsert: concurrent opens each count, none is lost to a race."""
    row = (await uow.execute(text(f"{OPEN_SQL} RETURNING {_DAY_COLUMNS}"), opened.params())).one()
    return _day(row)


async def lock_day(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, local_date: date, timezone: str, goal: DailyGoal
) -> DailyActivity:
    """The day's row, created empty (with today's goal snapshot) when missing, locked for this transaction."""
    await uow.execute(
        text(
            "INSERT INTO entrances.daily_activity (tenant_id, patient_id, local_date, timezone, daily_xp_goal, "
            "daily_exercises_goal) VALUES (:tenant, :patient, :day, :tz, :goal_xp, :goal_exercises) "
            "ON CONFLICT (patient_id, local_date) DO NOTHING"
        ),
        {
            "tenant": tenant_id, "patient": patient_id, "day": local_date, "tz": timezone,
            "goal_xp": goal.xp, "goal_exercises": goal.exercises,
        },
    )
    row = (
        await uow.execute(
            text(
                f"SELECT {_DAY_COLUMNS} FROM entrances.daily_activity "
                "WHERE patient_id = :patient AND local_date = :day FOR UPDATE"
            ),
            {"patient": patient_id, "day": local_date},
        )
    ).one()
    return _day(row)


async def save_day(uow: UnitOfWork, day: DailyActivity) -> None:
    await uow.execute(
        text(
            "UPDATE entrances.daily_activity SET timezone = :tz, first_app_opened_at = :first_open, "
            "last_app_opened_at = :last_open, last_app_closed_at = :last_close, app_opens_count = :opens, "
            "app_closes_count = :closes, workouts_completed = :workouts, exercises_completed = :exercises, "
            "xp_earned = :xp, is_streak_day = :streak, daily_xp_goal = :goal_xp, "
            "daily_exercises_goal = :goal_exercises, met_goal = :met, updated_at = now() "
            "WHERE patient_id = :patient AND local_date = :day"
        ),
        {
            "tz": day.timezone, "first_open": day.first_app_opened_at, "last_open": day.last_app_opened_at,
            "last_close": day.last_app_closed_at, "opens": day.app_opens_count, "closes": day.app_closes_count,
            "workouts": day.workouts_completed, "exercises": day.exercises_completed, "xp": day.xp_earned,
            "streak": day.is_streak_day, "goal_xp": day.daily_xp_goal, "goal_exercises": day.daily_exercises_goal,
            "met": day.met_goal, "patient": day.patient_id, "day": day.local_date,
        },
    )


async def days_between(uow: UnitOfWork, patient_id: uuid.UUID, first: date, last: date) -> list[DailyActivity]:
    rows = (
        await uow.execute(
            text(
                f"SELECT {_DAY_COLUMNS} FROM entrances.daily_activity WHERE patient_id = :patient "
                "AND local_date BETWEEN :first AND :last ORDER BY local_date"
            ),
            {"patient": patient_id, "first": first, "last": last},
        )
    ).all()
    return [_day(row) for row in rows]


async def recent_streak_days(uow: UnitOfWork, patient_id: uuid.UUID, until: date, limit: int) -> list[DailyActivity]:
    """Streak days up to `until`, newest first: enough for consecutive_streak_days to count the current run."""
    rows = (
        await uow.execute(
            text(
                f"SELECT {_DAY_COLUMNS} FROM entrances.daily_activity WHERE patient_id = :patient "
                "AND is_streak_day AND local_date <= :until ORDER BY local_date DESC LIMIT :limit"
            ),
            {"patient": patient_id, "until": until, "limit": limit},
        )
    ).all()
    return [_day(row) for row in rows]


# ------------------------------------------------------------------ completed workouts (from plans events)


async def record_completed_workout(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, workout_id: str, completed_at: datetime,
    local_date: date, timezone: str, exercises_completed: int, minutes: int, source: str, entrance_id: str | None,
) -> bool:
    result = await uow.execute(
        text(
            "INSERT INTO entrances.completed_workouts (workout_id, tenant_id, patient_id, completed_at, local_date, "
            "timezone, exercises_completed, minutes, source, entrance_id) VALUES (:id, :tenant, :patient, :at, "
            ":day, :tz, :exercises, :minutes, :source, :entrance) ON CONFLICT (workout_id) DO NOTHING RETURNING 1"
        ),
        {
            "id": workout_id, "tenant": tenant_id, "patient": patient_id, "at": completed_at, "day": local_date,
            "tz": timezone, "exercises": exercises_completed, "minutes": minutes, "source": source,
            "entrance": entrance_id,
        },
    )
    return result.first() is not None


async def workouts_between(uow: UnitOfWork, patient_id: uuid.UUID, start: datetime, end: datetime) -> list[CompletedWorkout]:
    rows = (
        await uow.execute(
            text(
                "SELECT workout_id, completed_at, exercises_completed, source FROM entrances.completed_workouts "
                "WHERE patient_id = :patient AND completed_at >= :start AND completed_at < :end"
            ),
            {"patient": patient_id, "start": start, "end": end},
        )
    ).all()
    return [CompletedWorkout(r.workout_id, r.completed_at, r.exercises_completed, r.source == "inferred") for r in rows]


# ------------------------------------------------------------------ XP ledger


@dataclass(frozen=True)
class StoredAward:
    award_id: uuid.UUID
    patient_id: uuid.UUID
    local_date: date
    award: XpAward


_AWARD_COLUMNS = "award_id, patient_id, idempotency_key, amount, reason, source, awarded_at, local_date"


def _award(row: Any) -> StoredAward:
    return StoredAward(
        row.award_id, row.patient_id, row.local_date,
        XpAward(row.idempotency_key, row.amount, row.reason, row.source, row.awarded_at),
    )


async def insert_award(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, award: XpAward, local_date: date,
    awarded_by: uuid.UUID | None, awarded_by_role: str | None,
) -> tuple[StoredAward, bool]:
    """Insert-or-nothing on the idempotency key; returns the stored award and whether this call wrote it."""
    row = (
        await uow.execute(
            text(
                "INSERT INTO entrances.xp_ledger (award_id, tenant_id, patient_id, idempotency_key, amount, reason, "
                "source, awarded_at, local_date, awarded_by, awarded_by_role) VALUES (:id, :tenant, :patient, :key, "
                ":amount, :reason, :source, :at, :day, :by, :by_role) "
                f"ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING {_AWARD_COLUMNS}"
            ),
            {
                "id": uuid.uuid4(), "tenant": tenant_id, "patient": patient_id, "key": award.idempotency_key,
                "amount": award.amount, "reason": award.reason, "source": str(award.source), "at": award.awarded_at,
                "day": local_date, "by": awarded_by, "by_role": awarded_by_role,
            },
        )
    ).first()
    if row is not None:
        return _award(row), True
    existing = (
        await uow.execute(
            text(f"SELECT {_AWARD_COLUMNS} FROM entrances.xp_ledger WHERE idempotency_key = :key"),
            {"key": award.idempotency_key},
        )
    ).one()
    return _award(existing), False


async def awards_between(uow: UnitOfWork, patient_id: uuid.UUID, start: datetime, end: datetime) -> list[XpAward]:
    rows = (
        await uow.execute(
            text(
                f"SELECT {_AWARD_COLUMNS} FROM entrances.xp_ledger WHERE patient_id = :patient "
                "AND awarded_at >= :start AND awarded_at < :end"
            ),
            {"patient": patient_id, "start": start, "end": end},
        )
    ).all()
    return [_award(row).award for row in rows]
