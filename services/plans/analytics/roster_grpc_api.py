"""The roster gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

from momentum.plans.v1 import roster_pb2, roster_pb2_grpc
from services.common import identity
from services.common.parsing import iso_utc, parse_uuid
from services.plans.analytics.roster import RosterEntry, RosterHandlers, RosterQuery
from services.plans.analytics.roster_repository import PlanFigures


def plan_reply(p: PlanFigures) -> roster_pb2.RosterPlan:
    return roster_pb2.RosterPlan(
        plan_id=str(p.plan_id), title=p.title, status=p.status, start_date=p.start_date.isoformat(),
        end_date=p.end_date.isoformat(), sessions_completed=p.sessions_completed, sessions_planned=p.sessions_planned,
        frequency_per_week=p.frequency_per_week,
    )


def row_reply(entry: RosterEntry) -> roster_pb2.RosterRow:
    f = entry.figures
    row = roster_pb2.RosterRow(
        patient_id=str(f.patient_id), display_name=f.display_name, timezone=f.timezone, local_date=f.today.isoformat(),
        therapist_id=str(f.therapist_id or ""), therapist_name=f.therapist_name or "",
        last_activity_at=iso_utc(f.last_activity_at), rtm_status=f.rtm_status,
        rtm_period_start=f.rtm_period_start.isoformat() if f.rtm_period_start else "",
        rtm_period_end=f.rtm_period_end.isoformat() if f.rtm_period_end else "",
        rtm_data_days=f.rtm_data_days, rtm_minutes=f.rtm_minutes,
        alerts=[roster_pb2.RosterAlert(kind=a.kind.value, detail=a.detail) for a in entry.alerts],
    )
    if f.plan is not None:
        row.plan.CopyFrom(plan_reply(f.plan))
    if f.adherence_7d is not None:
        row.adherence_7d = f.adherence_7d
    if f.adherence_30d is not None:
        row.adherence_30d = f.adherence_30d
    return row


class RosterServicer(roster_pb2_grpc.RosterServiceServicer):
    def __init__(self, roster: RosterHandlers) -> None:
        self._roster = roster

    async def ListRoster(self, request, context):  # type: ignore[no-untyped-def]
        query = RosterQuery(
            limit=request.limit or 50, cursor=request.cursor, search=request.search, assigned_to_me=request.assigned_to_me,
            plan_status=request.plan_status, rtm_status=request.rtm_status,
            has_alerts=request.has_alerts if request.HasField("has_alerts") else None, sort=request.sort or "name",
        )
        page = await self._roster.page(identity.current(), query)
        return roster_pb2.RosterPage(patients=[row_reply(e) for e in page.entries], next_cursor=page.next_cursor)

    async def GetPatientSummary(self, request, context):  # type: ignore[no-untyped-def]
        return row_reply(await self._roster.summary(identity.current(), parse_uuid("patientId", request.patient_id)))

    async def ListPatientPlans(self, request, context):  # type: ignore[no-untyped-def]
        found = await self._roster.plans(identity.current(), parse_uuid("patientId", request.patient_id))
        return roster_pb2.PatientPlans(plans=[plan_reply(p) for p in found])
