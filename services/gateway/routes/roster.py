"""The clinic roster, the patient page header in one call, and a patient's plans (therapists and admins)."""

from __future__ import annotations

from typing import Any

import grpc
from fastapi import Depends, Query, Request

from momentum.plans.v1 import roster_pb2, roster_pb2_grpc
from momentum.streaks.v1 import streaks_pb2
from services.common.identity import Identity
from services.gateway import analytics_client as plans
from services.gateway.analytics_client import optional
from services.gateway.routing import api_router, id_path, only_query, path_id, staff
from services.gateway.schemas.roster import (
    PatientPlansReply, PatientSummaryReply, RosterPlanStatus, RosterReply, RosterSort, RtmStatus,
)

router = api_router("roster")
# The streak decorates the rows; a slow streaks service must not hold the roster for a full deadline.
STREAK_DEADLINE_SECONDS = 1.0
ROSTER_PARAMETERS = ("limit", "cursor", "search", "assignedToMe", "planStatus", "rtmStatus", "hasAlerts", "sort")


def _roster(request: Request) -> roster_pb2_grpc.RosterServiceStub:
    return roster_pb2_grpc.RosterServiceStub(request.app.state.clients.channels["plans"])


async def current_streaks(request: Request, caller: Identity, rows: Any) -> dict[str, int] | None:
    """Every row's current daily streak in ONE call to streaks, or None when streaks cannot answer in time."""
    stub = request.app.state.clients.streaks
    if stub is None or not rows:
        return {} if stub is not None else None
    asked = streaks_pb2.GetCurrentStreaksRequest(
        patient_ids=[r.patient_id for r in rows], timezones={r.patient_id: r.timezone for r in rows},
    )
    try:
        found = await stub.GetCurrentStreaks(
            asked, metadata=caller.to_metadata(), timeout=min(STREAK_DEADLINE_SECONDS, plans.deadline(request)),
        )
    except grpc.aio.AioRpcError:
        return None
    return dict(found.current_daily_streak)


def _plan(p: roster_pb2.RosterPlan) -> dict[str, Any]:
    return {
        "planId": p.plan_id, "title": p.title, "status": p.status, "startDate": p.start_date, "endDate": p.end_date,
        "frequencyPerWeek": p.frequency_per_week, "sessionsCompleted": p.sessions_completed,
        "sessionsPlanned": p.sessions_planned,
    }


def _row(r: roster_pb2.RosterRow, streaks: dict[str, int] | None) -> dict[str, Any]:
    return {
        "patientId": r.patient_id, "displayName": r.display_name, "timezone": r.timezone, "localDate": r.local_date,
        "therapist": {"therapistId": r.therapist_id, "displayName": r.therapist_name} if r.therapist_id else None,
        "currentPlan": _plan(r.plan) if r.HasField("plan") else None,
        "adherence7d": optional(r, "adherence_7d"), "adherence30d": optional(r, "adherence_30d"),
        "lastActivityAt": r.last_activity_at or None,
        "currentDailyStreak": None if streaks is None else streaks.get(r.patient_id, 0),
        "rtm": {
            "status": r.rtm_status, "periodStart": r.rtm_period_start or None, "periodEnd": r.rtm_period_end or None,
            "dataDays": r.rtm_data_days, "minutes": r.rtm_minutes,
        },
        "alerts": [{"kind": a.kind, "detail": a.detail} for a in r.alerts],
    }


@router.get("/v1/patients", response_model=RosterReply, operation_id="listPatients")
async def list_patients(
    request: Request,
    caller: Identity = Depends(staff),
    _known: None = only_query(*ROSTER_PARAMETERS),
    limit: int = Query(default=50, ge=1, le=100),
    cursor: str | None = Query(default=None, max_length=400, description="nextCursor of the previous page"),
    search: str | None = Query(default=None, max_length=200, description="part of the patient's name, any case"),
    assignedToMe: bool = Query(default=False, description="only the calling therapist's patients"),
    planStatus: RosterPlanStatus | None = Query(default=None, description="status of the current plan; none: no plan"),
    rtmStatus: RtmStatus | None = Query(default=None),
    hasAlerts: bool | None = Query(default=None),
    sort: RosterSort = Query(default="name", description="a leading - sorts descending; patients without a figure sort last going down"),
) -> dict[str, Any]:
    """The clinic's patients a page at a time, each with therapist, current plan, 7- and 30-day adherence,
    last activity, current streak, the current RTM period and open alerts. Paging is by an opaque cursor
    (no patient twice, none skipped); any parameter not listed here is a 400. Every figure but the streak is
    current as of the last committed write (a completion, a plan change) with no delay; the streak is the
    streaks service's and follows a completion within seconds."""
    asked = roster_pb2.ListRosterRequest(
        limit=limit, cursor=cursor or "", search=search or "", assigned_to_me=assignedToMe, plan_status=planStatus or "",
        rtm_status=rtmStatus or "", sort=sort,
    )
    if hasAlerts is not None:
        asked.has_alerts = hasAlerts
    page = await plans.call(request, _roster(request).ListRoster, asked, caller)
    streaks = await current_streaks(request, caller, page.patients)
    return {
        "patients": [_row(r, streaks) for r in page.patients], "nextCursor": page.next_cursor or None,
        "streakAvailable": streaks is not None,
    }


@router.get("/v1/patients/{patient_id}/summary", response_model=PatientSummaryReply, operation_id="getPatientSummary")
async def patient_summary(
    request: Request, patient_id: str = id_path(), caller: Identity = Depends(staff), _known: None = only_query(),
) -> dict[str, Any]:
    """What the patient page header shows, in one call: the patient's roster row (name, therapist, current plan
    with sessions done of planned, adherence, last activity, streak, RTM period with data days and minutes, alerts)."""
    asked = roster_pb2.GetPatientSummaryRequest(patient_id=path_id("patientId", patient_id))
    row = await plans.call(request, _roster(request).GetPatientSummary, asked, caller)
    streaks = await current_streaks(request, caller, [row])
    return {**_row(row, streaks), "streakAvailable": streaks is not None}


@router.get("/v1/patients/{patient_id}/plans", response_model=PatientPlansReply, operation_id="listPatientPlans")
async def patient_plans(
    request: Request, patient_id: str = id_path(), caller: Identity = Depends(staff), _known: None = only_query(),
) -> dict[str, Any]:
    """Every treatment plan of the patient, newest first, with sessions done of planned."""
    asked = roster_pb2.ListPatientPlansRequest(patient_id=path_id("patientId", patient_id))
    found = await plans.call(request, _roster(request).ListPatientPlans, asked, caller)
    return {"plans": [_plan(p) for p in found.plans]}
