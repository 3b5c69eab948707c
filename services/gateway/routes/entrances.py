"""App entrances: the patient's dashboard log, and the therapist's history of a patient's entrances."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from momentum.entrances.v1 import entrances_pb2
from services.common.identity import Identity
from services.gateway.routing import api_router, patient, staff
from services.gateway.schemas.base import NoBody, NO_BODY_EXAMPLE
from services.gateway.schemas.entrances import EntranceHistoryReply, EntranceLogReply, EntranceReply

router = api_router("app entrances")


@router.post(
    "/v2/app-entrances/log",  # LOG_PATH
    status_code=202,
    response_model=EntranceLogReply,
    responses={200: {"model": EntranceLogReply, "description": "Nothing scheduled: disabled, not_needed, or already final"}}, operation_id="logAppEntrance",
)
async def log_entrance(
    request: Request, body: NoBody | None = Body(None, openapi_examples=NO_BODY_EXAMPLE), caller: Identity = Depends(patient)
) -> JSONResponse:
    """The dashboard mounted. 202 when a PENDING entrance was created or its window extended; 200 with
    `disabled` (clinic flag off), `not_needed` (a real workout today, including one that already
    cancelled the day's entrance) or the final status otherwise. Counts as an app open for the day
    either way. A workout completed moments earlier, and a change of the clinic's `appEntranceTracking`
    flag or of the patient's timezone, are seen as soon as their events reach entrances (milliseconds)."""
    # Served by services.gateway.fast_paths in front of FastAPI when the body is empty (or `{}`); this
    # route documents it and answers any other body (refused: a field here is a client bug).
    status, reply = await log_app_entrance(request.app.state.clients, caller)
    return JSONResponse(reply, status_code=status)


LOG_PATH = "/v2/app-entrances/log"


async def log_app_entrance(clients: Any, caller: Identity) -> tuple[int, dict[str, Any]]:
    """The log route's work, framework-free: its status (202 when finalization is scheduled) and reply."""
    reply = await clients.call(clients.entrances.LogEntrance, entrances_pb2.LogEntranceRequest(), caller)
    return (202 if reply.action in ("created", "extended") else 200), EntranceLogReply.of(reply).model_dump()


@router.get("/v2/doctor/patients/{patient_id}/app-entrances", response_model=EntranceHistoryReply, operation_id="listPatientAppEntrances")
async def patient_entrances(
    request: Request,
    patient_id: UUID = Path(description="a patient of the caller's clinic"),
    limit: int = Query(90, ge=1, le=366, description="most recent local days first"),
    caller: Identity = Depends(staff),
) -> EntranceHistoryReply:
    """A patient's app entrances with their state (pending, finalized into a mirror workout, not needed, cancelled)."""
    clients = request.app.state.clients
    reply = await clients.call(
        clients.entrances.ListPatientEntrances,
        entrances_pb2.ListPatientEntrancesRequest(patient_id=str(patient_id), limit=limit),
        caller,
    )
    return EntranceHistoryReply(patientId=str(patient_id), entrances=[EntranceReply.of(e) for e in reply.entrances])
