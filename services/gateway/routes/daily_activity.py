"""Daily activity: app open/close signals, the patient's days with their streak run, and XP awards."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from momentum.entrances.v1 import entrances_pb2
from services.common.identity import Identity
from services.gateway.auth import authenticated
from services.gateway.routing import api_router, date_from_caller, patient, patient_in_question, staff, errors
from services.gateway.schemas.base import NoBody, NO_BODY_EXAMPLE
from services.gateway.schemas.daily_activity import (
    DailyActivityRangeReply, DailyActivityReply, XpAwardBody, XpAwardReply, XpAwardView,
)

router = api_router("daily activity")


@router.post("/api/app-usage/open", response_model=DailyActivityReply, operation_id="recordAppOpened")
async def app_opened(
    request: Request, body: NoBody | None = Body(None, openapi_examples=NO_BODY_EXAMPLE), caller: Identity = Depends(patient)
) -> DailyActivityReply:
    """The app came to the foreground: counts an open on today's row (server time)."""
    clients = request.app.state.clients
    reply = await clients.call(clients.entrances.RecordAppOpen, entrances_pb2.RecordAppOpenRequest(), caller)
    return DailyActivityReply.of(reply)


@router.post("/api/app-usage/close", response_model=DailyActivityReply, operation_id="recordAppClosed")
async def app_closed(
    request: Request, body: NoBody | None = Body(None, openapi_examples=NO_BODY_EXAMPLE), caller: Identity = Depends(patient)
) -> DailyActivityReply:
    """The app went to the background: counts a close and recomputes today's rollups."""
    clients = request.app.state.clients
    reply = await clients.call(clients.entrances.RecordAppClose, entrances_pb2.RecordAppCloseRequest(), caller)
    return DailyActivityReply.of(reply)


@router.get("/api/daily-activity", response_model=DailyActivityRangeReply, operation_id="listDailyActivity")
async def daily_activity(
    request: Request,
    from_date: date = Query(alias="from", description="first local date, YYYY-MM-DD, from 2000-01-01"),
    to_date: date = Query(alias="to", description="last local date (inclusive), YYYY-MM-DD, at most tomorrow"),
    patient_id: UUID | None = Depends(patient_in_question),
    caller: Identity = Depends(authenticated),
) -> DailyActivityRangeReply:
    """The patient's daily activity and XP for a local date range, every day present (days without activity as zeros)."""
    clients = request.app.state.clients
    reply = await clients.call(
        clients.entrances.GetDailyActivity,
        entrances_pb2.GetDailyActivityRequest(
            patient_id=str(patient_id) if patient_id else "",
            from_date=date_from_caller("from", from_date).isoformat(), to_date=date_from_caller("to", to_date).isoformat(),
        ),
        caller,
    )
    return DailyActivityRangeReply(
        patientId=str(patient_id or caller.user_id),
        today=reply.today,
        currentStreakDays=reply.current_streak_days,
        days=[DailyActivityReply.of(day) for day in reply.days],
    )


@router.post(
    "/api/xp/award",
    status_code=201,
    response_model=XpAwardReply,
    responses={**errors(409), 200: {"model": XpAwardReply, "description": "The idempotency key was used before: the stored award"}}, operation_id="awardXp",
)
async def award_xp(body: XpAwardBody, request: Request, caller: Identity = Depends(staff)) -> JSONResponse:
    """A therapist or admin awards XP (1 to the configured cap). 201 when written, 200 for a replay of the key."""
    clients = request.app.state.clients
    reply = await clients.call(
        clients.entrances.AwardXp,
        entrances_pb2.AwardXpRequest(
            patient_id=str(body.patientId), amount=body.amount, reason=body.reason,
            source=body.source or caller.role, idempotency_key=body.idempotencyKey,
        ),
        caller,
    )
    content = XpAwardReply(
        created=reply.created,
        award=XpAwardView.of(reply.award),
        goalBonus=XpAwardView.of(reply.goal_bonus) if reply.HasField("goal_bonus") else None,
        day=DailyActivityReply.of(reply.day),
    )
    return JSONResponse(content.model_dump(), status_code=201 if reply.created else 200)
