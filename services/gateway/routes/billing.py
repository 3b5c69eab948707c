"""RTM billing (clinics with the rtmBilling flag): therapist time, billing records and the engagement board."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from momentum.plans.v1 import analytics_pb2
from services.common.identity import Identity
from services.gateway import analytics_client as plans
from services.gateway.analytics_client import optional
from services.gateway.routing import admin, api_router, date_from_caller, id_path, path_id, staff, therapist, errors
from services.gateway.schemas.billing import (
    BillingRecordListReply, BillingRecordReply, ProgressBoardReply, TimeEntryBody, TimeEntryListReply, TimeEntryReply,
)

router = api_router("rtm billing")


def _entry(e: analytics_pb2.TimeEntry) -> dict[str, Any]:
    return {
        "entryId": e.entry_id, "patientId": e.patient_id, "therapistId": e.therapist_id, "minutes": e.minutes,
        "activityType": e.activity_type, "interactive": e.interactive, "occurredOn": e.occurred_on,
        "note": e.note or None, "createdAt": e.created_at,
    }


def record_body(r: analytics_pb2.BillingRecord) -> dict[str, Any]:
    return {
        "recordId": r.record_id, "patientId": r.patient_id, "track": r.track, "periodStart": r.period_start,
        "periodEnd": r.period_end, "codes": [{"code": c.code, "units": c.units} for c in r.codes], "status": r.status,
        "quantity": r.quantity,
        "evidence": [{"localDate": d.local_date, "recordIds": list(d.record_ids)} for d in r.evidence],
        "billedAt": r.billed_at or None, "billedBy": r.billed_by or None, "conflict": r.conflict or None,
        "updatedAt": r.updated_at,
    }


@router.post("/v1/patients/{patient_id}/time-entries", response_model=TimeEntryReply, status_code=201, operation_id="addTimeEntry", responses=errors(400))
async def add_time_entry(
    body: TimeEntryBody, request: Request, patient_id: str = id_path(), caller: Identity = Depends(therapist)
) -> dict[str, Any]:
    """Logs therapist time spent managing the patient's treatment; the month's records are recomputed at once."""
    stub = plans.billing(request)
    created = await plans.call(
        request, stub.AddTimeEntry,
        analytics_pb2.AddTimeEntryRequest(
            patient_id=path_id("patientId", patient_id), minutes=body.minutes, activity_type=body.activityType,
            interactive=body.interactive, occurred_on=date_from_caller("occurredOn", body.occurredOn).isoformat(),
            note=body.note or "",
        ),
        caller,
    )
    return _entry(created)


@router.get("/v1/patients/{patient_id}/time-entries", response_model=TimeEntryListReply, operation_id="listTimeEntries", responses=errors(400))
async def list_time_entries(request: Request, patient_id: str = id_path(), caller: Identity = Depends(staff)) -> dict[str, Any]:
    """The patient's logged management time (minutes, activity, interactive or not), newest first."""
    stub = plans.billing(request)
    asked = analytics_pb2.ListTimeEntriesRequest(patient_id=path_id("patientId", patient_id))
    found = await plans.call(request, stub.ListTimeEntries, asked, caller)
    return {"entries": [_entry(e) for e in found.entries]}


@router.get("/v1/patients/{patient_id}/billing", response_model=BillingRecordListReply, operation_id="listPatientBillingRecords", responses=errors(400))
async def list_billing_records(request: Request, patient_id: str = id_path(), caller: Identity = Depends(staff)) -> dict[str, Any]:
    """Every data-days window and management month of the patient, with codes, status and evidence."""
    stub = plans.billing(request)
    asked = analytics_pb2.ListBillingRecordsRequest(patient_id=path_id("patientId", patient_id))
    found = await plans.call(request, stub.ListBillingRecords, asked, caller)
    return {"records": [record_body(r) for r in found.records]}


@router.get("/v1/billing/progress-board", response_model=ProgressBoardReply, operation_id="getBillingProgressBoard", responses=errors(400))
async def progress_board(request: Request, caller: Identity = Depends(staff)) -> dict[str, Any]:
    """Per patient with an active plan: never_logged_in, needs_engagement (16 data days are out of
    reach in this window) or on_track, with the days remaining and still needed."""
    stub = plans.billing(request)
    board = await plans.call(request, stub.GetProgressBoard, analytics_pb2.GetProgressBoardRequest(), caller)
    return {
        "patients": [
            {"patientId": p.patient_id, "displayName": p.display_name, "status": p.status,
             "daysRemaining": p.days_remaining, "daysNeeded": p.days_needed, "dataDays": p.data_days,
             "windowIndex": optional(p, "window_index"), "windowStart": p.window_start or None,
             "windowEnd": p.window_end or None, "localDate": p.local_date}
            for p in board.patients
        ]
    }


@router.post("/v1/billing-records/{record_id}/mark-billed", response_model=BillingRecordReply, operation_id="markBillingRecordBilled", responses=errors(400))
async def mark_billed(request: Request, record_id: str = id_path(), caller: Identity = Depends(admin)) -> dict[str, Any]:
    """A ready record was claimed; projected (still open) records cannot be billed."""
    stub = plans.billing(request)
    asked = analytics_pb2.BillingRecordActionRequest(record_id=path_id("recordId", record_id))
    return record_body(await plans.call(request, stub.MarkBilled, asked, caller))


@router.post("/v1/billing-records/{record_id}/reset", response_model=BillingRecordReply, operation_id="resetBillingRecord", responses=errors(400))
async def reset(request: Request, record_id: str = id_path(), caller: Identity = Depends(admin)) -> dict[str, Any]:
    """Back from billed to ready (claim rejected or sent by mistake); recalculation follows the sources again."""
    stub = plans.billing(request)
    asked = analytics_pb2.BillingRecordActionRequest(record_id=path_id("recordId", record_id))
    return record_body(await plans.call(request, stub.ResetBilling, asked, caller))
