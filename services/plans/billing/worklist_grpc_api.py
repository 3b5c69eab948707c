"""The billing worklist gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

from momentum.plans.v1 import roster_pb2, roster_pb2_grpc
from services.common import identity
from services.common.parsing import optional_uuid, parse_date, parse_uuid
from services.plans.billing.grpc_api import record_reply
from services.plans.billing.worklist import BillingWorklist
from services.plans.billing.worklist_repository import WorklistFilter


class BillingWorklistServicer(roster_pb2_grpc.BillingWorklistServiceServicer):
    def __init__(self, worklist: BillingWorklist) -> None:
        self._worklist = worklist

    async def ListClinicRecords(self, request, context):  # type: ignore[no-untyped-def]
        where = WorklistFilter(
            status=request.status or None, code=request.code or None,
            period_from=parse_date("periodFrom", request.period_from) if request.period_from else None,
            period_to=parse_date("periodTo", request.period_to) if request.period_to else None,
            therapist_id=optional_uuid("therapistId", request.therapist_id),
        )
        page = await self._worklist.page(
            identity.current(), where, request.cursor, request.limit or 50, evidence=not request.omit_evidence,
        )
        return roster_pb2.ClinicRecordsPage(
            records=[
                roster_pb2.ClinicRecord(record=record_reply(r.stored), patient_name=r.patient_name,
                                        therapist_id=str(r.therapist_id or ""))
                for r in page.rows
            ],
            next_cursor=page.next_cursor,
        )

    async def MarkRecordsBilled(self, request, context):  # type: ignore[no-untyped-def]
        ids = [parse_uuid("recordIds", raw) for raw in request.record_ids]
        billed = await self._worklist.mark_billed(identity.current(), ids)
        return roster_pb2.MarkRecordsBilledResponse(records=[record_reply(s) for s in billed])
