"""The clinic-wide billing worklist: records across patients, bulk mark-billed, and a CSV a claims system imports."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, AsyncIterator
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse

from momentum.plans.v1 import roster_pb2, roster_pb2_grpc
from services.common.identity import Identity
from services.gateway import analytics_client as plans
from services.gateway.routes.billing import record_body
from services.gateway.routing import admin, api_router, only_query, staff, errors
from services.gateway.schemas.roster import BillingStatus, MarkBilledBody, MarkBilledReply, RtmCode, WorklistReply

router = api_router("rtm billing")
FILTERS = ("status", "code", "periodFrom", "periodTo", "therapistId")
# The export reads the worklist without evidence (the CSV has counts only) in pages this large, the plans
# service's most, and writes each as it arrives: a 2,000-patient clinic's month is one call.
EXPORT_PAGE = 2000
CSV_COLUMNS = (
    "record_id", "patient_id", "patient_name", "track", "codes", "units", "service_period_start", "service_period_end",
    "data_days", "minutes", "status",
)


def _stub(request: Request) -> roster_pb2_grpc.BillingWorklistServiceStub:
    return roster_pb2_grpc.BillingWorklistServiceStub(request.app.state.clients.channels["plans"])


class Filters:
    """The worklist's filters, shared by the JSON list and the CSV export."""

    def __init__(
        self,
        status: BillingStatus | None = Query(default=None),
        code: RtmCode | None = Query(default=None, description="records carrying this CPT code"),
        periodFrom: date | None = Query(default=None, description="records whose service period ends on or after"),
        periodTo: date | None = Query(default=None, description="records whose service period starts on or before"),
        therapistId: UUID | None = Query(default=None, description="patients assigned to this therapist"),
    ) -> None:
        self.request = roster_pb2.ListClinicRecordsRequest(
            status=status or "", code=code or "", period_from=periodFrom.isoformat() if periodFrom else "",
            period_to=periodTo.isoformat() if periodTo else "", therapist_id=str(therapistId) if therapistId else "",
        )


def _row(r: roster_pb2.ClinicRecord) -> dict[str, Any]:
    return {**record_body(r.record), "patientName": r.patient_name, "therapistId": r.therapist_id or None}


@router.get("/v1/billing/records", response_model=WorklistReply, operation_id="listBillingRecords", responses=errors(400))
async def list_records(
    request: Request,
    caller: Identity = Depends(staff),
    _known: None = only_query("limit", "cursor", *FILTERS),
    filters: Filters = Depends(),
    limit: int = Query(default=50, ge=1, le=100),
    cursor: str | None = Query(default=None, max_length=200),
) -> dict[str, Any]:
    """Every billing record of the clinic, newest service period first, filtered and a page at a time."""
    asked = filters.request
    asked.limit, asked.cursor = limit, cursor or ""
    page = await plans.call(request, _stub(request).ListClinicRecords, asked, caller)
    return {"records": [_row(r) for r in page.records], "nextCursor": page.next_cursor or None}


@router.post("/v1/billing/records/mark-billed", response_model=MarkBilledReply, operation_id="markBillingRecordsBilled", responses=errors(400))
async def mark_billed(body: MarkBilledBody, request: Request, caller: Identity = Depends(admin)) -> dict[str, Any]:
    """Marks every named record billed, or none: an unknown id is a 404 and a record that is not ready a 400,
    each naming the id."""
    asked = roster_pb2.MarkRecordsBilledRequest(record_ids=[str(i) for i in body.recordIds])
    done = await plans.call(request, _stub(request).MarkRecordsBilled, asked, caller)
    return {"records": [record_body(r) for r in done.records]}


def csv_line(r: roster_pb2.ClinicRecord) -> list[Any]:
    record = r.record
    data_days = record.quantity if record.track == "data_days" else 0
    minutes = record.quantity if record.track == "management_time" else 0
    return [
        record.record_id, record.patient_id, r.patient_name, record.track, ";".join(c.code for c in record.codes),
        ";".join(str(c.units) for c in record.codes), record.period_start, record.period_end, data_days, minutes,
        record.status,
    ]


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@router.get(
    "/v1/billing/records.csv", operation_id="exportBillingRecords", response_class=StreamingResponse,
    responses={**errors(400), 200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                     "description": "RFC 4180 CSV with a header row: " + ", ".join(CSV_COLUMNS)}},
)
async def export_records(
    request: Request, caller: Identity = Depends(staff), _known: None = only_query(*FILTERS), filters: Filters = Depends(),
) -> StreamingResponse:
    """The filtered worklist as CSV for a claims system, one row per record: patient id and name, codes and their
    units (`;`-separated, in the same order), service period, data days, minutes and status. Streamed page by page."""
    stub = _stub(request)
    asked = filters.request
    asked.limit, asked.omit_evidence = EXPORT_PAGE, True
    # The first page is read before the response starts, so a refused request is a proper error status.
    first = await plans.call(request, stub.ListClinicRecords, asked, caller)

    async def lines() -> AsyncIterator[str]:
        page = first
        yield _csv([list(CSV_COLUMNS)] + [csv_line(r) for r in page.records])
        while page.next_cursor:
            asked.cursor = page.next_cursor
            page = await plans.call(request, stub.ListClinicRecords, asked, caller)
            yield _csv([csv_line(r) for r in page.records])

    return StreamingResponse(
        lines(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="billing-records.csv"'},
    )
