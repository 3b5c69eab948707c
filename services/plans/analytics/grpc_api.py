"""The analytics gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

from typing import Any

from momentum.plans.v1 import analytics_pb2, analytics_pb2_grpc
from services.common import identity
from services.common.parsing import iso_utc, parse_uuid
from services.plans.analytics.handlers import AnalyticsHandlers, SessionPain


def _pain(sessions: list[SessionPain]) -> list[analytics_pb2.SessionPain]:
    replies = []
    for s in sessions:
        reply = analytics_pb2.SessionPain(session_number=s.session_number, local_date=s.local_date.isoformat())
        if s.pain_before is not None:
            reply.pain_before = s.pain_before
        if s.pain_after is not None:
            reply.pain_after = s.pain_after
        replies.append(reply)
    return replies


def _set(message: Any, **values: Any) -> Any:
    """Sets only the values that are not None, so absent figures stay absent (not 0)."""
    for name, value in values.items():
        if value is not None:
            setattr(message, name, value)
    return message


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class AnalyticsServicer(analytics_pb2_grpc.AnalyticsServiceServicer):
    def __init__(self, analytics: AnalyticsHandlers) -> None:
        self._analytics = analytics

    async def GetPlanProgress(self, request, context):  # type: ignore[no-untyped-def]
        p = await self._analytics.progress(identity.current(), parse_uuid("planId", request.plan_id))
        reply = analytics_pb2.PlanProgress(
            plan_id=str(p.plan.plan_id), patient_id=str(p.plan.patient_id), title=p.plan.title, status=p.plan.status,
            start_date=p.plan.start_date.isoformat(), end_date=p.end_date.isoformat(), local_date=p.today.isoformat(),
            timezone=p.timezone, sessions_completed=p.sessions_completed, sessions_planned=p.sessions_planned,
            pain_trend=_pain(p.pain_trend),
        )
        _set(reply, completion_percent=p.completion_percent)
        if p.this_week is not None:
            w = p.this_week
            reply.this_week.CopyFrom(analytics_pb2.PlanWeek(
                week_number=w.week_number, start=w.start.isoformat(), end=w.end.isoformat(), sessions_done=w.sessions_done,
                sessions_planned=w.sessions_planned,
            ))
        return reply

    async def GetPlanAnalytics(self, request, context):  # type: ignore[no-untyped-def]
        a = await self._analytics.plan_analytics(identity.current(), parse_uuid("planId", request.plan_id))
        pain = _set(
            analytics_pb2.PainEvolution(before=a.pain.before, after=a.pain.after, trend=a.pain.trend.value,
                                        sessions=_pain(a.pain_sessions)),
            before_change_percent=_rounded(a.pain.before_change_percent),
            after_change_percent=_rounded(a.pain.after_change_percent),
        )
        reply = analytics_pb2.PlanAnalytics(
            plan_id=str(a.plan.plan_id), patient_id=str(a.plan.patient_id), patient_name=a.plan.patient_name,
            title=a.plan.title, status=a.plan.status, start_date=a.plan.start_date.isoformat(),
            end_date=a.end_date.isoformat(), as_of=a.as_of.isoformat(), sessions_planned=a.sessions_planned,
            sessions_completed=a.sessions_completed, sessions_expected=a.sessions_expected, pain=pain,
            trend=a.pain.trend.value,
            exercises=[
                _set(
                    analytics_pb2.ExercisePerformance(
                        exercise_id=str(e.exercise_id), name=e.name, sessions_done=e.sessions_done,
                        sessions_prescribed=e.sessions_prescribed, skipped=e.skipped,
                    ),
                    average_video_watch_percent=_rounded(e.average_watch), average_pose_accuracy=_rounded(e.average_pose),
                )
                for e in a.exercises
            ],
            weeks=[
                _set(
                    analytics_pb2.WeekAdherence(week_number=w.week_number, start=w.start.isoformat(), end=w.end.isoformat(),
                                                completed=w.completed, expected=w.expected),
                    adherence_percent=None if w.ratio is None else round(w.ratio * 100, 2),
                )
                for w in a.weeks
            ],
        )
        return _set(
            reply, adherence_percent=a.adherence_percent, average_session_minutes=a.average_session_minutes,
            average_video_watch_percent=a.average_video_watch_percent,
        )

    async def GetOrganizationDashboard(self, request, context):  # type: ignore[no-untyped-def]
        d = await self._analytics.organization_dashboard(identity.current())

        def usage(row: dict[str, Any]) -> analytics_pb2.ExerciseUsage:
            return _set(
                analytics_pb2.ExerciseUsage(
                    exercise_id=str(row["exercise_id"]), name=row["name"], plans_prescribed=row["plans_prescribed"],
                    sessions_prescribed=row["sessions_prescribed"], sessions_done=row["sessions_done"],
                ),
                completion_percent=row["completion_percent"], average_pose_accuracy=_rounded(row["average_pose"]),
                average_video_watch_percent=_rounded(row["average_watch"]),
            )

        return analytics_pb2.OrganizationDashboard(
            generated_at=iso_utc(d.generated_at),
            pain=_set(analytics_pb2.PainImprovement(plans_counted=d.pain["plans_counted"]),
                      **{k: v for k, v in d.pain.items() if k != "plans_counted"}),
            adherence=_set(
                analytics_pb2.ActiveAdherence(
                    active_plans=d.adherence["active_plans"], plans_with_expectation=d.adherence["plans_with_expectation"],
                    sessions_completed=int(d.adherence["sessions_completed"]),
                    sessions_expected=int(d.adherence["sessions_expected"]),
                ),
                average_adherence_percent=d.adherence["average_adherence_percent"],
            ),
            most_prescribed=[usage(r) for r in d.most_prescribed],
            best_performance=[usage(r) for r in d.best_performance],
            worst_performance=[usage(r) for r in d.worst_performance],
            outcomes=_set(
                analytics_pb2.PlanOutcomes(**{s: d.outcomes[s] for s in ("active", "completed", "expired", "cancelled")}),
                **{k: v for k, v in d.outcomes.items() if k.endswith("_percent")},
            ),
        )
