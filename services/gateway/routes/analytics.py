"""Patient progress, specialist analytics of a treatment plan, and the clinic dashboard."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from fastapi import Depends, Request

from momentum.plans.v1 import analytics_pb2
from momentum.streaks.v1 import streaks_pb2
from services.common.identity import Identity
from services.gateway import analytics_client as plans
from services.gateway.analytics_client import optional
from services.gateway.auth import authenticated
from services.gateway.routing import admin, api_router, id_path, path_id, staff
from services.gateway.schemas.analytics import DashboardReply, PlanAnalyticsReply, ProgressReply

router = api_router("progress and analytics")
# The streak decorates the progress screen; a slow streaks service must not hold the screen for
# the full deadline of a call the page depends on.
STREAK_DEADLINE_SECONDS = 1.0


def _pain(sessions: Any) -> list[dict[str, Any]]:
    return [
        {"sessionNumber": s.session_number, "localDate": s.local_date, "painBefore": optional(s, "pain_before"),
         "painAfter": optional(s, "pain_after")}
        for s in sessions
    ]


async def _current_daily_streak(request: Request, caller: Identity, patient_id: str) -> tuple[int | None, str | None]:
    """(streak, None), or (None, why) when streaks cannot answer: progress is shown either way."""
    stub = request.app.state.clients.streaks
    if stub is None:
        return None, "not_deployed"
    try:
        view = await stub.GetStreak(
            streaks_pb2.GetStreakRequest(patient_id=patient_id), metadata=caller.to_metadata(),
            timeout=min(STREAK_DEADLINE_SECONDS, plans.deadline(request)),
        )
    except grpc.aio.AioRpcError as exc:
        return None, exc.code().name.lower()
    return view.current_daily_streak, None


@router.get("/v1/patient-treatment-plans/{plan_id}/progress", response_model=ProgressReply, operation_id="getPlanProgress")
async def progress(request: Request, plan_id: str = id_path(), caller: Identity = Depends(authenticated)) -> dict[str, Any]:
    """Sessions done of planned, pain per session, this plan week, and the current daily streak.

    A patient sees their own plans; therapists and admins any plan of their clinic. When the
    streaks service does not answer in time the progress still comes back, with
    `currentDailyStreak: null` and `streakAvailable: false`."""
    stub = plans.analytics(request)
    body = analytics_pb2.GetPlanProgressRequest(plan_id=path_id("planId", plan_id))
    if caller.role == "patient":
        # A patient's streak is their own: ask both services at once.
        streak_task = asyncio.create_task(_current_daily_streak(request, caller, ""))
        try:
            found = await plans.call(request, stub.GetPlanProgress, body, caller)
        except BaseException:
            streak_task.cancel()
            raise
        streak, reason = await streak_task
    else:
        found = await plans.call(request, stub.GetPlanProgress, body, caller)
        streak, reason = await _current_daily_streak(request, caller, found.patient_id)
    week = found.this_week if found.HasField("this_week") else None
    return {
        "planId": found.plan_id, "patientId": found.patient_id, "title": found.title, "status": found.status,
        "startDate": found.start_date, "endDate": found.end_date, "localDate": found.local_date, "timezone": found.timezone,
        "sessionsCompleted": found.sessions_completed, "sessionsPlanned": found.sessions_planned,
        "completionPercent": optional(found, "completion_percent"),
        "painTrend": _pain(found.pain_trend),
        "thisWeek": None if week is None else {
            "weekNumber": week.week_number, "start": week.start, "end": week.end, "sessionsDone": week.sessions_done,
            "sessionsPlanned": week.sessions_planned,
        },
        "currentDailyStreak": streak,
        "streakAvailable": reason is None,
        "streakUnavailableReason": reason,
    }


@router.get("/v1/patient-treatment-plans/{plan_id}/analytics", response_model=PlanAnalyticsReply, operation_id="getPlanAnalytics")
async def plan_analytics(request: Request, plan_id: str = id_path(), caller: Identity = Depends(staff)) -> dict[str, Any]:
    """Adherence to date, averages, the per-exercise table, pain evolution, weekly adherence and the trend."""
    stub = plans.analytics(request)
    asked = analytics_pb2.GetPlanAnalyticsRequest(plan_id=path_id("planId", plan_id))
    a = await plans.call(request, stub.GetPlanAnalytics, asked, caller)
    return {
        "planId": a.plan_id, "patientId": a.patient_id, "patientName": a.patient_name, "title": a.title,
        "status": a.status, "startDate": a.start_date, "endDate": a.end_date, "asOf": a.as_of,
        "sessionsPlanned": a.sessions_planned, "sessionsCompleted": a.sessions_completed,
        "sessionsExpected": a.sessions_expected, "adherencePercent": optional(a, "adherence_percent"),
        "averageSessionMinutes": optional(a, "average_session_minutes"),
        "averageVideoWatchPercent": optional(a, "average_video_watch_percent"),
        "exercises": [
            {"exerciseId": e.exercise_id, "name": e.name, "sessionsDone": e.sessions_done,
             "sessionsPrescribed": e.sessions_prescribed, "skipped": e.skipped,
             "averageVideoWatchPercent": optional(e, "average_video_watch_percent"),
             "averagePoseAccuracy": optional(e, "average_pose_accuracy")}
            for e in a.exercises
        ],
        "painEvolution": {
            "before": list(a.pain.before), "after": list(a.pain.after),
            "beforeChangePercent": optional(a.pain, "before_change_percent"),
            "afterChangePercent": optional(a.pain, "after_change_percent"),
            "trend": a.pain.trend, "sessions": _pain(a.pain.sessions),
        },
        "weeklyAdherence": [
            {"weekNumber": w.week_number, "start": w.start, "end": w.end, "completed": w.completed, "expected": w.expected,
             "adherencePercent": optional(w, "adherence_percent")}
            for w in a.weeks
        ],
        "trend": a.trend,
    }


def _usage(rows: Any) -> list[dict[str, Any]]:
    return [
        {"exerciseId": u.exercise_id, "name": u.name, "plansPrescribed": u.plans_prescribed,
         "sessionsPrescribed": u.sessions_prescribed, "sessionsDone": u.sessions_done,
         "completionPercent": optional(u, "completion_percent"), "averagePoseAccuracy": optional(u, "average_pose_accuracy"),
         "averageVideoWatchPercent": optional(u, "average_video_watch_percent")}
        for u in rows
    ]


@router.get("/v1/organizations/dashboard", response_model=DashboardReply, operation_id="getOrganizationDashboard")
async def organization_dashboard(request: Request, caller: Identity = Depends(admin)) -> dict[str, Any]:
    """The caller's clinic only: pain improvement over completed plans, adherence of active plans,
    top exercises and plan outcomes. No figure ever mixes clinics. The figures are current as of the last
    committed write: a completion, a late pose score or a plan change shows in the next call."""
    stub = plans.analytics(request)
    d = await plans.call(request, stub.GetOrganizationDashboard, analytics_pb2.GetOrganizationDashboardRequest(), caller)
    return {
        "generatedAt": d.generated_at,
        "painImprovement": {
            "plansCounted": d.pain.plans_counted, "beforePoints": optional(d.pain, "before_points"),
            "beforePercent": optional(d.pain, "before_percent"), "afterPoints": optional(d.pain, "after_points"),
            "afterPercent": optional(d.pain, "after_percent"),
        },
        "activeAdherence": {
            "activePlans": d.adherence.active_plans, "plansWithExpectation": d.adherence.plans_with_expectation,
            "sessionsCompleted": d.adherence.sessions_completed, "sessionsExpected": d.adherence.sessions_expected,
            "averageAdherencePercent": optional(d.adherence, "average_adherence_percent"),
        },
        "topExercises": {
            "mostPrescribed": _usage(d.most_prescribed), "bestPerformance": _usage(d.best_performance),
            "worstPerformance": _usage(d.worst_performance),
        },
        "planOutcomes": {
            "active": d.outcomes.active, "completed": d.outcomes.completed, "expired": d.outcomes.expired,
            "cancelled": d.outcomes.cancelled, "completedPercent": optional(d.outcomes, "completed_percent"),
            "expiredPercent": optional(d.outcomes, "expired_percent"),
            "cancelledPercent": optional(d.outcomes, "cancelled_percent"),
        },
    }
