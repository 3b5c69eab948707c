"""The streaks gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

from typing import Any

import grpc

from momentum.streaks.v1 import streaks_pb2, streaks_pb2_grpc
from services.common import identity
from services.common.parsing import optional_uuid, parse_uuid
from services.streaks.handlers import StreakReading, StreaksHandlers


def streak_view(reading: StreakReading) -> streaks_pb2.StreakView:
    """The domain's camelCase view as a message; the gateway turns it back into exactly that JSON."""
    view: dict[str, Any] = reading.view
    active_since = view["weekStreakActiveSince"]
    return streaks_pb2.StreakView(
        patient_id=str(reading.patient_id),
        current_daily_streak=view["currentDailyStreak"],
        current_weekly_streak=view["currentWeeklyStreak"],
        last_workout_date=view["lastWorkoutDate"] or "",
        weekly_minutes=view["weeklyMinutes"],
        weekly_workout_days=view["weeklyWorkoutDays"],
        has_week_streak_active_since=active_since is not None,
        week_streak_active_since=active_since if active_since is not None else 0,
        week_timezone=view["weekTimezone"] or "",
        weekly_days_off_used=view["weeklyDaysOffUsed"],
        weekly_days_off_remaining=view["weeklyDaysOffRemaining"],
        days_off_per_week=view["daysOffPerWeek"],
        week_calendar=[
            streaks_pb2.CalendarDay(date=day["date"], day_of_week=day["dayOfWeek"], status=day["status"])
            for day in view["weekCalendar"]
        ],
    )


class StreaksServicer(streaks_pb2_grpc.StreaksServiceServicer):
    def __init__(self, handlers: StreaksHandlers) -> None:
        self._handlers = handlers

    async def GetStreak(self, request: streaks_pb2.GetStreakRequest, context: grpc.aio.ServicerContext) -> streaks_pb2.StreakView:
        reading = await self._handlers.get_streak(identity.current(), optional_uuid("patient_id", request.patient_id))
        return streak_view(reading)

    async def RebuildStreak(
        self, request: streaks_pb2.RebuildStreakRequest, context: grpc.aio.ServicerContext
    ) -> streaks_pb2.StreakView:
        reading = await self._handlers.rebuild_streak(identity.current(), optional_uuid("patient_id", request.patient_id))
        return streak_view(reading)

    async def GetKnownTimezone(
        self, request: streaks_pb2.GetKnownTimezoneRequest, context: grpc.aio.ServicerContext
    ) -> streaks_pb2.KnownTimezone:
        patient = await self._handlers.known_timezone(identity.current(), optional_uuid("user_id", request.user_id))
        return streaks_pb2.KnownTimezone(
            user_id=str(patient.patient_id), timezone=patient.timezone or "", changes_seen=patient.timezone_changes
        )

    async def GetCurrentStreaks(
        self, request: streaks_pb2.GetCurrentStreaksRequest, context: grpc.aio.ServicerContext
    ) -> streaks_pb2.CurrentStreaks:
        ids = [parse_uuid("patient_ids", raw) for raw in request.patient_ids]
        zones = {parse_uuid("timezones", raw): zone for raw, zone in request.timezones.items()}
        found = await self._handlers.current_streaks(identity.current(), ids, zones)
        return streaks_pb2.CurrentStreaks(current_daily_streak={str(p): n for p, n in found.items()})
