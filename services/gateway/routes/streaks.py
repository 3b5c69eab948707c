"""Daily and weekly streaks: a patient's own, or a patient of the clinic for therapists and admins."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Path, Request

from momentum.streaks.v1 import streaks_pb2
from services.common.identity import Identity
from services.gateway.auth import authenticated
from services.gateway.routing import api_router, patient_in_question, staff
from services.gateway.schemas.streaks import StreakReply

router = api_router("streaks")


def streak_reply(view: streaks_pb2.StreakView) -> dict[str, Any]:
    """The StreakView message back as the domain's camelCase view (nulls where the message has empties)."""
    return {
        "currentDailyStreak": view.current_daily_streak,
        "currentWeeklyStreak": view.current_weekly_streak,
        "lastWorkoutDate": view.last_workout_date or None,
        "weeklyMinutes": view.weekly_minutes,
        "weeklyWorkoutDays": list(view.weekly_workout_days),
        "weekStreakActiveSince": view.week_streak_active_since if view.has_week_streak_active_since else None,
        "weekTimezone": view.week_timezone or None,
        "weeklyDaysOffUsed": view.weekly_days_off_used,
        "weeklyDaysOffRemaining": view.weekly_days_off_remaining,
        "daysOffPerWeek": view.days_off_per_week,
        "weekCalendar": [
            {"date": day.date, "dayOfWeek": day.day_of_week, "status": day.status} for day in view.week_calendar
        ],
    }


@router.get("/v2/streaks", response_model=StreakReply, operation_id="getStreaks")
async def get_streaks(
    request: Request,
    patient_id: uuid.UUID | None = Depends(patient_in_question),
    caller: Identity = Depends(authenticated),
) -> dict[str, Any]:
    """The streak evaluated now in the patient's zone (a due break or week turn is applied and kept)."""
    clients = request.app.state.clients
    view = await clients.call(
        clients.streaks.GetStreak, streaks_pb2.GetStreakRequest(patient_id=str(patient_id) if patient_id else ""), caller
    )
    return streak_reply(view)


@router.post("/v2/streaks/{patientId}/rebuild", response_model=StreakReply, operation_id="rebuildStreak")
async def rebuild_streak(
    request: Request, patientId: uuid.UUID = Path(), caller: Identity = Depends(staff)
) -> dict[str, Any]:
    """Recomputes the streak from the patient's whole workout history (support: "my streak looks wrong")."""
    clients = request.app.state.clients
    view = await clients.call(
        clients.streaks.RebuildStreak, streaks_pb2.RebuildStreakRequest(patient_id=str(patientId)), caller
    )
    return streak_reply(view)
