"""What the API returns for a streak: the state, the rest-day counts and the week calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.common.timezones import resolve_zone_name

from .state import DAYS_OFF_PER_WEEK, StreakState, iso_utc, utc_instant
from .week import MONDAY_ORDER, anchor_zone, days_mask, days_off_in_mask, local_ordinal, monday_of, monday_position

DONE = "done"
TODAY = "today"
FUTURE = "future"
INACTIVE = "inactive"
REST = "rest"
MISSED = "missed"


def build_view(state: StreakState, now: datetime, tz: str) -> dict[str, Any]:
    """The camelCase view of an already evaluated state; it reads the state and never changes it.

    The calendar is the current week in the week's anchor zone (week_timezone), the same
    calendar the rules counted rest days in, so the dots always agree with the counts.
    """
    zone_name = anchor_zone(state.week_timezone, resolve_zone_name(tz))
    today = local_ordinal(utc_instant(now), zone_name)
    workout_days = days_mask(state.weekly_workout_days)
    active_since = state.week_streak_active_since
    # On a Monday there is no yesterday in this week.
    yesterday = None if (today - 1) % 7 == 0 else (today - 1) % 7
    used = days_off_in_mask(active_since, yesterday, workout_days) if active_since is not None else 0
    return {
        "currentDailyStreak": state.current_daily_streak,
        "currentWeeklyStreak": state.current_weekly_streak,
        "lastWorkoutDate": iso_utc(state.last_workout_date),
        "weeklyMinutes": state.weekly_minutes,
        "weeklyWorkoutDays": sorted(state.weekly_workout_days),
        "weekStreakActiveSince": active_since,
        "weekTimezone": state.week_timezone,
        "weeklyDaysOffUsed": used,
        "weeklyDaysOffRemaining": max(0, DAYS_OFF_PER_WEEK - used),
        "daysOffPerWeek": DAYS_OFF_PER_WEEK,
        "weekCalendar": week_calendar(today, workout_days, active_since),
    }


def week_calendar(today: int, workout_days_mask: int, active_since: int | None) -> list[dict[str, Any]]:
    """Monday→Sunday of the week holding `today` (a date ordinal), one status per day."""
    monday = monday_of(today)
    active_position = None if active_since is None else monday_position(active_since)
    days_off_counted = 0
    calendar = []
    for position, day_of_week in enumerate(MONDAY_ORDER):
        ordinal = monday + position
        if workout_days_mask >> day_of_week & 1:
            status = DONE
        elif ordinal == today:
            status = TODAY
        elif ordinal > today:
            status = FUTURE
        elif active_position is None or position < active_position:
            status = INACTIVE
        else:
            # Past days off are counted in Monday order; the first 3 are allowed rest.
            days_off_counted += 1
            status = REST if days_off_counted <= DAYS_OFF_PER_WEEK else MISSED
        calendar.append(
            {"date": date.fromordinal(ordinal).isoformat(), "dayOfWeek": day_of_week, "status": status}
        )
    return calendar
