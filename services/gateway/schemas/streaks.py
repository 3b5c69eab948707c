"""Response bodies of the streak routes: the domain's view, field for field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.gateway.schemas.base import DateText, InstantText


class CalendarDayReply(BaseModel):
    date: DateText = Field(examples=["2026-03-02"], description="local date, YYYY-MM-DD")
    dayOfWeek: int = Field(ge=0, le=6, description="0 = Sunday … 6 = Saturday")
    status: Literal["done", "today", "future", "inactive", "rest", "missed"]


class StreakReply(BaseModel):
    currentDailyStreak: int
    currentWeeklyStreak: int
    lastWorkoutDate: InstantText | None = Field(description="ISO 8601 UTC with Z; null before the first workout")
    weeklyMinutes: int
    weeklyWorkoutDays: list[int] = Field(description="days of week (0 = Sunday) with a workout this week")
    weekStreakActiveSince: int | None = Field(description="day of week rest days count from; null: no active streak")
    weekTimezone: str | None
    weeklyDaysOffUsed: int
    weeklyDaysOffRemaining: int
    daysOffPerWeek: int
    weekCalendar: list[CalendarDayReply] = Field(description="Monday → Sunday of the current local week")
