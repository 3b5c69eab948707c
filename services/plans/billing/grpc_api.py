"""The billing gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

from momentum.plans.v1 import analytics_pb2, analytics_pb2_grpc
from services.common import identity
from services.common.parsing import iso_utc, parse_date, parse_uuid
from services.plans.billing.handlers import BillingHandlers
from services.plans.billing.repository import StoredRecord, TimeEntryRow


def time_entry_reply(e: TimeEntryRow) -> analytics_pb2.TimeEntry:
    return analytics_pb2.TimeEntry(
        entry_id=str(e.entry_id), patient_id=str(e.patient_id), therapist_id=str(e.therapist_id), minutes=e.minutes,
        activity_type=e.activity_type, interactive=e.interactive, occurred_on=e.occurred_on.isoformat(), note=e.note or "",
        created_at=iso_utc(e.created_at),
    )


def record_reply(s: StoredRecord) -> analytics_pb2.BillingRecord:
    r = s.record
    return analytics_pb2.BillingRecord(
        record_id=str(s.record_id), patient_id=str(s.patient_id), track=str(r.track),
        period_start=r.period_start.isoformat(), period_end=r.period_end.isoformat(),
        codes=[analytics_pb2.CodeUnits(code=str(c.code), units=c.units) for c in r.codes],
        status=str(r.status), quantity=r.quantity,
        evidence=[analytics_pb2.CountedDay(local_date=d.local_date.isoformat(), record_ids=list(d.record_ids)) for d in r.evidence],
        billed_at=iso_utc(r.billed_at), billed_by=str(s.billed_by or ""), conflict=s.conflict or "", updated_at=iso_utc(s.updated_at),
    )


class BillingServicer(analytics_pb2_grpc.BillingServiceServicer):
    def __init__(self, billing: BillingHandlers) -> None:
        self._billing = billing

    async def AddTimeEntry(self, request, context):  # type: ignore[no-untyped-def]
        entry = await self._billing.add_time_entry(
            identity.current(), parse_uuid("patientId", request.patient_id), request.minutes, request.activity_type,
            request.interactive, parse_date("occurredOn", request.occurred_on), request.note,
        )
        return time_entry_reply(entry)

    async def ListTimeEntries(self, request, context):  # type: ignore[no-untyped-def]
        entries = await self._billing.time_entries(identity.current(), parse_uuid("patientId", request.patient_id))
        return analytics_pb2.ListTimeEntriesResponse(entries=[time_entry_reply(e) for e in entries])

    async def ListBillingRecords(self, request, context):  # type: ignore[no-untyped-def]
        records = await self._billing.records(identity.current(), parse_uuid("patientId", request.patient_id))
        return analytics_pb2.ListBillingRecordsResponse(records=[record_reply(r) for r in records])

    async def GetProgressBoard(self, request, context):  # type: ignore[no-untyped-def]
        patients = []
        for row, today, window, board in await self._billing.progress_board(identity.current()):
            engagement = analytics_pb2.PatientEngagement(
                patient_id=str(row.patient_id), display_name=row.display_name, status=board.status.value,
                days_remaining=board.days_remaining, days_needed=board.days_needed,
                data_days=window.data_days if window else 0,
                window_start=window.start.isoformat() if window else "",
                window_end=window.end.isoformat() if window else "", local_date=today.isoformat(),
            )
            if window is not None:  # no window yet: the index stays absent, not 0
                engagement.window_index = window.window_index
            patients.append(engagement)
        return analytics_pb2.ProgressBoard(patients=patients)

    async def MarkBilled(self, request, context):  # type: ignore[no-untyped-def]
        return record_reply(await self._billing.mark_billed(identity.current(), parse_uuid("recordId", request.record_id)))

    async def ResetBilling(self, request, context):  # type: ignore[no-untyped-def]
        return record_reply(await self._billing.reset(identity.current(), parse_uuid("recordId", request.record_id)))
